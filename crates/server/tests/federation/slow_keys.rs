//! A `keyId` whose host is slow, or long-winded, or redirects elsewhere:
//! the signer is fetched while the inbox POST waits, before anything is
//! verified, so the fetch is held to one deadline (the instance's request
//! timeout plus its connect timeout, here 1 s + 1 s) and a budget of its
//! own, and must end at exactly the actor `keyId` names. The key host is a
//! small server run here, serving actors whose `id` leads from one path to
//! the next, each after a delay the test chooses.

use crate::{
    helpers::Instance,
    peer::{FakeActor, public_pem},
};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use deling_federation::signature::ACTOR_FETCHES;
use rsa::RsaPrivateKey;
use serde_json::{Value, json};
use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};
use tokio::task::JoinHandle;

const AS: &str = "https://www.w3.org/ns/activitystreams";
/// The instance's request timeout plus its connect timeout (see
/// [`instance`]).
const DEADLINE: Duration = Duration::from_secs(2);
/// What a slow test machine adds to the deadline.
const MARGIN: Duration = Duration::from_secs(2);
/// How long the test waits for an answer at all: far less than the fetches
/// the key host could draw out without the deadline (50 hops, each just
/// under the request timeout).
const GIVE_UP: Duration = Duration::from_secs(10);

/// What the key host serves.
#[derive(Clone)]
struct Host {
    base: String,
    pem: String,
    /// How long each `/chain/{n}` waits before it answers.
    hop_delay: Duration,
    /// The paths fetched, in order.
    gets: Arc<Mutex<Vec<String>>>,
}

fn actor_doc(id: &str, pem: &str) -> Value {
    json!({
        "@context": [AS, "https://w3id.org/security/v1"],
        "type": "Person",
        "id": id,
        "preferredUsername": "someone",
        "inbox": format!("{id}/inbox"),
        "publicKey": {"id": format!("{id}#main-key"), "owner": id, "publicKeyPem": pem},
    })
}

/// `/actors/eve`: an actor; `/actors/mask`: a redirect to eve;
/// `/chain/{n}`: after the delay, an actor document whose `id` is
/// `/chain/{n+1}` on the same host, which the library fetches next.
async fn serve(host: web::Data<Host>, req: HttpRequest) -> HttpResponse {
    let path = req.path().to_owned();
    host.gets.lock().unwrap().push(path.clone());
    let json = |doc: Value| {
        HttpResponse::Ok()
            .content_type("application/activity+json")
            .body(doc.to_string())
    };
    if path == "/actors/eve" {
        return json(actor_doc(&format!("{}/actors/eve", host.base), &host.pem));
    }
    if path == "/actors/mask" {
        return HttpResponse::Found()
            .insert_header(("location", format!("{}/actors/eve", host.base)))
            .finish();
    }
    if let Some(n) = path
        .strip_prefix("/chain/")
        .and_then(|n| n.parse::<u32>().ok())
    {
        tokio::time::sleep(host.hop_delay).await;
        let next = format!("{}/chain/{}", host.base, n + 1);
        return json(actor_doc(&next, &host.pem));
    }
    HttpResponse::NotFound().finish()
}

/// The key host, on loopback, until dropped.
struct KeyHost {
    host: Host,
    server: JoinHandle<std::io::Result<()>>,
}

impl KeyHost {
    fn spawn(key: &RsaPrivateKey, hop_delay: Duration) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let host = Host {
            // A name, not an IP literal: the library refuses those in ids.
            base: format!("http://localhost:{port}"),
            pem: public_pem(key),
            hop_delay,
            gets: Arc::default(),
        };
        let shared = host.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(web::Data::new(shared.clone()))
                .default_service(web::to(serve))
        })
        .workers(1)
        .disable_signals()
        .listen(listener)
        .unwrap()
        .run();
        Self {
            host,
            server: tokio::spawn(server),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.host.base)
    }

    /// An actor of this host at `path`, signing with `key`.
    fn actor(&self, path: &str, key: &RsaPrivateKey) -> FakeActor {
        let id = self.url(path);
        FakeActor {
            key_id: format!("{id}#main-key"),
            id,
            key: key.clone(),
        }
    }

    /// How many GETs were made of paths starting with `prefix`.
    fn fetched(&self, prefix: &str) -> usize {
        let gets = self.host.gets.lock().unwrap();
        gets.iter().filter(|p| p.starts_with(prefix)).count()
    }
}

impl Drop for KeyHost {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// An instance whose outgoing requests may take 1 s, connection 1 s.
async fn instance() -> Instance {
    Instance::spawn_tuned(|c| {
        c.federation.request_timeout_seconds = 1;
        c.federation.connect_timeout_seconds = 1;
    })
    .await
}

fn like(actor: &FakeActor, name: &str, object: &str) -> Value {
    json!({"@context": AS, "id": actor.activity_id(name), "type": "Like",
        "actor": actor.id, "object": object})
}

/// Posts `activity` to the shared inbox signed by `signer`: the status
/// and how long the answer took.
async fn post(b: &Instance, signer: &FakeActor, activity: &Value) -> (u16, Duration) {
    let started = Instant::now();
    let sent = signer.post(&b.shared_inbox(), activity);
    let resp = tokio::time::timeout(GIVE_UP, sent.send(&b.client))
        .await
        .unwrap_or_else(|_| panic!("the inbox did not answer within {GIVE_UP:?}"));
    (resp.status().as_u16(), started.elapsed())
}

/// A key host that answers each fetch just within the request timeout,
/// each time with an actor whose id is the next path on the host, would
/// hold the POST for as many fetches as the library allows: the deadline
/// cuts it off, and the POST is answered 401.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_key_host_holds_the_inbox_no_longer_than_the_deadline() {
    let [key, _] = deling_testkit::peer::fake_keys().await;
    let (b, host) = (
        instance().await,
        KeyHost::spawn(key, Duration::from_millis(600)),
    );
    let signer = host.actor("/chain/0", key);
    let object = b.url("/items/1");
    let (status, took) = post(&b, &signer, &like(&signer, "slow", &object)).await;
    assert_eq!(status, 401, "answered after {took:?}");
    assert!(
        took < DEADLINE + MARGIN,
        "the POST was held {took:?}, past the deadline of {DEADLINE:?}"
    );
    assert!(
        b.store
            .get_inbox_activity(&signer.activity_id("slow"))
            .await
            .unwrap()
            .is_none()
    );
}

/// The same chain answered at once: the key fetch stops at its own small
/// budget, not at the library's 50 fetches per request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_fetch_has_a_small_budget_of_its_own() {
    let [key, _] = deling_testkit::peer::fake_keys().await;
    let (b, host) = (instance().await, KeyHost::spawn(key, Duration::ZERO));
    let signer = host.actor("/chain/0", key);
    let object = b.url("/items/1");
    let (status, _) = post(&b, &signer, &like(&signer, "long-winded", &object)).await;
    assert_eq!(status, 401);
    let fetched = host.fetched("/chain/");
    assert!(
        (1..=ACTOR_FETCHES as usize).contains(&fetched),
        "{fetched} fetches for one key"
    );
}

/// A `keyId` whose actor URL redirects to another actor (eve, whose key
/// signed the request) does not make the request eve's: refused, and
/// nothing is stored. Named as herself, eve is heard.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_id_redirected_to_another_actor_is_refused() {
    let [key, _] = deling_testkit::peer::fake_keys().await;
    let (b, host) = (instance().await, KeyHost::spawn(key, Duration::ZERO));
    let eve = host.actor("/actors/eve", key);
    let object = b.url("/items/1");
    let mut masked = eve.clone();
    masked.key_id = host.url("/actors/mask#main-key");
    let activity = like(&eve, "masked", &object);
    let (status, _) = post(&b, &masked, &activity).await;
    assert!([401, 403].contains(&status), "status {status}");
    assert_eq!(
        host.fetched("/actors/mask"),
        1,
        "the redirect was not tried"
    );
    let id = eve.activity_id("masked");
    assert!(b.store.get_inbox_activity(&id).await.unwrap().is_none());

    let (status, _) = post(&b, &eve, &like(&eve, "herself", &object)).await;
    assert_eq!(status, 202);
}

/// A relayed activity's actor is fetched while the relay's POST waits:
/// held to the same deadline (the relay hears 502 and may try again).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_relayed_actor_holds_the_inbox_no_longer_than_the_deadline() {
    let [key, _] = deling_testkit::peer::fake_keys().await;
    let (b, host) = (
        instance().await,
        KeyHost::spawn(key, Duration::from_millis(600)),
    );
    let relay = host.actor("/actors/eve", key);
    let author = host.actor("/chain/0", key);
    let create = json!({"@context": AS, "id": author.activity_id("relayed"), "type": "Create",
        "actor": author.id, "object": {"id": host.url("/notes/1"), "type": "Note",
        "attributedTo": author.id, "content": "<p>hei</p>"}});
    let (status, took) = post(&b, &relay, &create).await;
    assert_eq!(status, 502, "answered after {took:?}");
    assert!(
        took < DEADLINE + MARGIN,
        "the POST was held {took:?}, past the deadline of {DEADLINE:?}"
    );
}
