//! A fake remote server written for the tests: it serves actor documents
//! with keys made here, records every request as it arrives (before
//! answering: a POST that arrived counts as received even if the sender
//! dies before reading the answer, as a real peer would have stored it by
//! then), answers inboxes as the test chooses (at once, after a delay, or
//! once the test lets them through a gate; refusing signatures made with
//! another key or in another style), and signs requests of its own actors
//! with its own HTTP Signatures implementations ([`cavage`], [`rfc9421`]),
//! independent of Deling's.

pub mod cavage;
mod followers;
mod received;
pub mod rfc9421;
mod wire;

pub use crate::keys::{fake_keys, public_pem};
pub use cavage::{
    SignedGet, SignedPost, digest_header, http_date, signature_params, tamper_signature,
    verify_received, verify_request,
};
pub use received::{Post, Received, SignatureStyle};
pub use rfc9421::{
    Rfc9421Post, rfc9421_signed_base, verify_fetched_rfc9421, verify_received_rfc9421,
};
pub use wire::{authority, send_get, send_raw};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use rsa::RsaPrivateKey;
use serde_json::{Value, json};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};
use tokio::{sync::Semaphore, task::JoinHandle};

/// How POSTs are answered when the test says.
#[derive(Clone, Copy)]
struct Answer {
    status: u16,
    delay: Duration,
    /// Whether the answer has a body saying the status.
    say: bool,
}

/// A status with no body, and a `Location` if given.
type BareAnswer = (u16, Option<String>);

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
    /// When set, every POST is recorded and answered this way; otherwise
    /// 202, or 401 to a signature refused as above.
    answer: Arc<Mutex<Option<Answer>>>,
    /// While set, each POST (once recorded) waits for a permit of it.
    gate: Arc<Mutex<Option<Arc<Semaphore>>>>,
    /// When set, a GET of a path under it is recorded and never answered.
    stalled: Arc<Mutex<Option<String>>>,
    /// GETs of these paths are answered with a bare status (and a
    /// `Location`, if given) instead of a document.
    bare: Arc<Mutex<HashMap<String, BareAnswer>>>,
}

async fn serve(state: web::Data<PeerState>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    if req.method() == actix_web::http::Method::POST {
        return post(&state, &req, &body).await;
    }
    if req.method() == actix_web::http::Method::GET {
        let fetch = Received::record(&req, &body, 200);
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
        let stalled = state.stalled.lock().expect("lock").clone();
        if stalled.is_some_and(|prefix| req.path().starts_with(&prefix)) {
            // Longer than any test: the fetcher's own timeout ends it.
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
    }
    let bare = state.bare.lock().expect("lock").get(req.path()).cloned();
    if let Some((status, location)) = bare {
        let code = actix_web::http::StatusCode::from_u16(status).expect("a valid status");
        let mut answer = HttpResponse::build(code);
        if let Some(location) = location {
            answer.insert_header(("location", location));
        }
        return answer.finish();
    }
    let doc = state.docs.lock().expect("lock").get(req.path()).cloned();
    match doc {
        Some(doc) => HttpResponse::Ok()
            .content_type("application/activity+json")
            .body(doc.to_string()),
        None => HttpResponse::NotFound().finish(),
    }
}

async fn post(state: &PeerState, req: &HttpRequest, body: &[u8]) -> HttpResponse {
    let mut received = Received::record(req, body, 0);
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
    let answer = *state.answer.lock().expect("lock");
    received.status = match answer {
        Some(a) => a.status,
        None if refused => 401,
        None => 202,
    };
    state.received.lock().expect("lock").push(received);
    let gate = state.gate.lock().expect("lock").clone();
    if let Some(gate) = gate {
        // A closed gate (see `FakePeer::open`) lets everyone through.
        if let Ok(permit) = gate.acquire_owned().await {
            permit.forget();
        }
    }
    let Some(answer) = answer else {
        return if refused {
            HttpResponse::Unauthorized().finish()
        } else {
            HttpResponse::Accepted().finish()
        };
    };
    if !answer.delay.is_zero() {
        tokio::time::sleep(answer.delay).await;
    }
    let code = actix_web::http::StatusCode::from_u16(answer.status).expect("a valid status");
    if answer.say {
        HttpResponse::build(code).body(format!("the fake inbox says {}", answer.status))
    } else {
        HttpResponse::build(code).finish()
    }
}

/// The fake server, at `http://localhost:PORT`.
pub struct FakePeer {
    /// `localhost:PORT`: also the host deliveries to it are counted under.
    pub domain: String,
    state: PeerState,
    server: JoinHandle<std::io::Result<()>>,
}

impl FakePeer {
    /// Starts the server on a free port; inboxes answer 202 (401 to a
    /// signature refused by [`FakePeer::accept_only_key`] or
    /// [`FakePeer::accept_only_style`]).
    pub async fn spawn() -> Self {
        Self::start(PeerState::default())
    }

    /// Starts the server on a free port; every inbox answers `status` at
    /// once, with a body that says so.
    pub fn answering(status: u16) -> Self {
        let state = PeerState::default();
        *state.answer.lock().expect("lock") = Some(Answer {
            status,
            delay: Duration::ZERO,
            say: true,
        });
        Self::start(state)
    }

    fn start(state: PeerState) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("address").port();
        let shared = state.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(web::Data::new(shared.clone()))
                .default_service(web::to(serve))
        })
        .workers(1)
        .disable_signals()
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

    /// Serves `doc` as ActivityStreams JSON at `path` (replacing what was
    /// there).
    pub fn serve(&self, path: &str, doc: Value) {
        self.state
            .docs
            .lock()
            .expect("lock")
            .insert(path.to_owned(), doc);
    }

    /// Serves `doc` at `path` (replacing what was there).
    pub fn serve_doc(&self, path: &str, doc: Value) {
        self.serve(path, doc);
    }

    /// From now on, a GET of `path` is answered `status` with no body
    /// (and `Location: location`, if given): a 410, or a redirect.
    pub fn answer_get(&self, path: &str, status: u16, location: Option<&str>) {
        self.state
            .bare
            .lock()
            .expect("lock")
            .insert(path.to_owned(), (status, location.map(str::to_owned)));
    }

    /// The document served at `path`, if any.
    pub fn doc(&self, path: &str) -> Option<Value> {
        self.state.docs.lock().expect("lock").get(path).cloned()
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
        self.serve(&format!("/actors/{name}"), doc);
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

    /// From now on, answers every POST with `status` (and no body).
    pub fn answer_posts_with(&self, status: u16) {
        *self.state.answer.lock().expect("lock") = Some(Answer {
            status,
            delay: Duration::ZERO,
            say: false,
        });
    }

    /// From now on, inboxes answer `status` after `delay`, with a body
    /// that says the status.
    pub fn answer(&self, status: u16, delay: Duration) {
        *self.state.answer.lock().expect("lock") = Some(Answer {
            status,
            delay,
            say: true,
        });
    }

    /// From now on, each POST is recorded as it arrives and then held
    /// (the sender waits for the answer) until [`FakePeer::release`] or
    /// [`FakePeer::open`] lets it through: a request stays in flight as
    /// long as the test needs, however slow the machine.
    pub fn hold(&self) {
        let old = self
            .state
            .gate
            .lock()
            .expect("lock")
            .replace(Arc::new(Semaphore::new(0)));
        if let Some(old) = old {
            old.close();
        }
    }

    /// From now on, GETs of paths under `prefix` are recorded and never
    /// answered: a server whose objects never come.
    pub fn stall_gets_under(&self, prefix: &str) {
        *self.state.stalled.lock().expect("lock") = Some(prefix.to_owned());
    }

    /// Lets `n` more held POSTs (present or future) through.
    pub fn release(&self, n: usize) {
        if let Some(gate) = &*self.state.gate.lock().expect("lock") {
            gate.add_permits(n);
        }
    }

    /// Lets every held POST through, and answers the next ones at once.
    pub fn open(&self) {
        if let Some(gate) = self.state.gate.lock().expect("lock").take() {
            gate.close();
        }
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
        let mut u = url::Url::parse(&self.id).expect("actor id");
        u.set_path(&format!("/activities/{name}"));
        u.to_string()
    }
}
