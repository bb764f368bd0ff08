//! Federated search (`GET /api/v1/search?peers=true`): A asks peers it
//! may follow nothing on, merges their answers, and reports each peer; a
//! dead, slow, hostile or garbage-answering peer costs at most the
//! timeout and never reaches A's users unchecked.

use crate::helpers::{Instance, eventually, item_body};
use deling_domain::policy::{Domain, Severity};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};

async fn search(i: &Instance, query: &str) -> Value {
    i.get_json(&format!("/api/v1/search?{query}")).await
}

async fn publish(i: &Instance, slug: &str, title: &str) {
    let resp = i
        .send(
            Method::POST,
            &format!("/api/v1/agencies/{slug}/items"),
            Some(&item_body(title, &["vann"])),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
}

/// `(title, instance)` of each hit, in order.
fn hits(r: &Value) -> Vec<(String, String)> {
    r["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|h| {
            (
                h["title"].as_str().expect("title").to_owned(),
                h["instance"].as_str().expect("instance").to_owned(),
            )
        })
        .collect()
}

/// The report on `host`.
fn report<'a>(r: &'a Value, host: &str) -> &'a Value {
    r["peers"]
        .as_array()
        .unwrap_or_else(|| panic!("no peers in {r}"))
        .iter()
        .find(|p| p["host"] == host)
        .unwrap_or_else(|| panic!("{host} not reported: {}", r["peers"]))
}

async fn wait_total(i: &Instance, query: &str, total: u64) {
    eventually(
        &format!("{total} hits for {query} on {}", i.domain),
        async || {
            let r = search(i, query).await;
            if r["total"] == total {
                Ok(())
            } else {
                Err(format!("{:?}", hits(&r)))
            }
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn peers_are_asked_merged_and_filtered() {
    let (b, c, d) = tokio::join!(Instance::spawn(), Instance::spawn(), Instance::spawn());
    let peers = vec![d.domain.clone()];
    let a = Instance::spawn_tuned(move |cfg| cfg.search.peers = peers.clone()).await;
    a.agency("nav").await;
    b.agency("oslo").await;
    c.agency("alta").await;
    d.agency("bodo").await;
    // A follows B; D follows B and C. A follows nothing on D.
    for (who, slug, target) in [
        (&a, "nav", b.actor_id("oslo")),
        (&d, "bodo", b.actor_id("oslo")),
        (&d, "bodo", c.actor_id("alta")),
    ] {
        who.follow(slug, &target).await;
        who.wait_accepted(slug, &target).await;
    }
    publish(&b, "oslo", "Vannlekkasje i Oslo").await;
    publish(&c, "alta", "Vannlekkasje i Alta").await;
    publish(&d, "bodo", "Vannlekkasje i Bodø").await;
    wait_total(&a, "q=vannlekkasje", 1).await;
    wait_total(&d, "q=vannlekkasje", 3).await;
    // A suspends C: C's items must not come back through D.
    a.store
        .put_domain_policy(
            &Domain::parse(&c.domain).unwrap(),
            Severity::Suspend,
            None,
            None,
            None,
        )
        .await
        .unwrap();

    // Without peers=true, only A's own index.
    let local = search(&a, "q=vannlekkasje").await;
    assert_eq!(
        hits(&local),
        vec![("Vannlekkasje i Oslo".into(), a.domain.clone())]
    );
    assert!(local.get("peers").is_none(), "{local}");

    let r = search(&a, "q=vannlekkasje&peers=true").await;
    // B's item, held by both, once and as A's copy; D's own item, marked
    // as D's; C's never.
    assert_eq!(
        hits(&r),
        vec![
            ("Vannlekkasje i Oslo".into(), a.domain.clone()),
            ("Vannlekkasje i Bodø".into(), d.domain.clone()),
        ],
        "{r}"
    );
    let peer_hit = &r["items"][1];
    assert!(peer_hit.get("id").is_none(), "{peer_hit}");
    assert_eq!(peer_hit["agency"]["actor_id"], d.actor_id("bodo"));
    assert!(
        peer_hit["snippet"].is_null() || peer_hit["snippet"].as_str().unwrap().contains("<mark>"),
        "{peer_hit}"
    );
    let d_report = report(&r, &d.domain);
    assert_eq!(d_report["status"], "ok", "{d_report}");
    assert!(d_report["took_ms"].as_u64().unwrap() < 1500);
    // B is asked too, as the server of an agency A follows; its copy of
    // its own item loses to A's.
    assert_eq!(report(&r, &b.domain)["status"], "ok", "{r}");
    assert_eq!(r["peers"].as_array().unwrap().len(), 2, "{r}");
    // Totals and facets summed (A: 1, D: 3 as D counts them, B: 1).
    assert_eq!(r["total"], 5, "{r}");
    assert_eq!(r["facets"]["kind"]["guide"], 5, "{r}");
    assert_eq!(r["facets"]["instance"][&d.domain], 1, "{r}");
    assert_eq!(r["facets"]["instance"][&b.domain], 3, "{r}");
    assert!(r["facets"]["instance"].get(&c.domain).is_none(), "{r}");
    assert_eq!(
        r["facets"]["agency"][format!("bodo@{}", d.domain)],
        1,
        "{r}"
    );

    // A search a peer sent never asks further.
    let resp = a
        .client
        .get(a.url("/api/v1/search?q=vannlekkasje&peers=true"))
        .header("Deling-Peer-Search", "elsewhere.example")
        .send()
        .await
        .unwrap();
    let body: Value = resp.json().await.unwrap();
    assert!(body.get("peers").is_none(), "{body}");
    assert_eq!(body["total"], 1);
    // NodeInfo says D answers federated search.
    let links = d.get_json("/.well-known/nodeinfo").await;
    let href = links["links"][0]["href"].as_str().unwrap();
    let info: Value = d
        .client
        .get(href)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["metadata"]["deling"]["federatedSearch"], true);
}

/// What a fake peer answers to a search (it answers NodeInfo as a Deling
/// instance that answers federated search does).
#[derive(Debug, Clone, Copy)]
enum Answer {
    /// Not JSON.
    Garbage,
    /// 20 MB, said so in Content-Length.
    HugeDeclared,
    /// 20 MB with no length, until the connection closes.
    HugeStreamed,
    /// A valid answer carrying a script and a `javascript:` id.
    Hostile,
    /// A valid answer, but NodeInfo does not say it answers search.
    NotAdvertised,
    /// Closes the connection of the first search asked without answering
    /// (a peer restarting), then answers every search validly.
    DropsFirst,
}

const TWENTY_MB: usize = 20 << 20;

/// Starts a fake peer on loopback; returns its host (`localhost:PORT`).
async fn fake_peer(answer: Answer) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let searches = Arc::new(AtomicUsize::new(0));
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            tokio::spawn(serve(sock, answer, port, searches.clone()));
        }
    });
    format!("localhost:{port}")
}

async fn respond(sock: &mut TcpStream, body: &str) {
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = sock.write_all(head.as_bytes()).await;
    let _ = sock.write_all(body.as_bytes()).await;
}

async fn serve(mut sock: TcpStream, answer: Answer, port: u16, searches: Arc<AtomicUsize>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        match sock.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
        if buf.len() > 65536 {
            return;
        }
    }
    let head = String::from_utf8_lossy(&buf).to_string();
    let path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let host = format!("localhost:{port}");
    if path == "/.well-known/nodeinfo" {
        let links = json!({"links": [{"rel": "http://nodeinfo.diaspora.software/ns/schema/2.1",
            "href": format!("http://{host}/nodeinfo/2.1")}]});
        return respond(&mut sock, &links.to_string()).await;
    }
    if path == "/nodeinfo/2.1" {
        let advertised = !matches!(answer, Answer::NotAdvertised);
        let doc = json!({"version": "2.1", "software": {"name": "deling", "version": "0"},
            "metadata": {"deling": {"federatedSearch": advertised}}});
        return respond(&mut sock, &doc.to_string()).await;
    }
    if !path.starts_with("/api/v1/search") {
        let _ = sock
            .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            .await;
        return;
    }
    // The request must say it comes from a peer, and ask nobody further.
    assert!(path.contains("peers=false"), "{path}");
    assert!(
        head.to_ascii_lowercase().contains("deling-peer-search:"),
        "{head}"
    );
    let hit = |ap_id: &str, snippet: &str| {
        json!({"ap_id": ap_id, "url": ap_id,
            "agency": {"actor_id": format!("http://{host}/agencies/evil"), "handle": "@evil@x"},
            "kind": "guide", "title": "Vannlekkasje fra en fiendtlig node",
            "language": "nb", "published": "2026-01-01T00:00:00Z",
            "updated": "2026-01-01T00:00:00Z", "snippet": snippet})
    };
    let first_search = searches.fetch_add(1, Ordering::SeqCst) == 0;
    match answer {
        Answer::Garbage => respond(&mut sock, "<html>{\"total\": oops").await,
        // The connection closes under the request: no answer at all.
        Answer::DropsFirst if first_search => drop(sock),
        Answer::DropsFirst => {
            let body = json!({"total": 1, "items": [
                hit(&format!("http://{host}/items/1"), "<mark>vann</mark>"),
            ], "facets": {"kind": {"guide": 1}}});
            respond(&mut sock, &body.to_string()).await;
        }
        Answer::Hostile | Answer::NotAdvertised => {
            let body = json!({"total": 2, "items": [
                hit(&format!("http://{host}/items/1"),
                    "<mark>vann</mark><script>alert(1)</script><img src=x onerror=alert(2)>"),
                hit("javascript:alert(3)", "x"),
            ], "facets": {"kind": {"guide": 2}}});
            respond(&mut sock, &body.to_string()).await;
        }
        Answer::HugeDeclared | Answer::HugeStreamed => {
            let head = match answer {
                Answer::HugeDeclared => format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {TWENTY_MB}\r\n\r\n"
                ),
                _ => {
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"
                        .to_owned()
                }
            };
            if sock.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let piece = format!("{{\"total\": 1, \"items\": [{}", "[".repeat(65536 - 24));
            let mut sent = 0;
            while sent < TWENTY_MB {
                if sock.write_all(piece.as_bytes()).await.is_err() {
                    return;
                }
                sent += piece.len();
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_slow_and_hostile_peers_are_reported_not_waited_for() {
    let mut d = Instance::spawn_stoppable().await;
    d.agency("bodo").await;
    publish(&d, "bodo", "Vannlekkasje i Bodø").await;
    let garbage = fake_peer(Answer::Garbage).await;
    let declared = fake_peer(Answer::HugeDeclared).await;
    let streamed = fake_peer(Answer::HugeStreamed).await;
    let hostile = fake_peer(Answer::Hostile).await;
    let silent = fake_peer(Answer::NotAdvertised).await;
    let peers = vec![
        d.domain.clone(),
        garbage.clone(),
        declared.clone(),
        streamed.clone(),
        hostile.clone(),
        silent.clone(),
    ];
    let a = Instance::spawn_tuned(move |cfg| cfg.search.peers = peers.clone()).await;

    let r = search(&a, "q=vannlekkasje&peers=true").await;
    assert_eq!(report(&r, &d.domain)["status"], "ok", "{r}");
    for host in [&garbage, &declared, &streamed] {
        assert_eq!(report(&r, host)["status"], "error", "{r}");
    }
    for host in [&declared, &streamed] {
        let detail = report(&r, host)["detail"].as_str().unwrap();
        assert!(detail.contains("larger than 1048576 bytes"), "{detail}");
    }
    assert_eq!(report(&r, &hostile)["status"], "ok", "{r}");
    // A peer whose NodeInfo does not advertise federated search is not
    // asked (its hits would show up below).
    let not_asked = report(&r, &silent);
    assert_eq!(not_asked["status"], "error", "{r}");
    assert!(
        not_asked["detail"]
            .as_str()
            .unwrap()
            .contains("does not answer federated search"),
        "{not_asked}"
    );
    // The hostile peer's valid hit is shown with its snippet cleaned; its
    // `javascript:` one is not shown at all.
    let mut titles: Vec<String> = hits(&r).into_iter().map(|(t, _)| t).collect();
    titles.sort();
    assert_eq!(
        titles,
        vec!["Vannlekkasje fra en fiendtlig node", "Vannlekkasje i Bodø"],
        "{r}"
    );
    let from_hostile = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["instance"] == hostile.as_str())
        .unwrap();
    assert_eq!(
        from_hostile["snippet"], "<mark>vann</mark>",
        "{from_hostile}"
    );
    assert!(!r.to_string().contains("javascript:"), "{r}");

    // D stops; its port is then held by something that accepts and never
    // answers, as a hung server does. A answers within the timeout and
    // reports D as timed out.
    let port: u16 = d.domain.rsplit_once(':').unwrap().1.parse().unwrap();
    d.stop().await;
    let hung = eventually("D's port free", async || {
        TcpListener::bind(("127.0.0.1", port))
            .await
            .map_err(|e| e.to_string())
    })
    .await;
    let started = Instant::now();
    let r = search(&a, "q=vannlekkasje&peers=true").await;
    let took = started.elapsed();
    let d_report = report(&r, &d.domain);
    assert_eq!(d_report["status"], "timeout", "{r}");
    assert!(d_report["took_ms"].as_u64().unwrap() >= 1400, "{d_report}");
    assert!(took < Duration::from_millis(1500 + 2500), "{took:?}");
    // A fast peer is not charged for the slow one.
    let fast = report(&r, &hostile);
    assert_eq!(fast["status"], "ok", "{r}");
    assert!(fast["took_ms"].as_u64().unwrap() < 1000, "{fast}");
    drop(hung);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn searches_are_limited_per_client_and_per_peer() {
    let d = Instance::spawn().await;
    d.agency("bodo").await;
    let peers = vec![d.domain.clone()];
    let a = Instance::spawn_tuned(move |cfg| {
        cfg.search.peers = peers.clone();
        cfg.limits.search_per_ip_per_minute = 3;
        cfg.limits.search_per_peer_per_minute = 1;
    })
    .await;
    let first = search(&a, "q=vann&peers=true").await;
    assert_eq!(report(&first, &d.domain)["status"], "ok", "{first}");
    let second = search(&a, "q=vann&peers=true").await;
    let d_report = report(&second, &d.domain);
    assert_eq!(d_report["status"], "error", "{second}");
    assert!(d_report["detail"].as_str().unwrap().contains("too often"));
    search(&a, "q=vann").await;
    let resp = a.get("/api/v1/search?q=vann").await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(resp.headers().contains_key("retry-after"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_that_drops_the_connection_once_is_asked_again() {
    // A peer that restarted, or closed a kept-alive connection just as it
    // was used, fails the request at once: A asks once more, on a new
    // connection, within the deadline, and reports the answer, not an
    // error.
    let restarting = fake_peer(Answer::DropsFirst).await;
    let peers = vec![restarting.clone()];
    let a = Instance::spawn_tuned(move |cfg| cfg.search.peers = peers.clone()).await;
    let r = search(&a, "q=vannlekkasje&peers=true").await;
    assert_eq!(report(&r, &restarting)["status"], "ok", "{r}");
    assert_eq!(
        hits(&r),
        vec![(
            "Vannlekkasje fra en fiendtlig node".to_owned(),
            restarting.clone()
        )],
        "{r}"
    );
}
