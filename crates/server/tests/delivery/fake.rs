//! A fake peer server whose inboxes answer with a status (and after a
//! delay, or once the test lets them through a gate) the test chooses, and
//! which records every POST as it arrives, before answering: a POST that
//! arrives counts as received even if the sender dies before reading the
//! answer, as a real peer would have stored it by then.

use crate::peer::{FakeActor, public_pem};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, http::StatusCode, web};
use deling_store::queries::remote_actor::RemoteActorData;
use rsa::RsaPrivateKey;
use serde_json::{Value, json};
use std::{
    collections::{BTreeMap, HashMap},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};
use tokio::{sync::Semaphore, task::JoinHandle};

/// A POST the fake server received.
#[derive(Debug, Clone)]
pub struct Post {
    /// Path.
    pub path: String,
    /// Body as JSON (`null` if it was not JSON).
    pub body: Value,
    /// When it arrived.
    pub at: Instant,
    /// The status it was (or was going to be) answered with.
    pub status: u16,
}

impl Post {
    /// The activity's `id`.
    pub fn activity_id(&self) -> &str {
        self.body["id"].as_str().unwrap_or_default()
    }

    /// Answered with 2xx: the peer took it.
    pub fn accepted(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

#[derive(Clone)]
struct State {
    docs: Arc<Mutex<HashMap<String, Value>>>,
    posts: Arc<Mutex<Vec<Post>>>,
    answer: Arc<Mutex<(u16, Duration)>>,
    /// While set, each POST (once recorded) waits for a permit of it.
    gate: Arc<Mutex<Option<Arc<Semaphore>>>>,
}

async fn handle(state: web::Data<State>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    if req.method() == actix_web::http::Method::POST {
        let (status, delay) = *state.answer.lock().unwrap();
        state.posts.lock().unwrap().push(Post {
            path: req.path().to_owned(),
            body: serde_json::from_slice(&body).unwrap_or(Value::Null),
            at: Instant::now(),
            status,
        });
        let gate = state.gate.lock().unwrap().clone();
        if let Some(gate) = gate {
            // A closed gate (see `FakeServer::open`) lets everyone through.
            if let Ok(permit) = gate.acquire_owned().await {
                permit.forget();
            }
        }
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        let code = StatusCode::from_u16(status).expect("a valid status");
        return HttpResponse::build(code).body(format!("the fake inbox says {status}"));
    }
    let doc = state.docs.lock().unwrap().get(req.path()).cloned();
    match doc {
        Some(doc) => HttpResponse::Ok()
            .content_type("application/activity+json")
            .body(doc.to_string()),
        None => HttpResponse::NotFound().finish(),
    }
}

/// The fake server, at `http://localhost:PORT`.
pub struct FakeServer {
    /// `localhost:PORT`: the host deliveries to it are counted under.
    pub domain: String,
    state: State,
    server: JoinHandle<std::io::Result<()>>,
}

impl FakeServer {
    /// Starts on a free port; every inbox answers `status` at once.
    pub fn spawn(status: u16) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("address").port();
        let state = State {
            docs: Arc::default(),
            posts: Arc::default(),
            answer: Arc::new(Mutex::new((status, Duration::ZERO))),
            gate: Arc::default(),
        };
        let shared = state.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(web::Data::new(shared.clone()))
                .default_service(web::to(handle))
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

    /// From now on, inboxes answer `status` after `delay`.
    pub fn answer(&self, status: u16, delay: Duration) {
        *self.state.answer.lock().unwrap() = (status, delay);
    }

    /// From now on, each POST is recorded as it arrives and then held
    /// (the sender waits for the answer) until [`FakeServer::release`] or
    /// [`FakeServer::open`] lets it through: a request stays in flight as
    /// long as the test needs, however slow the machine.
    pub fn hold(&self) {
        let old = self
            .state
            .gate
            .lock()
            .unwrap()
            .replace(Arc::new(Semaphore::new(0)));
        if let Some(old) = old {
            old.close();
        }
    }

    /// Lets `n` more held POSTs (present or future) through.
    pub fn release(&self, n: usize) {
        if let Some(gate) = &*self.state.gate.lock().unwrap() {
            gate.add_permits(n);
        }
    }

    /// Lets every held POST through, and answers the next ones at once.
    pub fn open(&self) {
        if let Some(gate) = self.state.gate.lock().unwrap().take() {
            gate.close();
        }
    }

    /// `http://localhost:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.domain)
    }

    /// A follower `name` whose own inbox is at `inbox_path`, with no shared
    /// inbox (no document is served: delivering needs none).
    pub fn follower_at(&self, name: &str, inbox_path: &str) -> RemoteActorData {
        RemoteActorData {
            ap_id: self.url(&format!("/actors/{name}")),
            actor_type: "Person".into(),
            domain: self.domain.clone(),
            preferred_username: Some(name.to_owned()),
            name: None,
            inbox: self.url(inbox_path),
            shared_inbox: None,
            url: None,
            icon_url: None,
            summary_html: None,
            public_key_pem: None,
            followers: None,
            speaks_deling: false,
        }
    }

    /// A follower `name` with its inbox at `/actors/{name}/inbox`.
    pub fn follower(&self, name: &str) -> RemoteActorData {
        self.follower_at(name, &format!("/actors/{name}/inbox"))
    }

    /// A follower that can sign: its document (with `key`) is served, and
    /// it is returned both as a signer and as the row to store.
    pub fn signing_follower(
        &self,
        name: &str,
        key: &RsaPrivateKey,
    ) -> (FakeActor, RemoteActorData) {
        let mut data = self.follower(name);
        let pem = public_pem(key);
        data.public_key_pem = Some(pem.clone());
        let id = data.ap_id.clone();
        let doc = json!({
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "type": "Person",
            "id": id,
            "preferredUsername": name,
            "inbox": data.inbox,
            "outbox": format!("{id}/outbox"),
            "publicKey": {"id": format!("{id}#main-key"), "owner": id, "publicKeyPem": pem},
        });
        self.state
            .docs
            .lock()
            .unwrap()
            .insert(format!("/actors/{name}"), doc);
        let actor = FakeActor {
            id: id.clone(),
            key_id: format!("{id}#main-key"),
            key: key.clone(),
        };
        (actor, data)
    }

    /// Every POST so far, in arrival order.
    pub fn posts(&self) -> Vec<Post> {
        self.state.posts.lock().unwrap().clone()
    }

    /// POSTs of activity `id`.
    pub fn posts_of(&self, id: &str) -> Vec<Post> {
        self.posts()
            .into_iter()
            .filter(|p| p.activity_id() == id)
            .collect()
    }

    /// How often each activity was taken (answered 2xx), by activity id.
    pub fn accepted_counts(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for p in self.posts().iter().filter(|p| p.accepted()) {
            *counts.entry(p.activity_id().to_owned()).or_default() += 1;
        }
        counts
    }

    /// How often activity `id` was taken, by inbox path.
    pub fn accepted_by_inbox(&self, id: &str) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for p in self.posts_of(id).iter().filter(|p| p.accepted()) {
            *counts.entry(p.path.clone()).or_default() += 1;
        }
        counts
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        self.server.abort();
    }
}
