//! `deling migrate`.

use crate::config::{Config, redact};
use anyhow::Context;
use deling_store::Store;

/// Applies pending migrations, or with `status` lists them.
pub async fn run(config: &Config, status: bool) -> anyhow::Result<()> {
    let store = Store::connect(&config.database_url)
        .await
        .with_context(|| format!("database_url = {}", redact(&config.database_url)))?;
    if status {
        for name in store.applied_migrations().await? {
            println!("applied  {name}");
        }
        for name in store.pending_migrations().await? {
            println!("pending  {name}");
        }
        return Ok(());
    }
    let pending = store.pending_migrations().await?;
    store.migrate().await?;
    if pending.is_empty() {
        println!("The database schema is up to date.");
    } else {
        for name in &pending {
            println!("applied  {name}");
        }
        println!("Applied {} migration(s).", pending.len());
    }
    Ok(())
}
