//! Flag: a peer reports one of our agencies, items or comments. Stored in
//! the moderation queue for instance administrators.

use crate::{
    error::{FedError, refuse},
    inbox::inbound::{Inbound, Received},
    protocol::{incoming::Activity, lenient},
};
use activitypub_federation::traits::Object;
use deling_domain::markdown;
use deling_store::queries::report::ReportPut;
use serde::Deserialize;

/// Longest report text kept, in characters.
const MAX_CONTENT_CHARS: usize = 5000;
/// Most reported objects kept of one Flag: a real report names an actor
/// and a few posts (Mastodon's reports a handful), and each kept id is
/// stored with the report and shown to moderators.
pub const MAX_REPORTED_OBJECTS: usize = 100;

/// Open reports one server may have in the queue. Mastodon files a
/// server's reports under its instance actor, and a moderator resolves
/// them as they come: a hundred waiting is a flood, whose further
/// reports are refused so that they do not bury other servers' reports
/// on the moderation page (which shows the newest). Room comes back as
/// they are resolved.
pub const OPEN_REPORTS_PER_HOST: u64 = 100;

/// A Flag: `object` names what is reported (one object or several).
#[derive(Debug, Deserialize)]
pub struct Flag {
    /// Id, actor and what is reported.
    #[serde(flatten)]
    pub activity: Activity,
    /// The reporter's words, if a string.
    #[serde(default, deserialize_with = "lenient::text")]
    pub content: Option<String>,
}

#[async_trait::async_trait]
impl Inbound for Flag {
    /// Anyone may report anything: the moderators judge.
    async fn verify(&self, _ctx: &Received<'_>) -> Result<(), FedError> {
        Ok(())
    }

    /// Stores the report with what it names and the reporter's words, as
    /// plain text; refused if another reporter's report holds its id, or
    /// if the reporter's server has [`OPEN_REPORTS_PER_HOST`] waiting.
    async fn receive(self, ctx: &Received<'_>) -> Result<(), FedError> {
        let Received { actor, data, .. } = *ctx;
        let objects = reported_objects(&self.activity);
        let content: String = self
            .content
            .map(|c| {
                markdown::plain_text(&c)
                    .chars()
                    .take(MAX_CONTENT_CHARS)
                    .collect()
            })
            .unwrap_or_default();
        let id = &self.activity.id;
        let host = crate::urls::authority(actor.id());
        let open = data
            .store
            .count_open_reports_from_host(&host, OPEN_REPORTS_PER_HOST)
            .await?;
        if open >= OPEN_REPORTS_PER_HOST {
            return refuse(format!(
                "report {id}: {host} has {OPEN_REPORTS_PER_HOST} open reports already"
            ));
        }
        let put = data
            .store
            .put_report(id.as_str(), actor.id().as_str(), &content, objects)
            .await?;
        if put == ReportPut::IdTaken {
            // Not a repeat: someone else on the reporter's server sent the
            // id first. Refused, so that it shows among the inbox's
            // failures rather than passing for a report already queued.
            return refuse(format!(
                "report {id} by {}: the id is another reporter's",
                actor.id()
            ));
        }
        tracing::info!(report = %id, reporter = %actor.id(), "report received");
        Ok(())
    }
}

/// The ids a Flag reports, the first [`MAX_REPORTED_OBJECTS`] of them: the
/// rest are dropped, and the log says so.
fn reported_objects(activity: &Activity) -> Vec<String> {
    let ids = activity.object.ids();
    if ids.len() > MAX_REPORTED_OBJECTS {
        tracing::warn!(report = %activity.id, named = ids.len(), kept = MAX_REPORTED_OBJECTS,
            "report names too many objects: only the first are kept");
    }
    ids.iter()
        .take(MAX_REPORTED_OBJECTS)
        .map(ToString::to_string)
        .collect()
}
