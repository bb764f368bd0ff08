//! The hosts federated search asks: Deling servers of followed (accepted)
//! agencies and of followers, each once.

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

both!(
    peer_hosts_are_followed_and_following_deling_servers,
    |store| {
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
        assert_eq!(
            store.list_peer_hosts(10).await.unwrap(),
            vec!["deling.bergen.no".to_owned(), "deling.tromso.no".to_owned()]
        );
        assert_eq!(
            store.list_peer_hosts(1).await.unwrap(),
            vec!["deling.bergen.no".to_owned()]
        );
    }
);
