//! What must not stall or lose deliveries: an outbox event that can never
//! be fanned out is set aside instead of blocking every later one; a
//! passing database error neither fails a delivery for good nor undoes
//! one the peer already took; and a host that stays dead takes its whole
//! backlog with it when its probe is given up, not one row a week.
//!
//! Failures are injected into the instance's SQLite database with SQL the
//! test runs on a connection of its own (a trigger that refuses a write,
//! a table renamed away for a moment).

use crate::{
    harness::{follow, refusing_port},
    helpers::{Instance, eventually, eventually_within},
    peer::FakePeer,
};
use chrono::Utc;
use deling_federation::delivery::Worker;
use deling_store::queries::{
    delivery::{NewDelivery, STATUS_DONE, STATUS_FAILED, STATUS_PENDING},
    remote_item::RemoteItemData,
};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement};
use serde_json::json;
use std::time::Duration;

/// A connection of the test's own to `a`'s (SQLite) database.
async fn raw(a: &Instance) -> DatabaseConnection {
    Database::connect(a.database_url())
        .await
        .expect("a connection of the test's own")
}

/// Queues an outbox event of `kind` for `item` by `agency` behind the
/// store's back, as a row written by an older or broken version would be.
async fn queue_event(db: &DatabaseConnection, kind: &str, agency: i64, item: i64) {
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Sqlite,
        "INSERT INTO outbox_event (kind, agency_id, item_id, created_at) VALUES (?, ?, ?, ?)",
        [kind.into(), agency.into(), item.into(), Utc::now().into()],
    ))
    .await
    .unwrap();
}

/// Publishes an item on `oslo` and waits until `peer` has its Create: what
/// was queued before it did not hold it up.
async fn published_and_delivered(a: &Instance, peer: &FakePeer) {
    let id = a.publish("oslo", "Etter", &["levering"]).await;
    let create = a.url(&format!("/items/{id}/create"));
    eventually("the item published after the bad event", async || {
        if peer.posts_of(&create).is_empty() {
            Err(format!("{:?}", a.store.queue_stats().await.unwrap()))
        } else {
            Ok(())
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_that_cannot_be_fanned_out_holds_up_nothing_after_it() {
    let a = Instance::spawn().await;
    let oslo = a.agency("oslo").await;
    let peer = FakePeer::answering(202);
    let eve = peer.follower("eve");
    follow(&a.store, oslo.id, eve.clone()).await;
    let eve = a
        .store
        .get_remote_actor_by_ap_id(&eve.ap_id)
        .await
        .unwrap()
        .unwrap();
    // A remote item, and an event that says `oslo` created it: its
    // activity can never be built (the item is not ours), a permanent
    // error that no retry changes.
    let now = Utc::now();
    let theirs = a
        .store
        .put_remote_item(RemoteItemData {
            ap_id: peer.url("/items/1"),
            remote_actor_id: eve.id,
            kind: "guide".into(),
            title: "Theirs".into(),
            summary: String::new(),
            body: String::new(),
            body_html: String::new(),
            language: "nb".into(),
            license: None,
            tags: vec![],
            links: vec![],
            metadata: json!({}),
            based_on: None,
            url: None,
            published_at: now,
            updated_at: now,
        })
        .await
        .unwrap();
    queue_event(&raw(&a).await, "item_create", oslo.id, theirs.id).await;

    // Published after it: fanned out and delivered all the same.
    published_and_delivered(&a, &peer).await;
    // The bad event was set aside: processed, and nothing queued for it.
    let stats = a.store.queue_stats().await.unwrap();
    assert_eq!(stats.pending_events, 0, "{stats:?}");
    let bad = a.url(&format!("/items/{}/create", theirs.id));
    assert!(a.store.list_deliveries_of(&bad).await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_whose_row_does_not_read_back_holds_up_nothing_after_it() {
    let a = Instance::spawn().await;
    let oslo = a.agency("oslo").await;
    let peer = FakePeer::answering(202);
    let eve = peer.follower("eve");
    follow(&a.store, oslo.id, eve).await;
    let bad = a.publish("oslo", "Ødelagt", &["levering"]).await;
    let created = a.url(&format!("/items/{bad}/create"));
    eventually("the first item delivered", async || {
        (!peer.posts_of(&created).is_empty())
            .then_some(())
            .ok_or_else(|| "not yet".to_owned())
    })
    .await;
    // Spoilt in the database, then edited: a value that no longer reads
    // as a time is the same on every retry, not a passing error to wait
    // out, and the edit can never be fanned out.
    let db = raw(&a).await;
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Sqlite,
        "UPDATE item SET published_at = 'not a time' WHERE id = ?",
        [bad.into()],
    ))
    .await
    .unwrap();
    queue_event(&db, "item_update", oslo.id, bad).await;

    published_and_delivered(&a, &peer).await;
    let stats = a.store.queue_stats().await.unwrap();
    assert_eq!(stats.pending_events, 0, "{stats:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivery_taken_stays_done_when_its_signature_style_cannot_be_written() {
    let a = Instance::spawn().await;
    let oslo = a.agency("oslo").await;
    let peer = FakePeer::answering(202);
    follow(&a.store, oslo.id, peer.follower("eve")).await;
    // Writing down the signature style a host took fails (the write that
    // comes after the peer's 2xx); everything else works.
    let db = raw(&a).await;
    for sql in [
        "CREATE TRIGGER no_style_insert BEFORE INSERT ON host_state \
         WHEN NEW.signature_style IS NOT NULL \
         BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
        "CREATE TRIGGER no_style_update BEFORE UPDATE OF signature_style ON host_state \
         WHEN NEW.signature_style IS NOT NULL \
         BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
    ] {
        db.execute_unprepared(sql).await.unwrap();
    }

    let id = a.publish("oslo", "Levert", &["levering"]).await;
    let create = a.url(&format!("/items/{id}/create"));
    let row = eventually("the delivery settled", async || {
        let rows = a.store.list_deliveries_of(&create).await.unwrap();
        match rows.as_slice() {
            [row] if row.status != STATUS_PENDING => Ok(row.clone()),
            _ => Err(format!("{rows:?}")),
        }
    })
    .await;
    assert_eq!(row.status, STATUS_DONE, "{row:?}");
    assert_eq!(peer.posts_of(&create).len(), 1);
    let host = a.store.get_host_state(&peer.domain).await.unwrap();
    assert!(
        host.as_ref()
            .is_some_and(|h| h.consecutive_failures == 0 && h.signature_style.is_none()),
        "{host:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_passing_database_error_before_sending_puts_the_delivery_back() {
    let mut a = Instance::spawn_stoppable().await;
    let peer = FakePeer::answering(202);
    let federation = a.federation().await;
    a.stop().await;
    let activity = a.url("/activities/passing");
    a.store
        .put_deliveries(vec![NewDelivery {
            activity_id: activity.clone(),
            agency_id: None,
            inbox: peer.url("/inbox"),
            host: peer.domain.clone(),
            body: "{}".into(),
        }])
        .await
        .unwrap();
    // The instance actor, which signs it, cannot be read for a moment.
    let db = raw(&a).await;
    db.execute_unprepared("ALTER TABLE instance RENAME TO instance_away")
        .await
        .unwrap();
    let worker = Worker::new(federation);
    worker.round().await.unwrap();
    let rows = a.store.list_deliveries_of(&activity).await.unwrap();
    let row = &rows[0];
    assert_eq!(row.status, STATUS_PENDING, "{row:?}");
    assert_eq!(row.attempts, 0, "no attempt was made: {row:?}");
    assert!(row.locked_by.is_none(), "{row:?}");
    assert!(peer.posts().is_empty());
    let host = a.store.get_host_state(&peer.domain).await.unwrap();
    assert!(
        host.as_ref().is_none_or(|h| h.consecutive_failures == 0),
        "the host counts no failure: {host:?}"
    );

    db.execute_unprepared("ALTER TABLE instance_away RENAME TO instance")
        .await
        .unwrap();
    eventually_within(Duration::from_secs(20), "the delivery made", async || {
        worker.round().await.map_err(|e| e.to_string())?;
        let rows = a.store.list_deliveries_of(&activity).await.unwrap();
        if rows[0].status == STATUS_DONE {
            Ok(())
        } else {
            tokio::time::sleep(Duration::from_millis(200)).await;
            Err(format!("{rows:?}"))
        }
    })
    .await;
    assert_eq!(peer.posts().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_hosts_backlog_is_given_up_with_its_probe() {
    let mut a = Instance::spawn_configured(|c| c.federation.max_delivery_attempts = 2).await;
    let federation = a.federation().await;
    a.stop().await;
    let (_socket, port) = refusing_port();
    let host = format!("localhost:{port}");
    let queue = |n: usize| NewDelivery {
        activity_id: a.url(&format!("/activities/dead/{n}")),
        agency_id: None,
        inbox: format!("http://{host}/inbox"),
        host: host.clone(),
        body: "{}".into(),
    };
    a.store
        .put_deliveries((0..3).map(queue).collect())
        .await
        .unwrap();
    let all_rows = async || {
        let mut rows = Vec::new();
        for n in 0..4 {
            rows.extend(
                a.store
                    .list_deliveries_of(&a.url(&format!("/activities/dead/{n}")))
                    .await
                    .unwrap(),
            );
        }
        rows
    };
    let worker = Worker::new(federation);
    // The oldest row probes the host, fails, and waits out its backoff
    // (a second) with the others; the second failure is its last.
    let probe = eventually("the probe given up", async || {
        worker.round().await.map_err(|e| e.to_string())?;
        let rows = all_rows().await;
        if rows[0].status == STATUS_FAILED {
            Ok(rows[0].clone())
        } else {
            tokio::time::sleep(Duration::from_millis(200)).await;
            Err(format!("{rows:?}"))
        }
    })
    .await;
    assert_eq!(probe.attempts, 2, "{probe:?}");
    let rows = all_rows().await;
    for row in &rows[1..] {
        assert_eq!(
            row.status, STATUS_FAILED,
            "given up with the probe: {rows:?}"
        );
        assert_eq!(row.attempts, 0, "{row:?}");
        assert!(row.finished_at.is_some(), "{row:?}");
        assert!(
            row.last_error
                .as_deref()
                .is_some_and(|e| e.contains("given up with the host's oldest delivery")),
            "{row:?}"
        );
    }
    // What is queued afterwards gets a chance of its own.
    a.store.put_deliveries(vec![queue(3)]).await.unwrap();
    let rows = all_rows().await;
    assert_eq!(rows[3].status, STATUS_PENDING, "{rows:?}");
}
