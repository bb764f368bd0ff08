//! Many hosts that take a request and never answer hold back no live
//! host (issue 12): a turn waiting on an answer holds nothing but one of
//! the worker's hundreds of turns, so with more silent followers than the
//! worker once had delivery slots (16), a live follower still gets each
//! new item within a few seconds, not after the silent ones' ten-second
//! timeouts. And deliveries to one host share one
//! connection (HTTP/1.1 keep-alive), even when its inbox answers with a
//! body.

use crate::{
    harness::follow,
    helpers::{Instance, eventually_within},
    peer::FakePeer,
};
use deling_store::queries::remote_actor::RemoteActorData;
use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// More than the worker once had delivery slots (16).
const SILENT: usize = 24;
/// Well under the ten-second request timeout a silent host costs, with
/// room for a slow test machine.
const BOUND: Duration = Duration::from_secs(6);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_hosts_do_not_hold_back_a_live_one() {
    let a = Instance::spawn().await;
    let oslo = a.agency("oslo").await;
    let mut silent = Vec::new();
    for n in 0..SILENT {
        let peer = FakePeer::answering(202);
        peer.hold();
        follow(&a.store, oslo.id, peer.follower(&format!("s{n}"))).await;
        silent.push(peer);
    }
    // Followed last, so its delivery comes after all the silent ones'.
    let live = FakePeer::answering(202);
    follow(&a.store, oslo.id, live.follower("eve")).await;

    let mut report = Vec::new();
    for n in 1..=2 {
        let published = Instant::now();
        let id = a
            .publish("oslo", &format!("Straks {n}"), &["levering"])
            .await;
        let create = a.url(&format!("/items/{id}/create"));
        eventually_within(
            Duration::from_secs(30),
            "the live follower's copy",
            async || {
                if live.posts_of(&create).is_empty() {
                    Err("not yet".to_owned())
                } else {
                    Ok(())
                }
            },
        )
        .await;
        let at = live.posts_of(&create)[0].at.duration_since(published);
        report.push(at);
    }
    let held: usize = silent.iter().map(|p| p.posts().len()).sum();
    eprintln!(
        "the live follower got each item after {report:?}; silent hosts hold {held} requests"
    );
    assert!(held >= 16, "the silent hosts were sent to first: {held}");
    for at in &report {
        assert!(
            *at <= BOUND,
            "an item took {at:?} (bound {BOUND:?}): {report:?}"
        );
    }
}

/// A bare HTTP/1.1 inbox on loopback that answers every request 202 with a
/// short JSON body and keeps the connection open, counting connections and
/// requests.
struct CountingInbox {
    port: u16,
    connections: Arc<AtomicUsize>,
    requests: Arc<AtomicUsize>,
}

impl CountingInbox {
    async fn spawn() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(AtomicUsize::new(0));
        let (c, r) = (connections.clone(), requests.clone());
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                c.fetch_add(1, Ordering::SeqCst);
                let r = r.clone();
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 8192];
                    loop {
                        // One request: the head, then Content-Length bytes.
                        let head_end = loop {
                            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                                break i + 4;
                            }
                            match socket.read(&mut chunk).await {
                                Ok(0) | Err(_) => return,
                                Ok(n) => buf.extend_from_slice(&chunk[..n]),
                            }
                        };
                        let head = String::from_utf8_lossy(&buf[..head_end]).to_lowercase();
                        let length: usize = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .and_then(|v| v.trim().parse().ok())
                            .unwrap_or(0);
                        while buf.len() < head_end + length {
                            match socket.read(&mut chunk).await {
                                Ok(0) | Err(_) => return,
                                Ok(n) => buf.extend_from_slice(&chunk[..n]),
                            }
                        }
                        buf.drain(..head_end + length);
                        r.fetch_add(1, Ordering::SeqCst);
                        let answer = "HTTP/1.1 202 Accepted\r\ncontent-type: application/json\r\ncontent-length: 15\r\n\r\n{\"queued\":true}";
                        if socket.write_all(answer.as_bytes()).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        Self {
            port,
            connections,
            requests,
        }
    }

    fn follower(&self, name: &str) -> RemoteActorData {
        let base = format!("http://127.0.0.1:{}", self.port);
        RemoteActorData {
            ap_id: format!("{base}/actors/{name}"),
            actor_type: "Person".into(),
            domain: format!("127.0.0.1:{}", self.port),
            preferred_username: Some(name.to_owned()),
            name: None,
            inbox: format!("{base}/actors/{name}/inbox"),
            shared_inbox: None,
            url: None,
            icon_url: None,
            summary_html: None,
            public_key_pem: None,
            followers: None,
            speaks_deling: false,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_to_one_host_share_a_connection() {
    const FOLLOWERS: usize = 12;
    let a = Instance::spawn().await;
    let oslo = a.agency("oslo").await;
    let inbox = CountingInbox::spawn().await;
    for n in 0..FOLLOWERS {
        follow(&a.store, oslo.id, inbox.follower(&format!("f{n}"))).await;
    }
    a.publish("oslo", "Gjenbruk", &["levering"]).await;
    eventually_within(Duration::from_secs(30), "every delivery", async || {
        let got = inbox.requests.load(Ordering::SeqCst);
        if got >= FOLLOWERS {
            Ok(())
        } else {
            Err(format!("{got} of {FOLLOWERS}"))
        }
    })
    .await;
    let connections = inbox.connections.load(Ordering::SeqCst);
    eprintln!("{FOLLOWERS} deliveries over {connections} connections");
    // One turn at a time to a new host: one connection, a second at most
    // if the host gained a turn meanwhile.
    assert!(
        connections <= 2,
        "{connections} connections for {FOLLOWERS} deliveries"
    );
}
