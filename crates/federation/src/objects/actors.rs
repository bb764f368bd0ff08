//! The three kinds of actor activitypub_federation deals with: remote actors
//! (fetched, cached in the store), our agencies and our instance actor
//! (both sign with their own keys).

use crate::{
    Urls,
    context::{Data, FedContext},
    error::{FedError, refuse},
    objects::agency::{agency_actor, instance_actor},
    protocol::actor::ActorJson,
    urls::{authority, same_origin},
};
use activitypub_federation::{
    protocol::verification::verify_domains_match,
    traits::{Actor, Object},
};
use chrono::{DateTime, Utc};
use deling_domain::{markdown, web_url::WebUrl};
use deling_store::{
    queries::remote_actor::RemoteActorData,
    records::{Agency, Instance, RemoteActor},
};
use url::Url;

/// A remote actor, as cached in the store.
#[derive(Debug, Clone)]
pub struct DbRemoteActor {
    /// The row.
    pub row: RemoteActor,
    id: Url,
    inbox: Url,
    shared_inbox: Option<Url>,
}

impl DbRemoteActor {
    /// Wraps a stored row; a row with unparseable URLs is refused.
    pub fn new(row: RemoteActor) -> Result<Self, FedError> {
        let id = Url::parse(&row.ap_id).map_err(|e| FedError::Refused(e.to_string()))?;
        let inbox = Url::parse(&row.inbox).map_err(|e| FedError::Refused(e.to_string()))?;
        let shared_inbox = row.shared_inbox.as_deref().and_then(|s| Url::parse(s).ok());
        Ok(Self {
            row,
            id,
            inbox,
            shared_inbox,
        })
    }
}

/// Longest actor id, inbox, shared inbox or followers collection taken,
/// in bytes: [`WebUrl::MAX_LEN`], as for every other link from a peer.
const MAX_URL_LEN: usize = WebUrl::MAX_LEN;

/// Longest public key PEM taken, in bytes. An RSA-16384 key's PEM is about
/// 2.8 KB. An actor is fetched and stored before the signature that named
/// it is checked, and its key is kept in memory with the parsed key, so
/// whitespace padded to the 1 MiB fetch limit would cost a megabyte each.
const MAX_PEM_LEN: usize = 8 * 1024;

/// Longest profile text taken, in characters, before it is sanitised
/// (Mastodon lets its own users write 500).
const MAX_SUMMARY_CHARS: usize = 5_000;

/// Whether a URL fits [`MAX_URL_LEN`].
fn short(url: &Url) -> bool {
    url.as_str().len() <= MAX_URL_LEN
}

/// A link to show (profile page, avatar): http(s) and of bounded length,
/// else dropped.
fn web_url(url: Url) -> Option<String> {
    WebUrl::try_from(url).ok().map(|u| u.to_string())
}

/// Text without markup, for names and summaries that peers may send as HTML.
/// A user part for an actor that names none: the last segment of its id,
/// if that makes a plausible user name (letters, digits, `_`, `-`, `.`).
/// It is shown in its handle; it may not answer WebFinger.
fn username_from_id(id: &Url) -> Option<String> {
    let segment = id.path_segments()?.rev().find(|s| !s.is_empty())?;
    let name: String = segment.chars().take(64).collect();
    name.chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        .then_some(name)
}

/// A peer's one-line text (a name, a user name) as plain text held to the
/// rules local names keep: without markup, capped, and empty (so dropped)
/// when it has control characters, direction overrides or nothing
/// visible, as a spoofed `abc\u{202e}txt.exe` would.
fn plain(s: &str, max_chars: usize) -> String {
    // Markup takes room too, so the text is cut short of what it shows only
    // when it is mostly markup; a megabyte of name is not parsed whole.
    let bounded: String = s.chars().take(max_chars * 16).collect();
    let text: String = ammonia_text(&bounded).chars().take(max_chars).collect();
    match deling_domain::text::check_chars(&text, false) {
        Ok(()) => text,
        Err(why) => {
            tracing::info!(%why, "a remote actor's name was dropped");
            String::new()
        }
    }
}

fn ammonia_text(s: &str) -> String {
    markdown::plain_text(s)
}

#[async_trait::async_trait]
impl Object for DbRemoteActor {
    type DataType = FedContext;
    type Kind = ActorJson;
    type Error = FedError;

    fn id(&self) -> &Url {
        &self.id
    }

    fn last_refreshed_at(&self) -> Option<DateTime<Utc>> {
        Some(self.row.fetched_at)
    }

    async fn read_from_id(id: Url, data: &Data) -> Result<Option<Self>, FedError> {
        match data.store.get_remote_actor_by_ap_id(id.as_str()).await? {
            Some(row) => Ok(Some(Self::new(row)?)),
            None => Ok(None),
        }
    }

    async fn delete(&self, data: &Data) -> Result<(), FedError> {
        data.store.delete_remote_actor(self.id.as_str()).await?;
        Ok(())
    }

    async fn into_json(self, _data: &Data) -> Result<ActorJson, FedError> {
        refuse("a remote actor is served by its own server")
    }

    async fn verify(json: &ActorJson, expected_domain: &Url, _data: &Data) -> Result<(), FedError> {
        verify_domains_match(&json.id, expected_domain)?;
        same_origin(&json.id, expected_domain)?;
        same_origin(&json.id, &json.inbox)?;
        for (what, url) in [("id", &json.id), ("inbox", &json.inbox)] {
            if url.as_str().len() > MAX_URL_LEN {
                return refuse(format!(
                    "the actor's {what} is longer than {MAX_URL_LEN} bytes"
                ));
            }
        }
        if json.public_key.public_key_pem.trim().len() > MAX_PEM_LEN {
            return refuse(format!(
                "the key of {} is longer than {MAX_PEM_LEN} bytes",
                json.id
            ));
        }
        if json.public_key.owner != json.id {
            return refuse(format!(
                "the key of {} belongs to {}",
                json.id, json.public_key.owner
            ));
        }
        Ok(())
    }

    async fn from_json(json: ActorJson, data: &Data) -> Result<Self, FedError> {
        let speaks_deling = json.speaks_deling();
        let row = data
            .store
            .put_remote_actor(RemoteActorData {
                ap_id: json.id.to_string(),
                actor_type: json.kind.chars().take(50).collect(),
                domain: authority(&json.id),
                preferred_username: Some(plain(&json.preferred_username, 100))
                    .filter(|s| !s.is_empty())
                    .or_else(|| username_from_id(&json.id)),
                name: json
                    .name
                    .as_deref()
                    .map(|n| plain(n, 200))
                    .filter(|n| !n.is_empty()),
                inbox: json.inbox.to_string(),
                shared_inbox: json
                    .endpoints
                    .and_then(|e| e.shared_inbox)
                    .filter(|s| same_origin(s, &json.id).is_ok() && short(s))
                    .map(|u| u.to_string()),
                url: json.url.and_then(web_url),
                icon_url: json.icon.and_then(|i| web_url(i.url)),
                summary_html: json.summary.as_deref().map(|s| {
                    // Cut before sanitising, which closes what the cut
                    // left open.
                    markdown::sanitize_remote(
                        &s.chars().take(MAX_SUMMARY_CHARS).collect::<String>(),
                    )
                }),
                // Trimmed: the key cache compares it whole on every request.
                public_key_pem: Some(json.public_key.public_key_pem.trim().to_owned()),
                // Only a collection on the actor's own server can stand for
                // its followers; anything else would let a post addressed
                // to someone else's followers pass as followers-only.
                speaks_deling,
                followers: json
                    .followers
                    .filter(|f| same_origin(f, &json.id).is_ok() && short(f))
                    .map(|u| u.to_string()),
            })
            .await?;
        Self::new(row)
    }
}

impl Actor for DbRemoteActor {
    fn public_key_pem(&self) -> &str {
        self.row.public_key_pem.as_deref().unwrap_or_default()
    }

    fn private_key_pem(&self) -> Option<String> {
        None
    }

    fn inbox(&self) -> Url {
        self.inbox.clone()
    }

    fn shared_inbox(&self) -> Option<Url> {
        self.shared_inbox.clone()
    }
}

/// One of our agencies, as the actor that signs its activities.
#[derive(Debug, Clone)]
pub struct LocalAgency {
    /// The row.
    pub agency: Agency,
    id: Url,
    inbox: Url,
    shared_inbox: Url,
}

impl LocalAgency {
    /// Wraps an agency row.
    pub fn new(urls: &Urls, agency: Agency) -> Self {
        Self {
            id: urls.agency(&agency.slug),
            inbox: urls.agency_inbox(&agency.slug),
            shared_inbox: urls.shared_inbox(),
            agency,
        }
    }
}

#[async_trait::async_trait]
impl Object for LocalAgency {
    type DataType = FedContext;
    type Kind = ActorJson;
    type Error = FedError;

    fn id(&self) -> &Url {
        &self.id
    }

    async fn read_from_id(id: Url, data: &Data) -> Result<Option<Self>, FedError> {
        let Some(slug) = data.urls.agency_slug_of(&id) else {
            return Ok(None);
        };
        Ok(data
            .store
            .get_agency_by_slug(slug)
            .await?
            .filter(|a| a.deleted_at.is_none())
            .map(|a| Self::new(&data.urls, a)))
    }

    async fn into_json(self, data: &Data) -> Result<ActorJson, FedError> {
        Ok(agency_actor(&data.urls, &self.agency))
    }

    async fn verify(
        _json: &ActorJson,
        _expected_domain: &Url,
        _data: &Data,
    ) -> Result<(), FedError> {
        refuse("local agencies are not taken from remote documents")
    }

    async fn from_json(_json: ActorJson, _data: &Data) -> Result<Self, FedError> {
        refuse("local agencies are not taken from remote documents")
    }
}

impl Actor for LocalAgency {
    fn public_key_pem(&self) -> &str {
        &self.agency.public_key_pem
    }

    fn private_key_pem(&self) -> Option<String> {
        Some(self.agency.private_key_pem.clone())
    }

    fn inbox(&self) -> Url {
        self.inbox.clone()
    }

    fn shared_inbox(&self) -> Option<Url> {
        Some(self.shared_inbox.clone())
    }
}

/// The instance actor, which signs our fetches (authorized fetch).
#[derive(Debug, Clone)]
pub struct InstanceActor {
    instance: Instance,
    id: Url,
    inbox: Url,
}

impl InstanceActor {
    /// Wraps the instance row.
    pub fn new(urls: &Urls, instance: Instance) -> Self {
        Self {
            id: urls.instance_actor(),
            inbox: urls.shared_inbox(),
            instance,
        }
    }
}

#[async_trait::async_trait]
impl Object for InstanceActor {
    type DataType = FedContext;
    type Kind = ActorJson;
    type Error = FedError;

    fn id(&self) -> &Url {
        &self.id
    }

    async fn read_from_id(id: Url, data: &Data) -> Result<Option<Self>, FedError> {
        if id != data.urls.instance_actor() {
            return Ok(None);
        }
        Ok(data
            .store
            .get_instance()
            .await?
            .map(|i| Self::new(&data.urls, i)))
    }

    async fn into_json(self, data: &Data) -> Result<ActorJson, FedError> {
        Ok(instance_actor(&data.urls, &self.instance))
    }

    async fn verify(
        _json: &ActorJson,
        _expected_domain: &Url,
        _data: &Data,
    ) -> Result<(), FedError> {
        refuse("the instance actor is not taken from remote documents")
    }

    async fn from_json(_json: ActorJson, _data: &Data) -> Result<Self, FedError> {
        refuse("the instance actor is not taken from remote documents")
    }
}

impl Actor for InstanceActor {
    fn public_key_pem(&self) -> &str {
        &self.instance.public_key_pem
    }

    fn private_key_pem(&self) -> Option<String> {
        Some(self.instance.private_key_pem.clone())
    }

    fn inbox(&self) -> Url {
        self.inbox.clone()
    }
}
