//! What the operator sees of the queue (the admin API, `/metrics`, `deling
//! admin federation status`), and `deling worker` on its own: it delivers,
//! and stops cleanly on SIGTERM.

use crate::{
    harness::{Site, follow},
    helpers::{eventually, json_body},
    peer::FakePeer,
};
use deling_store::queries::delivery::{NewDelivery, STATUS_DONE};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

const METRICS_TOKEN: &str = "operator-metrics-token-1234";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_operator_sees_failing_hosts_and_metrics() {
    let site = Site::sqlite().await;
    let failing = FakePeer::answering(500);
    let fine = FakePeer::answering(202);
    follow(&site.store, site.agency.id, failing.follower("eve")).await;
    follow(&site.store, site.agency.id, fine.follower("bob")).await;
    // Metrics are opened on the public port with a token.
    let _server = site
        .serve_with(&[("DELING_METRICS__TOKEN", METRICS_TOKEN)])
        .await;

    let create = site.create_id(site.publish("Driftsvisning").await);
    eventually("one delivery made, one failing", async || {
        let host = site.store.get_host_state(&failing.domain).await.unwrap();
        let taken = fine.accepted_counts().get(&create).copied();
        let rows = site.store.list_deliveries_of(&create).await.unwrap();
        let done = rows.iter().any(|r| r.status == STATUS_DONE);
        match host {
            Some(h) if h.consecutive_failures >= 1 && taken == Some(1) && done => Ok(()),
            other => Err(format!("{other:?} {taken:?} {rows:?}")),
        }
    })
    .await;

    // The admin API, as an instance administrator.
    let get = |token: Option<&str>| {
        let mut req = site.client.get(site.url("/api/v1/admin/federation"));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send()
    };
    let status = json_body(get(Some(&site.admin)).await.unwrap(), StatusCode::OK).await;
    assert_eq!(status["pending_deliveries"], 1, "{status}");
    assert_eq!(status["done_deliveries"], 1, "{status}");
    let hosts = status["failing_hosts"].as_array().unwrap();
    assert_eq!(hosts.len(), 1, "{status}");
    let host = &hosts[0];
    assert_eq!(host["host"], failing.domain.as_str(), "{status}");
    assert!(
        host["consecutive_failures"].as_i64().unwrap() >= 1,
        "{status}"
    );
    assert!(
        host["last_error"].as_str().unwrap().contains("500"),
        "{status}"
    );
    assert!(host["next_attempt_at"].is_string(), "{status}");
    // Not for an agency's editor, nor for anyone without a token.
    let resp = get(Some(&site.editor)).await.unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let resp = get(None).await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);

    // Prometheus text.
    let resp = site
        .client
        .get(site.url("/metrics"))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let content_type = resp.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    let text = resp.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    for line in [
        "# TYPE deling_delivery_queue_depth gauge",
        "deling_delivery_queue_depth 1",
        "deling_deliveries_total{result=\"delivered\"} 1",
        "deling_failing_hosts 1",
    ] {
        assert!(lines.contains(&line), "no {line:?} in:\n{text}");
    }
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("deling_deliveries_total{result=\"retry\"} ")),
        "{text}"
    );

    // The command line, on the same database while the server runs.
    let mut cmd = site.command(&["admin", "federation", "status"]);
    let out = tokio::task::spawn_blocking(move || cmd.output().expect("run deling"))
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("deliveries waiting:   1"), "{stdout}");
    let line = stdout
        .lines()
        .find(|l| l.contains(&failing.domain))
        .unwrap_or_else(|| panic!("no failing host in:\n{stdout}"));
    assert!(line.contains("500"), "{line}");
    assert!(!stdout.contains(&fine.domain), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worker_delivers_alone_and_stops_on_sigterm() {
    let site = Site::sqlite().await;
    let peer = FakePeer::answering(202);
    // Queued with no server running: only the worker can send it.
    let id = site.url("/activities/worker-test");
    let body: Value = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": id,
        "type": "Announce",
        "actor": site.url("/agencies/oslo"),
        "object": site.url("/agencies/oslo"),
    });
    site.store
        .put_deliveries(vec![NewDelivery {
            activity_id: id.clone(),
            agency_id: Some(site.agency.id),
            inbox: peer.url("/actors/eve/inbox"),
            host: peer.domain.clone(),
            body: body.to_string(),
        }])
        .await
        .unwrap();
    let mut worker = site.worker().await;
    eventually("the worker's delivery", async || {
        match site.store.list_deliveries_of(&id).await.unwrap().first() {
            Some(r) if r.status == STATUS_DONE => Ok(()),
            other => Err(format!("{other:?}")),
        }
    })
    .await;
    assert_eq!(peer.accepted_counts().get(&id), Some(&1));

    worker.sigterm();
    // Prompt on an idle machine; the bound is for a busy one.
    let status = worker.wait_exit(Duration::from_secs(30)).await;
    assert!(status.success(), "{status}: {}", worker.output());
    eventually("the worker's last words", async || {
        if worker.stdout().contains("stopped") {
            Ok(())
        } else {
            Err(worker.stdout())
        }
    })
    .await;
}
