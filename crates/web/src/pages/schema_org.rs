//! The schema.org description of an item that search engines and
//! harvesters read from its page (`<script type="application/ld+json">`):
//! one type per kind (Dataset, SoftwareSourceCode, GovernmentService,
//! Event, Question, and Article for a guide). This is page markup for the
//! open web, not the ActivityStreams document peers fetch.

use deling_domain::{kind::ItemKind, metadata::ItemMetadata};
use deling_store::{queries::item::ItemCounts, records::Item};
use serde_json::{Value, json};

/// The schema.org type of a kind.
pub fn type_of(kind: &str) -> &'static str {
    match kind.parse::<ItemKind>() {
        Ok(ItemKind::Dataset) => "Dataset",
        Ok(ItemKind::Software) => "SoftwareSourceCode",
        Ok(ItemKind::Service) => "GovernmentService",
        Ok(ItemKind::Event) => "Event",
        Ok(ItemKind::Question) => "Question",
        Ok(ItemKind::Guide) | Err(_) => "Article",
    }
}

/// The document for `item` at `url`, published by `publisher` (name and
/// page), as text safe to place inside a `<script>` element.
pub fn document(item: &Item, url: &str, publisher: (&str, &str), counts: ItemCounts) -> String {
    let mut doc = json!({
        "@context": "https://schema.org",
        "@type": type_of(&item.kind),
        "@id": url,
        "url": url,
        "name": item.title,
        "description": item.summary,
        "inLanguage": item.language,
        "datePublished": item.published_at.to_rfc3339(),
        "dateModified": item.updated_at.to_rfc3339(),
        "keywords": item.tags,
        "publisher": {"@type": "GovernmentOrganization", "name": publisher.0, "url": publisher.1},
    });
    let publisher = doc["publisher"].clone();
    let put = |doc: &mut Value, key: &str, value: Value| {
        if let Some(o) = doc.as_object_mut() {
            o.insert(key.to_owned(), value);
        }
    };
    if let Some(l) = &item.license {
        put(&mut doc, "license", json!(l));
    }
    if let Some(b) = &item.based_on {
        put(&mut doc, "isBasedOn", json!(b));
    }
    let kind = item.kind.parse::<ItemKind>();
    match kind
        .ok()
        .map(|k| ItemMetadata::parse(k, item.metadata.clone()))
    {
        Some(Ok(ItemMetadata::Dataset(m))) => {
            let dists: Vec<Value> = m
                .distributions
                .iter()
                .map(|d| {
                    json!({"@type": "DataDownload", "contentUrl": d.access_url.as_str(),
                    "encodingFormat": d.format, "name": d.title})
                })
                .collect();
            put(&mut doc, "distribution", json!(dists));
            if let Some(p) = &m.landing_page {
                put(&mut doc, "mainEntityOfPage", json!(p.as_str()));
            }
        }
        Some(Ok(ItemMetadata::Software(m))) => {
            put(&mut doc, "codeRepository", json!(m.repository_url.as_str()));
            if let Some(v) = &m.software_version {
                put(&mut doc, "version", json!(v));
            }
            if !m.platforms.is_empty() {
                put(&mut doc, "runtimePlatform", json!(m.platforms));
            }
        }
        Some(Ok(ItemMetadata::Service(m))) => {
            put(&mut doc, "serviceOperator", publisher.clone());
            if let Some(u) = &m.service_url {
                put(
                    &mut doc,
                    "availableChannel",
                    json!({"@type": "ServiceChannel", "serviceUrl": u.as_str()}),
                );
            }
            if let Some(a) = &m.audience {
                put(
                    &mut doc,
                    "audience",
                    json!({"@type": "Audience", "audienceType": a}),
                );
            }
        }
        Some(Ok(ItemMetadata::Event(m))) => {
            put(&mut doc, "startDate", json!(m.starts_at.to_rfc3339()));
            if let Some(e) = m.ends_at {
                put(&mut doc, "endDate", json!(e.to_rfc3339()));
            }
            put(&mut doc, "organizer", publisher.clone());
            let mut places = vec![];
            if let Some(l) = &m.location {
                places.push(json!({"@type": "Place", "name": l}));
            }
            if let Some(u) = &m.online_url {
                places.push(json!({"@type": "VirtualLocation", "url": u.as_str()}));
            }
            if !places.is_empty() {
                put(&mut doc, "location", json!(places));
            }
        }
        Some(Ok(ItemMetadata::Question(_))) => {
            put(&mut doc, "text", json!(item.summary));
            put(&mut doc, "answerCount", json!(counts.comments));
        }
        Some(Ok(ItemMetadata::Guide(m))) => {
            if let Some(a) = &m.audience {
                put(
                    &mut doc,
                    "audience",
                    json!({"@type": "Audience", "audienceType": a}),
                );
            }
        }
        Some(Err(_)) | None => {}
    }
    script_safe(&doc.to_string())
}

/// JSON that cannot end its `<script>` element or open a comment: `<`,
/// `>` and `&` as JSON escapes (the same string to a JSON parser).
fn script_safe(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_text_cannot_close_the_script() {
        let s = script_safe(&json!({"name": "</script><script>alert(1)</script>"}).to_string());
        assert!(!s.contains('<') && !s.contains('>'), "{s}");
        let back: Value = serde_json::from_str(&s).unwrap_or_default();
        assert_eq!(back["name"], "</script><script>alert(1)</script>");
    }

    #[test]
    fn each_kind_has_its_type() {
        assert_eq!(type_of("dataset"), "Dataset");
        assert_eq!(type_of("software"), "SoftwareSourceCode");
        assert_eq!(type_of("service"), "GovernmentService");
        assert_eq!(type_of("event"), "Event");
        assert_eq!(type_of("question"), "Question");
        assert_eq!(type_of("guide"), "Article");
    }
}
