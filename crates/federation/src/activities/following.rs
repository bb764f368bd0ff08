//! Our agencies following others: whom a target names, and the Follow
//! and Undo they send. What peers send about following (Follow, Accept,
//! Reject, Undo) is handled in `inbox::activities`.

use crate::http_body::{ReadError, read_capped};
use crate::{
    activities::outgoing::activity_id,
    context::Data,
    error::{FedError, refuse},
    objects::actors::DbRemoteActor,
};
use activitypub_federation::fetch::{object_id::ObjectId, webfinger::Webfinger};
use deling_domain::handle::FollowTarget;
use deling_store::{queries::audit::Audit, records::Agency};

/// Parses a follow target typed by a person (`@user@host`, `user@host` or
/// an actor URL); a malformed one is refused with the parser's reason. For
/// callers that take the target as text; the API and the command line parse
/// it themselves and pass the [`FollowTarget`] down.
pub fn parse_target(target: &str) -> Result<FollowTarget, FedError> {
    FollowTarget::parse(target).map_err(|e| FedError::Refused(e.to_string()))
}

/// Finds the remote actor a follow target names (by WebFinger for a handle,
/// by fetching for a URL); an actor on this server is refused. All of it
/// within the time of two fetches: a WebFinger answer may name many links,
/// each fetched in turn, and an actor's id may lead to another on its
/// server, so a staff member's request cannot hang on a server that
/// answers slowly step after step.
pub async fn resolve_actor(target: &FollowTarget, data: &Data) -> Result<DbRemoteActor, FedError> {
    let http = data.settings.http;
    let allowed = 2 * (http.request_timeout + http.connect_timeout);
    tokio::time::timeout(allowed, resolve_without_deadline(target, data))
        .await
        .map_err(|_| FedError::TimedOut(format!("{target} did not resolve within {allowed:?}")))?
}

async fn resolve_without_deadline(
    target: &FollowTarget,
    data: &Data,
) -> Result<DbRemoteActor, FedError> {
    match target {
        FollowTarget::Url(url) => {
            let url = url.as_url();
            if data
                .domain()
                .eq_ignore_ascii_case(&crate::urls::authority(url))
            {
                return refuse("that is an actor on this server");
            }
            ObjectId::<DbRemoteActor>::from(url.clone())
                .dereference(data)
                .await
        }
        FollowTarget::Handle { user, host } => {
            if host.eq_ignore_ascii_case(data.domain()) {
                return refuse("that is an actor on this server");
            }
            let mut last = None;
            for link in webfinger_links(user, host, data).await? {
                match ObjectId::<DbRemoteActor>::from(link)
                    .dereference(data)
                    .await
                {
                    Ok(actor) => return Ok(actor),
                    Err(e) => last = Some(e),
                }
            }
            Err(last.unwrap_or_else(|| {
                FedError::NotFound(format!("{user}@{host} names no ActivityPub actor"))
            }))
        }
    }
}

/// Longest WebFinger answer read: Mastodon's are under 2 KiB.
const WEBFINGER_MAX_BYTES: usize = 64 * 1024;

/// The ActivityPub links (`type` `application/…`, last first, as
/// activitypub_federation orders them) of `user@host`'s WebFinger
/// document. Asked here rather than through the library, whose WebFinger
/// speaks plain http in the debug mode `setup` runs it in; held to what
/// any fetch is: https (http only in debug mode), a host name on the
/// default port, not blocked by the policy, private addresses refused at
/// connect time, a bounded answer.
async fn webfinger_links(user: &str, host: &str, data: &Data) -> Result<Vec<url::Url>, FedError> {
    let debug = data.settings.debug;
    let scheme = if debug { "http" } else { "https" };
    let url = url::Url::parse(&format!(
        "{scheme}://{host}/.well-known/webfinger?resource=acct:{user}@{host}"
    ))
    .map_err(|e| FedError::Refused(format!("{host} is not a host: {e}")))?;
    if !matches!(url.host(), Some(url::Host::Domain(_))) {
        return refuse(format!("{host} is not a host name"));
    }
    if !debug && url.port().is_some() {
        return refuse("a host with an explicit port is only asked in debug mode");
    }
    if crate::policy::refuses_host(&data.store, &url).await? {
        return refuse(format!(
            "{host} is blocked by this server's federation policy"
        ));
    }
    let resp = data
        .client
        .get(url.clone())
        .header(reqwest::header::ACCEPT, "application/jrd+json")
        .send()
        .await
        .map_err(|e| FedError::Protocol(e.into()))?;
    if resp.status() == reqwest::StatusCode::NOT_FOUND {
        return Err(FedError::NotFound(format!(
            "{user}@{host} is not known at {host}"
        )));
    }
    if !resp.status().is_success() {
        return refuse(format!("{host} answered WebFinger with {}", resp.status()));
    }
    let body = read_capped(resp, WEBFINGER_MAX_BYTES)
        .await
        .map_err(|e| match e {
            ReadError::TooLarge(_) => {
                FedError::Protocol(activitypub_federation::error::Error::ResponseBodyLimit)
            }
            ReadError::Http(e) => FedError::Protocol(e.into()),
        })?;
    let doc: Webfinger = serde_json::from_slice(&body)?;
    Ok(doc
        .links
        .into_iter()
        .filter(|l| {
            l.kind
                .as_deref()
                .is_some_and(|t| t.starts_with("application/"))
        })
        .filter_map(|l| l.href)
        .rev()
        .collect())
}

/// Makes `agency` follow `target`: records the Follow as pending and queues
/// it (an outbox event), in one transaction, with the audit entry `audit`
/// makes for the actor's id, if any.
pub async fn follow(
    agency: &Agency,
    target: &FollowTarget,
    data: &Data,
    audit: impl FnOnce(&str) -> Option<Audit>,
) -> Result<DbRemoteActor, FedError> {
    let actor = resolve_actor(target, data).await?;
    let follow_id = activity_id(&data.urls, "follow");
    let audit = audit(&actor.row.ap_id);
    data.store
        .put_following_audited(agency.id, actor.row.id, follow_id.as_str(), audit.as_ref())
        .await?;
    data.wake.notify_one();
    Ok(actor)
}

/// Makes `agency` stop following `target` and queues the Undo (an outbox
/// event) in the same transaction, with the audit entry `audit` makes for
/// the actor's id, if any; `false` if it did not follow.
pub async fn unfollow(
    agency: &Agency,
    target: &FollowTarget,
    data: &Data,
    audit: impl FnOnce(&str) -> Option<Audit>,
) -> Result<bool, FedError> {
    // What the agency follows is matched first, by the actor's id or its
    // profile page (`https://host/@user` resolves to `/users/user`), or
    // by its handle as shown. Only a handle whose WebFinger host is not
    // the actor's own is looked up; a URL never is: an actor stored
    // nowhere here is not followed, and an editor's request for one must
    // not reach out to whatever server it names.
    let followed: Vec<_> = data
        .store
        .list_following(agency.id)
        .await?
        .into_iter()
        .map(|f| f.actor)
        .collect();
    let known = match target {
        FollowTarget::Url(url) => followed
            .into_iter()
            .find(|a| a.ap_id == url.as_str() || a.url.as_deref() == Some(url.as_str())),
        FollowTarget::Handle { user, host } => followed.into_iter().find(|a| {
            a.domain.eq_ignore_ascii_case(host)
                && a.preferred_username
                    .as_deref()
                    .is_some_and(|u| u.eq_ignore_ascii_case(user))
        }),
    };
    let row = match (known, target) {
        (Some(row), _) => row,
        (None, FollowTarget::Url(_)) => return Ok(false),
        (None, FollowTarget::Handle { .. }) => match resolve_actor(target, data).await {
            Ok(actor) => actor.row,
            Err(FedError::Refused(why)) => return Err(FedError::Refused(why)),
            // Nothing that answers for the handle: nothing to unfollow.
            Err(e) => {
                tracing::debug!(error = %e, %target, "unfollow: the handle did not resolve");
                return Ok(false);
            }
        },
    };
    let actor = DbRemoteActor::new(row)?;
    let undo_id = activity_id(&data.urls, "undo");
    let audit = audit(&actor.row.ap_id);
    let removed = data
        .store
        .delete_following_audited(agency.id, actor.row.id, undo_id.as_str(), audit.as_ref())
        .await?;
    data.wake.notify_one();
    Ok(removed)
}
