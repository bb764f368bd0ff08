//! The hosts federated search asks: Deling servers of followed (accepted)
//! agencies, each once; never a follower's (anyone may follow).

use crate::support::agency;
use deling_store::queries::{follow::FOLLOWING_ACCEPTED, remote_actor::RemoteActorData};

fn actor(name: &str, domain: &str, deling: bool) -> RemoteActorData {
    RemoteActorData {
        ap_id: format!("https://{domain}/agencies/{name}"),
        actor_type: "Organization".into(),
        domain: domain.into(),
        preferred_username: Some(name.into()),
        name: None,
        inbox: format!("https://{domain}/agencies/{name}/inbox"),
        shared_inbox: None,
        url: None,
        icon_url: None,
        summary_html: None,
        public_key_pem: None,
        followers: None,
        speaks_deling: deling,
    }
}

both!(peer_hosts_are_followed_deling_servers, |store| {
    let oslo = agency(&store, "oslo", "Oslo kommune").await;
    assert!(store.list_peer_hosts(10).await.expect("hosts").is_empty());
    let put = |a| store.put_remote_actor(a);
    let bergen = put(actor("bergen", "deling.bergen.no", true))
        .await
        .unwrap();
    let bergen2 = put(actor("bergen2", "deling.bergen.no", true))
        .await
        .unwrap();
    let tromso = put(actor("tromso", "deling.tromso.no", true))
        .await
        .unwrap();
    let pending = put(actor("bodo", "deling.bodo.no", true)).await.unwrap();
    let person = put(actor("eve", "social.example", false)).await.unwrap();
    // Known, but neither followed nor following: not a peer.
    put(actor("alta", "deling.alta.no", true)).await.unwrap();
    // Followed and accepted (twice on one host), followed but pending,
    // a Deling follower, a Mastodon follower, and a stranger.
    for (a, id) in [(&bergen, "f1"), (&bergen2, "f2"), (&pending, "f3")] {
        store
            .put_following(oslo.id, a.id, &format!("https://x/{id}"))
            .await
            .unwrap();
    }
    for a in [&bergen, &bergen2] {
        store
            .set_following_state(oslo.id, a.id, None, FOLLOWING_ACCEPTED)
            .await
            .unwrap();
    }
    store
        .put_follower(oslo.id, tromso.id, "https://x/f4")
        .await
        .unwrap();
    store
        .put_follower(oslo.id, person.id, "https://x/f5")
        .await
        .unwrap();
    // tromso only follows oslo: it chose to, and would receive every
    // visitor's search words.
    assert_eq!(
        store.list_peer_hosts(10).await.unwrap(),
        vec!["deling.bergen.no".to_owned()]
    );
    assert_eq!(
        store.list_peer_hosts(1).await.unwrap(),
        vec!["deling.bergen.no".to_owned()]
    );
});

both!(
    follower_inboxes_are_each_shared_inbox_once_split_by_dialect,
    |store| {
        let oslo = agency(&store, "oslo", "Oslo kommune").await;
        let nav = agency(&store, "nav", "NAV").await;
        let put = |a| store.put_remote_actor(a);
        let shared = |mut a: RemoteActorData, domain: &str| {
            a.shared_inbox = Some(format!("https://{domain}/inbox"));
            a
        };
        // Two people on one Mastodon server (one shared inbox), one
        // without a shared inbox, a Deling server, and someone who
        // follows only NAV.
        let ann = put(shared(
            actor("ann", "social.example", false),
            "social.example",
        ))
        .await
        .unwrap();
        let bob = put(shared(
            actor("bob", "social.example", false),
            "social.example",
        ))
        .await
        .unwrap();
        let cai = put(actor("cai", "solo.example", false)).await.unwrap();
        let bergen = put(shared(
            actor("bergen", "deling.bergen.no", true),
            "deling.bergen.no",
        ))
        .await
        .unwrap();
        let dag = put(actor("dag", "other.example", false)).await.unwrap();
        for (n, a) in [&ann, &bob, &cai, &bergen].into_iter().enumerate() {
            store
                .put_follower(oslo.id, a.id, &format!("https://x/f{n}"))
                .await
                .unwrap();
        }
        store
            .put_follower(nav.id, dag.id, "https://x/nav")
            .await
            .unwrap();

        let (deling, others) = store
            .list_follower_inboxes_by_dialect(oslo.id)
            .await
            .expect("inboxes");
        assert_eq!(deling, vec!["https://deling.bergen.no/inbox".to_owned()]);
        assert_eq!(
            others,
            vec![
                "https://social.example/inbox".to_owned(),
                "https://solo.example/agencies/cai/inbox".to_owned(),
            ]
        );
        assert_eq!(
            store.list_follower_inboxes(oslo.id).await.expect("all"),
            vec![
                "https://deling.bergen.no/inbox".to_owned(),
                "https://social.example/inbox".to_owned(),
                "https://solo.example/agencies/cai/inbox".to_owned(),
            ]
        );
        assert_eq!(
            store.list_follower_inboxes(nav.id).await.expect("nav"),
            vec!["https://other.example/agencies/dag/inbox".to_owned()]
        );
        let alone = agency(&store, "alta", "Alta kommune").await;
        assert!(
            store
                .list_follower_inboxes(alone.id)
                .await
                .expect("none")
                .is_empty()
        );
        assert_eq!(
            store
                .list_follower_inboxes_by_dialect(alone.id)
                .await
                .expect("none"),
            (vec![], vec![])
        );
    }
);
