//! Starting Deling in the test's own process, on a database of the test's:
//! what a [`TestApp`](crate::TestApp) and an [`Instance`](crate::Instance)
//! share.

use deling::{config::Config, startup::Application};
use deling_federation::keys::KeyPair;
use deling_store::Store;

/// Connects to `database_url` and brings its schema up to date.
pub async fn migrated_store(database_url: &str) -> Store {
    let store = Store::connect(database_url)
        .await
        .expect("connect to the test database");
    store.migrate().await.expect("migrate the test database");
    store
}

/// Builds the application for `config` on `store`'s database. The instance
/// actor is made first with `keys`, so that start-up skips RSA key
/// generation. Fails as start-up does (a port already taken, say).
pub async fn build(config: &Config, store: &Store, keys: &KeyPair) -> anyhow::Result<Application> {
    store
        .get_or_put_instance(&config.domain, &config.instance.name, || {
            (keys.public_key_pem.clone(), keys.private_key_pem.clone())
        })
        .await?;
    Application::build(config).await
}
