//! A fake remote server written for these tests: it serves actor documents
//! with keys made here, records what is posted to it, and signs requests
//! with its own draft-cavage HTTP Signatures implementation (RSA PKCS#1
//! v1.5 over SHA-256), independent of activitypub_federation's, and with
//! its own RFC 9421 one (`rsa-v1_5-sha256` or `rsa-pss-sha512`),
//! independent of Deling's.

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use base64::{Engine, engine::general_purpose::STANDARD as B64};
use chrono::{DateTime, Utc};
use reqwest::Response;
use rsa::{
    Pkcs1v15Sign, RsaPrivateKey, RsaPublicKey,
    pkcs8::{DecodePublicKey, EncodePublicKey, LineEnding},
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex, OnceLock},
};
use tokio::task::JoinHandle;
use url::Url;

/// Two RSA-2048 keys made with the `rsa` crate, once per test binary.
pub async fn fake_keys() -> &'static [RsaPrivateKey; 2] {
    static KEYS: OnceLock<[RsaPrivateKey; 2]> = OnceLock::new();
    tokio::task::spawn_blocking(|| {
        KEYS.get_or_init(|| {
            let make = || {
                std::thread::spawn(|| {
                    RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).expect("generate an RSA key")
                })
            };
            let (a, b) = (make(), make());
            [a.join().expect("key thread"), b.join().expect("key thread")]
        })
    })
    .await
    .expect("fake keys")
}

/// SubjectPublicKeyInfo PEM of `key`.
pub fn public_pem(key: &RsaPrivateKey) -> String {
    key.to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .expect("encode the public key")
}

/// A request the fake server received.
#[derive(Debug, Clone)]
pub struct Received {
    /// Path and query.
    pub path: String,
    /// Headers, names in lower case.
    pub headers: HashMap<String, String>,
    /// Body.
    pub body: Vec<u8>,
}

impl Received {
    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

#[derive(Clone, Default)]
struct PeerState {
    docs: Arc<Mutex<HashMap<String, Value>>>,
    received: Arc<Mutex<Vec<Received>>>,
    /// GETs, recorded as well (apart from `received`).
    fetched: Arc<Mutex<Vec<Received>>>,
    /// When set, `(keyId, public key PEM)`: POSTs that do not verify with
    /// that key are recorded and answered 401, as a peer that holds only
    /// that key answers.
    only_key: Arc<Mutex<Option<(String, String)>>>,
    /// When set, POSTs signed in the other style are recorded and answered
    /// 401, as a server that verifies only one style answers.
    only_style: Arc<Mutex<Option<SignatureStyle>>>,
    /// When set, every POST is recorded and answered with this status.
    post_status: Arc<Mutex<Option<u16>>>,
}

/// The two ways of signing an HTTP request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureStyle {
    /// draft-cavage: a `Signature` header alone.
    Cavage,
    /// RFC 9421: `Signature-Input` and `Signature`.
    Rfc9421,
}

impl Received {
    /// The style the request was signed in, told apart by
    /// `Signature-Input` as Mastodon and Fedify do.
    pub fn signature_style(&self) -> SignatureStyle {
        if self.headers.contains_key("signature-input") {
            SignatureStyle::Rfc9421
        } else {
            SignatureStyle::Cavage
        }
    }
}

async fn serve(state: web::Data<PeerState>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    if req.method() == actix_web::http::Method::POST {
        let headers = req
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_lowercase(),
                    v.to_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        let path = req
            .uri()
            .path_and_query()
            .map_or_else(|| req.path().to_owned(), |p| p.as_str().to_owned());
        let received = Received {
            path,
            headers,
            body: body.to_vec(),
        };
        let wrong_style = state
            .only_style
            .lock()
            .expect("lock")
            .is_some_and(|style| received.signature_style() != style);
        let refused = wrong_style
            || state
                .only_key
                .lock()
                .expect("lock")
                .as_ref()
                .is_some_and(|(key_id, pem)| verify_received(&received, key_id, pem).is_err());
        state.received.lock().expect("lock").push(received);
        if let Some(status) = *state.post_status.lock().expect("lock") {
            let status = actix_web::http::StatusCode::from_u16(status).expect("a status");
            return HttpResponse::build(status).finish();
        }
        return if refused {
            HttpResponse::Unauthorized().finish()
        } else {
            HttpResponse::Accepted().finish()
        };
    }
    if req.method() == actix_web::http::Method::GET {
        let fetch = record(&req, &body);
        let wrong_style = fetch.headers.contains_key("signature")
            && state
                .only_style
                .lock()
                .expect("lock")
                .is_some_and(|style| fetch.signature_style() != style);
        state.fetched.lock().expect("lock").push(fetch);
        if wrong_style {
            return HttpResponse::Unauthorized().finish();
        }
    }
    let doc = state.docs.lock().expect("lock").get(req.path()).cloned();
    match doc {
        Some(doc) => HttpResponse::Ok()
            .content_type("application/activity+json")
            .body(doc.to_string()),
        None => HttpResponse::NotFound().finish(),
    }
}

/// The fake server, at `http://localhost:PORT`.
pub struct FakePeer {
    /// `localhost:PORT`.
    pub domain: String,
    state: PeerState,
    server: JoinHandle<std::io::Result<()>>,
}

impl FakePeer {
    /// Starts the server on a free port.
    pub async fn spawn() -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("address").port();
        let state = PeerState::default();
        let shared = state.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(web::Data::new(shared.clone()))
                .default_service(web::to(serve))
        })
        .workers(1)
        .listen(listener)
        .expect("listen")
        .run();
        Self {
            domain: format!("localhost:{port}"),
            state,
            server: tokio::spawn(server),
        }
    }

    /// `http://localhost:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.domain)
    }

    /// Serves `doc` as ActivityStreams JSON at `path`.
    pub fn serve(&self, path: &str, doc: Value) {
        self.state
            .docs
            .lock()
            .expect("lock")
            .insert(path.to_owned(), doc);
    }

    /// Serves a `Person` named `name` whose key is `key`, and returns it.
    pub fn actor(&self, name: &str, key: &RsaPrivateKey) -> FakeActor {
        let id = self.url(&format!("/actors/{name}"));
        let doc = json!({
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "type": "Person",
            "id": id,
            "preferredUsername": name,
            "name": format!("{name} <b>the tester</b>"),
            "inbox": format!("{id}/inbox"),
            "outbox": format!("{id}/outbox"),
            "endpoints": {"sharedInbox": self.url("/inbox")},
            "publicKey": {"id": format!("{id}#main-key"), "owner": id, "publicKeyPem": public_pem(key)},
        });
        self.state
            .docs
            .lock()
            .expect("lock")
            .insert(format!("/actors/{name}"), doc);
        FakeActor {
            id: id.clone(),
            key_id: format!("{id}#main-key"),
            key: key.clone(),
        }
    }

    /// From now on, answers 401 to POSTs whose signature does not verify
    /// as made by `key_id` with `public_key_pem`.
    pub fn accept_only_key(&self, key_id: &str, public_key_pem: &str) {
        *self.state.only_key.lock().expect("lock") =
            Some((key_id.to_owned(), public_key_pem.to_owned()));
    }

    /// From now on, answers 401 to POSTs and signed GETs signed in another
    /// style than `style`.
    pub fn accept_only_style(&self, style: SignatureStyle) {
        *self.state.only_style.lock().expect("lock") = Some(style);
    }

    /// From now on, answers every POST with `status`.
    pub fn answer_posts_with(&self, status: u16) {
        *self.state.post_status.lock().expect("lock") = Some(status);
    }

    /// Everything posted so far.
    pub fn received(&self) -> Vec<Received> {
        self.state.received.lock().expect("lock").clone()
    }

    /// Posted activities of `kind`.
    pub fn received_of(&self, kind: &str) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|r| r.json()["type"] == kind)
            .collect()
    }
}

impl Drop for FakePeer {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// An actor of the fake server.
#[derive(Clone)]
pub struct FakeActor {
    /// Actor id.
    pub id: String,
    /// `id#main-key`.
    pub key_id: String,
    /// Its private key.
    pub key: RsaPrivateKey,
}

impl FakeActor {
    /// `{base}/activities/{name}`: an activity id on the actor's server.
    pub fn activity_id(&self, name: &str) -> String {
        let mut u = Url::parse(&self.id).expect("actor id");
        u.set_path(&format!("/activities/{name}"));
        u.to_string()
    }

    /// A correctly signed POST of `activity` to `inbox`.
    pub fn post<'a>(&'a self, inbox: &str, activity: &Value) -> SignedPost<'a> {
        SignedPost {
            inbox: inbox.to_owned(),
            body: serde_json::to_vec(activity).expect("serialise"),
            digest_of: None,
            key: &self.key,
            key_id: self.key_id.clone(),
            date: Some(Utc::now()),
            headers: vec!["(request-target)", "host", "date", "digest"],
            host: None,
        }
    }
}

impl FakeActor {
    /// A POST of `activity` to `inbox`, signed the RFC 9421 way as Fedify
    /// signs (`rsa-v1_5-sha256` over `@method`, `@target-uri`,
    /// `@authority`, `content-digest`).
    pub fn post_rfc9421<'a>(&'a self, inbox: &str, activity: &Value) -> Rfc9421Post<'a> {
        Rfc9421Post {
            method: "POST",
            inbox: inbox.to_owned(),
            body: serde_json::to_vec(activity).expect("serialise"),
            digest_of: None,
            key: &self.key,
            key_id: self.key_id.clone(),
            created: Utc::now().timestamp(),
            components: vec!["@method", "@target-uri", "@authority", "content-digest"],
            alg: Some("rsa-v1_5-sha256"),
            target: None,
        }
    }
}

impl FakeActor {
    /// A GET of `url` signed the RFC 9421 way as Fedify signs its fetches
    /// (`@method`, `@target-uri`, `@authority`), asking for ActivityStreams
    /// JSON.
    pub fn get_rfc9421<'a>(&'a self, url: &str) -> Rfc9421Post<'a> {
        Rfc9421Post {
            method: "GET",
            components: vec!["@method", "@target-uri", "@authority"],
            ..self.post_rfc9421(url, &Value::Null)
        }
    }
}

/// An RFC 9421-signed request; each field can be spoilt on purpose.
pub struct Rfc9421Post<'a> {
    /// `POST` (with the body, its Content-Digest and content type) or
    /// `GET` (without).
    pub method: &'static str,
    /// Where it is sent.
    pub inbox: String,
    /// What is sent.
    pub body: Vec<u8>,
    /// What the Content-Digest is computed over (the body unless set).
    pub digest_of: Option<Vec<u8>>,
    /// Signing key.
    pub key: &'a RsaPrivateKey,
    /// `keyid`.
    pub key_id: String,
    /// `created`.
    pub created: i64,
    /// The covered components, in order.
    pub components: Vec<&'static str>,
    /// `alg`: `rsa-v1_5-sha256` or `rsa-pss-sha512` (signs PKCS#1 v1.5
    /// when `None`).
    pub alg: Option<&'static str>,
    /// The URL the signature claims (the inbox unless set).
    pub target: Option<String>,
}

impl Rfc9421Post<'_> {
    /// Signs the request, returning its headers (name, value). The
    /// signature base is written out by hand from RFC 9421 section 2.5.
    pub fn signed_headers(&self) -> Vec<(String, String)> {
        let url = Url::parse(self.target.as_deref().unwrap_or(&self.inbox)).expect("URL");
        let digest = format!(
            "sha-256=:{}:",
            B64.encode(Sha256::digest(
                self.digest_of.as_deref().unwrap_or(&self.body)
            ))
        );
        let value = |c: &str| -> String {
            match c {
                "@method" => self.method.into(),
                "@target-uri" => url.to_string(),
                "@authority" => authority(&url),
                "@path" => url.path().into(),
                "@query" => format!("?{}", url.query().unwrap_or_default()),
                "content-digest" => digest.clone(),
                "content-type" => "application/activity+json".into(),
                other => panic!("no value for {other}"),
            }
        };
        let list = self
            .components
            .iter()
            .map(|c| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(" ");
        let mut params = format!(
            "({list});created={};keyid=\"{}\"",
            self.created, self.key_id
        );
        if let Some(alg) = self.alg {
            params.push_str(&format!(";alg=\"{alg}\""));
        }
        let mut base = String::new();
        for c in &self.components {
            base.push_str(&format!("\"{c}\": {}\n", value(c)));
        }
        base.push_str(&format!("\"@signature-params\": {params}"));
        let signature = match self.alg {
            Some("rsa-pss-sha512") => self
                .key
                .sign_with_rng(
                    &mut rand::rngs::OsRng,
                    rsa::pss::Pss::new_with_salt::<sha2::Sha512>(64),
                    &sha2::Sha512::digest(base.as_bytes()),
                )
                .expect("sign"),
            _ => self
                .key
                .sign(
                    Pkcs1v15Sign::new::<Sha256>(),
                    &Sha256::digest(base.as_bytes()),
                )
                .expect("sign"),
        };
        let mut headers = vec![
            ("signature-input".to_owned(), format!("sig1={params}")),
            (
                "signature".to_owned(),
                format!("sig1=:{}:", B64.encode(signature)),
            ),
        ];
        if self.method == "GET" {
            headers.push(("accept".to_owned(), "application/activity+json".to_owned()));
        } else {
            headers.push((
                "content-type".to_owned(),
                "application/activity+json".to_owned(),
            ));
            headers.push(("content-digest".to_owned(), digest));
        }
        headers
    }

    /// Signs and sends the request.
    pub async fn send(&self, client: &reqwest::Client) -> Response {
        if self.method == "GET" {
            send_get(client, &self.inbox, &self.signed_headers()).await
        } else {
            send_raw(client, &self.inbox, &self.signed_headers(), &self.body).await
        }
    }
}

/// Checks an RFC 9421-signed POST the way Mastodon 4.5 does
/// (`app/lib/signed_request.rb`): `created` and `keyid` given, `@method`,
/// `@target-uri` and `content-digest` covered, the SHA-256 Content-Digest
/// matches the body, and the signature (`rsa-v1_5-sha256`) verifies over a
/// base written out here.
pub fn verify_received_rfc9421(
    r: &Received,
    expected_key_id: &str,
    public_key_pem: &str,
) -> Result<(), String> {
    verify_rfc9421_as(r, "POST", expected_key_id, public_key_pem)
}

/// Checks an RFC 9421-signed GET the way Mastodon 4.5 does: as
/// [`verify_received_rfc9421`], without a body to cover.
pub fn verify_fetched_rfc9421(
    r: &Received,
    expected_key_id: &str,
    public_key_pem: &str,
) -> Result<(), String> {
    verify_rfc9421_as(r, "GET", expected_key_id, public_key_pem)
}

fn verify_rfc9421_as(
    r: &Received,
    method: &str,
    expected_key_id: &str,
    public_key_pem: &str,
) -> Result<(), String> {
    let host = r.headers.get("host").ok_or("no Host header")?;
    let inbox = format!("http://{host}{}", r.path);
    let inbox = inbox.as_str();
    let input = r
        .headers
        .get("signature-input")
        .ok_or("no Signature-Input header")?;
    let (label, params) = input
        .split_once('=')
        .ok_or("Signature-Input has no label")?;
    let list = params
        .strip_prefix('(')
        .and_then(|p| p.split_once(')'))
        .ok_or("Signature-Input is not an inner list")?;
    let components: Vec<&str> = list.0.split(' ').map(|c| c.trim_matches('"')).collect();
    let needed: &[&str] = if method == "GET" {
        &["@method", "@target-uri"]
    } else {
        &["@method", "@target-uri", "content-digest"]
    };
    for needed in needed {
        if !components.contains(needed) {
            return Err(format!("{needed} is not covered: {input}"));
        }
    }
    if !list.1.contains(&format!(";keyid=\"{expected_key_id}\"")) {
        return Err(format!("keyid is not {expected_key_id}: {input}"));
    }
    let created: i64 = list
        .1
        .split(';')
        .find_map(|p| p.strip_prefix("created="))
        .and_then(|c| c.parse().ok())
        .ok_or("no created")?;
    if (Utc::now().timestamp() - created).abs() > 300 {
        return Err(format!("created {created} is not recent"));
    }
    let digest = format!("sha-256=:{}:", B64.encode(Sha256::digest(&r.body)));
    if method == "POST" && r.headers.get("content-digest") != Some(&digest) {
        return Err(format!(
            "Content-Digest does not match the body: {:?}",
            r.headers
        ));
    }
    let mut base = String::new();
    for c in &components {
        let v = match *c {
            "@method" => method.to_owned(),
            "@target-uri" => inbox.to_owned(),
            "@authority" => authority(&Url::parse(inbox).expect("inbox")),
            header => r
                .headers
                .get(header)
                .cloned()
                .ok_or_else(|| format!("covered header {header} is missing"))?,
        };
        base.push_str(&format!("\"{c}\": {v}\n"));
    }
    base.push_str(&format!("\"@signature-params\": {params}"));
    let sig = r.headers.get("signature").ok_or("no Signature header")?;
    let bytes = sig
        .strip_prefix(&format!("{label}=:"))
        .and_then(|s| s.strip_suffix(':'))
        .ok_or_else(|| format!("Signature has no {label}: {sig}"))?;
    let bytes = B64.decode(bytes).map_err(|e| format!("not base64: {e}"))?;
    let key = RsaPublicKey::from_public_key_pem(public_key_pem).map_err(|e| e.to_string())?;
    key.verify(
        Pkcs1v15Sign::new::<Sha256>(),
        &Sha256::digest(base.as_bytes()),
        &bytes,
    )
    .map_err(|e| format!("signature does not verify: {e}"))
}

/// A POST to sign and send; each field can be spoilt on purpose.
pub struct SignedPost<'a> {
    /// Target inbox URL.
    pub inbox: String,
    /// What is sent.
    pub body: Vec<u8>,
    /// What the Digest is computed over (the body unless set).
    pub digest_of: Option<Vec<u8>>,
    /// Signing key.
    pub key: &'a RsaPrivateKey,
    /// `keyId`.
    pub key_id: String,
    /// The `Date` header (none if `None`).
    pub date: Option<DateTime<Utc>>,
    /// The signed headers, in order.
    pub headers: Vec<&'static str>,
    /// The `Host` header signed and sent (the inbox URL's unless set).
    pub host: Option<String>,
}

/// An HTTP date (RFC 7231 IMF-fixdate).
pub fn http_date(t: DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// `host` or `host:port` of a URL.
pub fn authority(url: &Url) -> String {
    match url.port() {
        Some(p) => format!("{}:{p}", url.host_str().unwrap_or_default()),
        None => url.host_str().unwrap_or_default().to_owned(),
    }
}

/// `SHA-256=<base64>` of `body`.
pub fn digest_header(body: &[u8]) -> String {
    format!("SHA-256={}", B64.encode(Sha256::digest(body)))
}

impl SignedPost<'_> {
    /// Signs the request, returning its headers (name, value).
    pub fn signed_headers(&self) -> Vec<(String, String)> {
        let url = Url::parse(&self.inbox).expect("inbox URL");
        let mut target = url.path().to_owned();
        if let Some(q) = url.query() {
            target = format!("{target}?{q}");
        }
        let digest = digest_header(self.digest_of.as_deref().unwrap_or(&self.body));
        let date = self.date.map(http_date);
        let mut values: HashMap<&str, String> = HashMap::from([
            ("(request-target)", format!("post {target}")),
            ("host", self.host.clone().unwrap_or_else(|| authority(&url))),
            ("digest", digest.clone()),
        ]);
        if let Some(d) = &date {
            values.insert("date", d.clone());
        }
        let signing_string = self
            .headers
            .iter()
            .map(|h| format!("{h}: {}", values.get(h).cloned().unwrap_or_default()))
            .collect::<Vec<_>>()
            .join("\n");
        let signature = self
            .key
            .sign(
                Pkcs1v15Sign::new::<Sha256>(),
                &Sha256::digest(signing_string.as_bytes()),
            )
            .expect("sign");
        let mut headers = vec![
            (
                "content-type".to_owned(),
                "application/activity+json".to_owned(),
            ),
            ("digest".to_owned(), digest),
            (
                "signature".to_owned(),
                format!(
                    "keyId=\"{}\",algorithm=\"rsa-sha256\",headers=\"{}\",signature=\"{}\"",
                    self.key_id,
                    self.headers.join(" "),
                    B64.encode(signature)
                ),
            ),
        ];
        if let Some(d) = date {
            headers.push(("date".to_owned(), d));
        }
        if let Some(host) = &self.host {
            headers.push(("host".to_owned(), host.clone()));
        }
        headers
    }

    /// Signs and sends.
    pub async fn send(&self, client: &reqwest::Client) -> Response {
        send_raw(client, &self.inbox, &self.signed_headers(), &self.body).await
    }
}

/// Sends a POST with exactly these headers and body (for replays).
pub async fn send_raw(
    client: &reqwest::Client,
    inbox: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Response {
    let mut req = client.post(inbox).body(body.to_vec());
    for (k, v) in headers {
        req = req.header(k.as_str(), v.as_str());
    }
    req.send()
        .await
        .unwrap_or_else(|e| panic!("POST {inbox}: {e}"))
}

/// Checks a received POST the way a strict peer (Mastodon 4.5) does, in
/// the style it was signed in: see [`verify_received_rfc9421`]; or for
/// draft-cavage, the Digest matches the body, the signature covers
/// `(request-target)`, `host`, `date` and `digest`, the Date is recent,
/// `keyId` is `expected_key_id`, and the signature verifies with
/// `public_key_pem`.
pub fn verify_received(
    r: &Received,
    expected_key_id: &str,
    public_key_pem: &str,
) -> Result<(), String> {
    if r.signature_style() == SignatureStyle::Rfc9421 {
        return verify_received_rfc9421(r, expected_key_id, public_key_pem);
    }
    let digest = r.headers.get("digest").ok_or("no Digest header")?;
    if *digest != digest_header(&r.body) {
        return Err(format!("Digest {digest} does not match the body"));
    }
    let date = r.headers.get("date").ok_or("no Date header")?;
    let when = DateTime::parse_from_rfc2822(&date.replace("GMT", "+0000"))
        .map_err(|e| format!("Date {date:?}: {e}"))?;
    let age = Utc::now().signed_duration_since(when).num_seconds().abs();
    if age > 300 {
        return Err(format!("Date {date:?} is {age} s away from now"));
    }
    let sig = r.headers.get("signature").ok_or("no Signature header")?;
    let params: HashMap<String, String> = sig
        .split(',')
        .filter_map(|part| {
            let (k, v) = part.split_once('=')?;
            Some((k.trim().to_owned(), v.trim().trim_matches('"').to_owned()))
        })
        .collect();
    let key_id = params.get("keyId").ok_or("no keyId")?;
    if key_id != expected_key_id {
        return Err(format!("keyId {key_id}, expected {expected_key_id}"));
    }
    let headers: Vec<&str> = params
        .get("headers")
        .ok_or("no headers list")?
        .split_whitespace()
        .collect();
    for needed in ["(request-target)", "host", "date", "digest"] {
        if !headers.contains(&needed) {
            return Err(format!("{needed} is not signed: {headers:?}"));
        }
    }
    let signing_string = headers
        .iter()
        .map(|h| {
            let v = match *h {
                "(request-target)" => Some(format!("post {}", r.path)),
                "(created)" => params.get("created").cloned(),
                "(expires)" => params.get("expires").cloned(),
                other => r.headers.get(other).cloned(),
            };
            v.map(|v| format!("{h}: {v}"))
                .ok_or_else(|| format!("signed header {h} is missing"))
        })
        .collect::<Result<Vec<_>, _>>()?
        .join("\n");
    let signature = B64
        .decode(params.get("signature").ok_or("no signature")?)
        .map_err(|e| format!("signature is not base64: {e}"))?;
    let key = RsaPublicKey::from_public_key_pem(public_key_pem)
        .map_err(|e| format!("public key: {e}"))?;
    key.verify(
        Pkcs1v15Sign::new::<Sha256>(),
        &Sha256::digest(signing_string.as_bytes()),
        &signature,
    )
    .map_err(|e| format!("signature does not verify: {e}"))
}

/// A request as [`Received`] (headers lower-cased).
fn record(req: &HttpRequest, body: &[u8]) -> Received {
    Received {
        path: req
            .uri()
            .path_and_query()
            .map_or_else(|| req.path().to_owned(), |p| p.as_str().to_owned()),
        headers: req
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_lowercase(),
                    v.to_str().unwrap_or_default().to_owned(),
                )
            })
            .collect(),
        body: body.to_vec(),
    }
}

impl FakePeer {
    /// Every GET received so far.
    pub fn fetched(&self) -> Vec<Received> {
        self.state.fetched.lock().expect("lock").clone()
    }

    /// The document served at `path`, if any.
    pub fn doc(&self, path: &str) -> Option<Value> {
        self.state.docs.lock().expect("lock").get(path).cloned()
    }

    /// Serves `doc` at `path` (replacing what was there).
    pub fn serve_doc(&self, path: &str, doc: Value) {
        self.state
            .docs
            .lock()
            .expect("lock")
            .insert(path.to_owned(), doc);
    }
}

/// Base64 of the RSA PKCS#1 v1.5 SHA-256 signature of `signing_string`.
fn sign_string(key: &RsaPrivateKey, signing_string: &str) -> String {
    let signature = key
        .sign(
            Pkcs1v15Sign::new::<Sha256>(),
            &Sha256::digest(signing_string.as_bytes()),
        )
        .expect("sign");
    B64.encode(signature)
}

impl FakeActor {
    /// A GET of `url` signed as Mastodon signs in authorized-fetch mode:
    /// `(request-target) host date accept`, rsa-sha256, no Digest.
    pub fn get<'a>(&'a self, url: &str) -> SignedGet<'a> {
        SignedGet {
            url: url.to_owned(),
            key: &self.key,
            key_id: self.key_id.clone(),
            date: Some(Utc::now()),
            accept: "application/activity+json".to_owned(),
            headers: vec!["(request-target)", "host", "date", "accept"],
            host: None,
        }
    }
}

/// A signed GET; each field can be spoilt on purpose.
pub struct SignedGet<'a> {
    /// What is fetched.
    pub url: String,
    /// Signing key.
    pub key: &'a RsaPrivateKey,
    /// `keyId`.
    pub key_id: String,
    /// The `Date` header (none if `None`).
    pub date: Option<DateTime<Utc>>,
    /// The `Accept` header.
    pub accept: String,
    /// The signed headers, in order.
    pub headers: Vec<&'static str>,
    /// The `Host` header signed and sent (the URL's unless set).
    pub host: Option<String>,
}

impl SignedGet<'_> {
    /// Signs the request, returning its headers (name, value).
    pub fn signed_headers(&self) -> Vec<(String, String)> {
        let url = Url::parse(&self.url).expect("URL");
        let mut target = url.path().to_owned();
        if let Some(q) = url.query() {
            target = format!("{target}?{q}");
        }
        let date = self.date.map(http_date);
        let mut values: HashMap<&str, String> = HashMap::from([
            ("(request-target)", format!("get {target}")),
            ("host", self.host.clone().unwrap_or_else(|| authority(&url))),
            ("accept", self.accept.clone()),
        ]);
        if let Some(d) = &date {
            values.insert("date", d.clone());
        }
        let signing_string = self
            .headers
            .iter()
            .map(|h| format!("{h}: {}", values.get(h).cloned().unwrap_or_default()))
            .collect::<Vec<_>>()
            .join("\n");
        let mut headers = vec![
            ("accept".to_owned(), self.accept.clone()),
            (
                "signature".to_owned(),
                format!(
                    "keyId=\"{}\",algorithm=\"rsa-sha256\",headers=\"{}\",signature=\"{}\"",
                    self.key_id,
                    self.headers.join(" "),
                    sign_string(self.key, &signing_string)
                ),
            ),
        ];
        if let Some(d) = date {
            headers.push(("date".to_owned(), d));
        }
        if let Some(host) = &self.host {
            headers.push(("host".to_owned(), host.clone()));
        }
        headers
    }

    /// Signs and sends.
    pub async fn send(&self, client: &reqwest::Client) -> Response {
        send_get(client, &self.url, &self.signed_headers()).await
    }
}

/// Sends a GET with exactly these headers.
pub async fn send_get(
    client: &reqwest::Client,
    url: &str,
    headers: &[(String, String)],
) -> Response {
    let mut req = client.get(url);
    for (k, v) in headers {
        req = req.header(k.as_str(), v.as_str());
    }
    req.send()
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"))
}

/// Flips a bit of the signature in a `Signature` header among `headers`.
pub fn tamper_signature(headers: &mut [(String, String)]) {
    let (_, value) = headers
        .iter_mut()
        .find(|(k, _)| k == "signature")
        .expect("a Signature header");
    let (head, sig) = value
        .rsplit_once("signature=\"")
        .expect("a signature parameter");
    let sig = sig.trim_end_matches('"');
    let mut bytes = B64.decode(sig).expect("base64 signature");
    bytes[0] ^= 1;
    *value = format!("{head}signature=\"{}\"", B64.encode(bytes));
}

/// The parameters of a `Signature` header.
pub fn signature_params(signature: &str) -> HashMap<String, String> {
    signature
        .split(',')
        .filter_map(|part| {
            let (k, v) = part.split_once('=')?;
            Some((k.trim().to_owned(), v.trim().trim_matches('"').to_owned()))
        })
        .collect()
}

/// Checks a received request of `method` the way a strict peer (Mastodon)
/// does: the signature covers each of `needed`, a signed Date is recent, a
/// Digest (if sent) matches the body, `keyId` is `expected_key_id`, and the
/// signature verifies with `public_key_pem`. Returns the signature's
/// parameters.
pub fn verify_request(
    r: &Received,
    method: &str,
    expected_key_id: &str,
    public_key_pem: &str,
    needed: &[&str],
) -> Result<HashMap<String, String>, String> {
    if let Some(digest) = r.headers.get("digest")
        && *digest != digest_header(&r.body)
    {
        return Err(format!("Digest {digest} does not match the body"));
    }
    let sig = r.headers.get("signature").ok_or("no Signature header")?;
    let params = signature_params(sig);
    let key_id = params.get("keyId").ok_or("no keyId")?;
    if key_id != expected_key_id {
        return Err(format!("keyId {key_id}, expected {expected_key_id}"));
    }
    let headers: Vec<String> = params
        .get("headers")
        .ok_or("no headers list")?
        .split_whitespace()
        .map(str::to_ascii_lowercase)
        .collect();
    for n in needed {
        if !headers.iter().any(|h| h == n) {
            return Err(format!("{n} is not signed: {headers:?}"));
        }
    }
    if headers.iter().any(|h| h == "date") {
        let date = r.headers.get("date").ok_or("no Date header")?;
        let when = DateTime::parse_from_rfc2822(&date.replace("GMT", "+0000"))
            .map_err(|e| format!("Date {date:?}: {e}"))?;
        let age = Utc::now().signed_duration_since(when).num_seconds().abs();
        if age > 300 {
            return Err(format!("Date {date:?} is {age} s away from now"));
        }
    }
    let signing_string = headers
        .iter()
        .map(|h| {
            let v = match h.as_str() {
                "(request-target)" => Some(format!("{} {}", method.to_lowercase(), r.path)),
                "(created)" => params.get("created").cloned(),
                "(expires)" => params.get("expires").cloned(),
                other => r.headers.get(other).cloned(),
            };
            v.map(|v| format!("{h}: {v}"))
                .ok_or_else(|| format!("signed header {h} is missing"))
        })
        .collect::<Result<Vec<_>, _>>()?
        .join("\n");
    let signature = B64
        .decode(params.get("signature").ok_or("no signature")?)
        .map_err(|e| format!("signature is not base64: {e}"))?;
    let key = RsaPublicKey::from_public_key_pem(public_key_pem)
        .map_err(|e| format!("public key: {e}"))?;
    key.verify(
        Pkcs1v15Sign::new::<Sha256>(),
        &Sha256::digest(signing_string.as_bytes()),
        &signature,
    )
    .map_err(|e| format!("signature does not verify: {e}"))?;
    Ok(params)
}
