//! An instance admin may act for any agency here, including agencies they
//! are not on the staff of; every such write is in the audit log, marked
//! with the agency and `as_instance_admin`, so the agency can see that
//! someone outside its staff acted in its name. Its own staff (an
//! instance admin on it among them) write nothing new there.

use deling_testkit::{http::json_body, instance::Instance};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// What [`act_for_oslo`] made.
struct Acted {
    item: i64,
    comment: i64,
}

/// `method path` on `a` as `token`, expecting `status`; the JSON answer
/// (`null` for none).
async fn expect(
    a: &Instance,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
    status: StatusCode,
) -> Value {
    let resp = a.send_as(token, method.clone(), path, body.as_ref()).await;
    if status == StatusCode::NO_CONTENT {
        assert_eq!(resp.status(), status, "{method} {path}");
        return Value::Null;
    }
    json_body(resp, status).await
}

/// Every write the API offers an editor of oslo, done as `token`:
/// publish, edit, pin, unpin, share, unshare, comment, edit the comment,
/// hide, unhide and delete it, follow nav on `b` and stop; the item is
/// left published.
async fn act_for_oslo(a: &Instance, b: &Instance, token: &str) -> Acted {
    let item = expect(
        a,
        token,
        Method::POST,
        "/api/v1/agencies/oslo/items",
        Some(
            json!({"kind": "guide", "title": "Byggesak", "summary": "Slik gjør du det",
                    "body": "Tekst", "language": "nb", "tags": [], "links": []}),
        ),
        StatusCode::CREATED,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let item_path = format!("/api/v1/items/{item}");
    expect(
        a,
        token,
        Method::PATCH,
        &item_path,
        Some(json!({"title": "Byggesak, ny utgave"})),
        StatusCode::OK,
    )
    .await;
    for method in [Method::POST, Method::DELETE] {
        let path = format!("{item_path}/pin");
        expect(a, token, method, &path, None, StatusCode::NO_CONTENT).await;
    }
    expect(
        a,
        token,
        Method::POST,
        &format!("{item_path}/shares"),
        Some(json!({"agency": "oslo"})),
        StatusCode::CREATED,
    )
    .await;
    // Sharing again changes nothing, so records nothing.
    expect(
        a,
        token,
        Method::POST,
        &format!("{item_path}/shares"),
        Some(json!({"agency": "oslo"})),
        StatusCode::OK,
    )
    .await;
    expect(
        a,
        token,
        Method::DELETE,
        &format!("{item_path}/shares?agency=oslo"),
        None,
        StatusCode::NO_CONTENT,
    )
    .await;
    let comment = expect(
        a,
        token,
        Method::POST,
        &format!("{item_path}/comments"),
        Some(json!({"agency": "oslo", "body": "Vi svarer gjerne"})),
        StatusCode::CREATED,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let comment_path = format!("/api/v1/comments/{comment}");
    expect(
        a,
        token,
        Method::PATCH,
        &comment_path,
        Some(json!({"body": "Vi svarer gjerne i morgen"})),
        StatusCode::OK,
    )
    .await;
    for verb in ["hide", "unhide"] {
        let path = format!("{comment_path}/{verb}");
        expect(a, token, Method::POST, &path, None, StatusCode::NO_CONTENT).await;
    }
    expect(
        a,
        token,
        Method::DELETE,
        &comment_path,
        None,
        StatusCode::NO_CONTENT,
    )
    .await;
    expect(
        a,
        token,
        Method::POST,
        "/api/v1/agencies/oslo/following",
        Some(json!({"target": b.handle("nav")})),
        StatusCode::ACCEPTED,
    )
    .await;
    let target: String =
        url::form_urlencoded::byte_serialize(b.actor_id("nav").as_bytes()).collect();
    expect(
        a,
        token,
        Method::DELETE,
        &format!("/api/v1/agencies/oslo/following?target={target}"),
        None,
        StatusCode::NO_CONTENT,
    )
    .await;
    Acted { item, comment }
}

/// The audit log, oldest first, as `(actor, action, target, details)`.
async fn audit_log(a: &Instance, admin: &str) -> Vec<(String, String, String, Value)> {
    let page = expect(
        a,
        admin,
        Method::GET,
        "/api/v1/admin/audit?per_page=200",
        None,
        StatusCode::OK,
    )
    .await;
    let mut entries: Vec<_> = page
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["actor"].as_str().unwrap().to_owned(),
                e["action"].as_str().unwrap().to_owned(),
                e["target"].as_str().unwrap().to_owned(),
                e["details"].clone(),
            )
        })
        .collect();
    entries.reverse();
    entries
}

/// `details` with the marks of an instance admin acting for oslo.
fn marked(mut details: Value) -> Value {
    details["agency"] = json!("oslo");
    details["as_instance_admin"] = json!(true);
    details
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_admin_acting_for_an_agency_they_are_not_on_is_audited() {
    let (a, b) = tokio::join!(Instance::spawn(), Instance::spawn());
    let oslo = a.agency("oslo").await;
    b.agency("nav").await;
    let root = a.staff_token("root", true, None).await;
    a.staff_token("per", false, None).await;

    let Acted { item, comment } = act_for_oslo(&a, &b, &root).await;
    // The agency's profile and staff, which are audited whoever acts.
    expect(
        &a,
        &root,
        Method::PATCH,
        "/api/v1/agencies/oslo",
        Some(json!({"indexable": false})),
        StatusCode::OK,
    )
    .await;
    expect(
        &a,
        &root,
        Method::PUT,
        "/api/v1/agencies/oslo/members/per",
        Some(json!({"role": "editor"})),
        StatusCode::OK,
    )
    .await;
    expect(
        &a,
        &root,
        Method::DELETE,
        &format!("/api/v1/items/{item}"),
        None,
        StatusCode::NO_CONTENT,
    )
    .await;

    let items = format!("oslo/items/{item}");
    let shares = format!("oslo/shares/{item}");
    let nav = b.actor_id("nav");
    let following = format!("oslo/following/{nav}");
    let c = comment.to_string();
    let expected: Vec<(&str, &str, Value)> = vec![
        ("item.create", &items, json!({"item": item})),
        ("item.update", &items, json!({"item": item})),
        ("item.pin", &items, json!({"item": item})),
        ("item.unpin", &items, json!({"item": item})),
        ("share.create", &shares, json!({"item": item})),
        ("share.undo", &shares, json!({"item": item})),
        (
            "comment.create",
            &c,
            json!({"item": item, "comment": comment}),
        ),
        ("comment.update", &c, json!({"item": item})),
        ("comment.hide", &c, json!({})),
        ("comment.unhide", &c, json!({})),
        ("comment.delete", &c, json!({"author": a.actor_id("oslo")})),
        ("follow.create", &following, json!({"actor": nav})),
        ("follow.undo", &following, json!({"actor": nav})),
        ("agency.update", "oslo", json!({"changed": ["indexable"]})),
        (
            "membership.put",
            "per@oslo",
            json!({"role": "editor", "before": null}),
        ),
        ("item.withdraw", &items, json!({"item": item})),
    ];
    let expected: Vec<(String, String, String, Value)> = expected
        .into_iter()
        .map(|(action, target, details)| {
            (
                "root".to_owned(),
                action.to_owned(),
                target.to_owned(),
                marked(details),
            )
        })
        .collect();
    assert_eq!(audit_log(&a, &root).await, expected);
    let stored = a.store.get_agency(oslo.id).await.unwrap().unwrap();
    assert!(!stored.indexable);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agencys_own_staff_leave_no_instance_admin_entries() {
    let (a, b) = tokio::join!(Instance::spawn(), Instance::spawn());
    let oslo = a.agency("oslo").await;
    b.agency("nav").await;
    // An instance admin who is on oslo's staff acts as its staff does.
    let boss = a.staff_token("boss", true, Some(oslo.id)).await;

    act_for_oslo(&a, &b, &a.token).await;
    act_for_oslo(&a, &b, &boss).await;
    expect(
        &a,
        &boss,
        Method::PATCH,
        "/api/v1/agencies/oslo",
        Some(json!({"indexable": false, "summary": "Kommunen"})),
        StatusCode::OK,
    )
    .await;

    // Moderation and the profile are audited whoever acts, without the
    // marks; nothing else is.
    let log = audit_log(&a, &boss).await;
    let actions: Vec<(&str, &str)> = log
        .iter()
        .map(|(actor, action, ..)| (actor.as_str(), action.as_str()))
        .collect();
    let mut expected = vec![];
    for actor in ["editor", "boss"] {
        for action in ["comment.hide", "comment.unhide", "comment.delete"] {
            expected.push((actor, action));
        }
    }
    expected.push(("boss", "agency.update"));
    assert_eq!(actions, expected, "{log:#?}");
    for (.., details) in &log {
        assert!(details.get("as_instance_admin").is_none(), "{details}");
        assert!(details.get("agency").is_none(), "{details}");
    }
    let (.., profile) = log.last().unwrap();
    assert_eq!(profile["changed"], json!(["summary", "indexable"]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agencys_admins_read_what_was_done_in_its_name() {
    let (a, b) = tokio::join!(Instance::spawn(), Instance::spawn());
    let oslo = a.agency("oslo").await;
    a.agency("bergen").await;
    b.agency("nav").await;
    let root = a.staff_token("root", true, None).await;
    let kari = a.staff_token("kari", false, Some(oslo.id)).await;
    let per = a.staff_token("per", false, Some(oslo.id)).await;
    act_for_oslo(&a, &b, &root).await;
    // Something done to another agency, and kari made oslo's admin.
    expect(
        &a,
        &root,
        Method::PATCH,
        "/api/v1/agencies/bergen",
        Some(json!({"indexable": false})),
        StatusCode::OK,
    )
    .await;
    expect(
        &a,
        &root,
        Method::PUT,
        "/api/v1/agencies/oslo/members/kari",
        Some(json!({"role": "admin"})),
        StatusCode::OK,
    )
    .await;

    // oslo's admin reads every entry about oslo, none about bergen.
    let page = expect(
        &a,
        &kari,
        Method::GET,
        "/api/v1/agencies/oslo/audit?per_page=200",
        None,
        StatusCode::OK,
    )
    .await;
    let entries = page.as_array().unwrap();
    let about_oslo: Vec<_> = audit_log(&a, &root)
        .await
        .into_iter()
        .rev()
        .filter(|(_, _, target, _)| !target.starts_with("bergen"))
        .map(|(_, action, target, _)| (action, target))
        .collect();
    let read: Vec<_> = entries
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_owned(),
                e["target"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(read, about_oslo);
    assert!(read.len() >= 14, "{read:?}");
    assert!(
        entries
            .iter()
            .all(|e| e["actor"] == "root" && e["details"]["as_instance_admin"] == true),
        "{page}"
    );
    // A page at a time.
    let first = expect(
        &a,
        &kari,
        Method::GET,
        "/api/v1/agencies/oslo/audit?per_page=1",
        None,
        StatusCode::OK,
    )
    .await;
    assert_eq!(first.as_array().map(Vec::len), Some(1));
    assert_eq!(first[0]["id"], entries[0]["id"]);

    // An editor of oslo may not; an instance admin may; a bad page is 400.
    let resp = a
        .send_as(&per, Method::GET, "/api/v1/agencies/oslo/audit", None)
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let resp = a
        .send_as(&kari, Method::GET, "/api/v1/agencies/bergen/audit", None)
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    expect(
        &a,
        &root,
        Method::GET,
        "/api/v1/agencies/bergen/audit",
        None,
        StatusCode::OK,
    )
    .await;
    let resp = a
        .send_as(
            &kari,
            Method::GET,
            "/api/v1/agencies/oslo/audit?per_page=0",
            None,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
}
