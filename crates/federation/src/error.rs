//! The federation crate's error type.

use deling_store::StoreError;

/// What can go wrong while federating.
#[derive(Debug, thiserror::Error)]
pub enum FedError {
    /// Signatures, fetching, WebFinger: from activitypub_federation.
    #[error("{0}")]
    Protocol(#[from] activitypub_federation::error::Error),
    /// The database.
    #[error("{0}")]
    Store(#[from] StoreError),
    /// A document that does not parse.
    #[error("malformed document: {0}")]
    Json(#[from] serde_json::Error),
    /// A well-formed activity we refuse: wrong owner, foreign host, unknown
    /// target. Permanent: retrying changes nothing.
    #[error("refused: {0}")]
    Refused(String),
    /// A request that should be signed is not, or not well enough.
    #[error("signature: {0}")]
    Unsigned(String),
    /// Something named does not exist here.
    #[error("not found: {0}")]
    NotFound(String),
    /// Processing took longer than it may (slow peers answering fetches).
    #[error("timed out: {0}")]
    TimedOut(String),
}

impl FedError {
    /// Whether trying again later could succeed (a peer or the database was
    /// down), as opposed to a document we will never accept.
    pub fn is_transient(&self) -> bool {
        use activitypub_federation::error::Error as E;
        match self {
            // Not RequestLimit: a document that needs more than the fetch
            // budget will need it next time too.
            Self::Protocol(e) => matches!(e, E::Reqwest(_) | E::ReqwestMiddleware(_)),
            Self::TimedOut(_) => true,
            Self::Store(e) => e.is_transient(),
            _ => false,
        }
    }
}

/// Fails with [`FedError::Refused`].
pub fn refuse<T>(why: impl Into<String>) -> Result<T, FedError> {
    Err(FedError::Refused(why.into()))
}
