//! Verifying HTTP signatures on requests to us, inbox POSTs and signed
//! GETs alike: RFC 9421 HTTP Message Signatures (a `Signature-Input`
//! header; [`crate::rfc9421`]) and draft-cavage (the `Signature` header
//! alone), as Mastodon 4.5 and Fedify tell them apart.
//!
//! activitypub_federation verifies an inbox POST against the key of the
//! activity's `actor` and ignores `keyId`, which hides who actually signed
//! (a server forwarding someone else's activity), and it never fetches a key
//! again once cached. Here the signer is the actor named by `keyId`; the
//! signature must cover the request target, a `Host` that is ours, a recent
//! Date (or `(created)`) and, on a POST, the Digest; and when it does not
//! verify with the cached key the signer is fetched again, at most once per
//! [`REFETCH_EVERY`](crate::key_refetch::REFETCH_EVERY) per actor, as Mastodon does
//! (`app/controllers/concerns/signature_verification.rb`,
//! `actor_refresh_key!`), so a peer that rotated its key is heard at once.
//!
//! The signer is fetched while its request waits, before anything is
//! verified, so whoever names a `keyId` chooses the host we wait on: all
//! the fetches of one signer (see [`ActorFetch`]) share one deadline and a
//! small budget of their own, and must end at exactly the actor named.

use crate::{
    cavage::{self, covered_headers, refuse_authorization_signature},
    context::Data,
    crypto::VerifyingKey,
    error::FedError,
    fetch_knock::FetchBudget,
    inbox::memo::ReadStart,
    objects::actors::DbRemoteActor,
    rfc9421,
    urls::authority,
};
use activitypub_federation::{
    fetch::object_id::ObjectId,
    traits::{Actor, Object},
};
use base64::Engine;
use deling_store::queries::policy::Verdict;
use http_signature_normalization::Config;
use sha2::{Digest, Sha256};
use std::{collections::BTreeMap, sync::LazyLock, time::Duration};
use url::Url;

/// How far in the past a signed Date may be (as activitypub_federation's
/// own expiry) and how far ahead (clock skew).
const MAX_AGE: chrono::Duration = chrono::Duration::hours(1);
const MAX_AHEAD: chrono::Duration = chrono::Duration::minutes(15);

// The parser's own expiry check (of Date and `(created)`) matches ours;
// ours below adds the bound on dates in the future.
static CONFIG: LazyLock<Config> =
    LazyLock::new(|| Config::new().set_expiration(Duration::from_secs(3600)));

fn unsigned(why: impl Into<String>) -> FedError {
    FedError::Unsigned(why.into())
}

/// A request whose signature is to be verified.
#[derive(Debug)]
pub struct SignedRequest<'a> {
    /// `GET` or `POST`.
    pub method: &'a str,
    /// The request target as received (path and query).
    pub path_and_query: &'a str,
    /// The headers, names lower-cased. A missing `host` must be filled in
    /// with our domain by the caller (HTTP/2, some proxies).
    pub headers: BTreeMap<String, String>,
}

/// The actor id a `keyId` names: `ACTOR#main-key` (Mastodon, Lemmy, us)
/// or `ACTOR/main-key` (GoToSocial).
pub fn key_owner(key_id: &str) -> Result<Url, FedError> {
    let mut url = Url::parse(key_id).map_err(|_| unsigned("keyId is not a URL"))?;
    if url.fragment().is_some() {
        url.set_fragment(None);
    } else if let Some(path) = url.path().strip_suffix("/main-key").map(str::to_owned) {
        url.set_path(&path);
    }
    Ok(url)
}

/// Checks what the signature covers and that it was made for this server
/// and recently, without looking at any key.
fn check_parameters(req: &SignedRequest<'_>, our_domain: &str) -> Result<(), FedError> {
    refuse_authorization_signature(req.headers.get("authorization").map(String::as_str))?;
    let signature = req
        .headers
        .get("signature")
        .ok_or_else(|| unsigned("the request carries no HTTP signature"))?;
    let covered = covered_headers(signature).ok_or_else(|| {
        unsigned("the signature does not say (unambiguously) which headers it covers")
    })?;
    let covers = |h: &str| covered.iter().any(|c| c == h);
    let mut needed = vec!["(request-target)", "host"];
    if req.method.eq_ignore_ascii_case("POST") {
        needed.push("digest");
    }
    for h in needed {
        if !covers(h) {
            return Err(unsigned(format!("the signature must cover {h}")));
        }
    }
    if !covers("date") && !covers("(created)") {
        return Err(unsigned("the signature must cover date"));
    }
    // A request signed for another server, replayed here, carries that
    // server's Host; the port counts, as it does in our ids.
    let host = req
        .headers
        .get("host")
        .map(String::as_str)
        .unwrap_or_default();
    if !host.eq_ignore_ascii_case(our_domain) {
        return Err(unsigned(format!(
            "the request was signed for {host:?}, not for this server"
        )));
    }
    if covers("date") {
        let date = req
            .headers
            .get("date")
            .and_then(|d| chrono::DateTime::parse_from_rfc2822(d).ok())
            .ok_or_else(|| unsigned("the Date header is missing or unreadable"))?;
        let age = chrono::Utc::now() - date.with_timezone(&chrono::Utc);
        if age > MAX_AGE || -age > MAX_AHEAD {
            return Err(unsigned("the Date is outside the accepted window"));
        }
    }
    check_cavage_times(signature, chrono::Utc::now().timestamp())
}

/// Checks a draft-cavage signature's `created` and `expires` parameters,
/// when given, at `now` (Unix seconds): `created` within the window a Date
/// must be in (the parser bounds only its age, so one made to count far
/// in the future would be taken), and `expires` not passed.
fn check_cavage_times(signature: &str, now: i64) -> Result<(), FedError> {
    let time = |name: &str| -> Result<Option<i64>, FedError> {
        cavage_parameter(signature, name)
            .map(|v| {
                v.parse::<i64>()
                    .map_err(|_| unsigned(format!("the signature's {name} is not a Unix time")))
            })
            .transpose()
    };
    if let Some(created) = time("created")? {
        let age = now.saturating_sub(created);
        if age > MAX_AGE.num_seconds() || -age > MAX_AHEAD.num_seconds() {
            return Err(unsigned(
                "the signature's created time is outside the accepted window",
            ));
        }
    }
    if time("expires")?.is_some_and(|expires| expires < now) {
        return Err(unsigned("the signature has expired"));
    }
    Ok(())
}

/// The value of parameter `name` of a draft-cavage `Signature` header,
/// read as the verifier reads it (parameters split at `,` and the first
/// `=`, quotes dropped; [`covered_headers`] has refused one given twice).
fn cavage_parameter<'s>(signature: &'s str, name: &str) -> Option<&'s str> {
    signature
        .trim_start_matches("Signature")
        .trim()
        .split(',')
        .filter_map(|part| part.split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.trim_matches('"'))
}

/// Checks a `Digest` header (`SHA-256=<base64>`, possibly among others)
/// against the body.
pub fn check_digest(digest: Option<&str>, body: &[u8]) -> Result<(), FedError> {
    let expected = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(body));
    let sha256 = digest
        .into_iter()
        .flat_map(|d| d.split(','))
        .filter_map(|part| part.trim().split_once('='))
        .find(|(alg, _)| alg.eq_ignore_ascii_case("sha-256"))
        .map(|(_, v)| v.trim())
        .ok_or_else(|| unsigned("the request carries no SHA-256 Digest"))?;
    if sha256 == expected {
        Ok(())
    } else {
        Err(unsigned("the Digest does not match the body"))
    }
}

/// Refuses an actor of a suspended domain (or, in allow-list mode, one not
/// allowed) and a blocked actor, even when it is cached from before.
async fn check_policy(actor: &Url, data: &Data) -> Result<(), FedError> {
    let verdict = crate::policy::sender_verdict(&data.store, actor).await?;
    if verdict.host == Verdict::Refused {
        return Err(FedError::Refused(
            "the domain is blocked by this server's federation policy".into(),
        ));
    }
    if verdict.blocked {
        return Err(FedError::Refused(
            "the actor is blocked on this server".into(),
        ));
    }
    Ok(())
}

/// A key that cannot be fetched leaves the request unauthenticated (401,
/// as Mastodon answers), not a failure of ours; a deleted signer and the
/// federation policy keep their own answers.
fn key_unavailable(e: FedError) -> FedError {
    use activitypub_federation::error::Error as E;
    match e {
        FedError::Protocol(
            e @ (E::Reqwest(_)
            | E::ReqwestMiddleware(_)
            | E::DomainResolveError(_)
            | E::ResolveInternalIpError(..)
            | E::FetchInvalidContentType(_)
            | E::FetchWrongId(_)
            | E::ParseFetchedObject(..)
            | E::NotFound
            | E::RequestLimit
            | E::ResponseBodyLimit),
        ) => unsigned(format!("the signing key cannot be fetched: {e}")),
        FedError::Json(e) => unsigned(format!("the signer's document does not parse: {e}")),
        FedError::TimedOut(why) => unsigned(format!("the signing key cannot be fetched: {why}")),
        other => other,
    }
}

/// Checks the body against the digest the signature's format uses:
/// `Content-Digest` (RFC 9530) with an RFC 9421 signature, `Digest` with a
/// draft-cavage one.
pub fn check_body(req: &SignedRequest<'_>, body: &[u8]) -> Result<(), FedError> {
    if is_rfc9421(req) {
        rfc9421::check_content_digest(req.headers.get("content-digest").map(String::as_str), body)
            .map_err(|e| unsigned(e.to_string()))
    } else {
        check_digest(req.headers.get("digest").map(String::as_str), body)
    }
}

/// Whether the request is signed the RFC 9421 way: `Signature-Input`
/// names what `Signature` covers there, and draft-cavage has no such header
/// (as Mastodon and Fedify tell them apart).
pub fn is_rfc9421(req: &SignedRequest<'_>) -> bool {
    req.headers.contains_key("signature-input")
}

/// Whether the signer's policy checks and row may come from the inbox's
/// memo ([`crate::inbox::memo`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Checks {
    /// Read afresh: nothing checks the request again later (signed GETs).
    Fresh,
    /// From the memo when it has them: an inbox delivery, which is only
    /// stored, and checked again afresh before it is acted on.
    Memoised,
}

/// Verifies the request's signature and returns the actor that made it
/// (the owner of `keyId`, fetched if not cached). Both RFC 9421 and
/// draft-cavage signatures are taken. The federation policy is read
/// afresh.
pub async fn verify(req: SignedRequest<'_>, data: &Data) -> Result<DbRemoteActor, FedError> {
    verify_with(req, data, Checks::Fresh).await
}

/// [`verify`] for an inbox delivery: the signer's policy checks and row
/// may come from the inbox's memo, up to a second old
/// ([`crate::inbox::memo`]), since a delivery is only stored here and the
/// worker reads the policy afresh before acting on it.
pub async fn verify_delivery_signature(
    req: SignedRequest<'_>,
    data: &Data,
) -> Result<DbRemoteActor, FedError> {
    verify_with(req, data, Checks::Memoised).await
}

async fn verify_with(
    req: SignedRequest<'_>,
    data: &Data,
    checks: Checks,
) -> Result<DbRemoteActor, FedError> {
    if is_rfc9421(&req) {
        return verify_rfc9421(req, data, checks).await;
    }
    check_parameters(&req, &data.settings.domain)?;
    let unverified = CONFIG
        .begin_verify(req.method, req.path_and_query, req.headers)
        .map_err(|e| unsigned(format!("unusable signature: {e}")))?;
    let owner = key_owner(unverified.key_id())?;
    verify_with_signer_key(owner, data, checks, |key| {
        unverified.verify(|sig, signing_string| cavage::verifies(key, sig, signing_string))
    })
    .await
}

/// The request's URL as the signer addressed it: our public scheme and
/// domain with the target as received.
fn target_uri(req: &SignedRequest<'_>, data: &Data) -> Result<Url, FedError> {
    let base = data.urls.base();
    Url::parse(&format!(
        "{}://{}{}",
        base.scheme(),
        data.settings.domain,
        req.path_and_query
    ))
    .map_err(|_| unsigned("the request target is not a URL path"))
}

/// Checks what an RFC 9421 signature covers and when it was made, with the
/// same rules as for draft-cavage: the method and the whole target (as
/// `@target-uri`, or `@authority` with `@path` and any `@query`), the body
/// on a POST, a recent `created`, a `keyid`; and that its base can be
/// built from this request.
fn check_rfc9421_parameters(
    sig: &rfc9421::MessageSignature,
    msg: &rfc9421::Message<'_>,
) -> Result<(), FedError> {
    let covers = |c: &str| sig.components.iter().any(|x| x == c);
    if !covers("@method") {
        return Err(unsigned("the signature must cover @method"));
    }
    let whole_target = covers("@target-uri")
        || (covers("@authority")
            && covers("@path")
            && (msg.target.query().is_none() || covers("@query")));
    if !whole_target {
        return Err(unsigned(
            "the signature must cover @target-uri (or @authority, @path and @query)",
        ));
    }
    if msg.method.eq_ignore_ascii_case("POST") && !covers("content-digest") {
        return Err(unsigned("the signature must cover content-digest"));
    }
    if sig.key_id.is_none() {
        return Err(unsigned("the signature has no keyid"));
    }
    // Checked before any key is fetched, so that a request carrying, say,
    // an Ed25519 signature and an RSA one is judged by the RSA one.
    if let Some(alg) = &sig.alg {
        rfc9421::Algorithm::parse(alg).map_err(|e| unsigned(e.to_string()))?;
    }
    let now = chrono::Utc::now().timestamp();
    let created = sig
        .created
        .ok_or_else(|| unsigned("the signature has no created time"))?;
    let age = now.saturating_sub(created);
    if age > MAX_AGE.num_seconds() || -age > MAX_AHEAD.num_seconds() {
        return Err(unsigned(
            "the signature's created time is outside the accepted window",
        ));
    }
    if sig.expires.is_some_and(|e| e < now) {
        return Err(unsigned("the signature has expired"));
    }
    rfc9421::signature_base(sig, msg).map_err(|e| unsigned(format!("unusable signature: {e}")))?;
    Ok(())
}

/// The first of a request's RFC 9421 signatures that meets
/// [`check_rfc9421_parameters`], or why the first one does not.
fn choose_rfc9421<'s>(
    signatures: &'s [rfc9421::MessageSignature],
    msg: &rfc9421::Message<'_>,
) -> Result<&'s rfc9421::MessageSignature, FedError> {
    let mut first_error = None;
    for sig in signatures {
        match check_rfc9421_parameters(sig, msg) {
            Ok(()) => return Ok(sig),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    Err(first_error.unwrap_or_else(|| unsigned("the request carries no HTTP signature")))
}

/// Verifies an RFC 9421 signature: the first one of the request that
/// meets [`check_rfc9421_parameters`] counts.
async fn verify_rfc9421(
    req: SignedRequest<'_>,
    data: &Data,
    checks: Checks,
) -> Result<DbRemoteActor, FedError> {
    refuse_authorization_signature(req.headers.get("authorization").map(String::as_str))?;
    let host = req
        .headers
        .get("host")
        .map(String::as_str)
        .unwrap_or_default();
    if !host.eq_ignore_ascii_case(&data.settings.domain) {
        return Err(unsigned(format!(
            "the request was signed for {host:?}, not for this server"
        )));
    }
    let input = req
        .headers
        .get("signature-input")
        .map(String::as_str)
        .unwrap_or_default();
    let value = req
        .headers
        .get("signature")
        .ok_or_else(|| unsigned("the request carries Signature-Input but no Signature"))?;
    let signatures =
        rfc9421::parse(input, value).map_err(|e| unsigned(format!("unusable signature: {e}")))?;
    let target = target_uri(&req, data)?;
    let msg = rfc9421::Message {
        method: req.method,
        target: &target,
        headers: &req.headers,
    };
    let sig = choose_rfc9421(&signatures, &msg)?;
    let owner = key_owner(sig.key_id.as_deref().unwrap_or_default())?;
    verify_with_signer_key(owner, data, checks, |key| {
        rfc9421::verify(sig, &msg, key).unwrap_or(false)
    })
    .await
}

/// Fetches the actor that owns the signing key (refusing our own keys,
/// blocked domains and actors) and runs `verifies` with its key; when that
/// fails, fetches the actor again (at most once per [`REFETCH_EVERY`](crate::key_refetch::REFETCH_EVERY)) and
/// tries once more. With [`Checks::Memoised`], a signer the memo holds
/// is taken from it, and one that passes is noted there; a signature that
/// does not verify with the memo's key drops the entry and goes the whole
/// way, the policy first.
async fn verify_with_signer_key(
    owner: Url,
    data: &Data,
    checks: Checks,
    verifies: impl Fn(&VerifyingKey) -> bool,
) -> Result<DbRemoteActor, FedError> {
    if authority(&owner).eq_ignore_ascii_case(&data.settings.domain) {
        return Err(unsigned(
            "the request is signed with one of this server's keys",
        ));
    }
    // The key parsed when this actor's PEM was first seen (see
    // `crypto::cache`), not on every request.
    let with_key = |actor: &DbRemoteActor| {
        data.keys
            .verifying(actor.row.ap_id.as_str(), actor.public_key_pem())
            .is_ok_and(|key| verifies(&key))
    };
    let memo = (checks == Checks::Memoised).then_some(&*data.inbox_memo);
    if let Some(memo) = memo
        && let Some(actor) = memo.signer(owner.as_str())
    {
        if with_key(&actor) {
            return Ok(actor);
        }
        memo.forget_signer(owner.as_str());
    }
    let start = ReadStart::now();
    let passed = |actor: DbRemoteActor| {
        if let Some(memo) = memo {
            memo.put_signer(&actor, start);
        }
        Ok(actor)
    };
    check_policy(&owner, data).await?;
    let fetch = ActorFetch::new(data);
    let began = deling_store::records::now();
    let actor = fetch.actor(&owner).await.map_err(key_unavailable)?;
    if with_key(&actor) {
        return passed(actor);
    }
    if !data.key_refetches.allow(actor.row.ap_id.as_str()) {
        return Err(not_verified(&actor, began, data).await);
    }
    tracing::info!(actor = %actor.row.ap_id, "signature failed with the cached key: fetching the actor again");
    let actor = fetch.actor_again(&owner).await.map_err(key_unavailable)?;
    if with_key(&actor) {
        passed(actor)
    } else {
        Err(not_verified(&actor, began, data).await)
    }
}

/// The refusal of a signature `actor`'s key does not verify. An actor
/// first stored by this request (at or after `began`) is forgotten again:
/// it was fetched only because an unverified request named it, and
/// anyone can name any number of made-up actors on a server of theirs,
/// each a row kept for good. An actor known before stays.
async fn not_verified(
    actor: &DbRemoteActor,
    began: chrono::DateTime<chrono::Utc>,
    data: &Data,
) -> FedError {
    if actor.row.created_at >= began {
        match data.store.delete_remote_actor(&actor.row.ap_id).await {
            Ok(_) => tracing::debug!(actor = %actor.row.ap_id,
                "an actor fetched for a signature that did not verify was not kept"),
            Err(e) => tracing::warn!(error = %e, "cannot forget an unverified actor"),
        }
    }
    unsigned("the signature does not verify")
}

/// Fetches in all that the remote actors of one [`ActorFetch`] may take:
/// the actor, and once more when its cached key fails, each with room for
/// one redirect or same-host hop (which end at another id, refused then,
/// but are not worth a budget error of their own).
pub const ACTOR_FETCHES: u32 = 4;

/// Remote actors fetched while a peer's request waits for its answer: the
/// owner of the `keyId` (before the signature is verified) or a relayed
/// activity's actor. Without a bound of its own, one such request could be
/// held for as many fetches as the library allows (each up to the request
/// timeout, knocked twice, redirected once, chained on the same host) and
/// a DNS look-up without a timeout; a peer holding thousands at once would
/// run us out of sockets. So every fetch made through one `ActorFetch`
/// shares one deadline, the time a single fetch may take (request timeout
/// plus connect timeout, for the address check before it), and a budget
/// of [`ACTOR_FETCHES`] counted apart from the request's own; and an actor
/// that comes back under another id than the one asked for (a redirect,
/// a same-host `id` chain) is refused, so that a `keyId` cannot stand for
/// another actor than the one it names (whose policy was checked).
pub struct ActorFetch {
    data: Data,
    budget: FetchBudget,
    deadline: tokio::time::Instant,
    allowed: Duration,
}

impl ActorFetch {
    /// A deadline and a budget, starting now.
    pub fn new(data: &Data) -> Self {
        let http = data.settings.http;
        let allowed = http.request_timeout + http.connect_timeout;
        Self {
            data: data.reset_request_count(),
            budget: FetchBudget::new(ACTOR_FETCHES),
            deadline: tokio::time::Instant::now() + allowed,
            allowed,
        }
    }

    /// The actor `id`, from the cache or fetched when not cached or due for
    /// a refresh. Out of time, a cached copy is taken however old, as the
    /// library takes it when the refresh fails.
    pub async fn actor(&self, id: &Url) -> Result<DbRemoteActor, FedError> {
        let object_id = ObjectId::<DbRemoteActor>::from(id.clone());
        match self.bounded(object_id.dereference(&self.data)).await {
            Err(FedError::TimedOut(why)) => {
                match DbRemoteActor::read_from_id(id.clone(), &self.data).await? {
                    Some(cached) => Ok(cached),
                    None => Err(FedError::TimedOut(why)),
                }
            }
            other => other,
        }
        .and_then(|actor| exactly(id, actor))
    }

    /// The actor `id` fetched afresh, whatever the cache holds.
    pub async fn actor_again(&self, id: &Url) -> Result<DbRemoteActor, FedError> {
        let object_id = ObjectId::<DbRemoteActor>::from(id.clone());
        self.bounded(object_id.dereference_forced(&self.data))
            .await
            .and_then(|actor| exactly(id, actor))
    }

    async fn bounded(
        &self,
        fetch: impl Future<Output = Result<DbRemoteActor, FedError>>,
    ) -> Result<DbRemoteActor, FedError> {
        tokio::time::timeout_at(self.deadline, self.budget.spend_on(fetch))
            .await
            .unwrap_or_else(|_| {
                Err(FedError::TimedOut(format!(
                    "the actor was not fetched within {} s",
                    self.allowed.as_secs_f32()
                )))
            })
    }
}

/// `actor` if it is the one asked for. The library accepts a document
/// whose id is its final URL, after one redirect or a hop to the id a
/// document on the same host names; the caller asked for `id`.
fn exactly(id: &Url, actor: DbRemoteActor) -> Result<DbRemoteActor, FedError> {
    if actor.id() == id {
        Ok(actor)
    } else {
        tracing::info!(asked = %id, got = %actor.id(), "a fetched actor is another than the one named");
        Err(FedError::Protocol(
            activitypub_federation::error::Error::FetchWrongId(id.clone()),
        ))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn message<'a>(target: &'a Url, headers: &'a BTreeMap<String, String>) -> rfc9421::Message<'a> {
        rfc9421::Message {
            method: "POST",
            target,
            headers,
        }
    }

    fn first_acceptable(input: &str, signature: &str) -> Result<String, FedError> {
        let target = Url::parse("https://deling.example/inbox").unwrap();
        let headers =
            BTreeMap::from([("content-digest".to_owned(), rfc9421::content_digest(b"{}"))]);
        let msg = message(&target, &headers);
        let sigs = rfc9421::parse(input, signature).unwrap();
        choose_rfc9421(&sigs, &msg).map(|sig| sig.label.clone())
    }

    #[test]
    fn a_cavage_created_time_is_held_to_the_window_of_a_date() {
        let now = 1_800_000_000_i64;
        let signature = |params: String| {
            format!(
                r#"keyId="https://a.example/u#main-key",algorithm="hs2019",{params},headers="(request-target) host (created) digest",signature="AAAA""#
            )
        };
        let created = |t: i64| check_cavage_times(&signature(format!(r#"created="{t}""#)), now);
        assert!(created(now).is_ok());
        assert!(created(now + 14 * 60).is_ok(), "clock skew");
        assert!(created(now - 59 * 60).is_ok());
        assert!(created(now + 16 * 60).is_err(), "too far ahead");
        assert!(created(now + 365 * 24 * 3600).is_err(), "a year ahead");
        assert!(created(now - 2 * 3600).is_err(), "too old");
        let both = |c: i64, e: i64| {
            check_cavage_times(&signature(format!(r#"created="{c}",expires="{e}""#)), now)
        };
        assert!(both(now, now + 60).is_ok());
        assert!(both(now - 120, now - 60).is_err(), "expired");
        let unreadable = signature(r#"created="soon""#.to_owned());
        assert!(check_cavage_times(&unreadable, now).is_err());
        // Without the parameters there is nothing to check here (the Date
        // is checked instead).
        let dated = r#"keyId="k",headers="(request-target) host date digest",signature="AAAA""#;
        assert!(check_cavage_times(dated, now).is_ok());
    }

    #[test]
    fn of_several_signatures_the_first_acceptable_one_counts() {
        let now = chrono::Utc::now().timestamp();
        let covered = r#"("@method" "@target-uri" "content-digest")"#;
        let input = format!(
            r#"ed={covered};created={now};keyid="https://a.example/u#ed";alg="ed25519", rsa={covered};created={now};keyid="https://a.example/u#main-key";alg="rsa-v1_5-sha256""#
        );
        let signature = "ed=:AAAA:, rsa=:AAAA:";
        assert_eq!(first_acceptable(&input, signature).unwrap(), "rsa");
        // Alone, the Ed25519 signature is refused before any key is fetched.
        let input =
            format!(r#"ed={covered};created={now};keyid="https://a.example/u#ed";alg="ed25519""#);
        assert!(first_acceptable(&input, "ed=:AAAA:").is_err());
        // So is one without created, or that does not cover the body.
        let input = format!(r#"s={covered};keyid="https://a.example/u#main-key""#);
        assert!(first_acceptable(&input, "s=:AAAA:").is_err());
        let input = format!(
            r#"s=("@method" "@target-uri");created={now};keyid="https://a.example/u#main-key""#
        );
        assert!(first_acceptable(&input, "s=:AAAA:").is_err());
    }
}
