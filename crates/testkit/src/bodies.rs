//! API request bodies tests send, and what they read back from responses.

use serde_json::{Value, json};

/// A complete, valid guide tagged `tags`.
pub fn item_body(title: &str, tags: &[&str]) -> Value {
    json!({
        "kind": "guide",
        "title": title,
        "summary": "Slik digitaliserte vi byggesaksbehandlingen.",
        "body": "# Steg 1\n\nLes *dette* først.",
        "language": "nb",
        "tags": tags,
        "license": "CC-BY-4.0",
        "links": [{"href": "https://www.oslo.kommune.no/byggesak", "title": "Byggesak i Oslo"}],
        "metadata": {}
    })
}

/// A complete, valid guide tagged `byggesak`.
pub fn guide(title: &str) -> Value {
    item_body(title, &["byggesak"])
}

/// The id of an item (or anything else) in a response body.
pub fn id_of(item: &Value) -> i64 {
    item["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("no id in {item}"))
}

/// Titles of listed items, for messages.
pub fn titles(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|i| i["title"].as_str().unwrap_or_default().to_owned())
        .collect()
}
