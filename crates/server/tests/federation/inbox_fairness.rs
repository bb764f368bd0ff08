//! One slow actor must not stall the inbox for everyone. A followed actor
//! sends a backlog of boosts whose objects are on a host that takes the
//! connection and never answers, so that each boost holds its slot until
//! the fetch times out; a Like from an actor of another server, sent after
//! the whole backlog, is still counted within seconds, while most of the
//! backlog waits; and the slow actor's own boosts are processed in the
//! order they arrived.

use crate::{
    helpers::{Instance, eventually_within},
    ordering::followed_peer_on,
    peer::{FakeActor, FakePeer, fake_keys},
};
use reqwest::StatusCode;
use rsa::RsaPrivateKey;
use serde_json::json;
use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};
use tokio::task::JoinHandle;

/// Boosts of the slow actor queued ahead of the Like: more than the rows
/// a worker claims at once (64), so that before the fix they filled all
/// the rows in hand.
const BACKLOG: usize = 120;
/// How soon the Like must be counted once sent. Before the fix it waited
/// for most of the backlog (a fetch timeout per boost, one at a time).
const BOUND: Duration = Duration::from_secs(5);
/// Rows of one actor one inbox task takes (`ROWS_PER_TASK`).
const TASK_ROWS: usize = 16;

/// A host that takes every connection and never answers on it.
struct Tarpit {
    domain: String,
    connections: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl Tarpit {
    async fn spawn() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("address").port();
        let connections = Arc::new(AtomicUsize::new(0));
        let counted = connections.clone();
        let task = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((stream, _)) = listener.accept().await {
                counted.fetch_add(1, Ordering::Relaxed);
                held.push(stream);
            }
        });
        Self {
            domain: format!("localhost:{port}"),
            connections,
            task,
        }
    }
}

impl Drop for Tarpit {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_actors_backlog_does_not_hold_up_other_actors() {
    // Fetches time out after a second (the least the configuration allows),
    // so that the slow actor's first task is over within the test.
    let a = Instance::spawn_tuned(|c| {
        c.federation.request_timeout_seconds = 1;
        c.federation.connect_timeout_seconds = 1;
    })
    .await;
    fairness(a, true).await;
}

/// The same on PostgreSQL (default timeouts: only the Like is awaited).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_actors_backlog_does_not_hold_up_other_actors_on_postgres() {
    if let Some(a) = Instance::spawn_postgres().await {
        fairness(a, false).await;
    }
}

/// Eve (followed by nav, so her boosts of other servers' objects are
/// fetched) sends [`BACKLOG`] boosts of objects on a tarpit, then yan on
/// another server likes one of nav's items. With `order`, also waits for
/// eve's first task to finish and checks her boosts were taken in order.
async fn fairness(a: Instance, order: bool) {
    let (a, _peer, eve) = followed_peer_on(a).await;
    let item = a.publish("nav", "Veileder for byggesak", &[]).await;
    let tarpit = Tarpit::spawn().await;
    let other = FakePeer::spawn().await;
    let [_, k2] = fake_keys().await;
    let yan = other.actor("yan", k2);

    let mut boosts = Vec::with_capacity(BACKLOG);
    for n in 0..BACKLOG {
        let boost = json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": eve.activity_id(&format!("boost-{n}")),
            "type": "Announce",
            "actor": eve.id,
            "object": format!("http://{}/pages/{n}", tarpit.domain),
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
        });
        let resp = eve.post(&a.shared_inbox(), &boost).send(&a.client).await;
        assert_eq!(resp.status(), StatusCode::ACCEPTED, "{boost}");
        boosts.push(boost["id"].as_str().unwrap().to_owned());
    }

    let sent = Instant::now();
    like_counted_within_bound(&a, &yan, item, "while eve's backlog waits").await;
    let counted = sent.elapsed();

    let statuses = statuses_of(&a, &boosts).await;
    let pending = statuses.iter().filter(|s| *s == "pending").count();
    eprintln!(
        "the Like was counted after {counted:?}; eve's boosts pending then: {pending} of \
         {BACKLOG}; connections the tarpit holds: {}",
        tarpit.connections.load(Ordering::Relaxed)
    );
    assert!(
        pending > BACKLOG / 2,
        "eve's backlog should still be mostly pending: {statuses:?}"
    );
    assert!(
        tarpit.connections.load(Ordering::Relaxed) >= 1,
        "eve's boosts should be waiting on the tarpit"
    );

    if order {
        // Eve's first task's boosts end together; then those done must be
        // her oldest ones.
        let statuses = eventually_within(
            Duration::from_secs(60),
            "eve's first boosts to be processed",
            async || {
                let statuses = statuses_of(&a, &boosts).await;
                let done = statuses.iter().filter(|s| *s != "pending").count();
                if done >= TASK_ROWS {
                    Ok(statuses)
                } else {
                    Err(format!("{done} done"))
                }
            },
        )
        .await;
        let done = statuses.iter().take_while(|s| *s != "pending").count();
        assert!(
            statuses[done..].iter().all(|s| s == "pending"),
            "eve's boosts were processed out of order: {statuses:?}"
        );
        assert!(
            statuses.iter().all(|s| s == "pending" || s == "done"),
            "{statuses:?}"
        );
    }
}

/// Sends `yan`'s Like of `item` to `a` and waits at most [`BOUND`] for it
/// to be counted (`while` says what else is going on).
async fn like_counted_within_bound(a: &Instance, yan: &FakeActor, item: i64, while_: &str) {
    let like = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": yan.activity_id("like-1"),
        "type": "Like",
        "actor": yan.id,
        "object": a.url(&format!("/items/{item}")),
    });
    let resp = yan.post(&a.shared_inbox(), &like).send(&a.client).await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED, "{like}");
    eventually_within(
        BOUND,
        &format!("yan's Like to be counted {while_}"),
        async || {
            let counts = a.store.count_item_reactions(item).await.unwrap();
            if counts.likes == 1 {
                Ok(())
            } else {
                Err(format!("{counts:?}"))
            }
        },
    )
    .await;
}

/// The status of each of `ids`, in order. Read newest first, so that a
/// snapshot taken while rows are processed (in order) still shows the
/// order: an older row is read after a newer one, so it is seen done if
/// the newer one was.
async fn statuses_of(a: &Instance, ids: &[String]) -> Vec<String> {
    let mut statuses = Vec::with_capacity(ids.len());
    for id in ids.iter().rev() {
        let row = a.store.get_inbox_activity(id).await.unwrap().unwrap();
        statuses.push(row.status);
    }
    statuses.reverse();
    statuses
}

/// Anyone may send a `Create` naming its object by id alone, on a server
/// whose objects never come. From actors on two host names, each host
/// within its share of the slots, such activities once held every slot;
/// those that may fetch now take at most half, so a Like from a third
/// server is counted within seconds while they wait on their fetches.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn objects_named_from_two_slow_hosts_leave_slots_for_the_rest() {
    let (a, item) = slow_fetching_instance().await;
    let (p1, p2, other) = tokio::join!(FakePeer::spawn(), FakePeer::spawn(), FakePeer::spawn());
    let [k1, k2] = fake_keys().await;
    let mut sent = named_creates(&a, &p1, k1, 4, 2).await;
    sent.extend(named_creates(&a, &p2, k1, 4, 2).await);
    // Their fetches under way before the Like is sent.
    asked_for(&[&p1, &p2], "/notes/", 2).await;
    let yan = other.actor("yan", k2);
    like_counted_while_waiting(&a, &yan, item, &sent, "the named objects").await;
}

/// A host whose actors' activities wait on slow fetches holds its half
/// of the slots, and once held no more: its other actors' likes waited
/// behind its own fetches for as long as those took. Slots no other host
/// wants are now lent to it for what fetches nothing, so a Like from
/// another actor of the same server is counted within seconds while the
/// fetches still wait.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hosts_likes_do_not_wait_behind_its_own_slow_fetches() {
    let (a, item) = slow_fetching_instance().await;
    let p = FakePeer::spawn().await;
    let [k1, k2] = fake_keys().await;
    // As many actors as the host's share of the slots.
    let sent = named_creates(&a, &p, k1, 4, 1).await;
    asked_for(&[&p], "/notes/", 4).await;
    let yan = p.actor("yan", k2);
    like_counted_while_waiting(&a, &yan, item, &sent, "its own server's objects").await;
}

/// An instance with nav and one of its items, whose fetches time out well
/// after the bound a Like is held to.
async fn slow_fetching_instance() -> (Instance, i64) {
    let a = Instance::spawn_tuned(|c| {
        c.federation.request_timeout_seconds = 15;
        c.federation.connect_timeout_seconds = 5;
    })
    .await;
    a.agency("nav").await;
    let item = a.publish("nav", "Veileder for byggesak", &[]).await;
    (a, item)
}

/// `per_actor` public Creates from each of `p`'s actors `u0`, `u1`, ...
/// (`actors` of them) to `a`, each naming by id an object on `p` that
/// `p` never serves; their ids.
async fn named_creates(
    a: &Instance,
    p: &FakePeer,
    key: &RsaPrivateKey,
    actors: usize,
    per_actor: usize,
) -> Vec<String> {
    p.stall_gets_under("/notes/");
    let mut sent = Vec::new();
    for n in 0..actors {
        let actor = p.actor(&format!("u{n}"), key);
        for m in 0..per_actor {
            let create = json!({
                "@context": "https://www.w3.org/ns/activitystreams",
                "id": actor.activity_id(&format!("create-{m}")),
                "type": "Create",
                "actor": actor.id,
                "object": p.url(&format!("/notes/u{n}-{m}")),
                "to": ["https://www.w3.org/ns/activitystreams#Public"],
            });
            let resp = actor.post(&a.shared_inbox(), &create).send(&a.client).await;
            assert_eq!(resp.status(), StatusCode::ACCEPTED, "{create}");
            sent.push(create["id"].as_str().unwrap().to_owned());
        }
    }
    sent
}

/// Waits until `peers` were asked for `at_least` documents under `prefix`.
async fn asked_for(peers: &[&FakePeer], prefix: &str, at_least: usize) {
    eventually_within(
        Duration::from_secs(10),
        &format!("{at_least} documents under {prefix} to be asked for"),
        async || {
            let asked = peers
                .iter()
                .flat_map(|p| p.fetched())
                .filter(|f| f.path.starts_with(prefix))
                .count();
            if asked >= at_least {
                Ok(())
            } else {
                Err(format!("{asked} asked"))
            }
        },
    )
    .await;
}

/// yan's Like is counted within the bound while some of `sent` still wait
/// on their fetches of `what`.
async fn like_counted_while_waiting(
    a: &Instance,
    yan: &FakeActor,
    item: i64,
    sent: &[String],
    what: &str,
) {
    like_counted_within_bound(a, yan, item, &format!("while {what} are awaited")).await;
    let pending = statuses_of(a, sent)
        .await
        .iter()
        .filter(|s| *s == "pending")
        .count();
    assert!(
        pending > 0,
        "activities waiting on {what} should still be pending"
    );
}

/// A profile `Update` carries the actor, and is taken by fetching the
/// actor afresh: it may fetch as much as a `Create` naming its object by
/// id, though its object is embedded. From actors on two host names whose
/// actor documents stopped answering, such Updates once held every slot
/// (they were not counted as activities that may fetch); now a Like from
/// a third server is still counted within seconds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profile_updates_from_two_slow_hosts_leave_slots_for_the_rest() {
    let a = Instance::spawn_tuned(|c| {
        c.federation.request_timeout_seconds = 15;
        c.federation.connect_timeout_seconds = 5;
    })
    .await;
    a.agency("nav").await;
    let item = a.publish("nav", "Veileder for byggesak", &[]).await;
    let (p1, p2, other) = tokio::join!(FakePeer::spawn(), FakePeer::spawn(), FakePeer::spawn());
    let [k1, k2] = fake_keys().await;
    let mut actors = Vec::new();
    for p in [&p1, &p2] {
        for n in 0..4 {
            let actor = p.actor(&format!("u{n}"), k1);
            // Its key fetched (and kept) while its server still answers.
            let follow = json!({
                "@context": "https://www.w3.org/ns/activitystreams",
                "id": actor.activity_id("follow"), "type": "Follow",
                "actor": actor.id, "object": a.actor_id("nav"),
            });
            let resp = actor.post(&a.shared_inbox(), &follow).send(&a.client).await;
            assert_eq!(resp.status(), StatusCode::ACCEPTED, "{follow}");
            a.processed(follow["id"].as_str().unwrap()).await;
            actors.push(actor);
        }
    }
    p1.stall_gets_under("/actors/");
    p2.stall_gets_under("/actors/");
    let mut sent = Vec::new();
    for actor in &actors {
        for m in 0..2 {
            let update = json!({
                "@context": "https://www.w3.org/ns/activitystreams",
                "id": actor.activity_id(&format!("profile-{m}")),
                "type": "Update",
                "actor": actor.id,
                "object": {"id": actor.id, "type": "Person", "name": format!("Ny {m}")},
                "to": ["https://www.w3.org/ns/activitystreams#Public"],
            });
            let resp = actor.post(&a.shared_inbox(), &update).send(&a.client).await;
            assert_eq!(resp.status(), StatusCode::ACCEPTED, "{update}");
            sent.push(update["id"].as_str().unwrap().to_owned());
        }
    }
    // Each actor's document was asked for once before the stall.
    asked_for(&[&p1, &p2], "/actors/u", 8 + 2).await;
    let yan = other.actor("yan", k2);
    like_counted_while_waiting(&a, &yan, item, &sent, "the profiles").await;
}
