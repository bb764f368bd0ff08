use super::*;
use serde_json::json;

fn checks() -> Checks<'static> {
    Checks {
        peer: "peer.example",
        own: "here.example",
        debug: false,
    }
}

fn hit(ap_id: &str) -> serde_json::Value {
    json!({
        "id": 7, "ap_id": ap_id, "url": ap_id,
        "agency": {"origin": "local", "actor_id": "https://peer.example/agencies/bodo",
                   "handle": "@bodo@peer.example", "name": "Bodø"},
        "kind": "guide", "title": "Vannlekkasje", "summary": "Om lekkasjer",
        "language": "nb", "tags": ["vann", "not a tag!"], "license": "CC-BY-4.0",
        "published": "2026-01-01T00:00:00Z", "updated": "2026-01-02T00:00:00Z",
        "snippet": "<mark>vann</mark><script>alert(1)</script><b onclick=x>lekk</b>"
    })
}

fn parse(v: serde_json::Value) -> WireResults {
    serde_json::from_value(v).expect("an answer")
}

#[test]
fn checks_hits_and_sanitises_snippets() {
    let wire = parse(json!({"total": 3, "items": [
        hit("https://peer.example/items/1"),
        hit("javascript:alert(1)"),
        hit("http://peer.example/items/2"),
        hit("https://here.example/items/3"),
    ], "facets": {}}));
    let a = wire.check(&checks(), |_| false);
    assert_eq!(a.total, 3);
    assert_eq!(a.hits.len(), 1, "{:?}", a.hits);
    let h = &a.hits[0];
    assert_eq!(h.ap_id.as_str(), "https://peer.example/items/1");
    assert_eq!(h.tags, vec!["vann"]);
    assert_eq!(h.snippet.as_deref(), Some("<mark>vann</mark>lekk"));
}

#[test]
fn drops_hidden_hosts_and_renames_agencies() {
    let wire = parse(json!({"total": 2, "items": [
        hit("https://peer.example/items/1"),
        hit("https://blocked.example/items/2"),
    ], "facets": {
        "agency": {"bodo": 1, "evil@blocked.example": 1, "oslo@here.example": 4},
        "instance": {"peer.example": 1, "blocked.example": 1},
        "unknown": {"x": 1},
        "kind": {"guide": 2}
    }}));
    let mut hosts = wire.hosts();
    hosts.sort();
    assert_eq!(
        hosts,
        vec!["blocked.example", "here.example", "peer.example"]
    );
    let a = wire.check(&checks(), |h| h == "blocked.example");
    assert_eq!(a.hits.len(), 1);
    assert_eq!(
        a.facets["agency"],
        BTreeMap::from([("bodo@peer.example".into(), 1), ("oslo".into(), 4)])
    );
    assert_eq!(
        a.facets["instance"],
        BTreeMap::from([("peer.example".into(), 1)])
    );
    assert!(!a.facets.contains_key("unknown"));
    assert_eq!(a.facets["kind"]["guide"], 2);
}

#[test]
fn bounds_strings() {
    let mut h = hit("https://peer.example/items/1");
    h["title"] = json!("x".repeat(10_000));
    h["summary"] = json!("y\u{0}".repeat(10_000));
    h["snippet"] = json!("z".repeat(100_000));
    let a = parse(json!({"total": 1, "items": [h]})).check(&checks(), |_| false);
    let h = &a.hits[0];
    assert_eq!(h.title.chars().count(), 200);
    assert_eq!(h.summary, "y".repeat(500));
    assert_eq!(h.snippet, None);
}

#[test]
fn garbage_is_not_an_answer() {
    assert!(serde_json::from_str::<WireResults>("<html>").is_err());
    assert!(serde_json::from_str::<WireResults>(r#"{"items": []}"#).is_err());
    assert!(serde_json::from_str::<WireResults>(r#"{"total": -1}"#).is_err());
}
