//! Publishing, reading, editing and withdrawing items; kind metadata.

use crate::helpers::{TestApp, guide, id_of, invalid, ok_json, problem};
use reqwest::{StatusCode, header};
use serde_json::{Value, json};

/// Every field of `a` except those named equals the same field of `b`.
fn assert_same_except(a: &Value, b: &Value, except: &[&str]) {
    let (a, b) = (a.as_object().unwrap(), b.as_object().unwrap());
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "the two items have different fields"
    );
    for (k, v) in a {
        if !except.contains(&k.as_str()) {
            assert_eq!(v, &b[k], "field {k:?} changed");
        }
    }
}

#[tokio::test]
async fn create_then_read_returns_every_field() {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let token = app.editor_of("kari", &oslo).await;

    let resp = app
        .post_item(&token, "oslo", &guide("Digital byggesak"))
        .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let location = resp
        .headers()
        .get(header::LOCATION)
        .expect("Location header")
        .to_str()
        .unwrap()
        .to_owned();
    let created = ok_json(resp, StatusCode::CREATED).await;
    let id = id_of(&created);
    assert_eq!(location, format!("/api/v1/items/{id}"));
    assert_eq!(
        created["url"],
        json!(format!("http://deling.test/items/{id}"))
    );
    assert_eq!(created["ap_id"], created["url"]);
    assert_eq!(created["kind"], "guide");
    assert_eq!(created["title"], "Digital byggesak");
    assert_eq!(
        created["summary"],
        "Slik digitaliserte vi byggesaksbehandlingen."
    );
    assert_eq!(created["body"], "# Steg 1\n\nLes *dette* først.");
    let html = created["body_html"].as_str().unwrap();
    assert!(
        html.contains("<h1>Steg 1</h1>") && html.contains("<em>dette</em>"),
        "{html}"
    );
    assert_eq!(created["language"], "nb");
    assert_eq!(created["tags"], json!(["byggesak"]));
    assert_eq!(created["license"], "CC-BY-4.0");
    assert_eq!(
        created["links"],
        json!([{"href": "https://www.oslo.kommune.no/byggesak", "title": "Byggesak i Oslo"}])
    );
    assert_eq!(created["metadata"], json!({}));
    assert_eq!(created["based_on"], Value::Null);
    assert_eq!(created["agency"]["slug"], "oslo");
    assert_eq!(created["agency"]["origin"], "local");
    assert_eq!(created["agency"]["handle"], "@oslo@deling.test");
    assert_eq!(created["agency"]["name"], "Oslo kommune");
    assert_eq!(created["published"], created["updated"]);

    // The Location header leads to the same item.
    let read = app.get_ok(&location).await;
    assert_eq!(read, created);
}

#[tokio::test]
async fn markdown_body_is_sanitised() {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let token = app.editor_of("kari", &oslo).await;
    let mut body = guide("Skript");
    body["body"] = json!("Hei <script>alert(1)</script> [lenke](javascript:alert(2))");
    let created = app.create_item(&token, "oslo", &body).await;
    let html = created["body_html"].as_str().unwrap();
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("javascript:"), "{html}");
    assert!(html.contains("Hei"), "{html}");
}

#[tokio::test]
async fn patch_title_keeps_every_other_field() {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let token = app.editor_of("kari", &oslo).await;
    let created = app
        .create_item(&token, "oslo", &guide("Gammel tittel"))
        .await;
    let id = id_of(&created);

    let resp = app
        .patch_item(&token, id, &json!({"title": "Ny tittel"}))
        .await;
    let patched = ok_json(resp, StatusCode::OK).await;
    assert_eq!(patched["title"], "Ny tittel");
    assert_same_except(&patched, &created, &["title", "updated"]);
    assert!(
        patched["updated"].as_str().unwrap() >= created["updated"].as_str().unwrap(),
        "updated went backwards"
    );
    assert_eq!(app.read_item(id).await, patched);
}

#[tokio::test]
async fn patch_null_clears_license_and_based_on() {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let token = app.editor_of("kari", &oslo).await;
    let mut body = guide("Med lisens");
    body["based_on"] = json!("https://deling.bergen.kommune.no/items/7");
    let created = app.create_item(&token, "oslo", &body).await;
    let id = id_of(&created);
    assert_eq!(created["license"], "CC-BY-4.0");
    assert_eq!(
        created["based_on"],
        "https://deling.bergen.kommune.no/items/7"
    );

    let resp = app.patch_item(&token, id, &json!({"license": null})).await;
    let patched = ok_json(resp, StatusCode::OK).await;
    assert_eq!(patched["license"], Value::Null);
    assert_same_except(&patched, &created, &["license", "updated"]);

    let resp = app.patch_item(&token, id, &json!({"based_on": null})).await;
    let patched = ok_json(resp, StatusCode::OK).await;
    assert_eq!(patched["based_on"], Value::Null);
    let read = app.read_item(id).await;
    assert_eq!(read["license"], Value::Null);
    assert_eq!(read["based_on"], Value::Null);
    assert_eq!(read["title"], "Med lisens");
}

#[tokio::test]
async fn patch_replaces_lists_and_empty_patch_changes_nothing() {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let token = app.editor_of("kari", &oslo).await;
    let created = app.create_item(&token, "oslo", &guide("Lister")).await;
    let id = id_of(&created);

    let resp = app
        .patch_item(
            &token,
            id,
            &json!({"tags": ["#Plan", "plan", "kart"], "links": []}),
        )
        .await;
    let patched = ok_json(resp, StatusCode::OK).await;
    // Folded to lower case, deduplicated, returned sorted.
    assert_eq!(patched["tags"], json!(["kart", "plan"]));
    assert_eq!(patched["links"], json!([]));
    assert_same_except(&patched, &created, &["tags", "links", "updated"]);

    let resp = app.patch_item(&token, id, &json!({})).await;
    let unchanged = ok_json(resp, StatusCode::OK).await;
    assert_same_except(&unchanged, &patched, &["updated"]);
}

#[tokio::test]
async fn delete_leaves_a_tombstone_that_answers_410() {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let token = app.editor_of("kari", &oslo).await;
    let created = app.create_item(&token, "oslo", &guide("Borte snart")).await;
    let id = id_of(&created);
    let other = app.create_item(&token, "oslo", &guide("Blir")).await;
    assert_eq!(app.total_items().await, 2);

    let resp = app.delete_item(&token, id).await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert!(resp.text().await.unwrap().is_empty());

    problem(app.get(&format!("/api/v1/items/{id}")).await, 410).await;
    problem(app.get(&format!("/api/v1/items/{id}/comments")).await, 410).await;
    problem(
        app.patch_item(&token, id, &json!({"title": "Tilbake"}))
            .await,
        410,
    )
    .await;
    problem(app.delete_item(&token, id).await, 410).await;

    // Gone from the listing; the other item is untouched.
    let list = app.get_ok("/api/v1/items").await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], other["id"]);
    assert_eq!(app.read_item(id_of(&other)).await, other);
}

#[tokio::test]
async fn dataset_metadata_is_stored_and_returned() {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let token = app.editor_of("kari", &oslo).await;
    let metadata = json!({
        "themes": ["http://publications.europa.eu/resource/authority/data-theme/GOVE"],
        "distributions": [{"access_url": "https://data.oslo.kommune.no/x.csv", "format": "text/csv", "title": "CSV"}],
        "access_rights": "public",
        "landing_page": "https://data.oslo.kommune.no/x"
    });
    let mut body = guide("Byggesaker per bydel");
    body["kind"] = json!("dataset");
    body["metadata"] = metadata.clone();
    let created = app.create_item(&token, "oslo", &body).await;
    assert_eq!(created["kind"], "dataset");
    assert_eq!(created["metadata"], metadata);
    assert_eq!(app.read_item(id_of(&created)).await["metadata"], metadata);

    // A distribution without access_url is refused.
    let mut bad = body.clone();
    bad["metadata"] = json!({"distributions": [{"format": "text/csv"}]});
    invalid(app.post_item(&token, "oslo", &bad).await, "metadata").await;
    // So is an unknown field.
    bad["metadata"] = json!({"colour": "red"});
    invalid(app.post_item(&token, "oslo", &bad).await, "metadata").await;
    assert_eq!(app.total_items().await, 1);
}

#[tokio::test]
async fn software_metadata_needs_a_repository() {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let token = app.editor_of("kari", &oslo).await;
    let metadata = json!({
        "repository_url": "https://github.com/oslokommune/byggesak",
        "development_status": "stable",
        "software_version": "1.2.0",
        "platforms": ["web", "linux"]
    });
    let mut body = guide("Byggesak-komponent");
    body["kind"] = json!("software");
    body["metadata"] = metadata.clone();
    let created = app.create_item(&token, "oslo", &body).await;
    assert_eq!(created["metadata"], metadata);
    assert_eq!(app.read_item(id_of(&created)).await["metadata"], metadata);

    for bad in [
        json!({}),
        json!({"development_status": "stable"}),
        json!({"repository_url": "ftp://example.no/x"}),
        json!({"repository_url": "https://github.com/x/y", "development_status": "done"}),
    ] {
        let mut b = body.clone();
        b["metadata"] = bad;
        invalid(app.post_item(&token, "oslo", &b).await, "metadata").await;
    }
    // No metadata at all is also missing the repository.
    let mut b = body.clone();
    b.as_object_mut().unwrap().remove("metadata");
    invalid(app.post_item(&token, "oslo", &b).await, "metadata").await;
    assert_eq!(app.total_items().await, 1);

    // Turning a guide into software needs the repository too.
    let guide_item = app.create_item(&token, "oslo", &guide("Veileder")).await;
    let id = id_of(&guide_item);
    invalid(
        app.patch_item(&token, id, &json!({"kind": "software"}))
            .await,
        "metadata",
    )
    .await;
    assert_eq!(app.read_item(id).await, guide_item);
    let resp = app
        .patch_item(
            &token,
            id,
            &json!({"kind": "software", "metadata": {"repository_url": "https://github.com/x/y"}}),
        )
        .await;
    let sw = ok_json(resp, StatusCode::OK).await;
    assert_eq!(sw["kind"], "software");
    assert_eq!(
        sw["metadata"],
        json!({"repository_url": "https://github.com/x/y"})
    );
}

#[tokio::test]
async fn event_metadata_is_checked() {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let token = app.editor_of("kari", &oslo).await;
    let metadata = json!({
        "starts_at": "2026-12-01T10:00:00Z",
        "ends_at": "2026-12-01T12:00:00Z",
        "location": "Oslo rådhus",
        "online_url": "https://meet.example.no/byggesak"
    });
    let mut body = guide("Fagdag byggesak");
    body["kind"] = json!("event");
    body["metadata"] = metadata.clone();
    let created = app.create_item(&token, "oslo", &body).await;
    assert_eq!(created["metadata"], metadata);
    assert_eq!(app.read_item(id_of(&created)).await["metadata"], metadata);

    for bad in [
        json!({}),
        json!({"starts_at": "tomorrow"}),
        json!({"starts_at": "2026-12-01T10:00:00Z", "ends_at": "2026-12-01T09:00:00Z"}),
    ] {
        let mut b = body.clone();
        b["metadata"] = bad;
        invalid(app.post_item(&token, "oslo", &b).await, "metadata").await;
    }
    assert_eq!(app.total_items().await, 1);
}

#[tokio::test]
async fn question_and_service_kinds_are_accepted() {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let token = app.editor_of("kari", &oslo).await;

    let mut q = guide("Har noen løst X?");
    q["kind"] = json!("question");
    let created = app.create_item(&token, "oslo", &q).await;
    assert_eq!(created["kind"], "question");
    assert_eq!(created["metadata"], json!({"status": "open"}));

    let mut s = guide("Søk om byggetillatelse");
    s["kind"] = json!("service");
    s["metadata"] =
        json!({"service_url": "https://www.oslo.kommune.no/sok", "audience": "innbyggere"});
    let created = app.create_item(&token, "oslo", &s).await;
    assert_eq!(created["metadata"], s["metadata"]);
}

#[tokio::test]
async fn minimal_item_gets_defaults() {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let token = app.editor_of("kari", &oslo).await;
    let created = app
        .create_item(
            &token,
            "oslo",
            &json!({"kind": "guide", "title": "  Kort  ", "language": "NB"}),
        )
        .await;
    assert_eq!(created["title"], "Kort", "title is trimmed");
    assert_eq!(created["language"], "nb", "language is canonical");
    assert_eq!(created["summary"], "");
    assert_eq!(created["body"], "");
    assert_eq!(created["tags"], json!([]));
    assert_eq!(created["links"], json!([]));
    assert_eq!(created["license"], Value::Null);
    assert_eq!(created["metadata"], json!({}));
}

#[tokio::test]
async fn concurrent_writes_all_succeed() {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let token = app.editor_of("kari", &oslo).await;
    let creates = (0..16).map(|i| {
        let (app, token) = (&app, &token);
        async move {
            app.post_item(token, "oslo", &guide(&format!("Samtidig {i}")))
                .await
        }
    });
    let mut ids = Vec::new();
    for resp in futures_join_all(creates).await {
        ids.push(id_of(&ok_json(resp, StatusCode::CREATED).await));
    }
    assert_eq!(app.total_items().await, 16);

    let patches = ids.iter().map(|&id| {
        let (app, token) = (&app, &token);
        async move {
            app.patch_item(token, id, &json!({"summary": format!("Endret {id}")}))
                .await
        }
    });
    for resp in futures_join_all(patches).await {
        ok_json(resp, StatusCode::OK).await;
    }
    let deletes = ids.iter().take(8).map(|&id| {
        let (app, token) = (&app, &token);
        async move { app.delete_item(token, id).await }
    });
    for resp in futures_join_all(deletes).await {
        assert_eq!(
            resp.status(),
            StatusCode::NO_CONTENT,
            "{}",
            resp.text().await.unwrap()
        );
    }
    assert_eq!(app.total_items().await, 8);
    for &id in &ids[8..] {
        assert_eq!(app.read_item(id).await["summary"], format!("Endret {id}"));
    }
}

/// Runs futures concurrently on the current task and collects their outputs
/// in order (a tiny `join_all`, to avoid a dependency for one test).
async fn futures_join_all<F: std::future::Future>(
    futures: impl IntoIterator<Item = F>,
) -> Vec<F::Output> {
    let mut set = Vec::new();
    for f in futures {
        set.push(Box::pin(f));
    }
    let mut out: Vec<Option<F::Output>> = set.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (f, slot) in set.iter_mut().zip(out.iter_mut()) {
            if slot.is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => *slot = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.into_iter()
        .map(|o| o.expect("every future finished"))
        .collect()
}
