//! The staff pages write to the audit log what the API does when an
//! instance admin acts for an agency they are not on the staff of:
//! publishing, editing, pinning, sharing, withdrawing, commenting,
//! moderating, following and the profile, each marked with the agency and
//! `as_instance_admin`. The agency's own editor doing the same leaves only
//! the moderation entry, unmarked.

use deling_domain::auth::{Password, Role, Username};
use deling_testkit::{PASSWORD, instance::Instance, web::Browser};
use reqwest::StatusCode;
use serde_json::Value;

fn location(resp: &reqwest::Response) -> String {
    resp.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// A staff account `name` on `a` with the test password, logged in; an
/// editor of `editor_of` if given.
async fn logged_in(
    a: &Instance,
    name: &str,
    instance_admin: bool,
    editor_of: Option<i64>,
) -> Browser {
    let hash = tokio::task::spawn_blocking(|| Password::parse(PASSWORD).unwrap().hash())
        .await
        .unwrap();
    let staff = a
        .store
        .put_staff(&Username::parse(name).unwrap(), hash, instance_admin)
        .await
        .unwrap();
    if let Some(agency_id) = editor_of {
        a.store
            .put_membership(staff.id, agency_id, Role::Editor)
            .await
            .unwrap();
    }
    let mut b = Browser::new(&a.base);
    b.log_in(name).await;
    b
}

/// Posts `fields` from page `from` to `path` and expects a redirect; where
/// to.
async fn posted(b: &mut Browser, from: &str, path: &str, fields: &[(&str, &str)]) -> String {
    let resp = b.post_form(from, path, fields).await;
    let status = resp.status();
    let to = location(&resp);
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "POST {path}: {}",
        resp.text().await.unwrap_or_default()
    );
    to
}

/// Every write the staff pages offer an editor of oslo, done by `b`:
/// publish, edit, pin, unpin, share, unshare, reply, edit the reply,
/// hide it, follow nav on `peer` and stop, withdraw. The item's id.
async fn act_for_oslo(a: &Instance, peer: &Instance, b: &mut Browser) -> i64 {
    let list = "/staff/agencies/oslo/items";
    let guide = [
        ("kind", "guide"),
        ("title", "Byggesak"),
        ("summary", "Slik gjør du det"),
        ("body", "Tekst"),
        ("language", "nb"),
        ("save", "1"),
    ];
    let to = posted(b, &format!("{list}/new?kind=guide"), list, &guide).await;
    assert_eq!(to, format!("{list}?done=created"));
    let listed = a.get_json("/api/v1/items?agency=oslo").await;
    let item = listed["items"][0]["id"].as_i64().unwrap();
    let edit = format!("/staff/items/{item}/edit");
    let mut changed = guide;
    changed[1].1 = "Byggesak, ny utgave";
    posted(b, &edit, &format!("/staff/items/{item}"), &changed).await;
    for verb in ["pin", "unpin"] {
        posted(b, list, &format!("/staff/items/{item}/{verb}"), &[]).await;
    }
    for verb in ["share", "unshare"] {
        let path = format!("/staff/items/{item}/{verb}");
        posted(b, list, &path, &[("agency", "oslo")]).await;
    }

    let thread = format!("/staff/moderation/items/{item}");
    let to = posted(
        b,
        &thread,
        &format!("{thread}/reply"),
        &[("body", "Vi svarer gjerne")],
    )
    .await;
    let comment = to
        .rsplit_once("#comment-")
        .and_then(|(_, id)| id.parse::<i64>().ok())
        .unwrap_or_else(|| panic!("no comment in {to}"));
    let edit = format!("/staff/moderation/comments/{comment}/edit");
    posted(b, &edit, &edit, &[("body", "Vi svarer gjerne i morgen")]).await;
    let hide = format!("/staff/moderation/comments/{comment}/hide");
    posted(b, &thread, &hide, &[("back", &thread)]).await;

    let following = "/staff/agencies/oslo/following";
    posted(b, following, following, &[("target", &peer.handle("nav"))]).await;
    let unfollow = format!("{following}/unfollow");
    posted(
        b,
        following,
        &unfollow,
        &[("target", &peer.actor_id("nav"))],
    )
    .await;

    let withdraw = format!("/staff/items/{item}/withdraw");
    posted(b, &withdraw, &withdraw, &[]).await;
    item
}

/// The audit log, oldest first, as `(actor, action, target, agency,
/// as_instance_admin)`.
async fn audit_log(a: &Instance, token: &str) -> Vec<(String, String, String, Value, Value)> {
    let resp = a
        .send_as(
            token,
            reqwest::Method::GET,
            "/api/v1/admin/audit?per_page=200",
            None,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let page: Value = resp.json().await.unwrap();
    let mut entries: Vec<_> = page
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["actor"].as_str().unwrap().to_owned(),
                e["action"].as_str().unwrap().to_owned(),
                e["target"].as_str().unwrap().to_owned(),
                e["details"]["agency"].clone(),
                e["details"]["as_instance_admin"].clone(),
            )
        })
        .collect();
    entries.reverse();
    entries
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_admin_outside_the_agency_is_audited_on_the_staff_pages() {
    let (a, peer) = tokio::join!(Instance::spawn(), Instance::spawn());
    a.agency("oslo").await;
    peer.agency("nav").await;
    let mut root = logged_in(&a, "root", true, None).await;
    let item = act_for_oslo(&a, &peer, &mut root).await;
    // The profile form, with "findable" unticked.
    let profile = "/staff/admin/agencies/oslo";
    posted(
        &mut root,
        profile,
        profile,
        &[("name", "Etaten oslo"), ("org_number", "958935420")],
    )
    .await;

    let token = a.staff_token("auditor", true, None).await;
    let items = format!("oslo/items/{item}");
    let shares = format!("oslo/shares/{item}");
    let following = format!("oslo/following/{}", peer.actor_id("nav"));
    let log = audit_log(&a, &token).await;
    let comment = log
        .iter()
        .find(|e| e.1 == "comment.create")
        .map(|e| e.2.clone())
        .unwrap_or_else(|| panic!("no comment.create: {log:#?}"));
    let expected: Vec<(String, String, String, Value, Value)> = [
        ("item.create", &items),
        ("item.update", &items),
        ("item.pin", &items),
        ("item.unpin", &items),
        ("share.create", &shares),
        ("share.undo", &shares),
        ("comment.create", &comment),
        ("comment.update", &comment),
        ("comment.hide", &comment),
        ("follow.create", &following),
        ("follow.undo", &following),
        ("item.withdraw", &items),
        ("agency.update", &"oslo".to_owned()),
    ]
    .into_iter()
    .map(|(action, target)| {
        (
            "root".to_owned(),
            action.to_owned(),
            target.clone(),
            Value::from("oslo"),
            Value::from(true),
        )
    })
    .collect();
    assert_eq!(log, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agencys_own_editor_leaves_only_the_moderation_entry() {
    let (a, peer) = tokio::join!(Instance::spawn(), Instance::spawn());
    let oslo = a.agency("oslo").await;
    peer.agency("nav").await;
    let mut kari = logged_in(&a, "kari", false, Some(oslo.id)).await;
    act_for_oslo(&a, &peer, &mut kari).await;

    let token = a.staff_token("auditor", true, None).await;
    let log = audit_log(&a, &token).await;
    assert_eq!(log.len(), 1, "{log:#?}");
    let (actor, action, _, agency, as_instance_admin) = &log[0];
    assert_eq!((actor.as_str(), action.as_str()), ("kari", "comment.hide"));
    assert_eq!((agency, as_instance_admin), (&Value::Null, &Value::Null));
}
