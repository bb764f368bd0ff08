//! Items: round trip, update, withdrawal and listing.

use crate::support::{agency, content, ids, link, simple};
use deling_domain::item::{ItemContent, RawItem};
use deling_store::{
    ItemFilter, Origin, StoreError,
    records::{Item, ItemLink, ItemOwner},
};
use serde_json::json;

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
