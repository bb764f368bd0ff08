//! Staff pages: items. Publishing through the form (a dataset with two
//! distributions, read back through the API and on the public page),
//! editing, errors next to their fields, the preview, withdrawing with a
//! confirmation, pins and shares; and what is refused: another agency's
//! editor, a post without its CSRF token, markup typed into fields.

use deling_domain::auth::Role;
use deling_store::records::Agency;
use deling_testkit::{TestApp, web::Browser};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn location(resp: &reqwest::Response) -> String {
    resp.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// Character references as text (askama writes `&#60;`, `&#34;`, ...).
fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest.find(';').filter(|e| *e < 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let name = &rest[1..end];
        let c = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            n if n.starts_with("#x") => u32::from_str_radix(&n[2..], 16)
                .ok()
                .and_then(char::from_u32),
            n if n.starts_with('#') => n[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    let at = tag.find(&needle)? + needle.len();
    let end = tag[at..].find('"')?;
    Some(unescape(&tag[at..at + end]))
}

/// What the form `id` in `html` would post as it stands: its inputs,
/// textareas and selects, in order, as a browser sends them (buttons
/// left out: the test says which one it presses).
fn form_fields(html: &str, id: &str) -> Vec<(String, String)> {
    let start = html.find(&format!("<form id=\"{id}\"")).expect("the form");
    let end = start + html[start..].find("</form>").expect("its end");
    let form = &html[start..end];
    let mut out = vec![];
    let mut rest = form;
    while let Some(i) = rest.find('<') {
        rest = &rest[i..];
        let tag_end = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..tag_end];
        if tag.starts_with("<input ") {
            if let Some(name) = attr(tag, "name") {
                out.push((name, attr(tag, "value").unwrap_or_default()));
            }
        } else if tag.starts_with("<textarea ") {
            let close = rest.find("</textarea>").unwrap();
            let name = attr(tag, "name").unwrap();
            out.push((name, unescape(&rest[tag_end + 1..close])));
        } else if tag.starts_with("<select ") {
            let close = rest.find("</select>").unwrap();
            let name = attr(tag, "name").unwrap();
            let body = &rest[tag_end..close];
            let chosen = body
                .split("<option ")
                .skip(1)
                .find(|o| o.contains(" selected"))
                .or_else(|| body.split("<option ").nth(1))
                .map(|o| attr(&format!(" {o}"), "value").unwrap_or_default())
                .unwrap_or_default();
            out.push((name, chosen));
        }
        rest = &rest[1..];
    }
    out
}

/// Sets the first `name` in `fields` to `value`.
fn set(fields: &mut [(String, String)], name: &str, value: &str) {
    let f = fields
        .iter_mut()
        .find(|(k, _)| k == name)
        .unwrap_or_else(|| panic!("no field {name}"));
    f.1 = value.to_owned();
}

/// Sets the `n`th (from 0) `name` in `fields` to `value`.
fn set_nth(fields: &mut [(String, String)], name: &str, n: usize, value: &str) {
    let f = fields
        .iter_mut()
        .filter(|(k, _)| k == name)
        .nth(n)
        .unwrap_or_else(|| panic!("no field {name} number {n}"));
    f.1 = value.to_owned();
}

async fn post(b: &mut Browser, path: &str, fields: &[(String, String)]) -> reqwest::Response {
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    b.post_raw(path, &pairs).await
}

/// A server with agency oslo, its editor kari logged in, and her token.
async fn oslo() -> (TestApp, Agency, Browser, String) {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let kari = app.staff("kari", false).await;
    app.store
        .put_membership(kari.id, oslo.id, Role::Editor)
        .await
        .unwrap();
    let token = app.token(&kari).await;
    let b = app.logged_in("kari").await;
    (app, oslo, b, token)
}

/// `path` as a browser asks for a page.
async fn public_page(app: &TestApp, path: &str) -> (StatusCode, String) {
    let resp = app
        .client
        .get(app.url(path))
        .header("Accept", "text/html")
        .send()
        .await
        .unwrap();
    (resp.status(), resp.text().await.unwrap())
}

fn dataset() -> Value {
    json!({
        "kind": "dataset",
        "title": "Bysykkeldata",
        "summary": "Turer med bysykkel",
        "body": "## Om dataene\n\nOppdateres *hver natt*.",
        "language": "nb",
        "tags": ["mobilitet", "sykkel"],
        "license": "NLOD-2.0",
        "links": [{"href": "https://oslo.example/om.pdf", "title": "Om", "media_type": "application/pdf"}],
        "metadata": {
            "access_rights": "public",
            "landing_page": "https://data.oslo.example/bysykkel",
            "distributions": [
                {"access_url": "https://data.oslo.example/turer.csv", "format": "CSV"},
                {"access_url": "https://data.oslo.example/turer.json", "format": "JSON", "title": "Som JSON"}
            ]
        }
    })
}

async fn item_count(app: &TestApp) -> u64 {
    app.total_items().await
}

#[tokio::test]
async fn a_dataset_with_two_distributions_is_published_through_the_form() {
    let (app, _, mut b, _) = oslo().await;

    // Without a kind: a choice of kinds.
    let html = b.page("/staff/agencies/oslo/items/new").await;
    for kind in [
        "guide", "dataset", "software", "service", "question", "event",
    ] {
        assert!(
            html.contains(&format!("/staff/agencies/oslo/items/new?kind={kind}")),
            "{kind}: {html}"
        );
    }

    // The dataset form: two blank distributions, one more on request.
    let new = "/staff/agencies/oslo/items/new?kind=dataset";
    let html = b.page(new).await;
    assert!(html.contains("id=\"f-dist_url-1\""), "{html}");
    assert!(!html.contains("id=\"f-dist_url-2\""));
    for field in [
        "f-title",
        "f-summary",
        "f-body",
        "f-language",
        "f-tags",
        "f-license",
        "f-based_on",
        "f-meta_access_rights",
        "f-meta_landing_page",
        "f-meta_themes",
        "f-dist_format-0",
        "f-dist_title-0",
        "f-link_href-0",
        "f-link_title-0",
        "f-link_media_type-0",
    ] {
        assert!(html.contains(&format!("id=\"{field}\"")), "{field}");
        assert!(html.contains(&format!("<label for=\"{field}\"")), "{field}");
    }
    let mut fields = form_fields(&html, "item-form");
    let mut more = fields.clone();
    more.push(("add".into(), "dist".into()));
    let resp = post(&mut b, "/staff/agencies/oslo/items", &more).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let html = resp.text().await.unwrap();
    assert!(html.contains("id=\"f-dist_url-2\""), "{html}");
    assert_eq!(item_count(&app).await, 0, "adding a row stores nothing");

    set(&mut fields, "title", "Bysykkeldata");
    set(&mut fields, "summary", "Turer med bysykkel");
    set(
        &mut fields,
        "body",
        "## Om dataene\n\nOppdateres *hver natt*.",
    );
    set(&mut fields, "tags", "mobilitet, #Sykkel");
    set(&mut fields, "license", "NLOD-2.0");
    set(&mut fields, "meta_access_rights", "public");
    set_nth(
        &mut fields,
        "dist_url",
        0,
        "https://data.oslo.example/turer.csv",
    );
    set_nth(&mut fields, "dist_format", 0, "CSV");
    set_nth(
        &mut fields,
        "dist_url",
        1,
        "https://data.oslo.example/turer.json",
    );
    set_nth(&mut fields, "dist_format", 1, "JSON");
    set_nth(&mut fields, "dist_title", 1, "Som JSON");
    set(&mut fields, "link_href", "https://oslo.example/om.pdf");
    fields.push(("save".into(), "1".into()));
    let resp = post(&mut b, "/staff/agencies/oslo/items", &fields).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let to = location(&resp);
    assert_eq!(to, "/staff/agencies/oslo/items?done=created");

    // Read back through the API.
    let list = app.get_ok("/api/v1/items?agency=oslo").await;
    let item = &list["items"][0];
    assert_eq!(item["title"], "Bysykkeldata");
    assert_eq!(item["kind"], "dataset");
    assert_eq!(item["language"], "nb");
    assert_eq!(item["tags"], json!(["mobilitet", "sykkel"]));
    assert_eq!(item["license"], "NLOD-2.0");
    assert_eq!(
        item["metadata"],
        json!({
            "access_rights": "public",
            "distributions": [
                {"access_url": "https://data.oslo.example/turer.csv", "format": "CSV"},
                {"access_url": "https://data.oslo.example/turer.json", "format": "JSON", "title": "Som JSON"}
            ]
        })
    );
    assert_eq!(item["links"][0]["href"], "https://oslo.example/om.pdf");
    let id = item["id"].as_i64().unwrap();

    // On the public page, and on the staff list with the notice.
    let (status, html) = public_page(&app, &format!("/items/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("https://data.oslo.example/turer.csv"),
        "{html}"
    );
    assert!(html.contains("Som JSON"), "{html}");
    assert!(html.contains("<em>hver natt</em>"), "{html}");
    let html = b.page(&to).await;
    assert!(html.contains("role=\"status\""), "{html}");
    assert!(html.contains("Oppføringen er publisert"), "{html}");
    assert!(html.contains(&format!("/staff/items/{id}/edit")), "{html}");
    assert!(html.contains("Bysykkeldata"));
}

#[tokio::test]
async fn an_edit_keeps_what_was_not_changed() {
    let (app, _, mut b, token) = oslo().await;
    let created = app.create_item(&token, "oslo", &dataset()).await;
    let id = created["id"].as_i64().unwrap();
    let edit = format!("/staff/items/{id}/edit");
    let html = b.page(&edit).await;
    // Two distributions filled in, and a blank one to add to.
    assert!(html.contains("id=\"f-dist_url-2\""), "{html}");
    assert!(!html.contains("id=\"f-dist_url-3\""));
    let mut fields = form_fields(&html, "item-form");
    set(&mut fields, "title", "Bysykkeldata 2026");
    let resp = post(&mut b, &format!("/staff/items/{id}"), &fields).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&resp), "/staff/agencies/oslo/items?done=saved");
    let after = app.read_item(id).await;
    assert_eq!(after["title"], "Bysykkeldata 2026");
    for field in [
        "kind",
        "summary",
        "body",
        "language",
        "tags",
        "license",
        "links",
        "metadata",
        "based_on",
        "published",
    ] {
        assert_eq!(after[field], created[field], "{field}");
    }
    // The language links of a form shown after a post lead to the form.
    let resp = b.get(&format!("/staff/items/{id}?lang=en")).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&resp), format!("/staff/items/{id}/edit?lang=en"));
}

#[tokio::test]
async fn invalid_input_shows_each_error_next_to_its_field_and_stores_nothing() {
    let (app, _, mut b, _) = oslo().await;
    let html = b.page("/staff/agencies/oslo/items/new?kind=dataset").await;
    let mut fields = form_fields(&html, "item-form");
    set(&mut fields, "title", "");
    set(&mut fields, "language", "klingon!");
    set(&mut fields, "summary", "Noe om <data>");
    set_nth(
        &mut fields,
        "dist_url",
        0,
        "https://data.oslo.example/a.csv",
    );
    set_nth(&mut fields, "dist_url", 1, "ikke en adresse");
    set_nth(&mut fields, "dist_format", 1, "CSV");
    let resp = post(&mut b, "/staff/agencies/oslo/items", &fields).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    for (id, message) in [
        ("f-title", "Fyll ut dette feltet."),
        ("f-language", "Skriv en språkkode"),
        ("f-dist_url-1", "Skriv en hel nettadresse"),
    ] {
        let error = format!("<p id=\"{id}-error\" class=\"field-error\">{message}");
        assert!(html.contains(&error), "{id}: {html}");
        // The control says it is invalid and points at its error.
        let tag_at = html.find(&format!("<input id=\"{id}\"")).unwrap();
        let tag = &html[tag_at..tag_at + html[tag_at..].find('>').unwrap()];
        assert!(tag.contains("aria-invalid=\"true\""), "{tag}");
        let described = attr(tag, "aria-describedby").unwrap();
        assert!(
            described.split(' ').any(|d| d == format!("{id}-error")),
            "{tag}"
        );
        // The summary links to it.
        assert!(html.contains(&format!("<a href=\"#{id}\">")), "{id}");
    }
    // Only those three are wrong; the first distribution is fine.
    assert_eq!(html.matches("aria-invalid=\"true\"").count(), 3, "{html}");
    assert!(html.contains("Det er 3 feil i skjemaet"), "{html}");
    // What was typed is kept.
    let kept = form_fields(&html, "item-form");
    let value = |name: &str, n: usize| {
        kept.iter()
            .filter(|(k, _)| k == name)
            .nth(n)
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    assert_eq!(value("language", 0), "klingon!");
    assert_eq!(value("summary", 0), "Noe om <data>");
    assert_eq!(value("dist_url", 0), "https://data.oslo.example/a.csv");
    assert_eq!(value("dist_url", 1), "ikke en adresse");
    assert_eq!(value("dist_format", 1), "CSV");
    assert_eq!(item_count(&app).await, 0);

    // A software item without its repository: the metadata's own field.
    let html = b.page("/staff/agencies/oslo/items/new?kind=software").await;
    let mut fields = form_fields(&html, "item-form");
    set(&mut fields, "title", "Saksbehandling");
    let resp = post(&mut b, "/staff/agencies/oslo/items", &fields).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("<p id=\"f-meta_repository_url-error\" class=\"field-error\">"),
        "{html}"
    );
    assert_eq!(item_count(&app).await, 0);

    // The same on an edit: the stored item is unchanged.
    let token = {
        let kari = app
            .store
            .get_staff_by_username("kari")
            .await
            .unwrap()
            .unwrap();
        app.token(&kari).await
    };
    let created = app.create_item(&token, "oslo", &dataset()).await;
    let id = created["id"].as_i64().unwrap();
    let html = b.page(&format!("/staff/items/{id}/edit")).await;
    let mut fields = form_fields(&html, "item-form");
    set(&mut fields, "title", "Nytt navn");
    set_nth(&mut fields, "dist_url", 1, "javascript:alert(1)");
    let resp = post(&mut b, &format!("/staff/items/{id}"), &fields).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(html.contains("id=\"f-dist_url-1-error\""), "{html}");
    assert_eq!(app.read_item(id).await["title"], "Bysykkeldata");
}

#[tokio::test]
async fn a_preview_renders_the_body_and_stores_nothing() {
    let (app, _, mut b, _) = oslo().await;
    let html = b.page("/staff/agencies/oslo/items/new?kind=guide").await;
    let mut fields = form_fields(&html, "item-form");
    set(&mut fields, "title", "Slik <i>gjør</i> vi det");
    set(
        &mut fields,
        "body",
        "# Steg én\n\nLes *dette* først.\n\n<script>alert(1)</script>",
    );
    fields.push(("preview".into(), "1".into()));
    let resp = post(&mut b, "/staff/agencies/oslo/items", &fields).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let html = resp.text().await.unwrap();
    assert!(html.contains("id=\"preview-title\""), "{html}");
    // The item page's rendering, its heading under the preview's own.
    assert!(html.contains("<h3>Steg én</h3>"), "{html}");
    assert!(html.contains("<em>dette</em>"), "{html}");
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(!html.contains("<i>gjør</i>"), "{html}");
    assert!(unescape(&html).contains("Slik <i>gjør</i> vi det"));
    // The form is still there, with what was typed.
    let kept = form_fields(&html, "item-form");
    assert!(
        kept.iter()
            .any(|(k, v)| k == "title" && v == "Slik <i>gjør</i> vi det")
    );
    assert_eq!(item_count(&app).await, 0);
}

#[tokio::test]
async fn withdrawing_needs_the_confirmation_and_then_the_item_is_gone() {
    let (app, _, mut b, token) = oslo().await;
    let id = app.create_item(&token, "oslo", &dataset()).await["id"]
        .as_i64()
        .unwrap();
    let confirm = format!("/staff/items/{id}/withdraw");
    let html = b.page(&confirm).await;
    assert!(html.contains("410"), "{html}");
    assert!(html.contains("følgere"), "{html}");
    assert!(html.contains(&format!("action=\"/staff/items/{id}/withdraw\"")));
    // Opening the confirmation changes nothing.
    assert_eq!(app.read_item(id).await["title"], "Bysykkeldata");

    let resp = b.post_form(&confirm, &confirm, &[]).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&resp), "/staff/agencies/oslo/items?done=withdrawn");
    assert_eq!(
        app.get(&format!("/api/v1/items/{id}")).await.status(),
        StatusCode::GONE
    );
    let (status, _) = public_page(&app, &format!("/items/{id}")).await;
    assert_eq!(status, StatusCode::GONE);
    // Its staff pages answer 410 too, and the list no longer has it.
    assert_eq!(b.get(&confirm).await.status(), StatusCode::GONE);
    let html = b.page("/staff/agencies/oslo/items?done=withdrawn").await;
    assert!(html.contains("Oppføringen er trukket tilbake"), "{html}");
    assert!(!html.contains(&format!("/staff/items/{id}/edit")));
}

#[tokio::test]
async fn pins_and_shares() {
    let (app, _, mut b, token) = oslo().await;
    let id = app.create_item(&token, "oslo", &dataset()).await["id"]
        .as_i64()
        .unwrap();
    let list = "/staff/agencies/oslo/items";
    let resp = b
        .post_form(list, &format!("/staff/items/{id}/pin"), &[])
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&resp), format!("{list}?done=pinned"));
    assert_eq!(app.read_item(id).await["pinned"], true);
    let html = b.page(list).await;
    assert!(
        html.contains(&format!("action=\"/staff/items/{id}/unpin\"")),
        "{html}"
    );
    let resp = b
        .post_form(list, &format!("/staff/items/{id}/unpin"), &[])
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.read_item(id).await["pinned"], false);

    // Bergen's item, shared by Oslo and taken back.
    let bergen = app.agency("bergen", "Bergen kommune").await;
    let bergen_token = app.editor_of("berit", &bergen).await;
    let mut theirs = dataset();
    theirs["title"] = json!("Bergens bysykkel");
    let theirs = app.create_item(&bergen_token, "bergen", &theirs).await["id"]
        .as_i64()
        .unwrap();
    let html = b.page(list).await;
    assert!(
        html.contains(&format!("action=\"/staff/items/{theirs}/share\"")),
        "{html}"
    );
    let resp = b
        .post_form(
            list,
            &format!("/staff/items/{theirs}/share"),
            &[("agency", "oslo")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&resp), format!("{list}?done=shared"));
    let shares = app.get_ok("/api/v1/agencies/oslo/shares").await;
    assert_eq!(shares[0]["item"]["id"], theirs, "{shares}");
    let html = b.page(list).await;
    assert!(
        html.contains(&format!("action=\"/staff/items/{theirs}/unshare\"")),
        "{html}"
    );
    let resp = b
        .post_form(
            list,
            &format!("/staff/items/{theirs}/unshare"),
            &[("agency", "oslo")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.get_ok("/api/v1/agencies/oslo/shares").await, json!([]));
}

#[tokio::test]
async fn another_agencys_editor_is_refused_everywhere_and_nothing_changes() {
    let (app, _, _, token) = oslo().await;
    let created = app.create_item(&token, "oslo", &dataset()).await;
    let id = created["id"].as_i64().unwrap();
    let bergen = app.agency("bergen", "Bergen kommune").await;
    let per = app.staff("per", false).await;
    app.store
        .put_membership(per.id, bergen.id, Role::Editor)
        .await
        .unwrap();
    let mut b = app.logged_in("per").await;
    // Per's own list works, and gives him a CSRF token.
    let own = "/staff/agencies/bergen/items";
    b.page(own).await;
    for path in [
        "/staff/agencies/oslo/items".to_owned(),
        "/staff/agencies/oslo/items/new".to_owned(),
        "/staff/agencies/oslo/items/new?kind=dataset".to_owned(),
        format!("/staff/items/{id}/edit"),
        format!("/staff/items/{id}/withdraw"),
    ] {
        let resp = b.get(&path).await;
        assert_eq!(resp.status(), StatusCode::FORBIDDEN, "GET {path}");
        let html = resp.text().await.unwrap();
        assert!(!html.contains("Bysykkeldata"), "{path}: {html}");
    }
    let item_form: Vec<(&str, &str)> = vec![
        ("kind", "dataset"),
        ("title", "Kapret"),
        ("language", "nb"),
        ("save", "1"),
    ];
    let shared = [("agency", "oslo")];
    for (path, fields) in [
        ("/staff/agencies/oslo/items".to_owned(), &item_form[..]),
        (format!("/staff/items/{id}"), &item_form[..]),
        (format!("/staff/items/{id}/withdraw"), &[][..]),
        (format!("/staff/items/{id}/pin"), &[][..]),
        (format!("/staff/items/{id}/unpin"), &[][..]),
        (format!("/staff/items/{id}/share"), &shared[..]),
        (format!("/staff/items/{id}/unshare"), &shared[..]),
    ] {
        let resp = b.post_form(own, &path, fields).await;
        assert_eq!(resp.status(), StatusCode::FORBIDDEN, "POST {path}");
    }
    let after = app.read_item(id).await;
    for field in ["title", "metadata", "pinned", "updated"] {
        assert_eq!(after[field], created[field], "{field}");
    }
    assert_eq!(item_count(&app).await, 1);
    assert_eq!(app.get_ok("/api/v1/agencies/oslo/shares").await, json!([]));
}

#[tokio::test]
async fn markup_in_fields_is_text_on_the_form_the_preview_and_the_list() {
    let (app, _, mut b, token) = oslo().await;
    let mut body = dataset();
    body["title"] = json!("<b>Fet</b> & \"sitert\"");
    body["summary"] = json!("<img src=x onerror=alert(1)>");
    body["metadata"]["distributions"][0]["title"] = json!("<script>alert(2)</script>");
    let id = app.create_item(&token, "oslo", &body).await["id"]
        .as_i64()
        .unwrap();
    for path in [
        format!("/staff/items/{id}/edit"),
        format!("/staff/items/{id}/withdraw"),
        "/staff/agencies/oslo/items".to_owned(),
    ] {
        let html = b.page(&path).await;
        assert!(!html.contains("<b>Fet</b>"), "{path}: {html}");
        assert!(!html.contains("<img src=x"), "{path}");
        assert!(!html.contains("<script>alert"), "{path}");
        assert!(
            unescape(&html).contains("<b>Fet</b> & \"sitert\""),
            "{path}"
        );
    }
    let html = b.page(&format!("/staff/items/{id}/edit")).await;
    let mut fields = form_fields(&html, "item-form");
    set(
        &mut fields,
        "body",
        "Tekst med <img src=x onerror=alert(3)> i",
    );
    fields.push(("preview".into(), "1".into()));
    let resp = post(&mut b, &format!("/staff/items/{id}"), &fields).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let html = resp.text().await.unwrap();
    assert!(html.contains("id=\"preview-title\""));
    assert!(!html.contains("<b>Fet</b>"), "{html}");
    assert!(!html.contains("<img src=x"), "{html}");
    // In the rendered body the handler is gone; elsewhere it is text.
    let tags_with_handler = html
        .split('<')
        .filter(|t| t.split('>').next().unwrap_or_default().contains("onerror"))
        .count();
    assert_eq!(tags_with_handler, 0, "{html}");
    assert_eq!(app.read_item(id).await["body"], dataset()["body"]);
}

#[tokio::test]
async fn posts_without_the_csrf_token_or_a_session_are_refused() {
    let (app, _, mut b, token) = oslo().await;
    let id = app.create_item(&token, "oslo", &dataset()).await["id"]
        .as_i64()
        .unwrap();
    let form = [
        ("kind", "guide"),
        ("title", "Uten token"),
        ("language", "nb"),
        ("save", "1"),
    ];
    let resp = b.post_raw("/staff/agencies/oslo/items", &form).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let mut wrong = vec![("csrf", "dlg_not_the_token")];
    wrong.extend_from_slice(&form);
    let resp = b.post_raw("/staff/agencies/oslo/items", &wrong).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    for path in ["withdraw", "pin"] {
        let resp = b.post_raw(&format!("/staff/items/{id}/{path}"), &[]).await;
        assert_eq!(resp.status(), StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(item_count(&app).await, 1);
    let item = app.read_item(id).await;
    assert_eq!(item["pinned"], false);

    // No session: to the login page, and back afterwards.
    let mut stranger = app.browser();
    let resp = stranger
        .get("/staff/agencies/oslo/items/new?kind=dataset")
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&resp),
        "/login?next=%2Fstaff%2Fagencies%2Foslo%2Fitems%2Fnew%3Fkind%3Ddataset"
    );
    let resp = stranger
        .post_raw(&format!("/staff/items/{id}/withdraw"), &[("csrf", "x")])
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.get(&format!("/api/v1/items/{id}")).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn every_kind_is_published_with_its_own_fields() {
    let (app, _, mut b, _) = oslo().await;
    /// A kind, the form's metadata fields, and the metadata they make.
    type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], Value);
    let cases: [Case; 5] = [
        (
            "guide",
            &[("meta_audience", "saksbehandlere")],
            json!({"audience": "saksbehandlere"}),
        ),
        (
            "software",
            &[
                ("meta_repository_url", "https://git.oslo.example/sak"),
                ("meta_development_status", "beta"),
                ("meta_software_version", "1.2.0"),
                ("meta_platforms", "web, linux"),
                (
                    "meta_publiccode_url",
                    "https://git.oslo.example/sak/publiccode.yml",
                ),
            ],
            json!({
                "repository_url": "https://git.oslo.example/sak",
                "development_status": "beta",
                "software_version": "1.2.0",
                "platforms": ["web", "linux"],
                "publiccode_url": "https://git.oslo.example/sak/publiccode.yml"
            }),
        ),
        (
            "service",
            &[
                ("meta_service_url", "https://oslo.example/byggesak"),
                ("meta_audience", "innbyggere"),
            ],
            json!({"service_url": "https://oslo.example/byggesak", "audience": "innbyggere"}),
        ),
        (
            "question",
            &[("meta_status", "answered")],
            json!({"status": "answered"}),
        ),
        (
            "event",
            &[
                ("meta_starts_at", "2026-12-10T09:00"),
                ("meta_ends_at", "2026-12-10T15:30"),
                ("meta_location", "Rådhuset"),
                ("meta_online_url", "https://møte.oslo.example/fagdag"),
            ],
            json!({
                "starts_at": "2026-12-10T09:00:00Z",
                "ends_at": "2026-12-10T15:30:00Z",
                "location": "Rådhuset",
                "online_url": "https://xn--mte-0na.oslo.example/fagdag"
            }),
        ),
    ];
    for (kind, meta, expected) in cases {
        let html = b
            .page(&format!("/staff/agencies/oslo/items/new?kind={kind}"))
            .await;
        let mut fields = form_fields(&html, "item-form");
        set(&mut fields, "title", &format!("En {kind}"));
        for (name, value) in meta {
            set(&mut fields, name, value);
        }
        let resp = post(&mut b, "/staff/agencies/oslo/items", &fields).await;
        let status = resp.status();
        assert_eq!(
            status,
            StatusCode::SEE_OTHER,
            "{kind}: {}",
            resp.text().await.unwrap()
        );
        let items = app
            .get_ok(&format!("/api/v1/items?agency=oslo&kind={kind}"))
            .await;
        assert_eq!(items["items"][0]["metadata"], expected, "{kind}");
        // Edited again with nothing changed, it stays the same.
        let id = items["items"][0]["id"].as_i64().unwrap();
        let html = b.page(&format!("/staff/items/{id}/edit")).await;
        let resp = post(
            &mut b,
            &format!("/staff/items/{id}"),
            &form_fields(&html, "item-form"),
        )
        .await;
        assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{kind}");
        assert_eq!(app.read_item(id).await["metadata"], expected, "{kind}");
    }
}
