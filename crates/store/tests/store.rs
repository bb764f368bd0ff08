//! The store's queries, each test run on SQLite and on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use chrono::{DateTime, Duration, Utc};
use deling_domain::{
    agency::{AgencyProfile, OrgNumber, RawAgencyProfile},
    auth::{NewToken, Password, Role, Username, token_hash, verify_password},
    item::{ItemContent, RawItem, RawLink},
    slug::Slug,
    text::DisplayName,
};
use deling_store::{
    ItemFilter, Origin, Store, StoreError,
    queries::{
        agency::{NewAgency, stored_profile},
        outbox::{EVENT_AGENCY_DELETE, EVENT_AGENCY_UPDATE},
    },
    records::{Agency, CommentAuthor, Item, ItemLink, ItemOwner, Staff},
};
use serde_json::json;

// ---------------------------------------------------------------- helpers

fn new_agency(slug: &str, name: &str) -> NewAgency {
    NewAgency {
        slug: Slug::parse(slug).expect("valid slug"),
        name: DisplayName::parse(name).expect("valid name"),
        org_number: None,
        public_key_pem: format!(
            "-----BEGIN PUBLIC KEY-----\n{slug}-pub\n-----END PUBLIC KEY-----\n"
        ),
        private_key_pem: format!(
            "-----BEGIN PRIVATE KEY-----\n{slug}-priv\n-----END PRIVATE KEY-----\n"
        ),
    }
}

async fn agency(store: &Store, slug: &str, name: &str) -> Agency {
    store
        .put_agency(new_agency(slug, name))
        .await
        .expect("put_agency")
}

async fn staff(store: &Store, username: &str) -> Staff {
    store
        .put_staff(
            &Username::parse(username).expect("valid username"),
            format!("$argon2id$fake${username}"),
            false,
        )
        .await
        .expect("put_staff")
}

fn content(raw: RawItem) -> ItemContent {
    ItemContent::parse(raw).unwrap_or_else(|e| panic!("invalid test item: {e:?}"))
}

/// A minimal item of `kind` (which must need no metadata).
fn simple(kind: &str, title: &str, language: &str, tags: &[&str]) -> ItemContent {
    content(RawItem {
        kind: Some(kind.into()),
        title: Some(title.into()),
        language: Some(language.into()),
        tags: Some(tags.iter().map(|t| (*t).to_owned()).collect()),
        ..Default::default()
    })
}

fn link(href: &str, title: Option<&str>, media_type: Option<&str>) -> RawLink {
    RawLink {
        href: href.into(),
        title: title.map(str::to_owned),
        media_type: media_type.map(str::to_owned),
    }
}

fn ts(s: &str) -> DateTime<Utc> {
    s.parse()
        .unwrap_or_else(|e| panic!("bad timestamp {s}: {e}"))
}

fn ids(items: &[Item]) -> Vec<i64> {
    items.iter().map(|i| i.id).collect()
}

// ---------------------------------------------------------------- agencies

both!(agencies, |store| {
    assert_eq!(store.count_agencies().await.expect("count"), 0);
    assert!(store.list_agencies().await.expect("list").is_empty());

    let mut new = new_agency("oslo", "Oslo kommune");
    new.org_number = Some(OrgNumber::parse("958 935 420").expect("valid org number"));
    let oslo = store.put_agency(new).await.expect("put oslo");
    assert!(oslo.id > 0);
    assert_eq!(oslo.slug, "oslo");
    assert_eq!(oslo.name, "Oslo kommune");
    assert_eq!(oslo.org_number.as_deref(), Some("958935420"));
    assert_eq!(
        oslo.public_key_pem,
        "-----BEGIN PUBLIC KEY-----\noslo-pub\n-----END PUBLIC KEY-----\n"
    );
    assert_eq!(
        oslo.private_key_pem,
        "-----BEGIN PRIVATE KEY-----\noslo-priv\n-----END PRIVATE KEY-----\n"
    );
    assert_eq!(oslo.summary, "");
    assert_eq!(oslo.summary_html, "");
    assert_eq!(oslo.icon_url, None);
    assert_eq!(oslo.website, None);
    assert_eq!(oslo.deleted_at, None);
    assert_eq!(oslo.created_at, oslo.updated_at);

    // Reads give back exactly what was written, timestamps included.
    assert_eq!(
        store.get_agency_by_slug("oslo").await.expect("by slug"),
        Some(oslo.clone())
    );
    assert_eq!(
        store.get_agency(oslo.id).await.expect("by id"),
        Some(oslo.clone())
    );
    assert_eq!(
        store.get_agency_by_slug("bergen").await.expect("by slug"),
        None
    );
    assert_eq!(
        store.get_agency_by_slug("OSLO").await.expect("by slug"),
        None
    );
    assert_eq!(store.get_agency(oslo.id + 1000).await.expect("by id"), None);

    let bergen = agency(&store, "bergen", "Bergen kommune").await;
    assert_ne!(bergen.id, oslo.id);
    assert_eq!(bergen.org_number, None);
    let nav = agency(&store, "nav", "NAV").await;
    // By slug, not by insertion order.
    assert_eq!(
        store.list_agencies().await.expect("list"),
        vec![bergen.clone(), nav.clone(), oslo.clone()]
    );
    assert_eq!(store.count_agencies().await.expect("count"), 3);

    // A taken slug is a conflict and changes nothing.
    match store.put_agency(new_agency("oslo", "Another Oslo")).await {
        Err(StoreError::Conflict(msg)) => {
            assert!(
                msg.contains("oslo"),
                "conflict message names the slug: {msg}"
            )
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(store.count_agencies().await.expect("count"), 3);
    assert_eq!(
        store.get_agency_by_slug("oslo").await.expect("by slug"),
        Some(oslo.clone())
    );

    // Withdrawn agencies are not listed or counted, but can still be read.
    store
        .execute_unprepared(&format!(
            "UPDATE agency SET deleted_at = updated_at WHERE id = {}",
            nav.id
        ))
        .await
        .expect("withdraw nav");
    assert_eq!(
        store.list_agencies().await.expect("list"),
        vec![bergen.clone(), oslo.clone()]
    );
    assert_eq!(store.count_agencies().await.expect("count"), 2);
    let withdrawn = store
        .get_agency_by_slug("nav")
        .await
        .expect("by slug")
        .expect("withdrawn agency still readable");
    assert_eq!(withdrawn.deleted_at, Some(nav.updated_at));
    // Its slug stays taken.
    assert!(matches!(
        store.put_agency(new_agency("nav", "NAV again")).await,
        Err(StoreError::Conflict(_))
    ));
});

both!(agency_profile_update, |store| {
    let oslo = agency(&store, "oslo", "Oslo kommune").await;
    let nav = agency(&store, "nav", "NAV").await;
    let before = store.list_pending_outbox_events(100).await.expect("events");

    let profile = AgencyProfile::parse(
        RawAgencyProfile {
            name: Some("Oslo kommune – Plan- og bygningsetaten".into()),
            summary: Some("Vi deler *veiledere*.".into()),
            website: Some(Some("https://www.oslo.kommune.no/".into())),
            icon_url: Some(Some("https://www.oslo.kommune.no/logo.png".into())),
            org_number: Some(Some("958935420".into())),
            indexable: None,
        }
        .over(stored_profile(&oslo)),
    )
    .expect("valid profile");
    let updated = store
        .update_agency_profile(oslo.id, &profile, oslo.updated_at, None)
        .await
        .expect("update");
    // A change made from the old copy would undo this one: refused.
    assert!(matches!(
        store
            .update_agency_profile(oslo.id, &profile, oslo.updated_at, None)
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(updated.name, "Oslo kommune – Plan- og bygningsetaten");
    assert_eq!(updated.summary, "Vi deler *veiledere*.");
    assert_eq!(
        updated.summary_html,
        "<p>Vi deler <em>veiledere</em>.</p>\n"
    );
    assert_eq!(
        updated.website.as_deref(),
        Some("https://www.oslo.kommune.no/")
    );
    assert_eq!(
        updated.icon_url.as_deref(),
        Some("https://www.oslo.kommune.no/logo.png")
    );
    assert_eq!(updated.org_number.as_deref(), Some("958935420"));
    assert!(updated.updated_at >= oslo.updated_at);
    assert_eq!(
        (
            updated.slug.as_str(),
            &updated.public_key_pem,
            updated.created_at
        ),
        (oslo.slug.as_str(), &oslo.public_key_pem, oslo.created_at)
    );
    // The other agency is untouched.
    assert_eq!(
        store.get_agency(nav.id).await.expect("nav"),
        Some(nav.clone())
    );

    // One Update of the actor is queued with the change.
    let events = store.list_pending_outbox_events(100).await.expect("events");
    assert_eq!(events.len(), before.len() + 1);
    let event = events.last().expect("event");
    assert_eq!(
        (event.kind.as_str(), event.agency_id, event.item_id),
        (EVENT_AGENCY_UPDATE, Some(oslo.id), None)
    );

    // Clearing optional fields round-trips through the stored profile.
    let cleared = AgencyProfile::parse(
        RawAgencyProfile {
            website: Some(None),
            icon_url: Some(None),
            ..Default::default()
        }
        .over(stored_profile(&updated)),
    )
    .expect("valid");
    let updated = store
        .update_agency_profile(oslo.id, &cleared, updated.updated_at, None)
        .await
        .expect("clear");
    assert_eq!((updated.website, updated.icon_url), (None, None));
    assert_eq!(updated.summary, "Vi deler *veiledere*.");

    // A withdrawn agency cannot be changed, and nothing is queued.
    store
        .execute_unprepared(&format!(
            "UPDATE agency SET deleted_at = updated_at WHERE id = {}",
            nav.id
        ))
        .await
        .expect("withdraw nav");
    let n = store
        .list_pending_outbox_events(100)
        .await
        .expect("events")
        .len();
    assert!(matches!(
        store
            .update_agency_profile(nav.id, &profile, nav.updated_at, None)
            .await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(
        store
            .list_pending_outbox_events(100)
            .await
            .expect("events")
            .len(),
        n
    );
    assert_eq!(
        store.get_agency(nav.id).await.expect("nav").map(|a| a.name),
        Some("NAV".into())
    );
});

both!(agency_withdrawal, |store| {
    let oslo = agency(&store, "oslo", "Oslo kommune").await;
    let nav = agency(&store, "nav", "NAV").await;
    let kari = staff(&store, "kari").await;
    store
        .put_membership(kari.id, oslo.id, Role::Admin)
        .await
        .expect("membership");
    store
        .put_membership(kari.id, nav.id, Role::Editor)
        .await
        .expect("membership");
    let a = store
        .put_item(oslo.id, &simple("guide", "Byggesak", "nb", &["byggesak"]))
        .await
        .expect("item");
    let b = store
        .put_item(oslo.id, &simple("dataset", "Adresser", "nb", &[]))
        .await
        .expect("item");
    let gone = store
        .put_item(oslo.id, &simple("guide", "Gammel", "nb", &[]))
        .await
        .expect("item");
    store.delete_item(gone.id).await.expect("withdraw one");
    let other = store
        .put_item(nav.id, &simple("guide", "Dagpenger", "nb", &["nav"]))
        .await
        .expect("item");
    assert_eq!(store.count_agency_items(oslo.id).await.expect("count"), 2);
    let events = store
        .list_pending_outbox_events(100)
        .await
        .expect("events")
        .len();

    // The two live items are withdrawn with the agency; the one withdrawn
    // before is not counted again.
    assert_eq!(
        store
            .withdraw_agency(oslo.id, None)
            .await
            .expect("withdraw"),
        2
    );
    let after = store
        .get_agency(oslo.id)
        .await
        .expect("read")
        .expect("kept");
    assert!(after.deleted_at.is_some());
    assert_eq!(
        after.public_key_pem, oslo.public_key_pem,
        "the key stays to sign the Delete"
    );
    for id in [a.id, b.id] {
        let item = store.get_item(id).await.expect("read").expect("tombstone");
        assert!(item.deleted_at.is_some(), "{id} still live");
        assert_eq!((item.title.as_str(), item.tags.len()), ("", 0));
    }
    assert_eq!(store.count_agency_items(oslo.id).await.expect("count"), 0);
    assert_eq!(
        store.list_agencies().await.expect("list"),
        vec![nav.clone()]
    );
    // Its staff lose their role there, not elsewhere.
    assert_eq!(store.get_role(kari.id, oslo.id).await.expect("role"), None);
    assert_eq!(
        store.get_role(kari.id, nav.id).await.expect("role"),
        Some(Role::Editor)
    );
    // Other agencies' items are untouched.
    let other_now = store.get_item(other.id).await.expect("read").expect("item");
    assert!(other_now.deleted_at.is_none());
    assert_eq!(other_now.tags.len(), 1);
    // One Delete of the actor is queued, no per-item Deletes.
    let pending = store.list_pending_outbox_events(100).await.expect("events");
    assert_eq!(pending.len(), events + 1);
    let last = pending.last().expect("event");
    assert_eq!(
        (last.kind.as_str(), last.agency_id, last.item_id),
        (EVENT_AGENCY_DELETE, Some(oslo.id), None)
    );

    // Twice: not found, nothing queued.
    assert!(matches!(
        store.withdraw_agency(oslo.id, None).await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(
        store
            .list_pending_outbox_events(100)
            .await
            .expect("events")
            .len(),
        events + 1
    );
});

both!(key_rotation, |store| {
    use deling_store::queries::{audit::Audit, outbox::EVENT_AGENCY_KEY_ROTATE};
    let oslo = agency(&store, "oslo", "Oslo kommune").await;
    let nav = agency(&store, "nav", "NAV").await;
    let events = store
        .list_pending_outbox_events(100)
        .await
        .expect("events")
        .len();
    let audits = store.list_audit(100, 0).await.expect("audit").len();
    let until = Utc::now() + Duration::days(7);
    let audit = Audit::new(None, "cli", "agency.rotate_key", "oslo");
    let rotated = store
        .rotate_agency_key(
            oslo.id,
            "new-pub".into(),
            "new-priv".into(),
            until,
            Some(&audit),
        )
        .await
        .expect("rotate");
    assert_eq!(
        (
            rotated.public_key_pem.as_str(),
            rotated.private_key_pem.as_str()
        ),
        ("new-pub", "new-priv")
    );
    assert_eq!(
        rotated.previous_public_key_pem,
        Some(oslo.public_key_pem.clone())
    );
    assert_eq!(
        rotated.previous_private_key_pem,
        Some(oslo.private_key_pem.clone())
    );
    let kept = rotated.previous_key_expires_at.expect("expiry");
    assert!((kept - until).num_seconds().abs() <= 1, "{kept} vs {until}");
    // The announcement and its audit entry go with it.
    let pending = store.list_pending_outbox_events(100).await.expect("events");
    assert_eq!(pending.len(), events + 1);
    let last = pending.last().expect("event");
    assert_eq!(
        (last.kind.as_str(), last.agency_id),
        (EVENT_AGENCY_KEY_ROTATE, Some(oslo.id))
    );
    let log = store.list_audit(100, 0).await.expect("audit");
    assert_eq!(log.len(), audits + 1);
    assert_eq!(log[0].action, "agency.rotate_key");
    // Other agencies keep their keys.
    assert_eq!(
        store.get_agency(nav.id).await.expect("read"),
        Some(nav.clone())
    );
    // Not expired yet: nothing is erased.
    assert!(
        !store
            .delete_expired_previous_key(oslo.id)
            .await
            .expect("erase")
    );

    // A second rotation keeps the key it replaces, not the first one; a
    // time not in the future keeps none.
    let again = store
        .rotate_agency_key(
            oslo.id,
            "newer-pub".into(),
            "newer-priv".into(),
            until,
            None,
        )
        .await
        .expect("rotate again");
    assert_eq!(again.previous_private_key_pem.as_deref(), Some("new-priv"));
    let now_ = store
        .rotate_agency_key(oslo.id, "p3".into(), "k3".into(), Utc::now(), None)
        .await
        .expect("rotate without grace");
    assert_eq!(
        (
            now_.previous_public_key_pem,
            now_.previous_private_key_pem,
            now_.previous_key_expires_at
        ),
        (None, None, None)
    );

    // Expired: erased once.
    store
        .rotate_agency_key(
            oslo.id,
            "p4".into(),
            "k4".into(),
            Utc::now() + Duration::milliseconds(300),
            None,
        )
        .await
        .expect("rotate briefly");
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert!(
        store
            .delete_expired_previous_key(oslo.id)
            .await
            .expect("erase")
    );
    assert!(
        !store
            .delete_expired_previous_key(oslo.id)
            .await
            .expect("erase")
    );
    let erased = store
        .get_agency(oslo.id)
        .await
        .expect("read")
        .expect("agency");
    assert_eq!(
        (
            erased.private_key_pem.as_str(),
            erased.previous_private_key_pem
        ),
        ("k4", None)
    );

    // A withdrawn agency keeps its key (it signs the Delete) and cannot
    // rotate it; nothing is queued or logged.
    store.withdraw_agency(nav.id, None).await.expect("withdraw");
    let events = store
        .list_pending_outbox_events(100)
        .await
        .expect("events")
        .len();
    assert!(matches!(
        store
            .rotate_agency_key(nav.id, "x".into(), "y".into(), until, Some(&audit))
            .await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store
            .rotate_agency_key(9_999, "x".into(), "y".into(), until, None)
            .await,
        Err(StoreError::NotFound(_))
    ));
    let after = store
        .get_agency(nav.id)
        .await
        .expect("read")
        .expect("agency");
    assert_eq!(after.private_key_pem, nav.private_key_pem);
    assert_eq!(
        store
            .list_pending_outbox_events(100)
            .await
            .expect("events")
            .len(),
        events
    );

    // The instance actor: none before the first start, then replaced.
    assert!(matches!(
        store
            .rotate_instance_key("a".into(), "b".into(), None)
            .await,
        Err(StoreError::NotFound(_))
    ));
    let before = store
        .get_or_put_instance("deling.example", "Deling", || ("ip".into(), "ik".into()))
        .await
        .expect("instance");
    let audits = store.list_audit(100, 0).await.expect("audit").len();
    let instance = store
        .rotate_instance_key(
            "ip2".into(),
            "ik2".into(),
            Some(&Audit::new(None, "cli", "instance.rotate_key", "instance")),
        )
        .await
        .expect("rotate instance");
    assert_eq!(
        (
            instance.public_key_pem.as_str(),
            instance.private_key_pem.as_str()
        ),
        ("ip2", "ik2")
    );
    assert_eq!((instance.id, instance.domain), (before.id, before.domain));
    assert_eq!(
        store.list_audit(100, 0).await.expect("audit").len(),
        audits + 1
    );
});

both!(shares, |store| {
    use deling_store::queries::{
        outbox::{EVENT_SHARE_CREATE, EVENT_SHARE_UNDO},
        share::Shared,
    };
    let oslo = agency(&store, "oslo", "Oslo kommune").await;
    let nav = agency(&store, "nav", "NAV").await;
    let item = store
        .put_item(oslo.id, &simple("guide", "Byggesak", "nb", &[]))
        .await
        .expect("item");
    let events = |kind: &'static str| {
        let store = store.clone();
        async move {
            store
                .list_pending_outbox_events(1000)
                .await
                .expect("events")
                .into_iter()
                .filter(|e| e.kind == kind)
                .map(|e| (e.agency_id, e.item_id, e.share_id))
                .collect::<Vec<_>>()
        }
    };

    let first = match store.put_share(nav.id, item.id).await.expect("share") {
        Shared::New(s) => s,
        other => panic!("expected a new share, got {other:?}"),
    };
    assert_eq!(
        (first.agency_id, first.item_id, first.undone_at),
        (nav.id, item.id, None)
    );
    assert_eq!(
        store.put_share(nav.id, item.id).await.expect("again"),
        Shared::Already(first.clone())
    );
    assert_eq!(
        events(EVENT_SHARE_CREATE).await,
        vec![(Some(nav.id), Some(item.id), Some(first.id))]
    );
    assert_eq!(
        store
            .count_item_reactions(item.id)
            .await
            .expect("counts")
            .shares,
        1
    );
    let listed = store.list_item_shares(item.id).await.expect("list");
    assert_eq!(listed, vec![(first.clone(), nav.clone())]);
    assert_eq!(
        store
            .count_reactions_of(&[item.id])
            .await
            .expect("batch")
            .get(&item.id)
            .map(|c| c.shares),
        Some(1)
    );

    // Taken back: kept (its id answers 410), no longer counted.
    assert!(store.undo_share(nav.id, item.id).await.expect("undo"));
    assert!(!store.undo_share(nav.id, item.id).await.expect("undo again"));
    assert_eq!(
        events(EVENT_SHARE_UNDO).await,
        vec![(Some(nav.id), Some(item.id), Some(first.id))]
    );
    let undone = store.get_share(first.id).await.expect("get").expect("kept");
    assert!(undone.undone_at.is_some());
    assert_eq!(
        store
            .count_item_reactions(item.id)
            .await
            .expect("counts")
            .shares,
        0
    );
    assert!(
        store
            .list_item_shares(item.id)
            .await
            .expect("list")
            .is_empty()
    );

    // Shared again: a new row and id.
    let second = match store.put_share(nav.id, item.id).await.expect("share") {
        Shared::New(s) => s,
        other => panic!("expected a new share, got {other:?}"),
    };
    assert_ne!(second.id, first.id);
    // The first stays, taken back: its Announce id answers 410 and a
    // queued Undo of it can still be built.
    let kept = store.get_share(first.id).await.expect("get").expect("kept");
    assert!(kept.undone_at.is_some());
    assert_eq!(
        store
            .get_active_share(nav.id, item.id)
            .await
            .expect("active"),
        Some(second.clone())
    );

    // Withdrawing the agency ends its shares, without Undo events.
    let undos = events(EVENT_SHARE_UNDO).await.len();
    store.withdraw_agency(nav.id, None).await.expect("withdraw");
    assert_eq!(
        store
            .get_active_share(nav.id, item.id)
            .await
            .expect("active"),
        None
    );
    assert_eq!(
        store
            .count_item_reactions(item.id)
            .await
            .expect("counts")
            .shares,
        0
    );
    assert_eq!(events(EVENT_SHARE_UNDO).await.len(), undos);
});

both!(last_admin_guard, |store| {
    let oslo = agency(&store, "oslo", "Oslo kommune").await;
    let kari = staff(&store, "kari").await;
    let ola = staff(&store, "ola").await;
    for s in [&kari, &ola] {
        store
            .set_member_role(oslo.id, s.id, Some(Role::Admin), true, None)
            .await
            .expect("grant");
    }
    let members = store.list_agency_members(oslo.id).await.expect("members");
    assert_eq!(
        members
            .iter()
            .map(|(s, r)| (s.username.as_str(), *r))
            .collect::<Vec<_>>(),
        [("kari", Role::Admin), ("ola", Role::Admin)]
    );
    // Both step down at the same moment: exactly one may.
    for _ in 0..5 {
        let (a, b) = tokio::join!(
            store.set_member_role(oslo.id, kari.id, Some(Role::Editor), true, None),
            store.set_member_role(oslo.id, ola.id, None, true, None),
        );
        let ok = [a.is_ok(), b.is_ok()];
        assert_eq!(
            ok.iter().filter(|x| **x).count(),
            1,
            "exactly one may step down: {a:?} {b:?}"
        );
        assert!(
            matches!(&a, Ok(_) | Err(StoreError::Conflict(_)))
                && matches!(&b, Ok(_) | Err(StoreError::Conflict(_))),
            "{a:?} {b:?}"
        );
        let admins = store
            .list_agency_members(oslo.id)
            .await
            .expect("members")
            .into_iter()
            .filter(|(_, r)| *r == Role::Admin)
            .count();
        assert_eq!(admins, 1);
        // Back to two admins for the next round.
        for s in [&kari, &ola] {
            store
                .set_member_role(oslo.id, s.id, Some(Role::Admin), true, None)
                .await
                .expect("grant");
        }
    }
    // Without the guard (an instance admin), the last admin can go.
    store
        .set_member_role(oslo.id, kari.id, None, true, None)
        .await
        .expect("one of two");
    assert!(matches!(
        store
            .set_member_role(oslo.id, ola.id, None, true, None)
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        store
            .set_member_role(oslo.id, ola.id, None, false, None)
            .await
            .expect("unguarded"),
        Some(Role::Admin)
    );
    assert!(
        store
            .list_agency_members(oslo.id)
            .await
            .expect("members")
            .is_empty()
    );
});

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
        ])
        .await
        .expect("queue");
    let lease = Utc::now() + Duration::seconds(60);
    let skip_hosts = vec!["slow.example".to_owned()];
    let skip_inboxes = vec!["https://fast.example/a/inbox".to_owned()];
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
    assert_eq!(rest.len(), 2, "{rest:?}");
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
    assert_eq!(actors, ["http://fast.example/u/ola"]);
    let rest = store
        .claim_inbox_activities(10, lease)
        .await
        .expect("claim the rest");
    assert_eq!(rest.len(), 4, "{rest:?}");
});

both!(audits_go_with_their_change, |store| {
    use deling_store::queries::audit::Audit;
    let oslo = agency(&store, "oslo", "Oslo kommune").await;
    let kari = staff(&store, "kari").await;
    let entries = async || store.list_audit(100, 0).await.expect("audit");
    let audit = |action: &str| Audit::new(Some(kari.id), "kari", action, "oslo");
    let profile = AgencyProfile::parse(
        RawAgencyProfile {
            name: Some("Oslo kommune, PBE".into()),
            ..Default::default()
        }
        .over(stored_profile(&oslo)),
    )
    .expect("valid");

    // Refused changes leave no entry.
    let stale = oslo.updated_at - Duration::seconds(1);
    assert!(matches!(
        store
            .update_agency_profile(oslo.id, &profile, stale, Some(&audit("agency.update")))
            .await,
        Err(StoreError::Conflict(_))
    ));
    store
        .set_member_role(oslo.id, kari.id, Some(Role::Admin), true, None)
        .await
        .expect("grant");
    assert!(matches!(
        store
            .set_member_role(
                oslo.id,
                kari.id,
                None,
                true,
                Some(audit("membership.delete"))
            )
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert!(entries().await.is_empty());

    // A change and its entry land together; a no-op membership change
    // writes none.
    store
        .update_agency_profile(
            oslo.id,
            &profile,
            oslo.updated_at,
            Some(&audit("agency.update")),
        )
        .await
        .expect("update");
    store
        .set_member_role(
            oslo.id,
            kari.id,
            Some(Role::Admin),
            true,
            Some(audit("membership.put")),
        )
        .await
        .expect("same role");
    assert_eq!(
        store
            .withdraw_agency(oslo.id, Some(audit("agency.withdraw")))
            .await
            .expect("withdraw"),
        0
    );
    let got: Vec<(String, serde_json::Value)> = entries()
        .await
        .into_iter()
        .map(|e| (e.action, e.details))
        .collect();
    assert_eq!(
        got,
        vec![
            ("agency.withdraw".to_owned(), json!({"items_withdrawn": 0})),
            ("agency.update".to_owned(), json!({})),
        ]
    );
});

// ---------------------------------------------------------------- staff and memberships

both!(staff_and_memberships, |store| {
    let password = Password::parse("correct horse battery staple").expect("valid password");
    let hash = password.hash();
    let kari_name = Username::parse("kari.nordmann").expect("valid username");
    let kari = store
        .put_staff(&kari_name, hash.clone(), false)
        .await
        .expect("put kari");
    assert!(kari.id > 0);
    assert_eq!(kari.username, "kari.nordmann");
    assert_eq!(kari.password_hash, hash);
    assert!(!kari.instance_admin);
    assert_eq!(kari.disabled_at, None);
    let read = store
        .get_staff_by_username("kari.nordmann")
        .await
        .expect("get")
        .expect("kari exists");
    assert_eq!(read, kari);
    assert!(verify_password(
        "correct horse battery staple",
        &read.password_hash
    ));
    assert_eq!(store.get_staff_by_username("ola").await.expect("get"), None);

    let ola = store
        .put_staff(&Username::parse("ola").expect("valid"), "x".into(), true)
        .await
        .expect("put ola");
    assert!(ola.instance_admin);
    assert_eq!(
        store.get_staff_by_username("ola").await.expect("get"),
        Some(ola.clone())
    );

    // A taken username is a conflict and leaves the account as it was.
    match store.put_staff(&kari_name, "other".into(), true).await {
        Err(StoreError::Conflict(msg)) => {
            assert!(
                msg.contains("kari.nordmann"),
                "conflict message names the user: {msg}"
            )
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(
        store
            .get_staff_by_username("kari.nordmann")
            .await
            .expect("get"),
        Some(kari.clone())
    );

    let oslo = agency(&store, "oslo", "Oslo kommune").await;
    let bergen = agency(&store, "bergen", "Bergen kommune").await;

    assert_eq!(store.get_role(kari.id, oslo.id).await.expect("role"), None);
    assert!(
        store
            .list_memberships(kari.id)
            .await
            .expect("list")
            .is_empty()
    );

    store
        .put_membership(kari.id, oslo.id, Role::Editor)
        .await
        .expect("editor in oslo");
    assert_eq!(
        store.get_role(kari.id, oslo.id).await.expect("role"),
        Some(Role::Editor)
    );
    assert_eq!(
        store.get_role(kari.id, bergen.id).await.expect("role"),
        None
    );
    assert_eq!(store.get_role(ola.id, oslo.id).await.expect("role"), None);

    // Giving a role again replaces the one held.
    store
        .put_membership(kari.id, oslo.id, Role::Admin)
        .await
        .expect("admin in oslo");
    assert_eq!(
        store.get_role(kari.id, oslo.id).await.expect("role"),
        Some(Role::Admin)
    );
    assert_eq!(
        store.list_memberships(kari.id).await.expect("list"),
        vec![(oslo.clone(), Role::Admin)]
    );
    // And can go down again.
    store
        .put_membership(kari.id, oslo.id, Role::Editor)
        .await
        .expect("editor in oslo again");
    assert_eq!(
        store.get_role(kari.id, oslo.id).await.expect("role"),
        Some(Role::Editor)
    );

    store
        .put_membership(kari.id, bergen.id, Role::Admin)
        .await
        .expect("admin in bergen");
    store
        .put_membership(ola.id, oslo.id, Role::Admin)
        .await
        .expect("ola admin in oslo");
    assert_eq!(
        store.list_memberships(kari.id).await.expect("list"),
        vec![(bergen.clone(), Role::Admin), (oslo.clone(), Role::Editor)],
        "memberships by agency slug, each with its own role"
    );
    assert_eq!(
        store.list_memberships(ola.id).await.expect("list"),
        vec![(oslo.clone(), Role::Admin)]
    );

    // Foreign keys hold: no membership for a staff member or agency that
    // does not exist.
    assert!(matches!(
        store
            .put_membership(kari.id + ola.id + 100, oslo.id, Role::Editor)
            .await,
        Err(StoreError::Db(_))
    ));
    assert!(matches!(
        store
            .put_membership(kari.id, oslo.id + bergen.id + 100, Role::Editor)
            .await,
        Err(StoreError::Db(_))
    ));
});

// ---------------------------------------------------------------- tokens

both!(tokens, |store| {
    let kari = staff(&store, "kari").await;
    let ola = staff(&store, "ola").await;

    let secret = NewToken::generate();
    let token = store
        .put_token(kari.id, secret.hash.clone(), Some("ci".into()), None)
        .await
        .expect("put token");
    assert!(token.id > 0);
    assert_eq!(token.staff_id, kari.id);
    assert_eq!(token.token_hash, secret.hash);
    assert_eq!(token.label.as_deref(), Some("ci"));
    assert_eq!(token.expires_at, None);
    assert_eq!(token.revoked_at, None);
    assert_eq!(token.last_used_at, None);

    // The hash of the secret finds the token and its owner.
    let (found, owner) = store
        .get_token_owner(&token_hash(&secret.secret))
        .await
        .expect("lookup")
        .expect("a valid token has an owner");
    assert_eq!(found.id, token.id);
    assert_eq!(owner, kari);
    // The use is recorded.
    let listed = store.list_tokens(kari.id).await.expect("list");
    assert_eq!(listed.len(), 1);
    let last_used = listed[0].last_used_at.expect("last_used_at recorded");
    assert!(last_used >= token.created_at);
    // A second use within the minute still works.
    assert!(
        store
            .get_token_owner(&secret.hash)
            .await
            .expect("lookup")
            .is_some()
    );

    // Unknown hashes find nothing; nor does the secret itself.
    assert!(
        store
            .get_token_owner(&token_hash("dlg_nope"))
            .await
            .expect("lookup")
            .is_none()
    );
    assert!(
        store
            .get_token_owner(&secret.secret)
            .await
            .expect("lookup")
            .is_none()
    );

    // Expiry.
    let expired = NewToken::generate();
    store
        .put_token(
            kari.id,
            expired.hash.clone(),
            None,
            Some(Utc::now() - Duration::seconds(1)),
        )
        .await
        .expect("put expired");
    assert!(
        store
            .get_token_owner(&expired.hash)
            .await
            .expect("lookup")
            .is_none()
    );
    let later = NewToken::generate();
    let later_row = store
        .put_token(
            kari.id,
            later.hash.clone(),
            None,
            Some(Utc::now() + Duration::hours(1)),
        )
        .await
        .expect("put expiring later");
    assert_eq!(
        store
            .get_token_owner(&later.hash)
            .await
            .expect("lookup")
            .map(|(t, _)| t.id),
        Some(later_row.id)
    );

    // Newest first.
    let listed = store.list_tokens(kari.id).await.expect("list");
    let listed_ids: Vec<i64> = listed.iter().map(|t| t.id).collect();
    let mut sorted = listed_ids.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(listed_ids.len(), 3);
    assert_eq!(listed_ids, sorted);
    assert_eq!(listed_ids[2], token.id);
    assert!(store.list_tokens(ola.id).await.expect("list").is_empty());

    // Revoking.
    let revoked = store.revoke_token(token.id).await.expect("revoke");
    assert_eq!(revoked.id, token.id);
    let revoked_at = revoked.revoked_at.expect("revoked_at set");
    assert!(
        store
            .get_token_owner(&secret.hash)
            .await
            .expect("lookup")
            .is_none()
    );
    // Twice is harmless and keeps the first time.
    let again = store.revoke_token(token.id).await.expect("revoke again");
    assert_eq!(again.revoked_at, Some(revoked_at));
    // The other token is untouched.
    assert!(
        store
            .get_token_owner(&later.hash)
            .await
            .expect("lookup")
            .is_some()
    );
    match store.revoke_token(token.id + 1000).await {
        Err(StoreError::NotFound(_)) => {}
        other => panic!("revoking an unknown token: expected NotFound, got {other:?}"),
    }

    // A disabled account's tokens stop working.
    let ola_token = NewToken::generate();
    store
        .put_token(ola.id, ola_token.hash.clone(), None, None)
        .await
        .expect("put ola's token");
    assert!(
        store
            .get_token_owner(&ola_token.hash)
            .await
            .expect("lookup")
            .is_some()
    );
    store
        .execute_unprepared(&format!(
            "UPDATE staff SET disabled_at = created_at WHERE id = {}",
            ola.id
        ))
        .await
        .expect("disable ola");
    assert!(
        store
            .get_token_owner(&ola_token.hash)
            .await
            .expect("lookup")
            .is_none()
    );

    // A hash is stored once.
    assert!(
        store
            .put_token(ola.id, ola_token.hash.clone(), None, None)
            .await
            .is_err()
    );
});

// ---------------------------------------------------------------- items

fn dataset_raw() -> RawItem {
    RawItem {
        kind: Some("dataset".into()),
        title: Some("  Byggesaker i Oslo  ".into()),
        summary: Some("Alle byggesaker siden 2010.\nOppdateres daglig.".into()),
        body: Some("# Om dataene\n\nSe *vedlegget* og [kilden](https://example.org/kilde).".into()),
        language: Some("NB".into()),
        tags: Some(vec![
            "Plan".into(),
            "#byggesak".into(),
            "åpne_data".into(),
            "byggesak".into(),
            "2024".into(),
        ]),
        license: Some(Some("NLOD-2.0".into())),
        // Deliberately not in alphabetical order; one longer than 255.
        links: Some(vec![
            link("https://z.example.org/last-alphabetically", Some("Z"), None),
            link(
                "https://a.example.org/data.csv",
                Some("CSV"),
                Some("text/csv"),
            ),
            link(
                &format!("https://m.example.org/{}", "long-path/".repeat(60)),
                None,
                Some("application/json"),
            ),
        ]),
        metadata: Some(json!({
            "themes": ["http://publications.europa.eu/resource/authority/data-theme/GOVE"],
            "distributions": [
                {"access_url": "https://data.oslo.kommune.no/byggesak.csv", "format": "text/csv", "title": "CSV"},
                {"access_url": "https://api.oslo.kommune.no/byggesak", "format": "JSON"}
            ],
            "access_rights": "public",
            "landing_page": "https://data.oslo.kommune.no/byggesak"
        })),
        based_on: Some(Some("https://data.norge.no/datasets/1234".into())),
    }
}

both!(item_round_trip, |store| {
    let oslo = agency(&store, "oslo", "Oslo kommune").await;
    let c = content(dataset_raw());
    let item = store.put_item(oslo.id, &c).await.expect("put item");

    assert!(item.id > 0);
    assert_eq!(item.ap_id, None);
    assert_eq!(item.url, None);
    assert_eq!(
        item.owner,
        ItemOwner::Local {
            agency_id: oslo.id,
            slug: "oslo".into(),
            name: "Oslo kommune".into()
        }
    );
    assert_eq!(item.agency_id(), Some(oslo.id));
    assert_eq!(item.kind, "dataset");
    assert_eq!(item.title, "Byggesaker i Oslo");
    assert_eq!(
        item.summary,
        "Alle byggesaker siden 2010.\nOppdateres daglig."
    );
    assert_eq!(
        item.body,
        "# Om dataene\n\nSe *vedlegget* og [kilden](https://example.org/kilde)."
    );
    assert_eq!(item.body_html, c.body_html);
    assert!(
        item.body_html.contains("<h1>"),
        "rendered: {}",
        item.body_html
    );
    assert_eq!(item.language, "nb");
    assert_eq!(item.license.as_deref(), Some("NLOD-2.0"));
    assert_eq!(
        item.based_on.as_deref(),
        Some("https://data.norge.no/datasets/1234")
    );
    // Deduplicated by the domain, sorted by the store.
    assert_eq!(item.tags, vec!["2024", "byggesak", "plan", "åpne_data"]);
    // In the order given.
    assert_eq!(
        item.links,
        vec![
            ItemLink {
                href: "https://z.example.org/last-alphabetically".into(),
                title: Some("Z".into()),
                media_type: None,
            },
            ItemLink {
                href: "https://a.example.org/data.csv".into(),
                title: Some("CSV".into()),
                media_type: Some("text/csv".into()),
            },
            ItemLink {
                href: format!("https://m.example.org/{}", "long-path/".repeat(60)),
                title: None,
                media_type: Some("application/json".into()),
            },
        ]
    );
    assert_eq!(item.metadata, c.metadata.to_json());
    assert_eq!(item.metadata, dataset_raw().metadata.expect("metadata"));
    assert_eq!(item.published_at, item.updated_at);
    assert_eq!(item.deleted_at, None);

    // Reading gives back exactly what put_item returned.
    assert_eq!(
        store.get_item(item.id).await.expect("get"),
        Some(item.clone())
    );
    assert_eq!(store.get_item(item.id + 1000).await.expect("get"), None);

    // The stored item parses again into the same content (tags aside, which
    // come back sorted).
    let again = ItemContent::parse(item.to_raw()).expect("stored item is valid");
    assert_eq!(again.metadata, c.metadata);
    assert_eq!(again.links, c.links);
    assert_eq!(again.body_html, c.body_html);

    // An item with nothing optional.
    let bare = store
        .put_item(oslo.id, &simple("question", "Har noen løst X?", "nn", &[]))
        .await
        .expect("put bare item");
    assert!(bare.tags.is_empty());
    assert!(bare.links.is_empty());
    assert_eq!(bare.license, None);
    assert_eq!(bare.based_on, None);
    assert_eq!(bare.metadata, json!({"status": "open"}));
    assert_eq!(
        store.get_item(bare.id).await.expect("get"),
        Some(bare.clone())
    );
    // Its neighbour's tags and links stay with the neighbour.
    assert_eq!(
        store.get_item(item.id).await.expect("get"),
        Some(item.clone())
    );

    // An item for an agency that does not exist is refused.
    assert!(store.put_item(oslo.id + 1000, &c).await.is_err());
});

both!(item_update_and_delete, |store| {
    let oslo = agency(&store, "oslo", "Oslo kommune").await;
    let original = store
        .put_item(oslo.id, &content(dataset_raw()))
        .await
        .expect("put item");
    let other = store
        .put_item(
            oslo.id,
            &simple("guide", "Other", "nb", &["plan", "byggesak"]),
        )
        .await
        .expect("put other");

    // Update replaces content, tags and links, and moves updated_at only.
    let replacement = content(RawItem {
        kind: Some("guide".into()),
        title: Some("Ny veileder".into()),
        summary: Some("Kort".into()),
        body: Some("Tekst med **fet** skrift.".into()),
        language: Some("en-gb".into()),
        tags: Some(vec!["veileder".into(), "byggesak".into()]),
        license: Some(None),
        links: Some(vec![link("https://example.org/ny", Some("Ny"), None)]),
        metadata: Some(json!({"audience": "saksbehandlere"})),
        based_on: Some(None),
    });
    let updated = store
        .update_item(original.id, &replacement)
        .await
        .expect("update");
    assert_eq!(updated.id, original.id);
    assert_eq!(updated.kind, "guide");
    assert_eq!(updated.title, "Ny veileder");
    assert_eq!(updated.summary, "Kort");
    assert_eq!(updated.body, "Tekst med **fet** skrift.");
    assert_eq!(updated.body_html, replacement.body_html);
    assert!(updated.body_html.contains("<strong>fet</strong>"));
    assert_eq!(updated.language, "en-GB");
    assert_eq!(updated.license, None);
    assert_eq!(updated.based_on, None);
    assert_eq!(updated.tags, vec!["byggesak", "veileder"]);
    assert_eq!(
        updated.links,
        vec![ItemLink {
            href: "https://example.org/ny".into(),
            title: Some("Ny".into()),
            media_type: None
        }]
    );
    assert_eq!(updated.metadata, json!({"audience": "saksbehandlere"}));
    assert_eq!(updated.owner, original.owner);
    assert_eq!(updated.published_at, original.published_at);
    assert!(updated.updated_at > original.updated_at);
    assert_eq!(updated.deleted_at, None);
    assert_eq!(
        store.get_item(original.id).await.expect("get"),
        Some(updated.clone())
    );

    // Updating to no tags and no links clears them.
    let cleared = store
        .update_item(original.id, &simple("guide", "Uten alt", "nb", &[]))
        .await
        .expect("update to bare");
    assert!(cleared.tags.is_empty());
    assert!(cleared.links.is_empty());
    assert_eq!(cleared.metadata, json!({}));
    // The other item was not touched.
    assert_eq!(
        store.get_item(other.id).await.expect("get"),
        Some(other.clone())
    );

    // Delete leaves a tombstone without content.
    let before_delete = store
        .get_item(original.id)
        .await
        .expect("get")
        .expect("exists");
    store
        .update_item(original.id, &replacement)
        .await
        .expect("refill");
    store.delete_item(original.id).await.expect("delete");
    let tomb = store
        .get_item(original.id)
        .await
        .expect("get")
        .expect("a tombstone is still readable");
    let deleted_at = tomb.deleted_at.expect("deleted_at set");
    assert!(deleted_at > before_delete.updated_at);
    assert_eq!(tomb.updated_at, deleted_at);
    assert_eq!(tomb.published_at, original.published_at);
    assert_eq!(tomb.title, "");
    assert_eq!(tomb.summary, "");
    assert_eq!(tomb.body, "");
    assert_eq!(tomb.body_html, "");
    assert_eq!(tomb.license, None);
    assert_eq!(tomb.based_on, None);
    assert_eq!(tomb.metadata, json!({}));
    assert!(tomb.tags.is_empty(), "tags erased: {:?}", tomb.tags);
    assert!(tomb.links.is_empty(), "links erased: {:?}", tomb.links);
    assert_eq!(tomb.owner, original.owner);

    // A tombstone cannot be changed or withdrawn again.
    match store.update_item(original.id, &replacement).await {
        Err(StoreError::NotFound(_)) => {}
        other => panic!("updating a tombstone: expected NotFound, got {other:?}"),
    }
    match store.delete_item(original.id).await {
        Err(StoreError::NotFound(_)) => {}
        other => panic!("deleting a tombstone: expected NotFound, got {other:?}"),
    }
    assert_eq!(
        store.get_item(original.id).await.expect("get"),
        Some(tomb.clone())
    );
    // Nor can items that never existed.
    let missing = original.id + other.id + 1000;
    assert!(matches!(
        store.update_item(missing, &replacement).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.delete_item(missing).await,
        Err(StoreError::NotFound(_))
    ));

    // The tag index no longer finds the tombstone, the other item remains.
    let page = store
        .list_items(
            &ItemFilter {
                tag: Some("byggesak".into()),
                ..Default::default()
            },
            1,
            10,
        )
        .await
        .expect("list");
    assert_eq!(ids(&page.items), vec![other.id]);
    assert_eq!(page.total, 1);
});

both!(item_listing, |store| {
    let oslo = agency(&store, "oslo", "Oslo kommune").await;
    let bergen = agency(&store, "bergen", "Bergen kommune").await;

    let software = content(RawItem {
        kind: Some("software".into()),
        title: Some("Skjemamotor".into()),
        language: Some("nb".into()),
        metadata: Some(json!({"repository_url": "https://github.com/oslo/skjema"})),
        ..Default::default()
    });
    let mut put = Vec::new();
    for (agency_id, c) in [
        (oslo.id, simple("guide", "o1", "nb", &["plan"])),
        (
            oslo.id,
            content(RawItem {
                tags: Some(vec!["plan".into(), "data".into()]),
                language: Some("nn".into()),
                ..dataset_raw()
            }),
        ),
        (oslo.id, simple("guide", "o3", "en", &["data"])),
        (oslo.id, software),
        (oslo.id, simple("question", "o5", "nb", &["plan"])),
        (bergen.id, simple("guide", "b1", "nb", &["plan"])),
        (bergen.id, simple("guide", "b2", "nb", &["plan", "data"])),
    ] {
        put.push(store.put_item(agency_id, &c).await.expect("put item"));
    }
    let [o1, o2, o3, o4, o5, b1, b2] = <[Item; 7]>::try_from(put).expect("seven items");
    store.delete_item(b2.id).await.expect("delete b2");

    let list = |filter: ItemFilter, page: u64, per_page: u64| {
        let store = store.clone();
        async move {
            store
                .list_items(&filter, page, per_page)
                .await
                .unwrap_or_else(|e| panic!("list_items: {e}"))
        }
    };
    let only = |f: fn(&mut ItemFilter)| {
        let mut filter = ItemFilter::default();
        f(&mut filter);
        filter
    };

    // One agency, two per page: newest first, 2 + 2 + 1.
    let by_oslo = only(|f| f.agency = Some("oslo".into()));
    let p1 = list(by_oslo.clone(), 1, 2).await;
    let p2 = list(by_oslo.clone(), 2, 2).await;
    let p3 = list(by_oslo.clone(), 3, 2).await;
    let p4 = list(by_oslo.clone(), 4, 2).await;
    assert_eq!(ids(&p1.items), vec![o5.id, o4.id]);
    assert_eq!(ids(&p2.items), vec![o3.id, o2.id]);
    assert_eq!(ids(&p3.items), vec![o1.id]);
    assert!(p4.items.is_empty());
    for (n, p) in [(1, &p1), (2, &p2), (3, &p3), (4, &p4)] {
        assert_eq!(p.total, 5, "total on page {n}");
        assert_eq!(p.page, n);
        assert_eq!(p.per_page, 2);
    }
    // Listed items are whole: the same as reading each one.
    for i in p1.items.iter().chain(&p2.items).chain(&p3.items) {
        assert_eq!(Some(i), store.get_item(i.id).await.expect("get").as_ref());
    }
    assert_eq!(p2.items[1].tags, vec!["data", "plan"]);
    assert_eq!(p2.items[1].links.len(), 3);

    // Everything local, withdrawn excluded.
    let all = list(ItemFilter::default(), 1, 10).await;
    assert_eq!(
        ids(&all.items),
        vec![b1.id, o5.id, o4.id, o3.id, o2.id, o1.id]
    );
    assert_eq!(all.total, 6);
    let all2 = list(ItemFilter::default(), 2, 4).await;
    assert_eq!(ids(&all2.items), vec![o2.id, o1.id]);
    assert_eq!(all2.total, 6);
    assert_eq!(
        ids(&list(only(|f| f.origin = Origin::All), 1, 10).await.items),
        ids(&all.items)
    );

    // Filters.
    let by_bergen = list(only(|f| f.agency = Some("bergen".into())), 1, 10).await;
    assert_eq!(ids(&by_bergen.items), vec![b1.id]);
    assert_eq!(by_bergen.total, 1);
    let nobody = list(only(|f| f.agency = Some("trondheim".into())), 1, 10).await;
    assert!(nobody.items.is_empty());
    assert_eq!(nobody.total, 0);

    let guides = list(only(|f| f.kind = Some("guide".into())), 1, 10).await;
    assert_eq!(ids(&guides.items), vec![b1.id, o3.id, o1.id]);
    assert_eq!(guides.total, 3);
    let datasets = list(only(|f| f.kind = Some("dataset".into())), 1, 10).await;
    assert_eq!(ids(&datasets.items), vec![o2.id]);
    let events = list(only(|f| f.kind = Some("event".into())), 1, 10).await;
    assert_eq!(events.total, 0);

    let plan = list(only(|f| f.tag = Some("plan".into())), 1, 10).await;
    assert_eq!(ids(&plan.items), vec![b1.id, o5.id, o2.id, o1.id]);
    assert_eq!(plan.total, 4);
    let data = list(only(|f| f.tag = Some("data".into())), 1, 10).await;
    assert_eq!(ids(&data.items), vec![o3.id, o2.id]);
    assert_eq!(data.total, 2);
    // An item listed by one of its tags still carries all of them.
    assert_eq!(data.items[1].tags, vec!["data", "plan"]);
    let plan_p2 = list(only(|f| f.tag = Some("plan".into())), 2, 3).await;
    assert_eq!(ids(&plan_p2.items), vec![o1.id]);
    assert_eq!(plan_p2.total, 4);
    assert_eq!(
        list(only(|f| f.tag = Some("nothing".into())), 1, 10)
            .await
            .total,
        0
    );

    let nb = list(only(|f| f.language = Some("nb".into())), 1, 10).await;
    assert_eq!(ids(&nb.items), vec![b1.id, o5.id, o4.id, o1.id]);
    assert_eq!(nb.total, 4);
    let nn = list(only(|f| f.language = Some("nn".into())), 1, 10).await;
    assert_eq!(ids(&nn.items), vec![o2.id]);
    let en = list(only(|f| f.language = Some("en".into())), 1, 10).await;
    assert_eq!(ids(&en.items), vec![o3.id]);

    // Filters combine.
    let combined = ItemFilter {
        agency: Some("oslo".into()),
        kind: Some("guide".into()),
        tag: Some("plan".into()),
        language: Some("nb".into()),
        origin: Origin::Local,
    };
    let one = list(combined.clone(), 1, 10).await;
    assert_eq!(ids(&one.items), vec![o1.id]);
    assert_eq!(one.total, 1);
    let none = list(
        ItemFilter {
            language: Some("en".into()),
            ..combined
        },
        1,
        10,
    )
    .await;
    assert_eq!(none.total, 0);

    // No remote items exist, so the remote listing is empty.
    let remote = list(only(|f| f.origin = Origin::Remote), 1, 10).await;
    assert!(remote.items.is_empty());
    assert_eq!(remote.total, 0);
    let remote_oslo = ItemFilter {
        origin: Origin::Remote,
        agency: Some("oslo".into()),
        ..Default::default()
    };
    assert_eq!(list(remote_oslo, 1, 10).await.total, 0);
});

// ---------------------------------------------------------------- comments

both!(comments, |store| {
    let oslo = agency(&store, "oslo", "Oslo kommune").await;
    let bergen = agency(&store, "bergen", "Bergen kommune").await;
    let item = store
        .put_item(oslo.id, &simple("question", "Har noen løst X?", "nb", &[]))
        .await
        .expect("put item");
    let other = store
        .put_item(oslo.id, &simple("guide", "Annet", "nb", &[]))
        .await
        .expect("put other");

    assert!(store.list_comments(item.id).await.expect("list").is_empty());

    let c1 = store
        .put_agency_comment(
            item.id,
            bergen.id,
            None,
            "Ja, *vi* har!",
            "<p>Ja, <em>vi</em> har!</p>",
            Some("nb"),
        )
        .await
        .expect("comment");
    assert!(c1.id > 0);
    assert_eq!(c1.ap_id, None);
    assert_eq!(c1.item_id, item.id);
    assert_eq!(c1.in_reply_to_id, None);
    assert_eq!(
        c1.author,
        CommentAuthor::Agency {
            slug: "bergen".into(),
            name: "Bergen kommune".into()
        }
    );
    assert_eq!(c1.content_html, "<p>Ja, <em>vi</em> har!</p>");
    assert_eq!(c1.language.as_deref(), Some("nb"));
    assert_eq!(c1.updated_at, None);

    let c2 = store
        .put_agency_comment(item.id, oslo.id, Some(c1.id), "Takk!", "<p>Takk!</p>", None)
        .await
        .expect("reply");
    assert_eq!(c2.in_reply_to_id, Some(c1.id));
    assert_eq!(c2.language, None);
    assert_eq!(
        c2.author,
        CommentAuthor::Agency {
            slug: "oslo".into(),
            name: "Oslo kommune".into()
        }
    );
    assert!(c2.published_at >= c1.published_at);

    // Oldest first, exactly as written.
    assert_eq!(
        store.list_comments(item.id).await.expect("list"),
        vec![c1.clone(), c2.clone()]
    );
    assert!(
        store
            .list_comments(other.id)
            .await
            .expect("list")
            .is_empty()
    );

    // A comment on an item that does not exist is refused.
    assert!(
        store
            .put_agency_comment(
                item.id + other.id + 1000,
                oslo.id,
                None,
                "x",
                "<p>x</p>",
                None
            )
            .await
            .is_err()
    );

    // Hidden and deleted comments are not listed.
    store
        .execute_unprepared(&format!(
            "UPDATE comment SET hidden_at = published_at WHERE id = {}",
            c1.id
        ))
        .await
        .expect("hide c1");
    assert_eq!(
        store.list_comments(item.id).await.expect("list"),
        vec![c2.clone()]
    );
    store
        .execute_unprepared(&format!(
            "UPDATE comment SET deleted_at = published_at WHERE id = {}",
            c2.id
        ))
        .await
        .expect("delete c2");
    assert!(store.list_comments(item.id).await.expect("list").is_empty());
});

// ---------------------------------------------------------------- timestamps

both!(timestamps_round_trip, |store| {
    let kari = staff(&store, "kari").await;
    let oslo = agency(&store, "oslo", "Oslo kommune").await;

    // Times the store makes itself are whole microseconds and read back exactly.
    for t in [oslo.created_at, kari.created_at] {
        assert_eq!(
            t.timestamp_subsec_nanos() % 1000,
            0,
            "{t} has sub-microsecond digits"
        );
    }
    assert_eq!(
        store.get_agency(oslo.id).await.expect("get"),
        Some(oslo.clone())
    );
    assert_eq!(
        store.get_staff_by_username("kari").await.expect("get"),
        Some(kari.clone())
    );

    // Given times, with every shape of fraction (none, milli, micro, one
    // microsecond), before 1970 and far ahead, read back exactly.
    let times = [
        "2026-11-28T12:34:56.123456Z",
        "2026-11-28T12:34:56Z",
        "2026-11-28T12:34:56.100Z",
        "2026-11-28T12:34:56.000001Z",
        "2026-11-28T12:34:56.999999Z",
        "1999-12-31T23:59:59.999999Z",
        "1969-07-20T20:17:40Z",
        "2099-01-01T00:00:00.5Z",
        "9999-12-31T23:59:59.999999Z",
    ];
    let mut put = Vec::new();
    for (i, s) in times.iter().enumerate() {
        let t = ts(s);
        let token = store
            .put_token(kari.id, format!("hash-{i}"), Some((*s).to_owned()), Some(t))
            .await
            .expect("put token");
        assert_eq!(token.expires_at, Some(t), "returned by the insert: {s}");
        put.push((token.id, t));
    }
    let listed = store.list_tokens(kari.id).await.expect("list");
    for (id, t) in &put {
        let row = listed.iter().find(|r| r.id == *id).expect("token listed");
        assert_eq!(row.expires_at, Some(*t), "read back: {}", t.to_rfc3339());
    }
    // Expiry compares the stored time: past ones fail, future ones pass.
    for (i, s) in times.iter().enumerate() {
        let valid = store
            .get_token_owner(&format!("hash-{i}"))
            .await
            .expect("lookup")
            .is_some();
        assert_eq!(valid, ts(s) > Utc::now(), "token expiring at {s}");
    }

    // The database orders by time, not by insertion: give items published
    // times out of id order (whole seconds, milli- and microseconds mixed)
    // and list them.
    let mut items = Vec::new();
    for n in 0..5 {
        items.push(
            store
                .put_item(oslo.id, &simple("guide", &format!("t{n}"), "nb", &["time"]))
                .await
                .expect("put item"),
        );
    }
    let given = [
        "2020-05-17T12:00:01Z",
        "2020-05-17T12:00:00Z",
        "2020-05-17T12:00:00.5Z",
        "2020-05-17T12:00:00.123Z",
        "2020-05-17T12:00:00.123001Z",
    ];
    for (item, s) in items.iter().zip(given) {
        let t = ts(s);
        // An RFC 3339 literal both databases read, in the form sqlx writes
        // for SQLite.
        store
            .execute_unprepared(&format!(
                "UPDATE item SET published_at = '{}' WHERE id = {}",
                t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false),
                item.id
            ))
            .await
            .expect("set published_at");
        let read = store.get_item(item.id).await.expect("get").expect("exists");
        assert_eq!(read.published_at, t, "published_at read back for {s}");
    }
    let newest = store
        .put_item(oslo.id, &simple("guide", "now", "nb", &["time"]))
        .await
        .expect("put newest");
    let page = store
        .list_items(
            &ItemFilter {
                tag: Some("time".into()),
                ..Default::default()
            },
            1,
            10,
        )
        .await
        .expect("list");
    assert_eq!(
        ids(&page.items),
        vec![
            newest.id,
            items[0].id,
            items[2].id,
            items[4].id,
            items[3].id,
            items[1].id
        ],
        "newest first by published_at"
    );
});

// ---------------------------------------------------------------- concurrency

both!(concurrent_writes, |store| {
    let oslo = agency(&store, "oslo", "Oslo kommune").await;
    let mut items = Vec::new();
    for n in 0..6 {
        items.push(
            store
                .put_item(
                    oslo.id,
                    &simple("guide", &format!("i{n}"), "nb", &["a", "b"]),
                )
                .await
                .expect("put item")
                .id,
        );
    }
    // Interleaved transactions on the pool: updates, inserts and deletes
    // all succeed and none waits on another forever.
    let mut tasks = Vec::new();
    for round in 0..3 {
        for &id in &items {
            let s = store.clone();
            tasks.push(tokio::spawn(async move {
                s.update_item(id, &simple("guide", &format!("u{round}"), "nb", &["c"]))
                    .await
                    .map(|_| ())
            }));
            let s = store.clone();
            let agency_id = oslo.id;
            tasks.push(tokio::spawn(async move {
                s.put_item(agency_id, &simple("guide", "new", "nb", &["d"]))
                    .await
                    .map(|_| ())
            }));
        }
    }
    for t in tasks {
        t.await.expect("task").expect("concurrent write");
    }
    let page = store
        .list_items(&ItemFilter::default(), 1, 100)
        .await
        .expect("list");
    assert_eq!(page.total, 6 + 18);
    for id in items {
        let item = store.get_item(id).await.expect("get").expect("exists");
        // Concurrent updates of one item land in any order, but whole.
        assert_eq!(item.tags, vec!["c"]);
        assert!(
            ["u0", "u1", "u2"].contains(&item.title.as_str()),
            "{}",
            item.title
        );
    }
});

/// Races an update and two withdrawals of each of `rounds` items; returns
/// how many tombstones kept content and how many items were withdrawn twice.
async fn withdraw_race(store: Store, rounds: usize) -> (usize, usize) {
    let oslo = agency(&store, "oslo", "Oslo kommune").await;
    let (mut tombstones_with_content, mut withdrawn_twice) = (0, 0);
    for n in 0..rounds {
        let id = store
            .put_item(oslo.id, &simple("guide", &format!("i{n}"), "nb", &["a"]))
            .await
            .expect("put item")
            .id;
        let (s1, s2, s3) = (store.clone(), store.clone(), store.clone());
        let update = tokio::spawn(async move {
            s1.update_item(id, &simple("guide", "updated", "nb", &["b"]))
                .await
                .map(|_| ())
        });
        let delete1 = tokio::spawn(async move { s2.delete_item(id).await });
        let delete2 = tokio::spawn(async move { s3.delete_item(id).await });
        // Losing the race is fine (NotFound); other errors are not.
        for r in [update, delete1, delete2] {
            match r.await.expect("task") {
                Ok(()) | Err(StoreError::NotFound(_)) => {}
                Err(e) => panic!("racing writes failed: {e}"),
            }
        }
        let item = store.get_item(id).await.expect("get").expect("exists");
        assert!(item.deleted_at.is_some(), "a withdrawal succeeded");
        if !item.title.is_empty() || !item.tags.is_empty() {
            tombstones_with_content += 1;
        }
    }
    // Withdrawals are counted separately: one of two must be NotFound.
    for n in 0..rounds {
        let id = store
            .put_item(oslo.id, &simple("guide", &format!("d{n}"), "nb", &[]))
            .await
            .expect("put item")
            .id;
        let (s1, s2) = (store.clone(), store.clone());
        let a = tokio::spawn(async move { s1.delete_item(id).await });
        let b = tokio::spawn(async move { s2.delete_item(id).await });
        let (a, b) = (a.await.expect("task"), b.await.expect("task"));
        if a.is_ok() && b.is_ok() {
            withdrawn_twice += 1;
        }
    }
    (tombstones_with_content, withdrawn_twice)
}

/// An item withdrawn while it is being updated stays a tombstone without
/// content, and only one of two concurrent withdrawals succeeds. SQLite
/// serialises transactions on its single connection; PostgreSQL runs them
/// at once, where `update_item`/`delete_item` check `deleted_at` in a plain
/// SELECT and then UPDATE by id alone (a check-then-act race).
mod withdraw_race {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        common::run(
            common::Backend::Sqlite,
            common::Schema::Migrated,
            |store, _| async move {
                assert_eq!(withdraw_race(store, 20).await, (0, 0));
            },
        )
        .await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        common::run(
            common::Backend::Postgres,
            common::Schema::Migrated,
            |store, _| async move {
                assert_eq!(withdraw_race(store, 20).await, (0, 0));
            },
        )
        .await;
    }
}

// ---------------------------------------------------------------- messages

both!(messages_stay_in_the_staff_inbox, |store| {
    use deling_domain::audience::Visibility;
    use deling_store::queries::{
        message::{Addressed, AnswerData, RemoteMessageData},
        outbox::EVENT_MESSAGE_CREATE,
        remote_actor::RemoteActorData,
    };
    let oslo = agency(&store, "oslo", "Oslo kommune").await;
    let bergen = agency(&store, "bergen", "Bergen kommune").await;
    let item = store
        .put_item(oslo.id, &simple("guide", "Byggesak", "nb", &[]))
        .await
        .expect("put item");
    let actor = |name: &str| RemoteActorData {
        ap_id: format!("https://social.example/users/{name}"),
        actor_type: "Person".into(),
        domain: "social.example".into(),
        preferred_username: Some(name.into()),
        name: None,
        inbox: format!("https://social.example/users/{name}/inbox"),
        shared_inbox: Some("https://social.example/inbox".into()),
        url: None,
        icon_url: None,
        summary_html: None,
        public_key_pem: None,
        followers: Some(format!("https://social.example/users/{name}/followers")),
        speaks_deling: false,
    };
    let eve = store.put_remote_actor(actor("eve")).await.expect("eve");
    let mallory = store
        .put_remote_actor(actor("mallory"))
        .await
        .expect("mallory");
    assert_eq!(
        eve.followers.as_deref(),
        Some("https://social.example/users/eve/followers")
    );
    let dm = |author: i64, visibility: Visibility, text: &str| RemoteMessageData {
        ap_id: "https://social.example/notes/1".into(),
        author_remote_actor_id: author,
        in_reply_to: Some(format!("https://deling.example/items/{}", item.id)),
        item_id: Some(item.id),
        visibility,
        content_warning: Some("Personlig".into()),
        sensitive: true,
        content_html: text.into(),
        language: Some("nb".into()),
        addressed: Addressed {
            to: vec!["https://deling.example/agencies/oslo".into()],
            cc: vec![],
        },
        published_at: ts("2026-12-05T10:00:00Z"),
    };

    // One copy for each agency it reached; none of it is a comment.
    let stored = store
        .put_remote_message(
            &[(oslo.id, None), (bergen.id, None)],
            dm(eve.id, Visibility::Direct, "<p>Ring 987 65 432</p>"),
        )
        .await
        .expect("message");
    assert_eq!(stored.len(), 2);
    assert!(store.list_comments(item.id).await.expect("list").is_empty());
    assert_eq!(
        store
            .count_item_reactions(item.id)
            .await
            .expect("counts")
            .comments,
        0
    );
    let inbox = store.list_messages(oslo.id, None, 10).await.expect("inbox");
    assert_eq!(inbox.len(), 1);
    let m = &inbox[0];
    assert_eq!(m.visibility, Visibility::Direct);
    assert_eq!(m.content_warning.as_deref(), Some("Personlig"));
    assert!(m.sensitive);
    assert_eq!(
        m.author.as_ref().map(|a| a.inbox.as_str()),
        Some("https://social.example/inbox")
    );
    assert_eq!(m.addressed.to, vec!["https://deling.example/agencies/oslo"]);
    assert!(
        store
            .is_message("https://social.example/notes/1")
            .await
            .expect("is")
    );

    // Sent again as public: the text changes, the visibility does not.
    store
        .put_remote_message(
            &[(oslo.id, None)],
            dm(eve.id, Visibility::Public, "<p>Rettet</p>"),
        )
        .await
        .expect("update");
    let m = store.get_message(m.id).await.expect("get").expect("there");
    assert_eq!(m.visibility, Visibility::Direct);
    assert_eq!(m.content_html, "<p>Rettet</p>");
    assert!(m.updated_at.is_some());
    // Another author cannot take its id.
    assert!(matches!(
        store
            .put_remote_message(&[(oslo.id, None)], dm(mallory.id, Visibility::Direct, "x"))
            .await,
        Err(StoreError::Conflict(_))
    ));

    // An answer is stored with its outbox event, for the agency's own
    // message only.
    let bergen_copy = store
        .list_messages(bergen.id, None, 10)
        .await
        .expect("bergen")[0]
        .id;
    let answer = |agency_id: i64, parent_id: i64| AnswerData {
        agency_id,
        parent_id,
        source: "Vi ringer.".into(),
        html: "<p>Vi ringer.</p>".into(),
        visibility: Visibility::Direct,
        addressed: Addressed {
            to: vec![eve.ap_id.clone()],
            cc: vec![],
        },
    };
    assert_eq!(
        store
            .put_message_answer(answer(oslo.id, bergen_copy))
            .await
            .expect("answer"),
        None
    );
    let events = |store: Store| async move {
        store
            .list_pending_outbox_events(100)
            .await
            .expect("events")
            .into_iter()
            .filter(|e| e.kind == EVENT_MESSAGE_CREATE)
            .collect::<Vec<_>>()
    };
    assert!(events(store.clone()).await.is_empty());
    let out = store
        .put_message_answer(answer(oslo.id, m.id))
        .await
        .expect("answer")
        .expect("answered");
    assert_eq!(out.author, None);
    assert_eq!(out.in_reply_to_message_id, Some(m.id));
    assert_eq!(
        out.in_reply_to.as_deref(),
        Some("https://social.example/notes/1")
    );
    assert_eq!(out.item_id, Some(item.id));
    let queued = events(store.clone()).await;
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].message_id, Some(out.id));
    assert_eq!(queued[0].agency_id, Some(oslo.id));

    // Pages, newest first.
    let first = store.list_messages(oslo.id, None, 1).await.expect("page 1");
    assert_eq!(first.iter().map(|m| m.id).collect::<Vec<_>>(), vec![out.id]);
    let second = store
        .list_messages(oslo.id, Some(out.id), 1)
        .await
        .expect("page 2");
    assert_eq!(second.iter().map(|m| m.id).collect::<Vec<_>>(), vec![m.id]);

    // Deleted by its author only; then it stays deleted.
    assert!(
        !store
            .delete_remote_message("https://social.example/notes/1", mallory.id)
            .await
            .expect("not mallory's")
    );
    assert!(
        store
            .delete_remote_message("https://social.example/notes/1", eve.id)
            .await
            .expect("delete")
    );
    assert_eq!(
        store
            .list_messages(bergen.id, None, 10)
            .await
            .expect("bergen")
            .len(),
        0
    );
    assert!(matches!(
        store
            .put_remote_message(&[(oslo.id, None)], dm(eve.id, Visibility::Direct, "again"))
            .await,
        Err(StoreError::NotFound(_))
    ));

    // A comment row that is not public (a damaged row) is never served.
    let c = store
        .put_agency_comment(item.id, oslo.id, None, "x", "<p>x</p>", None)
        .await
        .expect("comment");
    store
        .execute_unprepared(&format!(
            "UPDATE comment SET visibility = 'direct' WHERE id = {}",
            c.id
        ))
        .await
        .expect("damage");
    assert!(store.list_comments(item.id).await.expect("list").is_empty());
    assert!(store.get_comment(c.id).await.expect("get").is_none());
    assert_eq!(
        store
            .count_item_reactions(item.id)
            .await
            .expect("counts")
            .comments,
        0
    );
});

// ---------------------------------------------------------------- pins

both!(five_pins_hold_under_concurrency, |store| {
    let oslo = agency(&store, "oslo", "Oslo kommune").await;
    let mut ids = Vec::new();
    for n in 0..12 {
        let item = store
            .put_item(
                oslo.id,
                &simple("guide", &format!("Veileder {n}"), "nb", &[]),
            )
            .await
            .expect("put item");
        ids.push(item.id);
    }
    // Twelve pins at the same moment, several rounds: never more than five.
    for round in 0..3 {
        let mut tasks = tokio::task::JoinSet::new();
        for &id in &ids {
            let store = store.clone();
            tasks.spawn(async move { store.pin_item(id, oslo.id).await });
        }
        let mut pinned = 0;
        while let Some(res) = tasks.join_next().await {
            match res.expect("task") {
                Ok(true) => pinned += 1,
                Err(StoreError::Conflict(_)) => {}
                other => panic!("round {round}: {other:?}"),
            }
        }
        assert_eq!(pinned, 5, "round {round}");
        let listed = store.list_pinned_items(oslo.id).await.expect("pinned");
        assert_eq!(listed.len(), 5, "round {round}");
        for item in listed {
            assert!(store.unpin_item(item.id, oslo.id).await.expect("unpin"));
        }
    }
});

both!(host_signature_style, |store| {
    use deling_store::queries::host::{SIGNATURE_CAVAGE, SIGNATURE_RFC9421};
    assert_eq!(
        store.get_host_signature_style("a.example").await.unwrap(),
        None
    );

    // Learnt for a host with no delivery record yet.
    store
        .put_host_signature_style("a.example", SIGNATURE_CAVAGE)
        .await
        .unwrap();
    let (style, at) = store
        .get_host_signature_style("a.example")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(style, SIGNATURE_CAVAGE);
    assert!((Utc::now() - at).num_seconds().abs() < 60, "{at}");

    // Delivery health and the style are kept apart: a failure keeps the
    // style, a new style keeps the failures.
    store
        .put_host_failure("a.example", "503", Utc::now() + Duration::minutes(5))
        .await
        .unwrap();
    assert_eq!(
        store
            .get_host_signature_style("a.example")
            .await
            .unwrap()
            .map(|s| s.0),
        Some(SIGNATURE_CAVAGE.to_owned())
    );
    store
        .put_host_signature_style("a.example", SIGNATURE_RFC9421)
        .await
        .unwrap();
    let state = store.get_host_state("a.example").await.unwrap().unwrap();
    assert_eq!(state.consecutive_failures, 1);
    assert_eq!(state.signature_style.as_deref(), Some(SIGNATURE_RFC9421));
    // A success keeps it too.
    store.put_host_success("a.example").await.unwrap();
    assert_eq!(
        store
            .get_host_signature_style("a.example")
            .await
            .unwrap()
            .map(|s| s.0),
        Some(SIGNATURE_RFC9421.to_owned())
    );
    // Other hosts are untouched.
    assert_eq!(
        store.get_host_signature_style("b.example").await.unwrap(),
        None
    );
});
