use super::*;
use crate::dto::{CountsView, ItemView};
use deling_federation::search_peers::{PeerAgency, PeerAnswer};
use url::Url;

fn at() -> DateTime<Utc> {
    "2026-01-01T00:00:00Z".parse().unwrap()
}

fn here(ap_id: &str) -> SearchHitView {
    SearchHitView {
        item: HitItem::Here(Box::new(ItemView {
            id: 1,
            url: ap_id.into(),
            ap_id: ap_id.into(),
            agency: ActorRef::remote("https://b.example/agencies/b".into(), None, None),
            kind: "guide".into(),
            title: "Here".into(),
            summary: String::new(),
            body: String::new(),
            body_html: String::new(),
            language: "nb".into(),
            tags: vec![],
            license: None,
            links: vec![],
            metadata: serde_json::json!({}),
            based_on: None,
            published: at(),
            updated: at(),
            counts: CountsView {
                likes: 0,
                shares: 0,
                comments: 0,
            },
            pinned: false,
        })),
        snippet: None,
        instance: "a.example".into(),
    }
}

fn hit(ap_id: &str) -> PeerHit {
    let ap_id = Url::parse(ap_id).unwrap();
    PeerHit {
        url: ap_id.clone(),
        ap_id,
        agency: PeerAgency {
            actor_id: Url::parse("https://d.example/agencies/d").unwrap(),
            handle: Some("@d@d.example".into()),
            name: None,
        },
        kind: "guide".into(),
        title: "Peer".into(),
        summary: String::new(),
        language: "nb".into(),
        tags: vec![],
        license: None,
        published: at(),
        updated: at(),
        snippet: Some("<mark>x</mark>".into()),
    }
}

fn result(host: &str, total: u64, hits: Vec<PeerHit>, kinds: &[(&str, u64)]) -> PeerResult {
    PeerResult {
        report: PeerReport {
            host: host.into(),
            status: PeerStatus::Ok,
            took_ms: 5,
            detail: None,
        },
        answer: Some(PeerAnswer {
            total,
            total_exact: total < 10_000,
            hits,
            facets: BTreeMap::from([(
                "kind".to_owned(),
                kinds.iter().map(|(k, n)| ((*k).to_owned(), *n)).collect(),
            )]),
        }),
    }
}

#[test]
fn merges_in_turn_collapses_duplicates_and_sums() {
    let mut facets = no_facets();
    facets.kind.insert("guide".into(), 2);
    let local = SearchResultsView {
        total: 2,
        total_exact: true,
        page: 1,
        per_page: 20,
        items: vec![
            here("https://b.example/items/1"),
            here("https://b.example/items/2"),
        ],
        facets,
        capped: false,
        peers: None,
    };
    let d = result(
        "d.example",
        3,
        vec![
            hit("https://b.example/items/1"),
            hit("https://d.example/items/9"),
            hit("https://e.example/items/5"),
        ],
        &[("guide", 2), ("dataset", 1)],
    );
    let e = result("e.example", 1, vec![hit("https://e.example/items/5")], &[]);
    let timeout = PeerResult {
        report: PeerReport {
            host: "slow.example".into(),
            status: PeerStatus::Timeout,
            took_ms: 1500,
            detail: None,
        },
        answer: None,
    };
    let merged = merge(local, vec![d, e, timeout]);
    let order: Vec<(&str, &str)> = merged
        .items
        .iter()
        .map(|h| (ap_id_of(h), h.instance.as_str()))
        .collect();
    assert_eq!(
        order,
        vec![
            ("https://b.example/items/1", "a.example"),
            ("https://e.example/items/5", "e.example"),
            ("https://b.example/items/2", "a.example"),
            ("https://d.example/items/9", "d.example"),
        ]
    );
    assert_eq!(merged.total, 6);
    assert_eq!(merged.facets.kind["guide"], 4);
    assert_eq!(merged.facets.kind["dataset"], 1);
    let peers = merged.peers.unwrap();
    assert_eq!(peers.len(), 3);
    assert_eq!(peers[2].status, "timeout");
}

#[test]
fn a_peer_counting_only_so_far_makes_the_total_a_lower_bound() {
    let local = SearchResultsView {
        total: 2,
        total_exact: true,
        page: 1,
        per_page: 20,
        items: vec![here("https://b.example/items/1")],
        facets: no_facets(),
        capped: false,
        peers: None,
    };
    let exact = merge(
        local,
        vec![result(
            "d.example",
            3,
            vec![hit("https://d.example/items/9")],
            &[],
        )],
    );
    assert_eq!((exact.total, exact.total_exact), (5, true));
    let bounded = merge(
        exact,
        vec![result(
            "e.example",
            10_000,
            vec![hit("https://e.example/items/2")],
            &[],
        )],
    );
    assert_eq!((bounded.total, bounded.total_exact), (10_005, false));
}
