//! Inbox ingest: K remote senders, served by a small loopback server so
//! that Deling fetches each one's key once, post N signed `Create(Note)`
//! replies to one of our items over many connections, as a busy peer
//! does. Measured: 202s per second, the time until every reply is stored
//! as a comment, and the p99 latency when the same senders post at half
//! the rate they reached. The ceiling, in the same run with the same
//! requests: a bare actix-web handler that checks the Digest, verifies the
//! draft-cavage signature with aws-lc-rs (key parsed once) and inserts one
//! row into SQLite (WAL, `synchronous=NORMAL`).

use crate::{load, server::Server, table::Row};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use aws_lc_rs::{
    rand::SystemRandom,
    signature::{self, KeyPair as _, RsaKeyPair, UnparsedPublicKey},
};
use base64::{Engine, engine::general_purpose::STANDARD as B64};
use rsa::{RsaPrivateKey, pkcs8::DecodePrivateKey, pkcs8::EncodePrivateKey};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, Statement};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

/// How large a run is.
pub struct Options {
    /// Remote actors posting.
    pub senders: usize,
    /// Peer servers they are spread over, sender `i` on server
    /// `i % hosts`: the inbox gives one host's actors at most half its
    /// slots, so with one host that share is what is measured.
    pub hosts: usize,
    /// Activities posted in the measured run.
    pub activities: usize,
    /// Connections they are posted over at once.
    pub connections: usize,
}

/// A request signed ahead of time: the signing is the peer's cost, not
/// Deling's, and must not take the cores while Deling is measured.
pub struct Signed {
    /// Headers to send (`host` among them).
    pub headers: Vec<(&'static str, String)>,
    /// The activity.
    pub body: web::Bytes,
}

/// The senders' server: `/users/{n}` is actor `n`, all with one key.
struct Peer {
    domain: String,
    fetches: Arc<AtomicUsize>,
}

fn actor_id(domain: &str, n: usize) -> String {
    format!("http://{domain}/users/s{n}")
}

fn actor_doc(domain: &str, n: usize, public_key_pem: &str) -> Value {
    let id = actor_id(domain, n);
    json!({
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "type": "Person",
        "id": id,
        "preferredUsername": format!("s{n}"),
        "name": format!("Avsender {n}"),
        "inbox": format!("{id}/inbox"),
        "outbox": format!("{id}/outbox"),
        "followers": format!("{id}/followers"),
        "endpoints": {"sharedInbox": format!("http://{domain}/inbox")},
        "publicKey": {"id": format!("{id}#main-key"), "owner": id, "publicKeyPem": public_key_pem},
    })
}

/// Starts the senders' server (one worker: it is asked once per sender).
fn peer(public_key_pem: &str) -> anyhow::Result<Peer> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let domain = format!("localhost:{}", listener.local_addr()?.port());
    let fetches = Arc::new(AtomicUsize::new(0));
    let (d, pem, f) = (domain.clone(), public_key_pem.to_owned(), fetches.clone());
    let server = HttpServer::new(move || {
        let (d, pem, f) = (d.clone(), pem.clone(), f.clone());
        App::new().route(
            "/users/s{n}",
            web::get().to(move |n: web::Path<usize>| {
                f.fetch_add(1, Ordering::Relaxed);
                let doc = actor_doc(&d, *n, &pem);
                async move {
                    HttpResponse::Ok()
                        .content_type("application/activity+json")
                        .json(doc)
                }
            }),
        )
    })
    .workers(1)
    .disable_signals()
    .listen(listener)?
    .run();
    tokio::spawn(server);
    Ok(Peer { domain, fetches })
}

/// Signs the senders' requests the draft-cavage way, as Mastodon does:
/// `(request-target) host date digest`, rsa-sha256.
struct Signer {
    key: RsaKeyPair,
    rng: SystemRandom,
    /// Deling's public host, which the requests are signed for.
    host: String,
    /// The senders' servers' hosts; sender `i` is on `peers[i % len]`.
    peers: Vec<String>,
    /// The item replied to.
    item: String,
}

impl Signer {
    fn create_note(&self, sender: usize, n: &str) -> anyhow::Result<Signed> {
        let actor = actor_id(&self.peers[sender % self.peers.len()], sender);
        let now = chrono::Utc::now();
        let public = "https://www.w3.org/ns/activitystreams#Public";
        let note = format!("{actor}/statuses/{n}");
        let activity = json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{note}/activity"),
            "type": "Create",
            "actor": actor,
            "published": now.to_rfc3339(),
            "to": [public],
            "cc": [format!("{actor}/followers")],
            "object": {
                "id": note,
                "type": "Note",
                "attributedTo": actor,
                "inReplyTo": self.item,
                "content": format!("<p>Takk for veilederen! Vi prøvde steg 2 i kommune {n}.</p>"),
                "contentMap": {"nb": format!("<p>Takk for veilederen! Vi prøvde steg 2 i kommune {n}.</p>")},
                "published": now.to_rfc3339(),
                "to": [public],
                "cc": [format!("{actor}/followers")],
            },
        });
        self.sign(&format!("{actor}#main-key"), serde_json::to_vec(&activity)?)
    }

    fn sign(&self, key_id: &str, body: Vec<u8>) -> anyhow::Result<Signed> {
        let digest = format!("SHA-256={}", B64.encode(Sha256::digest(&body)));
        let date = chrono::Utc::now()
            .format("%a, %d %b %Y %H:%M:%S GMT")
            .to_string();
        let signing_string = format!(
            "(request-target): post /inbox\nhost: {}\ndate: {date}\ndigest: {digest}",
            self.host
        );
        let mut sig = vec![0; self.key.public_modulus_len()];
        self.key
            .sign(
                &signature::RSA_PKCS1_SHA256,
                &self.rng,
                signing_string.as_bytes(),
                &mut sig,
            )
            .map_err(|_| anyhow::anyhow!("aws-lc-rs cannot sign"))?;
        Ok(Signed {
            headers: vec![
                ("host", self.host.clone()),
                ("date", date),
                ("digest", digest),
                ("content-type", "application/activity+json".into()),
                (
                    "signature",
                    format!(
                        "keyId=\"{key_id}\",algorithm=\"rsa-sha256\",\
                         headers=\"(request-target) host date digest\",signature=\"{}\"",
                        B64.encode(sig)
                    ),
                ),
            ],
            body: body.into(),
        })
    }

    /// `count` replies named `{tag}-{i}`, sender `i % senders`, signed on
    /// every core.
    fn batch(&self, tag: &str, count: usize, senders: usize) -> anyhow::Result<Vec<Signed>> {
        let cores = crate::ceilings::cores();
        let chunks: Vec<anyhow::Result<Vec<Signed>>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..cores)
                .map(|c| {
                    s.spawn(move || {
                        (c..count)
                            .step_by(cores)
                            .map(|i| self.create_note(i % senders.max(1), &format!("{tag}-{i}")))
                            .collect()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(anyhow::anyhow!("signing panicked")))
                })
                .collect()
        });
        let mut out = Vec::with_capacity(count);
        for chunk in chunks {
            out.extend(chunk?);
        }
        Ok(out)
    }
}

/// The ceiling: verify one draft-cavage signature with aws-lc-rs, insert
/// one row into SQLite, answer 202.
struct Bare {
    key: UnparsedPublicKey<Vec<u8>>,
    db: DatabaseConnection,
}

/// The `name="value"` pairs of a Signature header.
fn signature_params(header: &str) -> Vec<(&str, &str)> {
    header
        .split(',')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (k.trim(), v.trim().trim_matches('"')))
        .collect()
}

async fn bare_inbox(req: HttpRequest, body: web::Bytes, bare: web::Data<Bare>) -> HttpResponse {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    };
    let digest = format!("SHA-256={}", B64.encode(Sha256::digest(&body)));
    if header("digest") != digest {
        return HttpResponse::Unauthorized().body("digest");
    }
    let params = signature_params(header("signature"));
    let param = |name: &str| {
        params
            .iter()
            .find(|(k, _)| *k == name)
            .map_or("", |(_, v)| *v)
    };
    let target = req.uri().path_and_query().map_or("/", |p| p.as_str());
    let signing_string = param("headers")
        .split(' ')
        .map(|h| match h {
            "(request-target)" => format!("(request-target): post {target}"),
            h => format!("{h}: {}", header(h)),
        })
        .collect::<Vec<_>>()
        .join("\n");
    let Ok(sig) = B64.decode(param("signature")) else {
        return HttpResponse::Unauthorized().body("signature");
    };
    if bare.key.verify(signing_string.as_bytes(), &sig).is_err() {
        return HttpResponse::Unauthorized().body("does not verify");
    }
    let Ok(activity) = serde_json::from_slice::<Value>(&body) else {
        return HttpResponse::BadRequest().finish();
    };
    let text = |k: &str| activity.get(k).and_then(Value::as_str).unwrap_or_default();
    let insert = Statement::from_sql_and_values(
        sea_orm::DbBackend::Sqlite,
        "INSERT INTO inbox (ap_id, actor, body) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        [
            text("id").into(),
            text("actor").into(),
            String::from_utf8_lossy(&body).into_owned().into(),
        ],
    );
    match bare.db.execute_raw(insert).await {
        Ok(_) => HttpResponse::Accepted().finish(),
        Err(e) => HttpResponse::InternalServerError().body(e.to_string()),
    }
}

/// Starts the bare handler on `workers` workers over a fresh SQLite file
/// in `dir`; its inbox URL.
async fn bare_server(
    public_key: Vec<u8>,
    workers: usize,
    dir: &std::path::Path,
) -> anyhow::Result<String> {
    let url = format!("sqlite://{}?mode=rwc", dir.join("bare.sqlite3").display());
    let mut opts = ConnectOptions::new(url);
    opts.sqlx_logging(false)
        .max_connections(1)
        .min_connections(1);
    opts.map_sqlx_sqlite_opts(|o| {
        o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
            .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(5))
            .create_if_missing(true)
    });
    let db = Database::connect(opts).await?;
    db.execute_unprepared(
        "CREATE TABLE inbox (id INTEGER PRIMARY KEY, ap_id TEXT NOT NULL UNIQUE, \
         actor TEXT NOT NULL, body TEXT NOT NULL)",
    )
    .await?;
    let bare = web::Data::new(Bare {
        key: UnparsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, public_key),
        db,
    });
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(bare.clone())
            .route("/inbox", web::post().to(bare_inbox))
    })
    .workers(workers)
    .disable_signals()
    .listen(listener)?
    .run();
    tokio::spawn(server);
    Ok(format!("http://127.0.0.1:{port}/inbox"))
}

/// Waits until the item holds `expected` comments, hidden ones included
/// (each sender here writes far more than a person's hourly quota, and
/// those past it are stored hidden: stored all the same); how long from
/// `since`.
async fn stored(
    s: &Server,
    item: i64,
    expected: u64,
    since: Instant,
    probe: &str,
) -> anyhow::Result<Duration> {
    loop {
        let comments = s.store.count_stored_comments(item).await?;
        if comments >= expected {
            return Ok(since.elapsed());
        }
        if since.elapsed() > Duration::from_secs(300) {
            let why = s
                .store
                .get_inbox_activity(probe)
                .await?
                .map(|a| format!("{}: {:?}", a.status, a.last_error));
            anyhow::bail!(
                "only {comments} of {expected} comments stored after 5 minutes \
                 ({} activities pending; {probe} is {why:?})",
                s.store.count_pending_inbox().await?
            );
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Runs the scenario.
pub async fn run(o: &Options) -> anyhow::Result<Vec<Row>> {
    let s = Server::start().await?;
    let item = s.store.put_item(s.agency_id, &super::item(0)?).await?.id;
    let item_url = format!("{}/items/{item}", s.origin);
    // The senders' key: RSA-2048 as every peer has, parsed once here.
    let keys = deling_federation::keys::generate()?;
    let der = RsaPrivateKey::from_pkcs8_pem(&keys.private_key_pem)?.to_pkcs8_der()?;
    let key = RsaKeyPair::from_pkcs8(der.as_bytes())
        .map_err(|e| anyhow::anyhow!("aws-lc-rs cannot read the key: {e}"))?;
    let public_key = key.public_key().as_ref().to_vec();
    let peers = (0..o.hosts.max(1))
        .map(|_| peer(&keys.public_key_pem))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let signer = Signer {
        key,
        rng: SystemRandom::new(),
        host: s.config.domain.clone(),
        peers: peers.iter().map(|p| p.domain.clone()).collect(),
        item: item_url,
    };
    let inbox = format!("{}/inbox", s.base);
    let senders = o.senders.max(1);
    let probe = |tag: &str| {
        format!(
            "{}/statuses/{tag}-0/activity",
            actor_id(&peers[0].domain, 0)
        )
    };

    // Each sender once, unmeasured: Deling fetches and keeps its key.
    let warm = Arc::new(signer.batch("warm", senders, senders)?);
    let started = Instant::now();
    let l = load::post_all(&inbox, warm, o.connections).await?;
    anyhow::ensure!(l.errors == 0, "warm-up refused: {}", l.first_error);
    stored(&s, item, senders as u64, started, &probe("warm")).await?;
    let mut total = senders as u64;

    // The measured run: every request 202, then every reply stored.
    let batch = Arc::new(signer.batch("run", o.activities, senders)?);
    let started = Instant::now();
    let accepted = load::post_all(&inbox, batch.clone(), o.connections).await?;
    anyhow::ensure!(
        accepted.errors == 0,
        "{} of {} deliveries refused: {}",
        accepted.errors,
        o.activities,
        accepted.first_error
    );
    total += o.activities as u64;
    let all_stored = stored(&s, item, total, started, &probe("run")).await?;
    let fetches: usize = peers
        .iter()
        .map(|p| p.fetches.load(Ordering::Relaxed))
        .sum();

    // At half the rate reached, as long as the run took: the latency a
    // peer sees when Deling is not saturated.
    let half = accepted.rps() / 2.0;
    let paced_n = ((half * accepted.elapsed.as_secs_f64()) as usize).max(senders);
    let paced_batch = Arc::new(signer.batch("paced", paced_n, senders)?);
    let started = Instant::now();
    let paced = load::post_paced(&inbox, paced_batch, half).await?;
    anyhow::ensure!(
        paced.errors == 0,
        "paced run refused: {}",
        paced.first_error
    );
    total += paced_n as u64;
    stored(&s, item, total, started, &probe("paced")).await?;

    // The ceiling, with the very same requests.
    let dir = tempfile::tempdir()?;
    let bare_inbox = bare_server(public_key, s.config.http.workers, dir.path()).await?;
    let ceiling = load::post_all(&bare_inbox, batch, o.connections).await?;
    anyhow::ensure!(
        ceiling.errors == 0,
        "the bare handler refused {}: {}",
        ceiling.errors,
        ceiling.first_error
    );

    let stored_rate = o.activities as f64 / all_stored.as_secs_f64();
    let what = format!(
        "{} signed Create(Note) replies from {senders} senders on {} {}, {} connections",
        o.activities,
        peers.len(),
        if peers.len() == 1 { "host" } else { "hosts" },
        o.connections
    );
    let bare_text = format!(
        "bare verify + SQLite insert: {:.0}/s, p99 {:.2} ms",
        ceiling.rps(),
        ceiling.ms(0.99)
    );
    Ok(vec![
        Row::rate(
            format!("inbox: {what}, accepted (202)"),
            accepted.rps(),
            format!(
                "{:.0}/s, p50 {:.2} ms, p99 {:.2} ms",
                accepted.rps(),
                accepted.ms(0.5),
                accepted.ms(0.99)
            ),
            ceiling.rps(),
            bare_text.clone(),
        ),
        Row::rate(
            format!("inbox: the same, until all are stored as comments ({fetches} key fetches)"),
            stored_rate,
            format!("{stored_rate:.0}/s ({:.2} s)", all_stored.as_secs_f64()),
            ceiling.rps(),
            bare_text,
        ),
        Row::rate(
            format!("inbox: {paced_n} replies at half that rate ({half:.0}/s), latency"),
            paced.rps(),
            format!(
                "{:.0}/s, p50 {:.2} ms, p99 {:.2} ms",
                paced.rps(),
                paced.ms(0.5),
                paced.ms(0.99)
            ),
            half,
            format!("{half:.0}/s offered"),
        ),
    ])
}
