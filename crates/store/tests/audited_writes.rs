//! The `*_audited` writes on both databases: an entry lands with the
//! change it records, and a write that changes nothing (a share that
//! exists, an item withdrawn already, an unpinned item unpinned) writes
//! none. The web hands them an entry when an instance admin acts for an
//! agency they are not on the staff of.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
extern crate deling_testkit;

#[path = "store/support.rs"]
#[allow(dead_code)]
mod support;

use deling_store::{
    Store,
    queries::{audit::Audit, remote_actor::RemoteActorData, share::Shared},
};
use support::{agency, simple};

fn audit(action: &str, target: &str) -> Audit {
    Audit::new(Some(1), "root", action, target)
        .with("agency", "oslo")
        .with("as_instance_admin", true)
}

/// The log, oldest first, as `(action, target)`.
async fn log(store: &Store) -> Vec<(String, String)> {
    let mut entries: Vec<(String, String)> = store
        .list_audit(100, 0)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.action, e.target))
        .collect();
    entries.reverse();
    entries
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(a, t)| ((*a).to_owned(), (*t).to_owned()))
        .collect()
}

both!(
    items_and_shares_write_their_entry_only_with_a_change,
    |store| {
        let oslo = agency(&store, "oslo", "Oslo kommune").await;
        let content = simple("guide", "Byggesak", "nb", &[]);
        let item = store
            .put_item_audited(
                oslo.id,
                &content,
                Some(&audit("item.create", "oslo/items/")),
            )
            .await
            .unwrap();
        let target = format!("oslo/items/{}", item.id);
        let created = store.list_audit(1, 0).await.unwrap().pop().unwrap();
        assert_eq!(created.target, target);
        assert_eq!(created.details["item"], item.id);
        assert_eq!(created.details["as_instance_admin"], true);

        let entry = |action: &str| audit(action, &target);
        store
            .update_item_audited(item.id, &content, Some(&entry("item.update")))
            .await
            .unwrap();
        assert!(
            store
                .pin_item_audited(item.id, oslo.id, Some(&entry("item.pin")))
                .await
                .unwrap()
        );
        // Pinned already; not pinned: no change, no entry.
        assert!(
            !store
                .pin_item_audited(item.id, oslo.id, Some(&entry("item.pin")))
                .await
                .unwrap()
        );
        assert!(
            store
                .unpin_item_audited(item.id, oslo.id, Some(&entry("item.unpin")))
                .await
                .unwrap()
        );
        assert!(
            !store
                .unpin_item_audited(item.id, oslo.id, Some(&entry("item.unpin")))
                .await
                .unwrap()
        );
        let shares = format!("oslo/shares/{}", item.id);
        let share = audit("share.create", &shares);
        assert!(matches!(
            store
                .put_share_audited(oslo.id, item.id, Some(&share))
                .await
                .unwrap(),
            Shared::New(_)
        ));
        assert!(matches!(
            store
                .put_share_audited(oslo.id, item.id, Some(&share))
                .await
                .unwrap(),
            Shared::Already(_)
        ));
        let undo = audit("share.undo", &shares);
        assert!(
            store
                .undo_share_audited(oslo.id, item.id, Some(&undo))
                .await
                .unwrap()
        );
        assert!(
            !store
                .undo_share_audited(oslo.id, item.id, Some(&undo))
                .await
                .unwrap()
        );
        store
            .delete_item_audited(item.id, Some(&entry("item.withdraw")))
            .await
            .unwrap();
        // A withdrawn item is neither withdrawn nor edited again.
        assert!(
            store
                .delete_item_audited(item.id, Some(&entry("item.withdraw")))
                .await
                .is_err()
        );
        assert!(
            store
                .update_item_audited(item.id, &content, Some(&entry("item.update")))
                .await
                .is_err()
        );

        let t = target.as_str();
        assert_eq!(
            log(&store).await,
            pairs(&[
                ("item.create", t),
                ("item.update", t),
                ("item.pin", t),
                ("item.unpin", t),
                ("share.create", &shares),
                ("share.undo", &shares),
                ("item.withdraw", t),
            ])
        );
    }
);

both!(
    comments_and_follows_write_their_entry_only_with_a_change,
    |store| {
        let oslo = agency(&store, "oslo", "Oslo kommune").await;
        let item = store
            .put_item(oslo.id, &simple("guide", "Byggesak", "nb", &[]))
            .await
            .unwrap();
        let comment = store
            .put_agency_comment_audited(
                item.id,
                oslo.id,
                None,
                "Hei",
                "<p>Hei</p>",
                None,
                Some(&audit("comment.create", "")),
            )
            .await
            .unwrap();
        let c = comment.id.to_string();
        let entry = |action: &str| audit(action, &c);
        assert!(
            store
                .update_own_comment_audited(
                    comment.id,
                    oslo.id,
                    "Hallo",
                    "<p>Hallo</p>",
                    Some(&entry("comment.update"))
                )
                .await
                .unwrap()
                .is_some()
        );
        assert!(
            store
                .set_comment_hidden_audited(comment.id, true, Some(&entry("comment.hide")))
                .await
                .unwrap()
        );
        assert!(
            store
                .delete_comment_audited(comment.id, Some(&entry("comment.delete")))
                .await
                .unwrap()
        );
        // Gone: nothing left to change.
        assert!(
            !store
                .set_comment_hidden_audited(comment.id, false, Some(&entry("comment.unhide")))
                .await
                .unwrap()
        );
        assert!(
            !store
                .delete_comment_audited(comment.id, Some(&entry("comment.delete")))
                .await
                .unwrap()
        );
        assert!(
            store
                .update_own_comment_audited(
                    comment.id,
                    oslo.id,
                    "Igjen",
                    "<p>Igjen</p>",
                    Some(&entry("comment.update"))
                )
                .await
                .unwrap()
                .is_none()
        );

        let nav = store
            .put_remote_actor(RemoteActorData {
                ap_id: "https://nav.example/agencies/nav".into(),
                actor_type: "Organization".into(),
                domain: "nav.example".into(),
                preferred_username: Some("nav".into()),
                name: None,
                inbox: "https://nav.example/agencies/nav/inbox".into(),
                shared_inbox: None,
                url: None,
                icon_url: None,
                summary_html: None,
                public_key_pem: None,
                followers: None,
                speaks_deling: true,
            })
            .await
            .unwrap();
        let following = "oslo/following/https://nav.example/agencies/nav";
        store
            .put_following_audited(
                oslo.id,
                nav.id,
                "https://deling.example/activities/follow/1",
                Some(&audit("follow.create", following)),
            )
            .await
            .unwrap();
        for _ in 0..2 {
            store
                .delete_following_audited(
                    oslo.id,
                    nav.id,
                    "https://deling.example/activities/undo/1",
                    Some(&audit("follow.undo", following)),
                )
                .await
                .unwrap();
        }

        let created = store
            .list_audit(100, 0)
            .await
            .unwrap()
            .into_iter()
            .find(|e| e.action == "comment.create")
            .unwrap();
        assert_eq!(created.details["comment"], comment.id);
        assert_eq!(
            log(&store).await,
            pairs(&[
                ("comment.create", &c),
                ("comment.update", &c),
                ("comment.hide", &c),
                ("comment.delete", &c),
                ("follow.create", following),
                ("follow.undo", following),
            ])
        );
    }
);
