//! Fan-out: one agency's new item delivered to followers spread over many
//! hosts with shared inboxes, each receiver verifying the signature as a
//! strict peer does; then the same with some hosts dead (they take the
//! connection and never answer) and some slow (they answer after 8 s).

use crate::{ceilings, server::Server, table::Row};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use deling_federation::crypto::VerifyingKey;
use deling_store::queries::{delivery::STATUS_DONE, remote_actor::RemoteActorData};
use deling_testkit::peer::{Received, rfc9421_signed_base, verify_received};
use std::{
    collections::{HashMap, HashSet},
    sync::{
        Arc, LazyLock,
        atomic::{AtomicU64, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

/// How large a run is.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Hosts, each with one shared inbox.
    pub hosts: usize,
    /// Followers in all, spread evenly over the hosts.
    pub followers: usize,
    /// Per cent of hosts that never answer, in the second run.
    pub dead_pct: usize,
    /// Per cent of hosts that answer after 8 s, in the second run.
    pub slow_pct: usize,
    /// Measured publishes of each kind; the median is reported. One
    /// publish lasts under half a second, so one alone carries a tenth or
    /// more of noise.
    pub runs: usize,
}

/// How long a delivery to a dead or slow host stays in flight at most:
/// the default request timeout (10 s) and a little more. A run with dead
/// and slow hosts waits this long after the one before, so that it finds
/// no earlier run's requests still holding turns.
const IN_FLIGHT: Duration = Duration::from_secs(11);

/// What the receivers saw.
#[derive(Default)]
struct Seen {
    verified: AtomicUsize,
    refused: AtomicUsize,
    /// When the first delivery of the current publish was verified, in
    /// microseconds after [`EPOCH`] (0: none yet).
    first_at: AtomicU64,
    /// Requests that arrived, verified or not, answered or not.
    arrived: AtomicUsize,
    /// When the latest of them arrived, in microseconds after [`EPOCH`]:
    /// by then the sender had signed and sent every one.
    last_at: AtomicU64,
}

impl Seen {
    /// Counts a request that has just arrived.
    fn arrive(&self) {
        self.arrived.fetch_add(1, Ordering::Relaxed);
        self.last_at.fetch_max(micros(), Ordering::Relaxed);
    }
}

/// What the receivers' clock counts from.
static EPOCH: LazyLock<Instant> = LazyLock::new(Instant::now);

/// Microseconds since [`EPOCH`].
fn micros() -> u64 {
    u64::try_from(EPOCH.elapsed().as_micros()).unwrap_or(u64::MAX)
}

/// Checks an RFC 9421-signed POST the way the test kit's strict peer does
/// (`deling_testkit::peer::verify_received`: the components Mastodon
/// requires covered, `keyid` one of `key_ids`, `created` recent, the
/// `Content-Digest` of the body, the signature base rebuilt from the
/// request as received), but with the key parsed once and aws-lc-rs: the
/// strict peer parses the PEM and verifies with the `rsa` crate on every
/// request, some 0.3 ms of CPU each, on the two cores the sender is
/// measured on. A lightweight receiver, as the issue asks; a draft-cavage
/// request goes to the strict peer's check.
fn verify_fast(r: &Received, key_ids: &[String], key: &VerifyingKey) -> Result<(), String> {
    let key_ids: Vec<&str> = key_ids.iter().map(String::as_str).collect();
    let (base, signature) = rfc9421_signed_base(r, "POST", &key_ids)?;
    if key.verify_pkcs1_sha256(base.as_bytes(), &signature) {
        Ok(())
    } else {
        Err("signature does not verify".into())
    }
}

/// Starts one actix-web server listening on `n` ports, verifying every
/// POST as signed with one of `key_ids` (the agencies share one key pair,
/// `public_key_pem`) and answering 202 after `delay`; the ports.
fn receivers(
    n: usize,
    key_ids: &[String],
    public_key_pem: &str,
    delay: Duration,
    seen: Arc<Seen>,
) -> anyhow::Result<Vec<u16>> {
    let mut ports = Vec::with_capacity(n);
    // actix-web will not run a server without a socket (a run with no
    // slow hosts asks for none).
    if n == 0 {
        return Ok(ports);
    }
    let parsed = VerifyingKey::from_pem(public_key_pem)?;
    let key = Arc::new((key_ids.to_vec(), public_key_pem.to_owned(), parsed));
    let mut server = HttpServer::new(move || {
        let key = key.clone();
        let seen = seen.clone();
        App::new().default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
            let key = key.clone();
            let seen = seen.clone();
            async move {
                let received = Received {
                    path: req.uri().to_string(),
                    headers: req
                        .headers()
                        .iter()
                        .map(|(k, v)| {
                            (
                                k.as_str().to_ascii_lowercase(),
                                v.to_str().unwrap_or_default().to_owned(),
                            )
                        })
                        .collect::<HashMap<_, _>>(),
                    body: body.to_vec(),
                    at: Instant::now(),
                    status: 202,
                };
                seen.arrive();
                if !delay.is_zero() {
                    tokio::time::sleep(delay).await;
                }
                let verified = if received.headers.contains_key("signature-input") {
                    verify_fast(&received, &key.0, &key.2)
                } else {
                    key.0
                        .iter()
                        .map(|id| verify_received(&received, id, &key.1))
                        .find(Result::is_ok)
                        .unwrap_or_else(|| verify_received(&received, &key.0[0], &key.1))
                };
                match verified {
                    Ok(()) => {
                        let _ = seen.first_at.compare_exchange(
                            0,
                            micros(),
                            Ordering::Relaxed,
                            Ordering::Relaxed,
                        );
                        seen.verified.fetch_add(1, Ordering::Relaxed);
                        HttpResponse::Accepted().finish()
                    }
                    Err(why) => {
                        seen.refused.fetch_add(1, Ordering::Relaxed);
                        HttpResponse::Unauthorized().body(why)
                    }
                }
            }
        }))
    })
    // As a peer behind nginx keeps an idle connection (75 s), not
    // actix's 5 s: the runs with dead and slow hosts wait 11 s apart, and
    // should find the live hosts' connections as a busy sender does.
    .keep_alive(Duration::from_secs(75))
    .workers(1);
    for _ in 0..n {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        ports.push(listener.local_addr()?.port());
        server = server.listen(listener)?;
    }
    tokio::spawn(server.run());
    Ok(ports)
}

/// Ports that take connections and never answer on them. Each
/// connection counts as one request arrived (a run sends each dead host
/// one), when its first bytes come; its last bytes set `last_at`.
async fn dead(n: usize, seen: Arc<Seen>) -> anyhow::Result<Vec<u16>> {
    use tokio::io::AsyncReadExt;
    let mut ports = Vec::with_capacity(n);
    for _ in 0..n {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        ports.push(listener.local_addr()?.port());
        let seen = seen.clone();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let seen = seen.clone();
                tokio::spawn(async move {
                    let mut buf = vec![0; 16 * 1024];
                    let mut first = true;
                    // Read and never answer, until the sender gives up.
                    while let Ok(1..) = socket.read(&mut buf).await {
                        if first {
                            seen.arrived.fetch_add(1, Ordering::Relaxed);
                            first = false;
                        }
                        seen.last_at.fetch_max(micros(), Ordering::Relaxed);
                    }
                });
            }
        });
    }
    Ok(ports)
}

/// Adds an agency `slug` followed by `per_host` followers on each of
/// `ports`, sharing each host's inbox; its id.
async fn followed_agency(
    s: &Server,
    slug: &str,
    ports: &[u16],
    per_host: usize,
) -> anyhow::Result<()> {
    let store = &s.store;
    let agency = if slug == "oslo" {
        s.agency_id
    } else {
        let a = store
            .put_agency(deling_store::queries::agency::NewAgency {
                slug: deling_domain::slug::Slug::parse(slug)?,
                name: deling_domain::text::DisplayName::parse(slug)?,
                org_number: None,
                public_key_pem: s.keys.public_key_pem.clone(),
                private_key_pem: s.keys.private_key_pem.clone(),
            })
            .await?;
        let staff = store
            .get_staff_by_username("bench")
            .await?
            .ok_or_else(|| anyhow::anyhow!("no staff"))?;
        store
            .put_membership(staff.id, a.id, deling_domain::auth::Role::Editor)
            .await?;
        a.id
    };
    for p in ports {
        let domain = format!("localhost:{p}");
        for n in 0..per_host {
            let ap_id = format!("http://{domain}/users/{slug}-{n}");
            let actor = store
                .put_remote_actor(RemoteActorData {
                    ap_id: ap_id.clone(),
                    actor_type: "Person".into(),
                    domain: domain.clone(),
                    preferred_username: Some(format!("u{n}")),
                    name: None,
                    inbox: format!("http://{domain}/users/{slug}-{n}/inbox"),
                    shared_inbox: Some(format!("http://{domain}/inbox")),
                    url: None,
                    icon_url: None,
                    summary_html: None,
                    public_key_pem: None,
                    followers: None,
                    speaks_deling: false,
                })
                .await?;
            store
                .put_follower(agency, actor.id, &format!("{ap_id}#follow"))
                .await?;
        }
    }
    Ok(())
}

/// What one publish took.
struct Published {
    /// From the item's POST until the last delivery to a live host was
    /// recorded done (its `finished_at`).
    time: Duration,
    /// Those deliveries.
    deliveries: usize,
    /// From the POST until a receiver verified the first of them: the
    /// fan-out's own work (followers' inboxes read, deliveries queued,
    /// the first claim) before any signing.
    first: Duration,
    /// From the POST until the last request of the publish, to any
    /// host, live, slow or dead, had arrived: every delivery signed and
    /// sent.
    sent: Duration,
    /// The deliveries sent, to every host.
    attempted: usize,
    /// The activity's id.
    activity: String,
}

/// The median of `runs` by rate, with the others' times.
struct Median {
    time: Duration,
    deliveries: usize,
    first: Duration,
    /// "; median of N: a, b, c s" when there was more than one run.
    of: String,
}

/// The median of `runs` by deliveries sent a second, to every host, and
/// that run's time until the last was sent.
fn median_sent(runs: &[Published]) -> (f64, Duration) {
    let rate = |p: &Published| p.attempted as f64 / p.sent.as_secs_f64().max(1e-9);
    let mut by_rate: Vec<&Published> = runs.iter().collect();
    by_rate.sort_by(|a, b| rate(a).total_cmp(&rate(b)));
    let mid = by_rate[by_rate.len() / 2];
    (rate(mid), mid.sent)
}

fn median(mut runs: Vec<Published>) -> Median {
    let rate = |p: &Published| p.deliveries as f64 / p.time.as_secs_f64().max(1e-9);
    runs.sort_by(|a, b| rate(a).total_cmp(&rate(b)));
    let of = if runs.len() > 1 {
        let times: Vec<String> = runs
            .iter()
            .map(|p| format!("{:.2}", p.time.as_secs_f64()))
            .collect();
        format!("; median of {}: {} s", runs.len(), times.join(", "))
    } else {
        String::new()
    };
    let mid = &runs[runs.len() / 2];
    Median {
        time: mid.time,
        deliveries: mid.deliveries,
        first: mid.first,
        of,
    }
}

/// Publishes an item as `slug` and waits until every delivery to a host
/// in `live` is done and `others` (the slow and dead hosts' count, and how
/// many of them this publish goes to) has seen its requests arrive. Until
/// the receivers have verified as many deliveries as there are live hosts
/// it watches their count, not the database: reading a thousand delivery
/// rows every few milliseconds took a good share of the cores the server
/// was measured on.
async fn publish(
    s: &Server,
    slug: &str,
    live: &[String],
    seen: &Seen,
    others: Option<(&Seen, usize)>,
) -> anyhow::Result<Published> {
    let client = reqwest::Client::builder().no_proxy().build()?;
    let verified_before = seen.verified.load(Ordering::Relaxed);
    seen.first_at.store(0, Ordering::Relaxed);
    seen.last_at.store(0, Ordering::Relaxed);
    // Without slow and dead hosts, nothing more to wait for: `seen`
    // stands in, expecting none.
    let (others, expected) = others.unwrap_or((seen, 0));
    let others_before = others.arrived.load(Ordering::Relaxed);
    others.last_at.store(0, Ordering::Relaxed);
    let posted_at = micros();
    let started = Instant::now();
    let posted_wall = chrono::Utc::now();
    let resp = client
        .post(format!("{}/api/v1/agencies/{slug}/items", s.base))
        .bearer_auth(&s.token)
        .json(&serde_json::json!({"kind": "guide", "title": "Til alle", "language": "nb"}))
        .send()
        .await?
        .error_for_status()?;
    let id = resp.json::<serde_json::Value>().await?["id"]
        .as_i64()
        .ok_or_else(|| anyhow::anyhow!("no item id"))?;
    let activity = format!("{}/items/{id}/create", s.origin);
    let live_hosts: HashSet<&str> = live.iter().map(String::as_str).collect();
    loop {
        let verified = seen.verified.load(Ordering::Relaxed) - verified_before;
        let others_arrived = others.arrived.load(Ordering::Relaxed) - others_before;
        if verified >= live.len() && others_arrived >= expected {
            let rows = s.store.list_delivery_states_of(&activity).await?;
            let to_live: Vec<_> = rows
                .iter()
                .filter(|(host, _)| live_hosts.contains(host.as_str()))
                .collect();
            if to_live.len() == live.len()
                && to_live.iter().all(|(_, status)| status == STATUS_DONE)
            {
                let first = seen.first_at.load(Ordering::Relaxed);
                // When the last of them was recorded done, not when this
                // loop saw it: the loop runs on the server's runtime,
                // where a wave of signing tasks can keep it waiting for
                // a timer turn, and looks only every few milliseconds.
                // (`finished_at` is taken as the recording transaction
                // begins: its own write, about a millisecond, is not
                // counted.)
                let last_done = s
                    .store
                    .list_deliveries_of(&activity)
                    .await?
                    .into_iter()
                    .filter(|d| live_hosts.contains(d.host.as_str()))
                    .filter_map(|d| d.finished_at)
                    .max()
                    .ok_or_else(|| anyhow::anyhow!("a delivery done has no finishing time"))?;
                let last_sent = seen
                    .last_at
                    .load(Ordering::Relaxed)
                    .max(others.last_at.load(Ordering::Relaxed));
                return Ok(Published {
                    time: (last_done - posted_wall).to_std().unwrap_or(Duration::ZERO),
                    deliveries: to_live.len(),
                    first: Duration::from_micros(first.saturating_sub(posted_at)),
                    sent: Duration::from_micros(last_sent.saturating_sub(posted_at)),
                    attempted: to_live.len() + expected,
                    activity,
                });
            }
        }
        if started.elapsed() > Duration::from_secs(120) {
            let rows = s.store.list_delivery_states_of(&activity).await?;
            let to_live = rows
                .iter()
                .filter(|(host, _)| live_hosts.contains(host.as_str()))
                .count();
            let mut by_status: HashMap<String, usize> = HashMap::new();
            for (_, status) in &rows {
                *by_status.entry(status.clone()).or_default() += 1;
            }
            anyhow::bail!(
                "fan-out did not finish in 2 minutes: {to_live} of {} live deliveries listed, \
                 {verified} verified by the receivers, {others_arrived} of {expected} sent to \
                 slow and dead hosts, all deliveries by status: {by_status:?}; \
                 receivers refused {}",
                live.len(),
                seen.refused.load(Ordering::Relaxed)
            );
        }
        let nap = if verified >= live.len() { 5 } else { 1 };
        tokio::time::sleep(Duration::from_millis(nap)).await;
    }
}

/// Runs the scenario on a runtime of its own with a thread per core, as
/// `deling serve` runs (its `main` builds a multi-threaded runtime): the
/// server's federation worker is spawned on the runtime that starts the
/// server, and on the suite's own (actix's, single-threaded) it would be
/// held to one core, which no deployment is.
pub async fn run(o: &Options, rsa: &ceilings::Rsa) -> anyhow::Result<Vec<Row>> {
    let (o, rsa) = (*o, *rsa);
    tokio::task::spawn_blocking(move || {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(ceilings::cores())
            .enable_all()
            .build()?
            .block_on(scenario(&o, &rsa))
    })
    .await?
}

/// What the same deliveries cost without Deling: one RFC 9421-signed
/// POST of `body` to each of `ports`' inboxes, signed and sent as Deling
/// signs and sends them (its signing function, its HTTP client, kept-alive
/// connections opened by an unmeasured pass first, at most as many in
/// flight as Deling's turns), to the same receivers, with no queue and no
/// database. Deliveries a second, the median of `runs`: what the machine
/// leaves for a fan-out once the receivers have taken their share, so
/// Deling's own cost is its rate against this one.
async fn bare_sender(
    ports: &[u16],
    key_id: &str,
    private_key_pem: &str,
    body: &str,
    runs: usize,
    seen: &Seen,
) -> anyhow::Result<f64> {
    use deling_federation::{context::http_client_with, crypto::SigningKey, rfc9421};
    let key = Arc::new(SigningKey::from_pem(private_key_pem)?);
    let client = http_client_with(true, deling_federation::context::HttpSettings::default())?;
    let body: Arc<str> = body.into();
    let key_id: Arc<str> = key_id.into();
    let inboxes: Vec<url::Url> = ports
        .iter()
        .map(|p| url::Url::parse(&format!("http://localhost:{p}/inbox")))
        .collect::<Result<_, _>>()?;
    let limit = Arc::new(tokio::sync::Semaphore::new(
        deling_federation::delivery::pool::MAX_TURNS,
    ));
    let mut rates = Vec::with_capacity(runs);
    for run in 0..=runs {
        let before = seen.verified.load(Ordering::Relaxed);
        let started = Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        for inbox in &inboxes {
            let permit = limit.clone().acquire_owned().await?;
            let (client, key, key_id, body, inbox) = (
                client.clone(),
                key.clone(),
                key_id.clone(),
                body.clone(),
                inbox.clone(),
            );
            tasks.spawn(async move {
                let _permit = permit;
                let mut headers = std::collections::BTreeMap::new();
                headers.insert(
                    "content-type".to_owned(),
                    deling_federation::protocol::AP_CONTENT_TYPE.to_owned(),
                );
                headers.insert(
                    "content-digest".to_owned(),
                    rfc9421::content_digest(body.as_bytes()),
                );
                let msg = rfc9421::Message {
                    method: "POST",
                    target: &inbox,
                    headers: &headers,
                };
                let signed = rfc9421::sign(
                    &msg,
                    &deling_federation::delivery::send::COVERED,
                    &key_id,
                    chrono::Utc::now().timestamp(),
                    &key,
                )?;
                let mut request = client
                    .post(inbox.as_str())
                    .header("signature-input", signed.signature_input)
                    .header("signature", signed.signature)
                    .header(
                        "date",
                        chrono::Utc::now()
                            .format("%a, %d %b %Y %H:%M:%S GMT")
                            .to_string(),
                    )
                    .body(body.to_string());
                for (name, value) in headers {
                    request = request.header(name, value);
                }
                let response = request.send().await?;
                anyhow::ensure!(
                    response.status().is_success(),
                    "a receiver answered {}",
                    response.status()
                );
                response.bytes().await?;
                Ok::<_, anyhow::Error>(())
            });
        }
        while let Some(done) = tasks.join_next().await {
            done??;
        }
        let took = started.elapsed();
        let verified = seen.verified.load(Ordering::Relaxed) - before;
        anyhow::ensure!(
            verified == inboxes.len(),
            "the receivers verified {verified} of the bare sender's {} requests",
            inboxes.len()
        );
        if run > 0 {
            rates.push(inboxes.len() as f64 / took.as_secs_f64());
        }
    }
    rates.sort_by(f64::total_cmp);
    Ok(rates[rates.len() / 2])
}

async fn scenario(o: &Options, rsa: &ceilings::Rsa) -> anyhow::Result<Vec<Row>> {
    let n_dead = o.hosts * o.dead_pct / 100;
    let n_slow = o.hosts * o.slow_pct / 100;
    anyhow::ensure!(
        n_dead + n_slow < o.hosts,
        "--dead-pct {} and --slow-pct {} leave no host answering",
        o.dead_pct,
        o.slow_pct
    );
    let s = Server::start().await?;
    let runs = o.runs.max(1);
    // "oslo" is followed on live hosts only; each "blandet_N" on the same
    // live hosts but with its own dead and slow ones, fresh for its run.
    let mixed_slugs: Vec<String> = (0..runs).map(|r| format!("blandet_{r}")).collect();
    let key_ids: Vec<String> = std::iter::once("oslo")
        .chain(mixed_slugs.iter().map(String::as_str))
        .map(|a| format!("{}/agencies/{a}#main-key", s.origin))
        .collect();
    let seen = Arc::new(Seen::default());
    let per_host = (o.followers / o.hosts.max(1)).max(1);
    let live = receivers(
        o.hosts,
        &key_ids,
        &s.keys.public_key_pem,
        Duration::ZERO,
        seen.clone(),
    )?;
    // Their own count: `seen` counts what the live hosts verified.
    let seen_others = Arc::new(Seen::default());
    let slow = receivers(
        n_slow * runs,
        &key_ids,
        &s.keys.public_key_pem,
        Duration::from_secs(8),
        seen_others.clone(),
    )?;
    let dead = dead(n_dead * runs, seen_others.clone()).await?;
    followed_agency(&s, "oslo", &live, per_host).await?;
    let fast = &live[..o.hosts - n_dead - n_slow];
    for (r, slug) in mixed_slugs.iter().enumerate() {
        let mixed: Vec<u16> = fast
            .iter()
            .chain(&slow[r * n_slow..(r + 1) * n_slow])
            .chain(&dead[r * n_dead..(r + 1) * n_dead])
            .copied()
            .collect();
        // Same key, so the same receivers verify every agency's deliveries.
        followed_agency(&s, slug, &mixed, per_host).await?;
    }
    let hosts = |ports: &[u16]| {
        ports
            .iter()
            .map(|p| format!("localhost:{p}"))
            .collect::<Vec<_>>()
    };

    // Once unmeasured: connections opened, the database warm.
    let warm = publish(&s, "oslo", &hosts(&live), &seen, None).await?;
    let body = s
        .store
        .list_deliveries_of(&warm.activity)
        .await?
        .pop()
        .ok_or_else(|| anyhow::anyhow!("the publish queued no delivery"))?
        .body;
    let bare = bare_sender(
        &live,
        &key_ids[0],
        &s.keys.private_key_pem,
        &body,
        runs,
        &seen,
    )
    .await?;
    let mut all = Vec::with_capacity(runs);
    for _ in 0..runs {
        all.push(publish(&s, "oslo", &hosts(&live), &seen, None).await?);
    }
    let mut mixed = Vec::with_capacity(runs);
    for (r, slug) in mixed_slugs.iter().enumerate() {
        if r > 0 {
            tokio::time::sleep(IN_FLIGHT).await;
        }
        let others = Some((&*seen_others, n_slow + n_dead));
        mixed.push(publish(&s, slug, &hosts(fast), &seen, others).await?);
    }
    let (all_sent_rate, _) = median_sent(&all);
    let (mixed_sent_rate, mixed_sent) = median_sent(&mixed);
    let all = median(all);
    let mixed = median(mixed);
    let refused =
        seen.refused.load(Ordering::Relaxed) + seen_others.refused.load(Ordering::Relaxed);
    anyhow::ensure!(refused == 0, "receivers refused {refused} deliveries");
    let all_rate = all.deliveries as f64 / all.time.as_secs_f64();
    let mixed_rate = mixed.deliveries as f64 / mixed.time.as_secs_f64();
    Ok(vec![
        Row::rate(
            format!(
                "bare sender: the same {} requests signed and sent as Deling does, no queue",
                live.len()
            ),
            bare,
            format!("{bare:.0} requests/s"),
            rsa.fast_sign,
            format!(
                "{} cores × aws-lc-rs sign: {:.0}/s",
                ceilings::cores(),
                rsa.fast_sign
            ),
        ),
        Row::rate(
            "fan-out against the bare sender".to_owned(),
            all_rate,
            format!("{all_rate:.0} deliveries/s"),
            bare,
            format!("{bare:.0}/s"),
        ),
        Row::rate(
            format!(
                "fan-out: {} followers on {} hosts, shared inboxes, signatures verified",
                per_host * o.hosts,
                o.hosts
            ),
            all_rate,
            format!(
                "{all_rate:.0} deliveries/s ({:.2} s, the first after {} ms{})",
                all.time.as_secs_f64(),
                all.first.as_millis(),
                all.of
            ),
            rsa.fast_sign,
            format!(
                "{} cores × aws-lc-rs sign: {:.0}/s (`rsa`: {:.0}/s)",
                ceilings::cores(),
                rsa.fast_sign,
                rsa.rsa_sign
            ),
        ),
        Row::rate(
            format!(
                "the same with {n_dead} hosts dead and {n_slow} slow (8 s): rate to the {} others",
                fast.len()
            ),
            mixed_rate,
            format!(
                "{mixed_rate:.0} deliveries/s ({:.2} s, the first after {} ms{})",
                mixed.time.as_secs_f64(),
                mixed.first.as_millis(),
                mixed.of
            ),
            all_rate,
            format!("{all_rate:.0}/s with all answering"),
        ),
        Row::rate(
            format!(
                "the same, every host's delivery sent ({} live, {n_slow} slow, {n_dead} dead): \
                 what is left once each costs its signature",
                fast.len()
            ),
            mixed_sent_rate,
            format!(
                "{mixed_sent_rate:.0} sent/s (the last after {:.2} s)",
                mixed_sent.as_secs_f64()
            ),
            all_sent_rate,
            format!("{all_sent_rate:.0} sent/s with all answering"),
        ),
    ])
}
