//! The inbox and delivery queues: claims and releases.

use chrono::{Duration, Utc};
use deling_store::{
    Store,
    queries::delivery::{Delivery, NewDelivery},
};

/// A delivery of `https://here.example/{activity}` to `inbox`, signed by
/// `agency` (the instance actor if `None`).
fn queued(activity: &str, agency: Option<i64>, inbox: &str) -> NewDelivery {
    let host = url::Url::parse(inbox)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default();
    NewDelivery {
        activity_id: format!("https://here.example/{activity}"),
        agency_id: agency,
        inbox: inbox.to_owned(),
        host,
        body: "{}".to_owned(),
    }
}

/// The (first) delivery of `https://here.example/{activity}`.
async fn delivery_of(store: &Store, activity: &str) -> Delivery {
    store
        .list_deliveries_of(&format!("https://here.example/{activity}"))
        .await
        .expect("list")
        .remove(0)
}

both!(inbox_claims_and_release, |store| {
    for n in 1..=3 {
        assert!(
            store
                .put_inbox_activity(
                    &format!("https://peer.example/a/{n}"),
                    "https://peer.example/u/eve",
                    "Like",
                    "{}",
                )
                .await
                .expect("put")
        );
    }
    // The same id again is a replay: not stored twice.
    assert!(
        !store
            .put_inbox_activity(
                "https://peer.example/a/1",
                "https://peer.example/u/eve",
                "Like",
                "{}"
            )
            .await
            .expect("put again")
    );
    let lease = deling_store::records::now() + Duration::seconds(60);
    let first = store
        .claim_inbox_activities(10, lease)
        .await
        .expect("claim");
    assert_eq!(first.len(), 3);
    let ids: Vec<i64> = first.iter().map(|r| r.id).collect();
    // Leased rows are not claimed twice.
    assert!(
        store
            .claim_inbox_activities(10, lease)
            .await
            .expect("claim")
            .is_empty()
    );
    // Only a release under the lease they were claimed with frees them (a
    // process whose lease ran out must not free another process's rows).
    store
        .release_inbox_activities(&ids, lease + Duration::seconds(1))
        .await
        .expect("release under another lease");
    assert!(
        store
            .claim_inbox_activities(10, lease)
            .await
            .expect("claim")
            .is_empty()
    );
    // Given back unprocessed, they are claimed at once; a finished one is not.
    store
        .finish_inbox_activity(first[0].id)
        .await
        .expect("finish");
    store
        .release_inbox_activities(&ids, lease)
        .await
        .expect("release");
    let again = store
        .claim_inbox_activities(10, lease + Duration::seconds(5))
        .await
        .expect("claim");
    assert_eq!(
        again.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![first[1].id, first[2].id]
    );
    // A lease that ran out releases nothing (its rows may be another's).
    store
        .release_inbox_activities(&ids, deling_store::records::now() - Duration::seconds(1))
        .await
        .expect("expired release");
    assert!(
        store
            .claim_inbox_activities(10, lease)
            .await
            .expect("claim")
            .is_empty()
    );
});

both!(claims_pass_over_busy_hosts_inboxes_and_actors, |store| {
    use deling_store::queries::delivery::NewDelivery;
    let delivery = |host: &str, inbox: &str| NewDelivery {
        activity_id: format!("https://here.example/a/{host}{inbox}"),
        agency_id: None,
        inbox: format!("https://{host}{inbox}"),
        host: host.to_owned(),
        body: "{}".to_owned(),
    };
    store
        .put_deliveries(vec![
            delivery("slow.example", "/inbox"),
            delivery("fast.example", "/a/inbox"),
            delivery("fast.example", "/b/inbox"),
            delivery("peer_x.example", "/inbox"),
            // What a JSON list must escape, and what it need not.
            delivery("fast.example", "/c\"\\'ø/inbox"),
        ])
        .await
        .expect("queue");
    let lease = Utc::now() + Duration::seconds(60);
    let skip_hosts = vec!["slow.example".to_owned()];
    // Longer than either database binds values in one statement: the
    // list is bound as one value.
    let mut skip_inboxes: Vec<String> = (0..70_000)
        .map(|n| format!("https://h{n}.example/inbox"))
        .collect();
    skip_inboxes.push("https://fast.example/a/inbox".to_owned());
    skip_inboxes.push("https://fast.example/c\"\\'ø/inbox".to_owned());
    let due = store
        .next_delivery_due_except(&skip_hosts, &skip_inboxes)
        .await
        .expect("due");
    assert!(due.is_some_and(|d| d <= Utc::now()), "{due:?}");
    let rows = store
        .claim_deliveries_except("w1", 10, lease, &skip_hosts, &skip_inboxes)
        .await
        .expect("claim");
    let inboxes: Vec<&str> = rows.iter().map(|r| r.inbox.as_str()).collect();
    assert_eq!(
        inboxes,
        [
            "https://fast.example/b/inbox",
            "https://peer_x.example/inbox"
        ]
    );
    // Nothing else is due for this worker; the rest is there for the next
    // claim without those limits.
    assert_eq!(
        store
            .next_delivery_due_except(&["slow.example".to_owned(), "fast.example".to_owned()], &[])
            .await
            .expect("due")
            .filter(|d| *d <= Utc::now()),
        None
    );
    // Another worker cannot give back what w1 holds; w1 can.
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    store.release_deliveries("w2", &ids).await.expect("release");
    let rest = store
        .claim_deliveries("w2", 10, lease)
        .await
        .expect("claim the rest");
    assert_eq!(rest.len(), 3, "{rest:?}");
    store.release_deliveries("w1", &ids).await.expect("release");
    assert_eq!(
        store
            .claim_deliveries("w2", 10, lease)
            .await
            .expect("claim")
            .len(),
        2
    );

    for (n, actor) in [
        "https://slow.example/u/ann",
        "https://slow.example/u/bob",
        "https://fast.example/u/eve",
        "https://fast.example/u/eve",
        "http://fast.example/u/ola",
        // Only the host's own actors wait, not a longer name's.
        "https://slow.example.org/u/kim",
    ]
    .into_iter()
    .enumerate()
    {
        store
            .put_inbox_activity(&format!("{actor}/a/{n}"), actor, "Like", "{}")
            .await
            .expect("put");
    }
    let lease = deling_store::records::now() + Duration::seconds(60);
    let rows = store
        .claim_inbox_activities_except(
            10,
            lease,
            &["https://fast.example/u/eve".to_owned()],
            &["slow.example".to_owned()],
        )
        .await
        .expect("claim");
    let actors: Vec<&str> = rows.iter().map(|r| r.actor.as_str()).collect();
    assert_eq!(
        actors,
        [
            "http://fast.example/u/ola",
            "https://slow.example.org/u/kim"
        ]
    );
    let rest = store
        .claim_inbox_activities(10, lease)
        .await
        .expect("claim the rest");
    assert_eq!(rest.len(), 4, "{rest:?}");
});

both!(concurrent_claims_never_share_a_row, |store| {
    use deling_store::queries::delivery::NewDelivery;
    use std::{collections::HashSet, sync::Arc};
    const ROWS: usize = 120;
    const CLAIMERS: usize = 4;
    for n in 0..ROWS {
        let actor = format!("https://peer{}.example/u/eve", n % 7);
        store
            .put_inbox_activity(&format!("{actor}/a/{n}"), &actor, "Like", "{}")
            .await
            .expect("put");
    }
    store
        .put_deliveries(
            (0..ROWS)
                .map(|n| NewDelivery {
                    activity_id: format!("https://here.example/a/{n}"),
                    agency_id: None,
                    inbox: format!("https://peer{}.example/inbox", n % 7),
                    host: format!("peer{}.example", n % 7),
                    body: "{}".to_owned(),
                })
                .collect(),
        )
        .await
        .expect("queue");
    let lease = deling_store::records::now() + Duration::seconds(60);
    // Claimers start together and claim a few rows at a time until a claim
    // comes back empty; on PostgreSQL each runs on a connection of its own.
    let start = Arc::new(tokio::sync::Barrier::new(CLAIMERS));
    let mut tasks = Vec::new();
    for c in 0..CLAIMERS {
        let (store, start) = (store.clone(), start.clone());
        tasks.push(tokio::spawn(async move {
            start.wait().await;
            let (mut inbox, mut deliveries) = (Vec::new(), Vec::new());
            let (mut inbox_done, mut deliveries_done) = (false, false);
            while !(inbox_done && deliveries_done) {
                if !inbox_done {
                    let rows = store
                        .claim_inbox_activities(3, lease)
                        .await
                        .expect("claim inbox");
                    inbox_done = rows.is_empty();
                    inbox.extend(rows.iter().map(|r| r.id));
                }
                if !deliveries_done {
                    let rows = store
                        .claim_deliveries(&format!("w{c}"), 3, lease)
                        .await
                        .expect("claim deliveries");
                    deliveries_done = rows.is_empty();
                    assert!(
                        rows.iter()
                            .all(|r| r.locked_by.as_deref() == Some(&*format!("w{c}")))
                    );
                    deliveries.extend(rows.iter().map(|r| r.id));
                }
                tokio::task::yield_now().await;
            }
            (inbox, deliveries)
        }));
    }
    let (mut inbox, mut deliveries) = (Vec::new(), Vec::new());
    for t in tasks {
        let (i, d) = t.await.expect("claimer");
        inbox.extend(i);
        deliveries.extend(d);
    }
    let unique = |ids: &[i64]| ids.iter().copied().collect::<HashSet<_>>().len();
    assert_eq!(unique(&inbox), inbox.len(), "an inbox row claimed twice");
    assert_eq!(
        unique(&deliveries),
        deliveries.len(),
        "a delivery claimed twice"
    );
    assert_eq!(inbox.len(), ROWS);
    assert_eq!(deliveries.len(), ROWS);
});

both!(a_fan_out_keeps_one_body_for_all_its_inboxes, |store| {
    use deling_store::queries::delivery::{NewDelivery, STATUS_PENDING};
    // One activity in two forms (a `Page` for Deling peers, a `Note` for
    // the others) to 40 inboxes, and another activity to one more.
    let page = r#"{"type":"Create","object":{"type":"Page"}}"#;
    let note = r#"{"type":"Create","object":{"type":"Note"}}"#;
    let delivery = |activity: &str, n: usize, body: &str| NewDelivery {
        activity_id: format!("https://here.example/{activity}"),
        agency_id: None,
        inbox: format!("https://peer{n}.example/inbox"),
        host: format!("peer{n}.example"),
        body: body.to_owned(),
    };
    let fan_out: Vec<NewDelivery> = (0..40)
        .map(|n| delivery("a/1", n, if n < 10 { page } else { note }))
        .collect();
    store.put_deliveries(fan_out.clone()).await.expect("queue");
    store
        .put_deliveries(vec![delivery("a/2", 0, "{\"type\":\"Delete\"}")])
        .await
        .expect("queue");
    assert_eq!(store.count_delivery_bodies().await.expect("count"), 3);
    // Queued again (a fan-out repeated after a crash): nothing new is
    // sent, and the second copy of the bodies goes with the next prune.
    store.put_deliveries(fan_out).await.expect("queue again");
    assert_eq!(
        store
            .list_deliveries_of("https://here.example/a/1")
            .await
            .expect("list")
            .len(),
        40
    );

    // Every row, claimed or listed, carries its own form of the body.
    let lease = Utc::now() + Duration::seconds(60);
    let claimed = store
        .claim_deliveries("w1", 100, lease)
        .await
        .expect("claim");
    assert_eq!(claimed.len(), 41);
    for d in &claimed {
        let n: usize = d.host["peer".len()..d.host.len() - ".example".len()]
            .parse()
            .expect("host number");
        let expected = match d.activity_id.as_str() {
            "https://here.example/a/2" => "{\"type\":\"Delete\"}",
            _ if n < 10 => page,
            _ => note,
        };
        assert_eq!(d.body, expected, "{}", d.inbox);
    }
    let listed = store
        .list_deliveries_of("https://here.example/a/1")
        .await
        .expect("list");
    assert!(listed.iter().take(10).all(|d| d.body == page));
    assert!(listed.iter().skip(10).all(|d| d.body == note));

    // Pruning keeps the bodies of what is still queued and drops the rest.
    for d in claimed.iter().filter(|d| d.activity_id.ends_with("a/1")) {
        store.finish_delivery(d.id).await.expect("finish");
    }
    let later = Utc::now() + Duration::seconds(5);
    assert_eq!(
        store
            .delete_finished_deliveries_before(later)
            .await
            .expect("prune"),
        40
    );
    assert_eq!(store.count_delivery_bodies().await.expect("count"), 1);
    let left = store
        .list_deliveries_of("https://here.example/a/2")
        .await
        .expect("list");
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].status, STATUS_PENDING);
    assert_eq!(left[0].body, "{\"type\":\"Delete\"}");
});

both!(a_late_retry_leaves_a_finished_row_finished, |store| {
    use deling_store::queries::delivery::{NewDelivery, STATUS_DONE};
    store
        .put_deliveries(vec![NewDelivery {
            activity_id: "https://here.example/a/1".to_owned(),
            agency_id: None,
            inbox: "https://peer.example/inbox".to_owned(),
            host: "peer.example".to_owned(),
            body: "{}".to_owned(),
        }])
        .await
        .expect("queue");
    let lease = Utc::now() + Duration::seconds(60);
    let row = store
        .claim_deliveries("w1", 1, lease)
        .await
        .expect("claim")
        .remove(0);
    // Another process, whose claim came after this one's lease ran out,
    // delivered it; this one's answer (a retry) comes late.
    store.finish_delivery(row.id).await.expect("done");
    store
        .retry_delivery(row.id, "timed out", Utc::now() + Duration::seconds(60))
        .await
        .expect("late retry");
    store
        .fail_delivery(row.id, "late refusal")
        .await
        .expect("late failure");
    let stored = store
        .list_deliveries_of("https://here.example/a/1")
        .await
        .expect("read")
        .remove(0);
    assert_eq!(stored.status, STATUS_DONE);
    assert_eq!(stored.attempts, 1);
    assert_eq!(stored.last_error, None);
    // And an inbox row likewise.
    store
        .put_inbox_activity(
            "https://peer.example/a/9",
            "https://peer.example/u/eve",
            "Like",
            "{}",
        )
        .await
        .expect("put");
    let claimed = store
        .claim_inbox_activities(1, lease)
        .await
        .expect("claim")
        .remove(0);
    store.finish_inbox_activity(claimed.id).await.expect("done");
    store
        .fail_inbox_activity(claimed.id, "late")
        .await
        .expect("late failure");
    let stored = store
        .get_inbox_activity("https://peer.example/a/9")
        .await
        .expect("read")
        .expect("the row");
    assert_eq!(stored.status, deling_store::queries::inbox::INBOX_DONE);
});

both!(
    a_postponed_delivery_holds_back_its_hosts_later_ones,
    |store| {
        use deling_store::queries::delivery::NewDelivery;
        let delivery = |activity: &str, host: &str| NewDelivery {
            activity_id: format!("https://here.example/{activity}"),
            agency_id: None,
            inbox: format!("https://{host}/inbox"),
            host: host.to_owned(),
            body: "{}".to_owned(),
        };
        store
            .put_deliveries(vec![
                delivery("items/1/create", "peer.example"),
                delivery("items/1/delete", "peer.example"),
                delivery("items/2/create", "other.example"),
            ])
            .await
            .expect("queue");
        let lease = Utc::now() + Duration::seconds(60);
        let rows = store
            .claim_deliveries("w1", 10, lease)
            .await
            .expect("claim");
        let id_of = |activity: &str| {
            rows.iter()
                .find(|r| r.activity_id.ends_with(activity))
                .expect("claimed")
                .id
        };
        let (create, delete, other) = (
            id_of("items/1/create"),
            id_of("items/1/delete"),
            id_of("items/2/create"),
        );
        // A worker that does not hold the Create cannot postpone it (nor,
        // so, the rows after it).
        let next = Utc::now() + Duration::seconds(30);
        store
            .postpone_delivery(create, "w2", "not this worker's", next)
            .await
            .expect("not held");
        store
            .release_deliveries("w1", &[delete, other])
            .await
            .expect("release");
        let claimed = store
            .claim_deliveries("w2", 10, lease)
            .await
            .expect("claim");
        let mut ids: Vec<i64> = claimed.iter().map(|r| r.id).collect();
        ids.sort();
        assert_eq!(ids, vec![delete, other]);
        store
            .release_deliveries("w2", &[delete, other])
            .await
            .expect("release");
        // The Create could not be sent for a moment (our database): the
        // Delete after it to the same host waits with it; the other host's
        // row does not.
        store
            .postpone_delivery(create, "w1", "database busy", next)
            .await
            .expect("postpone");
        let claimed = store
            .claim_deliveries("w3", 10, lease)
            .await
            .expect("claim");
        assert_eq!(
            claimed.iter().map(|r| r.id).collect::<Vec<_>>(),
            vec![other]
        );
        for activity in ["items/1/create", "items/1/delete"] {
            let row = store
                .list_deliveries_of(&format!("https://here.example/{activity}"))
                .await
                .expect("list")
                .remove(0);
            assert_eq!(
                row.next_attempt_at.timestamp(),
                next.timestamp(),
                "{activity}"
            );
            assert_eq!(row.attempts, 0, "{activity}");
        }
    }
);

both!(
    a_signers_backlog_waits_and_is_given_up_without_the_others,
    |store| {
        use deling_store::queries::delivery::{Backlog, STATUS_FAILED};
        let oslo = crate::support::agency(&store, "oslo", "Oslo").await;
        let bergen = crate::support::agency(&store, "bergen", "Bergen").await;
        let delivery = |activity: &str, agency: Option<i64>, host: &str| {
            queued(activity, agency, &format!("https://{host}/inbox"))
        };
        store
            .put_deliveries(vec![
                delivery("oslo/1/create", Some(oslo.id), "peer.example"),
                delivery("bergen/1/create", Some(bergen.id), "peer.example"),
                delivery("oslo/1/delete", Some(oslo.id), "peer.example"),
                delivery("instance/follow", None, "peer.example"),
                delivery("oslo/2/create", Some(oslo.id), "other.example"),
            ])
            .await
            .expect("queue");
        let row_of = async |activity: &str| delivery_of(&store, activity).await;
        let lease = Utc::now() + Duration::seconds(60);
        store
            .claim_deliveries("w1", 10, lease)
            .await
            .expect("claim");
        let create = row_of("oslo/1/create").await;
        // peer.example refused oslo's signature: oslo's later row there
        // waits behind it; bergen's, the instance actor's and oslo's row
        // to another host do not.
        let next = Utc::now() + Duration::seconds(30);
        store
            .retry_delivery_with_backlog(
                create.id,
                "peer.example",
                Backlog::Signer(Some(oslo.id)),
                "401 Unauthorized",
                next,
            )
            .await
            .expect("retry");
        let create = row_of("oslo/1/create").await;
        assert_eq!(create.attempts, 1);
        assert_eq!(create.next_attempt_at.timestamp(), next.timestamp());
        let delete = row_of("oslo/1/delete").await;
        assert_eq!(delete.next_attempt_at.timestamp(), next.timestamp());
        assert_eq!(delete.attempts, 0);
        for activity in ["bergen/1/create", "instance/follow", "oslo/2/create"] {
            let row = row_of(activity).await;
            assert!(row.next_attempt_at < next, "{activity}: {row:?}");
        }
        // What oslo queues for peer.example meanwhile waits as long; what
        // bergen queues does not.
        store
            .put_deliveries(vec![
                delivery("oslo/3/create", Some(oslo.id), "peer.example"),
                delivery("bergen/3/create", Some(bergen.id), "peer.example"),
            ])
            .await
            .expect("queue");
        let later = row_of("oslo/3/create").await;
        assert_eq!(later.next_attempt_at.timestamp(), next.timestamp());
        assert!(row_of("bergen/3/create").await.next_attempt_at < next);
        // Out of attempts: oslo's rows to peer.example go with it, and no
        // one else's.
        let others = store
            .fail_delivery_and_backlog(
                create.id,
                "peer.example",
                Backlog::Signer(Some(oslo.id)),
                "401 Unauthorized",
            )
            .await
            .expect("give up");
        assert_eq!(others, 2);
        assert_eq!(row_of("oslo/3/create").await.status, STATUS_FAILED);
        // From now on oslo's deliveries there are due as they are queued.
        store
            .put_deliveries(vec![delivery(
                "oslo/4/create",
                Some(oslo.id),
                "peer.example",
            )])
            .await
            .expect("queue");
        assert!(row_of("oslo/4/create").await.next_attempt_at < next);
        let delete = row_of("oslo/1/delete").await;
        assert_eq!(delete.status, STATUS_FAILED);
        assert!(
            delete
                .last_error
                .as_deref()
                .is_some_and(|e| e.contains("the signer's oldest delivery")),
            "{delete:?}"
        );
        for activity in ["bergen/1/create", "instance/follow", "oslo/2/create"] {
            let row = row_of(activity).await;
            assert_eq!(
                row.status,
                deling_store::queries::delivery::STATUS_PENDING,
                "{activity}: {row:?}"
            );
        }
        // The instance actor is a signer of its own.
        let follow = row_of("instance/follow").await;
        store
            .fail_delivery_and_backlog(
                follow.id,
                "peer.example",
                Backlog::Signer(None),
                "401 Unauthorized",
            )
            .await
            .expect("give up");
        assert_eq!(
            row_of("bergen/1/create").await.status,
            deling_store::queries::delivery::STATUS_PENDING
        );
    }
);

both!(
    a_signers_wait_keeps_its_latest_time_and_is_not_made_again_late,
    |store| {
        use deling_store::queries::delivery::{Backlog, STATUS_FAILED};
        let oslo = crate::support::agency(&store, "oslo", "Oslo").await;
        let delivery = |activity: &str, inbox: &str| {
            queued(
                activity,
                Some(oslo.id),
                &format!("https://peer.example/{inbox}"),
            )
        };
        let row_of = async |activity: &str| delivery_of(&store, activity).await;
        store
            .put_deliveries(vec![delivery("a", "x"), delivery("b", "y")])
            .await
            .expect("queue");
        let (a, b) = (row_of("a").await, row_of("b").await);
        let signer = Backlog::Signer(Some(oslo.id));
        // Two turns to two inboxes refused: the one that waits longer
        // (a, on its fourth attempt) is written first.
        let long = Utc::now() + Duration::seconds(600);
        let short = Utc::now() + Duration::seconds(60);
        store
            .retry_delivery_with_backlog(a.id, "peer.example", signer, "401", long)
            .await
            .expect("retry a");
        store
            .retry_delivery_with_backlog(b.id, "peer.example", signer, "401", short)
            .await
            .expect("retry b");
        // The operator sees whom the host refuses, until the later time.
        let refused = store.list_refused_signers().await.expect("refused");
        assert_eq!(refused.len(), 1, "{refused:?}");
        assert_eq!(refused[0].host, "peer.example");
        assert_eq!(refused[0].agency.as_deref(), Some("oslo"));
        assert_eq!(refused[0].until.timestamp(), long.timestamp());
        // What oslo queues next for either inbox goes after both.
        store
            .put_deliveries(vec![delivery("c", "x")])
            .await
            .expect("queue");
        assert_eq!(
            row_of("c").await.next_attempt_at.timestamp(),
            long.timestamp()
        );
        // A given up, with what waited behind it (b and c); b's late
        // record of another 401 then changes nothing and makes nothing
        // wait again.
        store
            .fail_delivery_and_backlog(a.id, "peer.example", signer, "401")
            .await
            .expect("give up");
        assert_eq!(row_of("b").await.status, STATUS_FAILED);
        assert!(
            store
                .list_refused_signers()
                .await
                .expect("refused")
                .is_empty()
        );
        store
            .retry_delivery_with_backlog(b.id, "peer.example", signer, "401", long)
            .await
            .expect("late retry");
        assert_eq!(row_of("b").await.status, STATUS_FAILED);
        store
            .put_deliveries(vec![delivery("d", "x")])
            .await
            .expect("queue");
        assert!(row_of("d").await.next_attempt_at < short);
    }
);

both!(
    a_host_showing_life_leaves_a_refused_signers_deliveries_waiting,
    |store| {
        use deling_store::queries::delivery::Backlog;
        let oslo = crate::support::agency(&store, "oslo", "Oslo").await;
        let bergen = crate::support::agency(&store, "bergen", "Bergen").await;
        let delivery = |activity: &str, agency: i64| {
            queued(activity, Some(agency), "https://peer.example/inbox")
        };
        let row_of = async |activity: &str| delivery_of(&store, activity).await;
        store
            .put_deliveries(vec![
                delivery("oslo", oslo.id),
                delivery("bergen", bergen.id),
            ])
            .await
            .expect("queue");
        let next = Utc::now() + Duration::seconds(600);
        store
            .retry_delivery_with_backlog(
                row_of("oslo").await.id,
                "peer.example",
                Backlog::Signer(Some(oslo.id)),
                "401",
                next,
            )
            .await
            .expect("retry");
        // The host then fails (bergen's delivery gets a 503), and later
        // sends us something: bergen's is due at once, oslo's still waits.
        store
            .put_host_failure("peer.example", "503", next)
            .await
            .expect("failure");
        assert!(store.put_host_alive("peer.example").await.expect("alive"));
        assert!(row_of("bergen").await.next_attempt_at <= Utc::now());
        assert_eq!(
            row_of("oslo").await.next_attempt_at.timestamp(),
            next.timestamp()
        );
    }
);
