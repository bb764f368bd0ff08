//! One module per command group.

/// Prints a line to stdout for a long-running process, ignoring a closed
/// stdout: a server whose banner nobody reads any more (`deling serve |
/// head -1`, a supervisor that closed the pipe) must keep serving, where
/// `println!` would panic on the broken pipe.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

pub mod admin;
pub mod keys;
pub mod migrate;
pub mod moving;
pub mod policy;
pub mod search;
pub mod serve;
pub mod worker;

/// The agency named `slug`, unless it is withdrawn: what the commands that
/// act for an agency start from.
pub(crate) async fn agency_by_slug(
    store: &deling_store::Store,
    slug: &str,
) -> anyhow::Result<deling_store::records::Agency> {
    store
        .get_agency_by_slug(slug)
        .await?
        .filter(|a| a.deleted_at.is_none())
        .ok_or_else(|| anyhow::anyhow!("no agency {slug:?}"))
}
