//! Full-text search: stemming, phrases, prefixes, exclusions, ranking,
//! filters, facets and snippets, and an index that follows every change
//! to the items, on both databases alike.

use crate::support::{agency, content};
use deling_domain::{item::RawItem, search::SearchQuery};
use deling_store::{
    Store,
    queries::{
        remote_actor::RemoteActorData,
        remote_item::RemoteItemData,
        search::{SearchFilter, SearchResults},
    },
};
use serde_json::json;

fn item(
    kind: &str,
    title: &str,
    summary: &str,
    body: &str,
    language: &str,
    tags: &[&str],
) -> RawItem {
    RawItem {
        kind: Some(kind.into()),
        title: Some(title.into()),
        summary: Some(summary.into()),
        body: Some(body.into()),
        language: Some(language.into()),
        tags: Some(tags.iter().map(|t| (*t).to_owned()).collect()),
        ..Default::default()
    }
}

async fn search(store: &Store, q: &str) -> SearchResults {
    search_in(store, q, &SearchFilter::default()).await
}

async fn search_in(store: &Store, q: &str, filter: &SearchFilter) -> SearchResults {
    let q = SearchQuery::parse(q).expect("query parses");
    store.search_items(&q, filter, 1, 20).await.expect("search")
}

fn titles(r: &SearchResults) -> Vec<String> {
    r.hits.iter().map(|h| h.item.title.clone()).collect()
}

async fn remote_actor(store: &Store, host: &str, user: &str) -> i64 {
    store
        .put_remote_actor(RemoteActorData {
            ap_id: format!("https://{host}/agencies/{user}"),
            actor_type: "Organization".into(),
            domain: host.into(),
            preferred_username: Some(user.into()),
            name: Some(user.into()),
            inbox: format!("https://{host}/agencies/{user}/inbox"),
            shared_inbox: None,
            url: None,
            icon_url: None,
            summary_html: None,
            public_key_pem: None,
            followers: None,
            speaks_deling: true,
        })
        .await
        .expect("remote actor")
        .id
}

fn remote(ap_id: &str, actor: i64, title: &str, html: &str, language: &str) -> RemoteItemData {
    let t = chrono::Utc::now();
    RemoteItemData {
        ap_id: ap_id.into(),
        remote_actor_id: actor,
        kind: "guide".into(),
        title: title.into(),
        summary: String::new(),
        body: String::new(),
        body_html: html.into(),
        language: language.into(),
        license: None,
        tags: vec!["vann".into()],
        links: vec![],
        metadata: json!({}),
        based_on: None,
        url: None,
        published_at: t,
        updated_at: t,
    }
}

both!(stemming_finds_inflected_forms, |store| {
    let bodo = agency(&store, "bodo", "Bodø kommune").await;
    store
        .put_item(
            bodo.id,
            &content(item(
                "guide",
                "Slik håndterer vi vannlekkasjer",
                "Rutiner for lekkasjer i kommunale bygg",
                "Ved bygging av nye anlegg ...",
                "nb",
                &["vann"],
            )),
        )
        .await
        .unwrap();
    store
        .put_item(
            bodo.id,
            &content(item(
                "guide",
                "Leaks in pipes",
                "How we find leaks",
                "",
                "en",
                &[],
            )),
        )
        .await
        .unwrap();

    assert_eq!(
        titles(&search(&store, "lekkasje").await),
        ["Slik håndterer vi vannlekkasjer"]
    );
    assert_eq!(
        titles(&search(&store, "bygge").await),
        ["Slik håndterer vi vannlekkasjer"]
    );
    assert_eq!(titles(&search(&store, "leak").await), ["Leaks in pipes"]);
    assert_eq!(search(&store, "sykehjem").await.total, 0);
    // Only function words: nothing, not everything.
    assert_eq!(search(&store, "og i på").await.total, 0);
});

both!(phrases_prefixes_and_exclusions, |store| {
    let oslo = agency(&store, "oslo", "Oslo kommune").await;
    for (title, summary) in [
        ("Digital byggesak", "Søknad om byggesak på nett"),
        ("Byggesak digital", "Papirskjema erstattet"),
        ("Byggeplass", "Skilting av byggeplasser"),
    ] {
        store
            .put_item(
                oslo.id,
                &content(item("guide", title, summary, "", "nb", &[])),
            )
            .await
            .unwrap();
    }
    let mut both = titles(&search(&store, "digital byggesak").await);
    both.sort();
    assert_eq!(both, ["Byggesak digital", "Digital byggesak"]);
    assert_eq!(
        titles(&search(&store, "\"digital byggesak\"").await),
        ["Digital byggesak"]
    );
    assert_eq!(search(&store, "bygg*").await.total, 3);
    let mut not_paper = titles(&search(&store, "byggesak -papirskjema").await);
    not_paper.sort();
    assert_eq!(not_paper, ["Digital byggesak"]);
    // Nothing to look for (function words, exclusions alone): nothing,
    // and exactly nothing.
    for q in ["og", "-byggesak", "***"] {
        let r = search(&store, q).await;
        assert_eq!((r.total, r.total_exact, r.hits.len()), (0, true, 0), "{q}");
    }
});

both!(title_and_tags_rank_above_body, |store| {
    let oslo = agency(&store, "oslo", "Oslo kommune").await;
    store
        .put_item(
            oslo.id,
            &content(item(
                "guide",
                "Om sykkelparkering",
                "",
                "Vi skriver om overvann her.",
                "nb",
                &[],
            )),
        )
        .await
        .unwrap();
    store
        .put_item(
            oslo.id,
            &content(item("guide", "Overvann i byen", "", "", "nb", &[])),
        )
        .await
        .unwrap();
    store
        .put_item(
            oslo.id,
            &content(item("guide", "Regnbed", "", "", "nb", &["overvann"])),
        )
        .await
        .unwrap();
    let r = search(&store, "overvann").await;
    assert_eq!(r.total, 3);
    assert_eq!(r.hits.last().unwrap().item.title, "Om sykkelparkering");
    // The snippet marks the matched word in the item's own text.
    assert_eq!(
        r.hits.last().unwrap().snippet.as_deref(),
        Some("Vi skriver om <mark>overvann</mark> her.")
    );
});

both!(
    the_index_follows_edits_withdrawals_and_remote_changes,
    |store| {
        let oslo = agency(&store, "oslo", "Oslo kommune").await;
        let it = store
            .put_item(
                oslo.id,
                &content(item("guide", "Snøbrøyting", "", "", "nb", &[])),
            )
            .await
            .unwrap();
        assert_eq!(search(&store, "snøbrøyting").await.total, 1);
        store
            .update_item(
                it.id,
                &content(item("guide", "Strøing av fortau", "", "", "nb", &[])),
            )
            .await
            .unwrap();
        assert_eq!(search(&store, "snøbrøyting").await.total, 0);
        assert_eq!(search(&store, "strøing").await.total, 1);
        store.delete_item(it.id).await.unwrap();
        assert_eq!(search(&store, "strøing").await.total, 0);

        // A peer's item: created, updated, deleted; then its actor goes.
        let peer = remote_actor(&store, "peer.example", "bergen").await;
        let mut d = remote(
            "https://peer.example/items/1",
            peer,
            "Vannmåler",
            "<p>Avlesing</p>",
            "nb",
        );
        store.put_remote_item(d.clone()).await.unwrap();
        assert_eq!(search(&store, "avlesing").await.total, 1);
        d.title = "Strømmåler".into();
        d.updated_at += chrono::Duration::seconds(1);
        store.put_remote_item(d.clone()).await.unwrap();
        assert_eq!(search(&store, "vannmåler").await.total, 0);
        assert_eq!(search(&store, "strømmåler").await.total, 1);
        store
            .delete_remote_item("https://peer.example/items/1", peer)
            .await
            .unwrap();
        assert_eq!(search(&store, "strømmåler").await.total, 0);

        store
            .put_remote_item(remote(
                "https://peer.example/items/2",
                peer,
                "Fjernvarme",
                "",
                "nb",
            ))
            .await
            .unwrap();
        assert_eq!(search(&store, "fjernvarme").await.total, 1);
        assert!(
            store
                .delete_remote_actor("https://peer.example/agencies/bergen")
                .await
                .unwrap()
        );
        assert_eq!(search(&store, "fjernvarme").await.total, 0);

        // An agency withdrawn takes its items out of search.
        let bodo = agency(&store, "bodo", "Bodø kommune").await;
        store
            .put_item(
                bodo.id,
                &content(item("guide", "Havnedrift", "", "", "nb", &[])),
            )
            .await
            .unwrap();
        assert_eq!(search(&store, "havnedrift").await.total, 1);
        store.withdraw_agency(bodo.id, None).await.unwrap();
        assert_eq!(search(&store, "havnedrift").await.total, 0);
    }
);

both!(filters_and_facets, |store| {
    let oslo = agency(&store, "oslo", "Oslo kommune").await;
    let mut dataset = item(
        "dataset",
        "Vannkvalitet",
        "Målinger",
        "",
        "nb",
        &["vann", "miljø"],
    );
    dataset.license = Some(Some("NLOD-2.0".into()));
    dataset.metadata = Some(json!({
        "themes": ["http://publications.europa.eu/resource/authority/data-theme/ENVI"],
        "distributions": [{"access_url": "https://example.org/v.csv", "format": "text/csv"}]
    }));
    store.put_item(oslo.id, &content(dataset)).await.unwrap();
    store
        .put_item(
            oslo.id,
            &content(item(
                "guide",
                "Vannkvalitet i skolen",
                "",
                "",
                "nb",
                &["vann"],
            )),
        )
        .await
        .unwrap();
    let peer = remote_actor(&store, "peer.example", "bergen").await;
    store
        .put_remote_item(remote(
            "https://peer.example/items/9",
            peer,
            "Water quality",
            "",
            "en",
        ))
        .await
        .unwrap();
    store
        .put_remote_item(remote(
            "https://peer.example/items/10",
            peer,
            "Vannkvalitet",
            "",
            "nn",
        ))
        .await
        .unwrap();

    let all = search(&store, "vannkvalitet").await;
    assert_eq!(all.total, 3);
    assert_eq!(all.facets.kind.get("dataset"), Some(&1));
    assert_eq!(all.facets.kind.get("guide"), Some(&2));
    assert_eq!(all.facets.agency.get("oslo"), Some(&2));
    assert_eq!(all.facets.agency.get("bergen@peer.example"), Some(&1));
    assert_eq!(all.facets.instance.get("peer.example"), Some(&1));
    assert_eq!(all.facets.language.get("nn"), Some(&1));
    assert_eq!(all.facets.license.get("NLOD-2.0"), Some(&1));
    // Every tag of the matches, each item counted once per tag.
    assert_eq!(
        all.facets.tag,
        [("miljø".to_owned(), 1), ("vann".to_owned(), 3)].into(),
        "{:?}",
        all.facets.tag
    );
    assert_eq!(
        all.facets
            .theme
            .get("http://publications.europa.eu/resource/authority/data-theme/ENVI"),
        Some(&1)
    );

    let only = |f: SearchFilter| {
        let store = store.clone();
        async move { search_in(&store, "vannkvalitet", &f).await.total }
    };
    assert_eq!(
        only(SearchFilter {
            kind: Some("dataset".into()),
            ..Default::default()
        })
        .await,
        1
    );
    assert_eq!(
        only(SearchFilter {
            agency: Some("oslo".into()),
            ..Default::default()
        })
        .await,
        2
    );
    assert_eq!(
        only(SearchFilter {
            agency: Some("bergen@peer.example".into()),
            ..Default::default()
        })
        .await,
        1
    );
    assert_eq!(
        only(SearchFilter {
            instance: Some("peer.example".into()),
            ..Default::default()
        })
        .await,
        1
    );
    assert_eq!(
        only(SearchFilter {
            language: Some("nb".into()),
            ..Default::default()
        })
        .await,
        2
    );
    assert_eq!(
        only(SearchFilter {
            license: Some("NLOD-2.0".into()),
            ..Default::default()
        })
        .await,
        1
    );
    assert_eq!(
        only(SearchFilter {
            tag: Some("miljø".into()),
            ..Default::default()
        })
        .await,
        1
    );
    assert_eq!(
        only(SearchFilter {
            theme: Some("http://publications.europa.eu/resource/authority/data-theme/ENVI".into()),
            ..Default::default()
        })
        .await,
        1
    );
    // Filters combine.
    assert_eq!(
        only(SearchFilter {
            kind: Some("guide".into()),
            agency: Some("oslo".into()),
            ..Default::default()
        })
        .await,
        1
    );
    // A theme filter is an exact value, not a pattern, in case too, and
    // a whole theme, not two neighbours.
    for theme in [
        "%",
        "_",
        "http://publications.europa.eu/resource/authority/data-theme/envi",
        "http://publications.europa.eu/resource/authority/data-theme/ENV",
        "data-theme/ENVI",
        "",
    ] {
        assert_eq!(
            only(SearchFilter {
                theme: Some(theme.into()),
                ..Default::default()
            })
            .await,
            0,
            "{theme:?}"
        );
    }
});

both!(reindex_rebuilds_the_index, |store| {
    let oslo = agency(&store, "oslo", "Oslo kommune").await;
    for n in 0..5 {
        store
            .put_item(
                oslo.id,
                &content(item("guide", &format!("Renovasjon {n}"), "", "", "nb", &[])),
            )
            .await
            .unwrap();
    }
    store
        .execute_unprepared("DELETE FROM item_search")
        .await
        .unwrap();
    assert_eq!(search(&store, "renovasjon").await.total, 0);
    let mut seen = vec![];
    let done = store
        .reindex_search(2, |done, total| seen.push((done, total)))
        .await
        .unwrap();
    assert_eq!(done, 5);
    assert_eq!(seen, [(2, 5), (4, 5), (5, 5)]);
    assert_eq!(search(&store, "renovasjon").await.total, 5);
});

both!(
    items_of_suspended_or_silenced_domains_are_not_found,
    |store| {
        use deling_domain::policy::{Domain, Severity};
        let peer = remote_actor(&store, "peer.example", "bergen").await;
        let other = remote_actor(&store, "sub.other.example", "tromso").await;
        for (n, actor) in [(1, peer), (2, other)] {
            store
                .put_remote_item(remote(
                    &format!("https://h{n}.example/items/{n}"),
                    actor,
                    "Kystsoner",
                    "",
                    "nb",
                ))
                .await
                .unwrap();
        }
        assert_eq!(search(&store, "kystsoner").await.total, 2);
        let domain = |d: &str| Domain::parse(d).unwrap();
        store
            .put_domain_policy(&domain("peer.example"), Severity::Suspend, None, None, None)
            .await
            .unwrap();
        // A policy on a domain covers its subdomains.
        store
            .put_domain_policy(
                &domain("other.example"),
                Severity::Silence,
                None,
                None,
                None,
            )
            .await
            .unwrap();
        let r = search(&store, "kystsoner").await;
        assert_eq!(r.total, 0);
        assert!(r.hits.is_empty() && r.facets.instance.is_empty());
    }
);

/// Adds `n` guides of agency `agency_id` in a few statements (a thousand
/// `put_item` calls would take the test's time for nothing), titled
/// `"{title} {i}"`, and indexes them.
async fn bulk_items(store: &Store, agency_id: i64, title: &str, n: usize) {
    for start in (0..n).step_by(500) {
        let rows: Vec<String> = (start..(start + 500).min(n))
            .map(|i| {
                format!(
                    "({agency_id}, 'guide', '{title} {i}', '', '', '', 'nb', '{{}}', \
                     '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')"
                )
            })
            .collect();
        store
            .execute_unprepared(&format!(
                "INSERT INTO item (agency_id, kind, title, summary, body, body_html, language, \
                 metadata, published_at, updated_at) VALUES {}",
                rows.join(", ")
            ))
            .await
            .unwrap();
    }
    store.reindex_search(1000, |_, _| {}).await.unwrap();
}

both!(a_term_in_more_items_than_are_ranked, |store| {
    use deling_store::queries::search::CANDIDATES;
    let oslo = agency(&store, "oslo", "Oslo kommune").await;
    let old = store
        .put_item(
            oslo.id,
            &content(item(
                "guide",
                "Brøyting brøyting",
                "",
                "",
                "nb",
                &["vinter"],
            )),
        )
        .await
        .unwrap();
    bulk_items(&store, oslo.id, "Brøyting av vei", CANDIDATES + 4).await;
    let best = store
        .put_item(
            oslo.id,
            &content(item(
                "guide",
                "Brøyting",
                "brøyting",
                "brøyting",
                "nb",
                &["brøyting"],
            )),
        )
        .await
        .unwrap();
    let r = search(&store, "brøyting").await;
    assert!(r.capped);
    assert_eq!((r.total, r.total_exact), (CANDIDATES as u64 + 6, true));
    // The newest matches are ranked, best first; the oldest is not among
    // them however well it matches.
    assert_eq!(r.hits[0].item.id, best.id);
    assert_eq!(r.facets.kind["guide"], CANDIDATES as u64);
    assert!(r.hits.iter().all(|h| h.item.id != old.id));
    // A prefix alike (PostgreSQL reads it another way, see `plan`).
    let r = search(&store, "brøyt*").await;
    assert!(r.capped);
    assert_eq!(r.hits[0].item.id, best.id);
    assert_eq!(r.facets.kind["guide"], CANDIDATES as u64);
    assert!(r.hits.iter().all(|h| h.item.id != old.id));
    // Filters narrow the matches before the newest are taken.
    let winter = SearchFilter {
        tag: Some("vinter".into()),
        ..Default::default()
    };
    let r = search_in(&store, "brøyting", &winter).await;
    assert_eq!(
        r.hits.iter().map(|h| h.item.id).collect::<Vec<_>>(),
        [old.id]
    );
    assert!(!r.capped);
});

both!(counting_stops_at_a_bound, |store| {
    use deling_store::queries::search::COUNTED;
    let oslo = agency(&store, "oslo", "Oslo kommune").await;
    bulk_items(&store, oslo.id, "Strøm", COUNTED + 1).await;
    let r = search(&store, "strøm").await;
    assert_eq!(
        (r.total, r.total_exact, r.capped),
        (COUNTED as u64, false, true)
    );
    let some = search(&store, "\"strøm 77\"").await;
    assert_eq!((some.total, some.total_exact), (1, true));
});

// Start-up asks this of every database with items: on PostgreSQL it failed
// to read its own answer (an INT4 read as an i64), so a server with items
// could not start there.
both!(a_missing_index_is_told_from_a_built_one, |store| {
    assert!(!store.search_index_missing().await.unwrap(), "no items");
    let a = agency(&store, "oslo", "Oslo kommune").await;
    let guide = item("guide", "Byggesak", "Om byggesak", "Tekst", "nb", &[]);
    store.put_item(a.id, &content(guide)).await.unwrap();
    assert!(!store.search_index_missing().await.unwrap(), "indexed");
    store
        .execute_unprepared("DELETE FROM item_search")
        .await
        .unwrap();
    assert!(store.search_index_missing().await.unwrap(), "emptied");
    assert_eq!(store.reindex_search(10, |_, _| {}).await.unwrap(), 1);
    assert!(!store.search_index_missing().await.unwrap(), "rebuilt");
});
