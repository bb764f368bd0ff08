//! `deling admin search ...`: the full-text search index.

use anyhow::Context;
use deling_store::Store;
use indicatif::{ProgressBar, ProgressStyle};

/// Items written per transaction while rebuilding.
const BATCH: u64 = 500;

/// Rebuilds the index from the items, with a progress bar on a terminal.
pub async fn reindex(store: &Store) -> anyhow::Result<()> {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} items ({eta} left)")
            .context("progress bar template")?,
    );
    let n = store
        .reindex_search(BATCH, |done, total| {
            bar.set_length(total);
            bar.set_position(done);
        })
        .await
        .context("while rebuilding the search index")?;
    bar.finish_and_clear();
    say!("search index rebuilt: {n} items");
    Ok(())
}
