//! Delivery leases renewed several at a time.

use chrono::{Duration, Utc};

both!(leases_are_renewed_only_for_rows_still_held, |store| {
    use deling_store::queries::delivery::NewDelivery;
    let delivery = |n: usize| NewDelivery {
        activity_id: format!("https://here.example/a/{n}"),
        agency_id: None,
        inbox: format!("https://peer.example/u/{n}/inbox"),
        host: "peer.example".to_owned(),
        body: "{}".to_owned(),
    };
    store
        .put_deliveries((0..4).map(delivery).collect())
        .await
        .expect("queue");
    let lease = Utc::now() + Duration::seconds(60);
    let mut rows = store
        .claim_deliveries("w1", 10, lease)
        .await
        .expect("claim");
    rows.sort_by_key(|r| r.id);
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    assert_eq!(ids.len(), 4);
    // One is done, one given back and taken by another worker: w1 renews
    // the other two only.
    store.finish_delivery(ids[0]).await.expect("finish");
    store
        .release_deliveries("w1", &ids[1..2])
        .await
        .expect("release");
    let taken = store
        .claim_deliveries("w2", 10, lease)
        .await
        .expect("claim");
    assert_eq!(taken.iter().map(|r| r.id).collect::<Vec<_>>(), [ids[1]]);
    let later = Utc::now() + Duration::seconds(300);
    let mut kept = store
        .renew_delivery_leases("w1", &ids, later)
        .await
        .expect("renew");
    kept.sort_unstable();
    assert_eq!(kept, ids[2..]);
    // The renewed lease is what the rows now carry; w2's is untouched.
    let all = store
        .list_deliveries_of("https://here.example/a/2")
        .await
        .expect("list");
    let until = all[0].locked_until.expect("leased");
    assert!(
        (until - later).num_seconds().abs() <= 1,
        "{until} vs {later}"
    );
    let w2 = store
        .list_deliveries_of("https://here.example/a/1")
        .await
        .expect("list");
    assert!(w2[0].locked_until.expect("leased") < later - Duration::seconds(100));
    assert!(
        store
            .renew_delivery_leases("w1", &[], later)
            .await
            .expect("nothing to renew")
            .is_empty()
    );
});

both!(
    deliveries_are_finished_together_with_their_hosts_health,
    |store| {
        use deling_store::queries::delivery::{NewDelivery, STATUS_DONE, STATUS_PENDING};
        let delivery = |n: usize, host: &str| NewDelivery {
            activity_id: format!("https://here.example/a/{n}"),
            agency_id: None,
            inbox: format!("https://{host}/u/{n}/inbox"),
            host: host.to_owned(),
            body: "{}".to_owned(),
        };
        store
            .put_deliveries(vec![
                delivery(0, "one.example"),
                delivery(1, "two.example"),
                delivery(2, "two.example"),
            ])
            .await
            .expect("queue");
        // two.example had failed; one.example was never heard of.
        store
            .put_host_failure("two.example", "503", Utc::now() + Duration::seconds(1))
            .await
            .expect("failure");
        store
            .execute_unprepared("UPDATE delivery SET next_attempt_at = created_at")
            .await
            .expect("due");
        store
            .execute_unprepared("UPDATE host_state SET next_attempt_at = NULL")
            .await
            .expect("due");
        let lease = Utc::now() + Duration::seconds(60);
        let mut rows = store
            .claim_deliveries("w1", 10, lease)
            .await
            .expect("claim");
        rows.sort_by_key(|r| r.id);
        assert_eq!(rows.len(), 3);
        let hosts = ["one.example".to_owned(), "two.example".to_owned()];
        store
            .finish_deliveries(&[rows[0].id, rows[1].id], &hosts)
            .await
            .expect("finish");
        for n in 0..3 {
            let row = &store
                .list_deliveries_of(&format!("https://here.example/a/{n}"))
                .await
                .expect("list")[0];
            if n < 2 {
                assert_eq!(row.status, STATUS_DONE, "{row:?}");
                assert_eq!(row.attempts, 1, "{row:?}");
                assert!(
                    row.locked_until.is_none() && row.locked_by.is_none(),
                    "{row:?}"
                );
                assert!(
                    row.finished_at.is_some() && row.last_error.is_none(),
                    "{row:?}"
                );
            } else {
                // Not named: still pending, still leased.
                assert_eq!(row.status, STATUS_PENDING, "{row:?}");
                assert_eq!(row.locked_by.as_deref(), Some("w1"), "{row:?}");
            }
        }
        for host in &hosts {
            let state = store
                .get_host_state(host)
                .await
                .expect("state")
                .expect("recorded");
            assert_eq!(state.consecutive_failures, 0, "{state:?}");
            assert!(state.next_attempt_at.is_none(), "{state:?}");
            assert!(state.last_success_at.is_some(), "{state:?}");
        }
        // A style learnt before is kept; nothing to write is no write.
        store
            .put_host_signature_style("one.example", "cavage")
            .await
            .expect("style");
        store
            .finish_deliveries(&[], &hosts[..1])
            .await
            .expect("health alone");
        let styles = store
            .get_host_signature_styles(&[
                "one.example".to_owned(),
                "two.example".to_owned(),
                "three.example".to_owned(),
            ])
            .await
            .expect("styles");
        assert_eq!(styles.len(), 1, "{styles:?}");
        assert_eq!(styles["one.example"].0, "cavage");
        store.finish_deliveries(&[], &[]).await.expect("nothing");
    }
);

both!(verdicts_of_many_hosts_are_each_hosts_verdict, |store| {
    use deling_domain::policy::{Domain, FederationMode, Severity};
    use deling_store::queries::policy::Verdict;
    let domain = |d: &str| Domain::parse(d).expect("domain");
    store
        .put_domain_policy(
            &domain("blocked.example"),
            Severity::Suspend,
            None,
            None,
            None,
        )
        .await
        .expect("policy");
    store
        .put_domain_policy(
            &domain("quiet.example"),
            Severity::Silence,
            None,
            None,
            None,
        )
        .await
        .expect("policy");
    let hosts = [
        "blocked.example",
        "sub.blocked.example:8443",
        "Quiet.Example.",
        "open.example",
        "open.example",
        "allowed.example",
    ];
    let one_by_one = async |store: &deling_store::Store| {
        let mut each = Vec::new();
        for h in hosts {
            each.push(store.get_host_verdict(h).await.expect("verdict"));
        }
        each
    };
    let all = store.get_host_verdicts(&hosts).await.expect("verdicts");
    assert_eq!(all, one_by_one(&store).await);
    assert_eq!(
        all,
        [
            Verdict::Refused,
            Verdict::Refused,
            Verdict::Silenced,
            Verdict::Open,
            Verdict::Open,
            Verdict::Open
        ]
    );
    // In allow-list mode only what is allowed is open (the mode lives on
    // the instance row).
    store
        .get_or_put_instance("here.example", "Her", || {
            ("public".to_owned(), "private".to_owned())
        })
        .await
        .expect("instance");
    store
        .put_domain_policy(
            &domain("allowed.example"),
            Severity::Allow,
            None,
            None,
            None,
        )
        .await
        .expect("policy");
    store
        .put_federation_mode(FederationMode::Allowlist, None)
        .await
        .expect("mode");
    let all = store.get_host_verdicts(&hosts).await.expect("verdicts");
    assert_eq!(all, one_by_one(&store).await);
    assert_eq!(all[3], Verdict::Refused);
    assert_eq!(all[5], Verdict::Open);
    assert!(
        store
            .get_host_verdicts(&[] as &[&str])
            .await
            .expect("none")
            .is_empty()
    );
});

// An agency followed on many thousands of servers: one event's deliveries
// are more rows than one INSERT may bind values for (11 a row; SQLite takes
// 32,766, PostgreSQL 65,535), and all of them are queued, once.
both!(an_event_to_thousands_of_servers_is_queued_whole, |store| {
    use deling_store::queries::delivery::NewDelivery;
    let n = 7_000;
    let delivery = |i: usize| NewDelivery {
        activity_id: "https://here.example/a/1".to_owned(),
        agency_id: None,
        inbox: format!("https://peer{i}.example/inbox"),
        host: format!("peer{i}.example"),
        body: "{}".to_owned(),
    };
    store
        .put_deliveries((0..n).map(delivery).collect())
        .await
        .expect("queue 7,000 deliveries");
    // Again: nothing is queued twice.
    store
        .put_deliveries((0..n).map(delivery).collect())
        .await
        .expect("queue them again");
    let stats = store.queue_stats().await.expect("stats");
    assert_eq!(stats.pending_deliveries, n as u64);
});

both!(hosts_stand_by_their_last_delivery, |store| {
    use deling_store::queries::host::HostStanding;
    store
        .put_host_success("fine.example")
        .await
        .expect("success");
    let later = chrono::Utc::now() + chrono::Duration::minutes(5);
    store
        .put_host_failure("down.example", "timed out", later)
        .await
        .expect("failure");
    // Failed, then answered: answering again.
    store
        .put_host_failure("back.example", "503", later)
        .await
        .expect("failure");
    store
        .put_host_success("back.example")
        .await
        .expect("success");
    // A style learnt without a delivery taken yet says nothing of health.
    store
        .put_host_signature_style("styled.example", "cavage")
        .await
        .expect("style");
    let hosts: Vec<String> = (0..1200)
        .map(|n| format!("h{n}.example"))
        .chain(
            [
                "fine.example",
                "down.example",
                "back.example",
                "styled.example",
            ]
            .map(str::to_owned),
        )
        .collect();
    let standings = store.get_host_standings(&hosts).await.expect("standings");
    assert_eq!(
        standings.get("fine.example"),
        Some(&HostStanding::Answering)
    );
    assert_eq!(
        standings.get("back.example"),
        Some(&HostStanding::Answering)
    );
    assert_eq!(standings.get("down.example"), Some(&HostStanding::Failing));
    assert_eq!(
        standings
            .get("styled.example")
            .copied()
            .unwrap_or(HostStanding::Unknown),
        HostStanding::Unknown
    );
    assert!(!standings.contains_key("h7.example"), "never delivered to");
    assert!(HostStanding::Answering < HostStanding::Unknown);
    assert!(HostStanding::Unknown < HostStanding::Failing);
});
