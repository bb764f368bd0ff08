//! Reject: a peer refuses a Follow one of our agencies sent; handled as
//! an Accept is (`accept.rs`), with the other outcome.

use super::accept::{answer, our_follow};
use crate::{
    error::FedError,
    inbox::inbound::{Inbound, Received},
    protocol::incoming::Activity,
};
use deling_store::queries::follow::FOLLOWING_REJECTED;
use serde::Deserialize;

/// A Reject: `object` is our Follow, embedded or by id.
#[derive(Debug, Deserialize)]
pub struct Reject {
    /// Id, actor and the Follow rejected.
    #[serde(flatten)]
    pub activity: Activity,
}

#[async_trait::async_trait]
impl Inbound for Reject {
    async fn verify(&self, ctx: &Received<'_>) -> Result<(), FedError> {
        our_follow(&self.activity, ctx).map(drop)
    }

    async fn receive(self, ctx: &Received<'_>) -> Result<(), FedError> {
        answer(&self.activity, FOLLOWING_REJECTED, ctx).await
    }
}
