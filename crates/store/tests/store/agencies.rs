//! Agencies: creation, listing, profile updates and withdrawal.

use crate::support::{agency, new_agency, simple, staff};
use deling_domain::{
    agency::{AgencyProfile, OrgNumber, RawAgencyProfile},
    auth::Role,
};
use deling_store::{
    StoreError,
    queries::{agency::stored_profile, outbox::OutboxKind},
};

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
        (event.kind, event.agency_id, event.item_id),
        (OutboxKind::AgencyUpdate, Some(oslo.id), None)
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
        (last.kind, last.agency_id, last.item_id),
        (OutboxKind::AgencyDelete, Some(oslo.id), None)
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
