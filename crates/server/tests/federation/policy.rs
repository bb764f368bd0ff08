//! Federation policy and moderation between real instances and the fake
//! peer: suspended and allow-listed domains, blocked actors, silenced
//! domains, reports (`Flag`), comment moderation, Mastodon CSV import and
//! export, and the audit log of every change.

use crate::{
    helpers::{Instance, eventually, id_of, json_body},
    peer::{FakeActor, FakePeer, fake_keys},
};
use chrono::Utc;
use deling_domain::policy::{Severity, parse_mastodon_csv};
use deling_store::queries::{
    delivery::{Delivery, STATUS_DONE, STATUS_FAILED},
    policy::Verdict,
};
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

const DOMAIN_BLOCKS: &str = "/api/v1/admin/domain-blocks";

/// `POST /api/v1/admin/domain-blocks` as `token`.
async fn put_policy(i: &Instance, token: &str, domain: &str, severity: &str) -> Response {
    i.send_as(
        token,
        Method::POST,
        DOMAIN_BLOCKS,
        Some(&json!({"domain": domain, "severity": severity, "public_comment": "test"})),
    )
    .await
}

/// `GET path` as `token`, expecting 200 and JSON.
pub(super) async fn get_as(i: &Instance, token: &str, path: &str) -> Value {
    json_body(
        i.send_as(token, Method::GET, path, None).await,
        StatusCode::OK,
    )
    .await
}

/// The status and the body (as text) of a response.
pub(super) async fn status_text(resp: Response) -> (StatusCode, String) {
    let status = resp.status();
    (status, resp.text().await.unwrap_or_default())
}

/// Asserts a 422 whose problem document names `field` (and, if given,
/// mentions `words` in that field's problem).
async fn assert_invalid(resp: Response, field: &str, words: Option<&str>) {
    let body = json_body(resp, StatusCode::UNPROCESSABLE_ENTITY).await;
    let errors = body["errors"].as_array().cloned().unwrap_or_default();
    let named = errors.iter().find(|e| e["field"] == field);
    assert!(named.is_some(), "no error names {field:?}: {body}");
    if let Some(words) = words {
        let problem = named.unwrap()["problem"].as_str().unwrap_or_default();
        assert!(
            problem.contains(words),
            "{field}: {problem:?} lacks {words:?}: {body}"
        );
    }
}

/// The audit entries, newest first.
pub(super) async fn audit(i: &Instance, token: &str) -> Vec<Value> {
    get_as(i, token, "/api/v1/admin/audit?per_page=200")
        .await
        .as_array()
        .expect("the audit log is a list")
        .clone()
}

/// Asserts an audit entry of `action` on `target` by `actor`, and returns it.
pub(super) fn audited(entries: &[Value], action: &str, target: &str, actor: &str) -> Value {
    entries
        .iter()
        .find(|e| e["action"] == action && e["target"] == target)
        .map(|e| {
            assert_eq!(e["actor"], actor, "{e}");
            e.clone()
        })
        .unwrap_or_else(|| panic!("no {action} of {target} in the audit log: {entries:#?}"))
}

/// The id of the Follow `agency_id` on `i` sent to `actor`.
async fn follow_ap_id(i: &Instance, agency_id: i64, actor: &str) -> String {
    i.store
        .list_following(agency_id)
        .await
        .unwrap()
        .into_iter()
        .find(|f| f.actor.ap_id == actor)
        .unwrap_or_else(|| panic!("no Follow of {actor}"))
        .follow_ap_id
}

/// Waits until every delivery of `activity_id` on `i` is finished (done or
/// failed), and returns them.
async fn finished_deliveries(i: &Instance, activity_id: &str) -> Vec<Delivery> {
    eventually(
        &format!("deliveries of {activity_id} finished"),
        async || {
            let rows = i.store.list_deliveries_of(activity_id).await.unwrap();
            if !rows.is_empty()
                && rows
                    .iter()
                    .all(|d| d.status == STATUS_DONE || d.status == STATUS_FAILED)
            {
                Ok(rows)
            } else {
                Err(format!("{rows:?}"))
            }
        },
    )
    .await
}

/// Asserts that the one delivery of `activity_id` on `i` failed for good
/// with a 403 from the peer.
async fn assert_refused_with_403(i: &Instance, activity_id: &str) {
    let rows = finished_deliveries(i, activity_id).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].status, STATUS_FAILED, "{rows:?}");
    let error = rows[0].last_error.clone().unwrap_or_default();
    assert!(error.contains("403"), "last_error {error:?}");
}

/// `POST /api/v1/items/{item}/comments` for `agency`; the new comment.
async fn comment(i: &Instance, item: i64, agency: &str, body: &str) -> Value {
    let resp = i
        .send(
            Method::POST,
            &format!("/api/v1/items/{item}/comments"),
            Some(&json!({"agency": agency, "body": body})),
        )
        .await;
    json_body(resp, StatusCode::CREATED).await
}

/// Waits until the comment with `ap_id` is listed on item `item` of `i`;
/// returns it.
pub(super) async fn wait_comment(i: &Instance, item: i64, ap_id: &str) -> Value {
    eventually(&format!("{ap_id} listed on {}", i.domain), async || {
        let list = i.comments(item).await;
        list.iter()
            .find(|c| c["ap_id"] == ap_id)
            .cloned()
            .ok_or_else(|| format!("{list:?}"))
    })
    .await
}

/// Whether the comment with `ap_id` is listed on item `item` of `i`.
pub(super) async fn listed(i: &Instance, item: i64, ap_id: &str) -> bool {
    i.comments(item).await.iter().any(|c| c["ap_id"] == ap_id)
}

pub(super) fn follow(actor: &FakeActor, name: &str, object: &str) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": actor.activity_id(name),
        "type": "Follow",
        "actor": actor.id,
        "object": object,
    })
}

/// A Create of a Note by `actor` answering `in_reply_to`; the Note's id.
pub(super) fn create_note(
    actor: &FakeActor,
    name: &str,
    in_reply_to: &str,
    content: &str,
) -> (Value, String) {
    let note_id = format!("{}/notes/{name}", actor.id);
    let activity = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": actor.activity_id(name),
        "type": "Create",
        "actor": actor.id,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "object": {
            "id": note_id,
            "type": "Note",
            "attributedTo": actor.id,
            "inReplyTo": in_reply_to,
            "content": content,
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "published": Utc::now(),
        },
    });
    (activity, note_id)
}

/// Posts `activity` signed by `actor` to `i`'s shared inbox, expecting `status`.
pub(super) async fn deliver(i: &Instance, actor: &FakeActor, activity: &Value, status: StatusCode) {
    let (got, text) = status_text(
        actor
            .post(&i.shared_inbox(), activity)
            .send(&i.client)
            .await,
    )
    .await;
    assert_eq!(got, status, "{}: {text}", activity["id"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_suspended_domain_cannot_follow_until_the_block_is_lifted() {
    let (a, b) = tokio::join!(Instance::spawn(), Instance::spawn());
    let nav = a.agency("nav").await;
    b.agency("oslo").await;
    let oslo = b.actor_id("oslo");
    let admin = b.staff_token("admin", true, None).await;

    let block = json_body(
        put_policy(&b, &admin, &a.domain, "suspend").await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(block["domain"], a.domain.as_str(), "{block}");
    assert_eq!(block["severity"], "suspend", "{block}");
    let list = get_as(&b, &admin, DOMAIN_BLOCKS).await;
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");

    // B's inbox answers 403: A's delivery fails for good, the Follow stays
    // pending and B records no follower.
    a.follow("nav", &oslo).await;
    assert_refused_with_403(&a, &follow_ap_id(&a, nav.id, &oslo).await).await;
    assert_eq!(
        a.following_state("nav", &oslo).await.as_deref(),
        Some("pending")
    );
    assert!(b.follower_ids("oslo").await.is_empty());

    // Nor does B reach out to A: following an agency there is refused.
    let resp = b
        .send(
            Method::POST,
            "/api/v1/agencies/oslo/following",
            Some(&json!({"target": a.actor_id("nav")})),
        )
        .await;
    let (status, text) = status_text(resp).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{text}");
    assert_eq!(b.following_state("oslo", &a.actor_id("nav")).await, None);

    let entries = audit(&b, &admin).await;
    let put = audited(&entries, "domain_policy.put", &a.domain, "admin");
    assert_eq!(put["details"]["severity"], "suspend", "{put}");

    // Lifted: following again is accepted.
    let resp = b
        .send_as(
            &admin,
            Method::DELETE,
            &format!("{DOMAIN_BLOCKS}/{}", a.domain),
            None,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert_eq!(get_as(&b, &admin, DOMAIN_BLOCKS).await, json!([]));
    let resp = b
        .send_as(
            &admin,
            Method::DELETE,
            &format!("{DOMAIN_BLOCKS}/{}", a.domain),
            None,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    audited(
        &audit(&b, &admin).await,
        "domain_policy.delete",
        &a.domain,
        "admin",
    );

    a.follow("nav", &oslo).await;
    a.wait_accepted("nav", &oslo).await;
    assert_eq!(b.follower_ids("oslo").await, vec![a.actor_id("nav")]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_is_delivered_to_a_suspended_follower() {
    let (a, b, peer) = tokio::join!(Instance::spawn(), Instance::spawn(), FakePeer::spawn());
    a.agency("nav").await;
    b.agency("oslo").await;
    let oslo = b.actor_id("oslo");
    a.follow("nav", &oslo).await;
    // The fake peer's eve follows oslo too, so the fan-out has somewhere
    // to go and its end can be awaited.
    let [key, _] = fake_keys().await;
    let eve = peer.actor("eve", key);
    deliver(
        &b,
        &eve,
        &follow(&eve, "follow-oslo", &oslo),
        StatusCode::ACCEPTED,
    )
    .await;
    a.wait_accepted("nav", &oslo).await;
    eventually("eve among oslo's followers", async || {
        let ids = b.follower_ids("oslo").await;
        if ids.contains(&eve.id) {
            Ok(())
        } else {
            Err(format!("{ids:?}"))
        }
    })
    .await;
    // Before the block, items reach A.
    let before = b.publish("oslo", "Før blokkering", &["blokk"]).await;
    a.wait_remote_item(&b.url(&format!("/items/{before}")))
        .await;

    let admin = b.staff_token("admin", true, None).await;
    let resp = put_policy(&b, &admin, &a.domain, "suspend").await;
    assert_eq!(resp.status(), StatusCode::CREATED);

    let after = b.publish("oslo", "Etter blokkering", &["blokk"]).await;
    let create = b.url(&format!("/items/{after}/create"));
    let rows = finished_deliveries(&b, &create).await;
    let inboxes: Vec<&str> = rows.iter().map(|d| d.inbox.as_str()).collect();
    assert_eq!(inboxes, vec![peer.url("/inbox")], "{rows:?}");
    assert!(rows.iter().all(|d| d.status == STATUS_DONE), "{rows:?}");
    assert!(
        a.store.get_inbox_activity(&create).await.unwrap().is_none(),
        "the Create reached A"
    );
    let after_ap = b.url(&format!("/items/{after}"));
    assert!(
        !a.remote_items()
            .await
            .iter()
            .any(|i| i["ap_id"] == after_ap.as_str()),
        "A holds the item published after the block"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allow_list_mode_refuses_all_but_allowed_domains() {
    let (a, b) = tokio::join!(Instance::spawn(), Instance::spawn());
    let nav = a.agency("nav").await;
    b.agency("oslo").await;
    let oslo = b.actor_id("oslo");
    let admin = b.staff_token("admin", true, None).await;
    let mode = "/api/v1/admin/federation-mode";

    // The editor is no instance administrator.
    let resp = b
        .send(Method::PUT, mode, Some(&json!({"mode": "allowlist"})))
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        b.send(Method::GET, mode, None).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(get_as(&b, &admin, mode).await, json!({"mode": "blocklist"}));

    let resp = b
        .send_as(
            &admin,
            Method::PUT,
            mode,
            Some(&json!({"mode": "sideways"})),
        )
        .await;
    assert_invalid(resp, "mode", None).await;
    let resp = b
        .send_as(
            &admin,
            Method::PUT,
            mode,
            Some(&json!({"mode": "allowlist"})),
        )
        .await;
    assert_eq!(
        json_body(resp, StatusCode::OK).await,
        json!({"mode": "allowlist"})
    );
    assert_eq!(get_as(&b, &admin, mode).await, json!({"mode": "allowlist"}));
    audited(
        &audit(&b, &admin).await,
        "federation_mode.put",
        "allowlist",
        "admin",
    );

    // Unlisted: refused.
    a.follow("nav", &oslo).await;
    assert_refused_with_403(&a, &follow_ap_id(&a, nav.id, &oslo).await).await;
    assert_eq!(
        a.following_state("nav", &oslo).await.as_deref(),
        Some("pending")
    );

    // Allowed: accepted.
    let resp = put_policy(&b, &admin, &a.domain, "allow").await;
    assert_eq!(
        json_body(resp, StatusCode::CREATED).await["severity"],
        "allow"
    );
    a.follow("nav", &oslo).await;
    a.wait_accepted("nav", &oslo).await;
    assert_eq!(b.follower_ids("oslo").await, vec![a.actor_id("nav")]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocked_actors_comments_are_refused_and_its_neighbours_are_not() {
    let (a, b) = tokio::join!(Instance::spawn(), Instance::spawn());
    a.agency("nav").await;
    a.agency("skatt").await;
    b.agency("oslo").await;
    a.follow("nav", &b.handle("oslo")).await;
    a.wait_accepted("nav", &b.actor_id("oslo")).await;
    let on_b = b.publish("oslo", "Innspill", &["innspill"]).await;
    let on_a = id_of(&a.wait_remote_item(&b.url(&format!("/items/{on_b}"))).await);

    let admin = b.staff_token("admin", true, None).await;
    let nav = a.actor_id("nav");
    let resp = b
        .send_as(
            &admin,
            Method::POST,
            "/api/v1/admin/actor-blocks",
            Some(&json!({"actor": nav, "reason": "test"})),
        )
        .await;
    let block = json_body(resp, StatusCode::CREATED).await;
    assert_eq!(block["actor"], nav.as_str(), "{block}");
    let blocks = get_as(&b, &admin, "/api/v1/admin/actor-blocks").await;
    assert_eq!(blocks[0]["actor"], nav.as_str(), "{blocks}");
    assert_eq!(blocks[0]["reason"], "test", "{blocks}");
    let put = audited(&audit(&b, &admin).await, "actor_block.put", &nav, "admin");
    assert_eq!(put["details"]["follows_ended"], 1, "{put}");
    // nav no longer follows oslo, and A hears it: B's Reject of nav's
    // Follow marks it rejected there.
    assert!(b.follower_ids("oslo").await.is_empty());
    eventually("A sees nav's follow of oslo rejected", async || {
        match a.following_state("nav", &b.actor_id("oslo")).await {
            Some(s) if s == "rejected" => Ok(()),
            other => Err(format!("{other:?}")),
        }
    })
    .await;

    let blocked = comment(&a, on_a, "nav", "Fra en blokkert aktør").await;
    let allowed = comment(&a, on_a, "skatt", "Fra naboen").await;
    wait_comment(&b, on_b, allowed["ap_id"].as_str().unwrap()).await;
    assert_refused_with_403(&a, &a.url(&format!("/comments/{}/create", id_of(&blocked)))).await;
    let blocked_ap = blocked["ap_id"].as_str().unwrap();
    assert!(!listed(&b, on_b, blocked_ap).await);
    assert!(
        b.store.list_hidden_comments(on_b).await.unwrap().is_empty(),
        "the blocked actor's comment was stored"
    );

    // Unblocked, naming nav as the block did not spell it (the scheme in
    // upper case): nav's next comment arrives.
    let unblock = format!(
        "/api/v1/admin/actor-blocks?actor={}",
        nav.replacen("http://", "HTTP://", 1).replace(':', "%3A")
    );
    assert_eq!(
        b.send(Method::DELETE, &unblock, None).await.status(),
        StatusCode::FORBIDDEN
    );
    let resp = b.send_as(&admin, Method::DELETE, &unblock, None).await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let resp = b.send_as(&admin, Method::DELETE, &unblock, None).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        get_as(&b, &admin, "/api/v1/admin/actor-blocks").await,
        json!([])
    );
    audited(
        &audit(&b, &admin).await,
        "actor_block.delete",
        &nav,
        "admin",
    );
    let again = comment(&a, on_a, "nav", "Nå slipper jeg til").await;
    wait_comment(&b, on_b, again["ap_id"].as_str().unwrap()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silenced_domains_comments_wait_hidden_and_its_items_are_not_catalogued() {
    let (a, b) = tokio::join!(Instance::spawn(), Instance::spawn());
    a.agency("nav").await;
    b.agency("oslo").await;
    a.follow("nav", &b.actor_id("oslo")).await;
    b.follow("oslo", &a.actor_id("nav")).await;
    a.wait_accepted("nav", &b.actor_id("oslo")).await;
    b.wait_accepted("oslo", &a.actor_id("nav")).await;
    let on_b = b.publish("oslo", "Høring", &["horing"]).await;
    let on_a = id_of(&a.wait_remote_item(&b.url(&format!("/items/{on_b}"))).await);

    let admin = b.staff_token("admin", true, None).await;
    let resp = put_policy(&b, &admin, &a.domain, "silence").await;
    assert_eq!(
        json_body(resp, StatusCode::CREATED).await["severity"],
        "silence"
    );

    // A's comment is stored hidden.
    let mine = comment(&a, on_a, "nav", "Et stille innspill").await;
    let mine_ap = mine["ap_id"].as_str().unwrap().to_owned();
    let held = eventually("A's comment held hidden on B", async || {
        let hidden = b.store.list_hidden_comments(on_b).await.unwrap();
        hidden
            .iter()
            .find(|c| c.ap_id.as_deref() == Some(mine_ap.as_str()))
            .map(|c| c.id)
            .ok_or_else(|| format!("{hidden:?}"))
    })
    .await;
    assert!(
        !listed(&b, on_b, &mine_ap).await,
        "a hidden comment is listed"
    );

    // oslo's editor lets it through.
    let resp = b
        .send(
            Method::POST,
            &format!("/api/v1/comments/{held}/unhide"),
            None,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert!(listed(&b, on_b, &mine_ap).await, "unhidden but not listed");
    audited(
        &audit(&b, &admin).await,
        "comment.unhide",
        &held.to_string(),
        "editor",
    );

    // An item from the silenced domain is received but not catalogued.
    let item = a.publish("nav", "Stille sak", &["stille"]).await;
    let create = a.url(&format!("/items/{item}/create"));
    b.processed(&create).await;
    let item_ap = a.url(&format!("/items/{item}"));
    assert!(
        !b.remote_items()
            .await
            .iter()
            .any(|i| i["ap_id"] == item_ap.as_str()),
        "an item of a silenced domain was catalogued"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flag_from_a_peer_is_queued_and_resolved() {
    let (b, peer) = tokio::join!(Instance::spawn(), FakePeer::spawn());
    b.agency("oslo").await;
    let item = b.publish("oslo", "Rapportert", &["rapport"]).await;
    let oslo = b.actor_id("oslo");
    let item_ap = b.url(&format!("/items/{item}"));
    let [key, _] = fake_keys().await;
    let eve = peer.actor("eve", key);
    let id = eve.activity_id("flag-1");
    let flag = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": id,
        "type": "Flag",
        "actor": eve.id,
        "object": [oslo, item_ap],
        "content": "spam",
    });
    deliver(&b, &eve, &flag, StatusCode::ACCEPTED).await;

    let admin = b.staff_token("admin", true, None).await;
    eventually("the report stored", async || {
        let open = b.store.list_reports(true, None, 1000).await.unwrap();
        if open.is_empty() {
            Err("no open report".to_owned())
        } else {
            Ok(())
        }
    })
    .await;
    let reports = get_as(&b, &admin, "/api/v1/admin/reports").await;
    let list = reports.as_array().expect("a list");
    assert_eq!(list.len(), 1, "{reports}");
    let report = &list[0];
    assert_eq!(report["ap_id"], id.as_str(), "{report}");
    assert_eq!(report["reporter"], eve.id.as_str(), "{report}");
    assert_eq!(report["content"], "spam", "{report}");
    assert_eq!(report["objects"], json!([oslo, item_ap]), "{report}");
    assert_eq!(report["status"], "open", "{report}");
    assert_eq!(
        get_as(&b, &admin, "/api/v1/admin/reports?status=open").await,
        reports
    );
    assert_eq!(
        b.send(Method::GET, "/api/v1/admin/reports", None)
            .await
            .status(),
        StatusCode::FORBIDDEN
    );

    let rid = id_of(report);
    let resolve = format!("/api/v1/admin/reports/{rid}/resolve");
    assert_eq!(
        b.send(Method::POST, &resolve, None).await.status(),
        StatusCode::FORBIDDEN
    );
    let resp = b.send_as(&admin, Method::POST, &resolve, None).await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert_eq!(get_as(&b, &admin, "/api/v1/admin/reports").await, json!([]));
    let all = get_as(&b, &admin, "/api/v1/admin/reports?status=all").await;
    assert_eq!(all.as_array().map(Vec::len), Some(1), "{all}");
    assert_eq!(all[0]["id"], rid, "{all}");
    assert_eq!(all[0]["status"], "resolved", "{all}");
    assert!(all[0]["resolved"].is_string(), "{all}");
    let resp = b
        .send_as(
            &admin,
            Method::POST,
            "/api/v1/admin/reports/999999/resolve",
            None,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    audited(
        &audit(&b, &admin).await,
        "report.resolve",
        &rid.to_string(),
        "admin",
    );

    // A page at a time, newest first, the next page in a `Link` header.
    let second = eve.activity_id("flag-2");
    let mut flag = flag;
    flag["id"] = json!(second);
    deliver(&b, &eve, &flag, StatusCode::ACCEPTED).await;
    eventually("the second report", async || {
        match b.store.list_reports(true, None, 10).await.unwrap().len() {
            1 => Ok(()),
            n => Err(format!("{n} open")),
        }
    })
    .await;
    let resp = b
        .send_as(
            &admin,
            Method::GET,
            "/api/v1/admin/reports?status=all&limit=1",
            None,
        )
        .await;
    let next = resp
        .headers()
        .get("link")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .expect("a Link to the next page");
    let page = json_body(resp, StatusCode::OK).await;
    assert_eq!(page.as_array().map(Vec::len), Some(1), "{page}");
    assert_eq!(page[0]["ap_id"], second.as_str(), "{page}");
    let next = next
        .strip_prefix('<')
        .and_then(|l| l.split_once('>'))
        .map(|(url, _)| url.to_owned())
        .expect("<url>; rel=\"next\"");
    let page = get_as(&b, &admin, &next).await;
    assert_eq!(page.as_array().map(Vec::len), Some(1), "{page}");
    assert_eq!(page[0]["id"], rid, "{page}");
    for limit in ["0", "501", "x"] {
        let resp = b
            .send_as(
                &admin,
                Method::GET,
                &format!("/api/v1/admin/reports?limit={limit}"),
                None,
            )
            .await;
        assert!(
            resp.status().is_client_error(),
            "limit={limit}: {}",
            resp.status()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agencys_editor_moderates_remote_comments_on_its_items() {
    let (b, peer) = tokio::join!(Instance::spawn(), FakePeer::spawn());
    b.agency("oslo").await;
    let bergen = b.agency("bergen").await;
    let item = b.publish("oslo", "Kommentarfelt", &["kommentar"]).await;
    let item_ap = b.url(&format!("/items/{item}"));
    let [k1, k2] = fake_keys().await;
    let eve = peer.actor("eve", k1);
    let mallory = peer.actor("mallory", k2);
    let (create, eve_note) = create_note(&eve, "note-1", &item_ap, "<p>Kjøp billig!</p>");
    deliver(&b, &eve, &create, StatusCode::ACCEPTED).await;
    let (create, mallory_note) = create_note(&mallory, "note-m1", &item_ap, "<p>Enig</p>");
    deliver(&b, &mallory, &create, StatusCode::ACCEPTED).await;
    let eve_c = id_of(&wait_comment(&b, item, &eve_note).await);
    let mallory_c = id_of(&wait_comment(&b, item, &mallory_note).await);

    // An editor of another agency on B may not moderate oslo's comments.
    let other = b.staff_token("bergen-editor", false, Some(bergen.id)).await;
    for (method, path) in [
        (Method::POST, format!("/api/v1/comments/{eve_c}/hide")),
        (Method::POST, format!("/api/v1/comments/{eve_c}/unhide")),
        (
            Method::POST,
            format!("/api/v1/comments/{eve_c}/block-author"),
        ),
        (Method::DELETE, format!("/api/v1/comments/{eve_c}")),
    ] {
        let (status, text) =
            status_text(b.send_as(&other, method.clone(), &path, None).await).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}: {text}");
    }
    assert!(listed(&b, item, &eve_note).await);

    // oslo's editor hides and shows it again.
    let post = async |path: String| b.send(Method::POST, &path, None).await;
    let resp = post(format!("/api/v1/comments/{eve_c}/hide")).await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert!(!listed(&b, item, &eve_note).await, "hidden but listed");
    let resp = post(format!("/api/v1/comments/{eve_c}/unhide")).await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert!(listed(&b, item, &eve_note).await, "unhidden but not listed");

    // Blocks its author for oslo: hidden again, and eve's next comment on
    // oslo's item is refused, while nothing is blocked for the instance.
    let resp = post(format!("/api/v1/comments/{eve_c}/block-author")).await;
    assert_eq!(
        json_body(resp, StatusCode::CREATED).await,
        json!({"actor": eve.id, "agency": "oslo"})
    );
    assert!(
        !listed(&b, item, &eve_note).await,
        "the blocked author's comment is listed"
    );
    let admin = b.staff_token("admin", true, None).await;
    let blocks = get_as(&b, &admin, "/api/v1/admin/actor-blocks").await;
    assert_eq!(
        blocks,
        json!([]),
        "an editor blocked for the whole instance"
    );
    let blocks = get_as(&b, &admin, "/api/v1/agencies/oslo/blocks").await;
    assert_eq!(blocks[0]["actor"], eve.id.as_str(), "{blocks}");
    let (create, note_2) = create_note(&eve, "note-2", &item_ap, "<p>Igjen!</p>");
    deliver(&b, &eve, &create, StatusCode::ACCEPTED).await;
    b.processed(&eve.activity_id("note-2")).await;
    assert!(
        b.store
            .get_comment_by_ap_id(&note_2)
            .await
            .unwrap()
            .is_none(),
        "a comment by an actor oslo blocked was stored on oslo's item"
    );

    // Deletes mallory's comment.
    let resp = b
        .send(
            Method::DELETE,
            &format!("/api/v1/comments/{mallory_c}"),
            None,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert!(!listed(&b, item, &mallory_note).await, "deleted but listed");
    assert!(
        b.store
            .get_comment_for_moderation(mallory_c)
            .await
            .unwrap()
            .is_none()
    );
    let resp = b
        .send(
            Method::DELETE,
            &format!("/api/v1/comments/{mallory_c}"),
            None,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);

    // oslo's own comment is deleted by oslo's editor (and the deletion
    // sent to whoever got the comment).
    let own = comment(&b, item, "oslo", "Takk for innspillene").await;
    let resp = b
        .send(
            Method::DELETE,
            &format!("/api/v1/comments/{}", id_of(&own)),
            None,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert!(!listed(&b, item, own["ap_id"].as_str().unwrap()).await);

    let entries = audit(&b, &admin).await;
    let eve_target = eve_c.to_string();
    audited(&entries, "comment.hide", &eve_target, "editor");
    audited(&entries, "comment.unhide", &eve_target, "editor");
    let put = audited(
        &entries,
        "agency_block.put",
        &format!("oslo/{}", eve.id),
        "editor",
    );
    assert_eq!(put["details"]["comment"], eve_c, "{put}");
    let del = audited(&entries, "comment.delete", &mallory_c.to_string(), "editor");
    assert_eq!(del["details"]["author"], mallory.id.as_str(), "{del}");
    assert!(
        !entries.iter().any(|e| e["actor"] == "bergen-editor"),
        "refused actions were audited: {entries:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mastodon_csv_import_and_export() {
    let b = Instance::spawn().await;
    let admin = b.staff_token("admin", true, None).await;
    let import = async |token: &str, csv: &str| {
        b.client
            .post(b.url(&format!("{DOMAIN_BLOCKS}/import")))
            .bearer_auth(token)
            .header("content-type", "text/csv")
            .body(csv.to_owned())
            .send()
            .await
            .expect("POST import")
    };
    let csv = "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n\
               spam.example,suspend,true,true,\"Spam, lots\",false\n\
               loud.example,silence,false,false,,false\n\
               pics.example,noop,true,false,,false\n\
               fine.example,noop,false,false,,false\n";
    assert_eq!(
        import(&b.token, csv).await.status(),
        StatusCode::FORBIDDEN,
        "the editor imported"
    );
    assert_eq!(
        json_body(import(&admin, csv).await, StatusCode::OK).await,
        json!({"imported": 3})
    );
    let list = get_as(&b, &admin, DOMAIN_BLOCKS).await;
    let rows: Vec<(String, String)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["domain"].as_str().unwrap().to_owned(),
                r["severity"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = [
        ("loud.example", "silence"),
        ("pics.example", "reject_media"),
        ("spam.example", "suspend"),
    ]
    .iter()
    .map(|(d, s)| ((*d).to_owned(), (*s).to_owned()))
    .collect();
    assert_eq!(rows, expected, "{list}");
    assert_eq!(list[2]["public_comment"], "Spam, lots", "{list}");

    // A policy covers subdomains, with or without a port.
    for (host, verdict) in [
        ("media.spam.example", Verdict::Refused),
        ("spam.example:8443", Verdict::Refused),
        ("a.b.loud.example", Verdict::Silenced),
        ("pics.example", Verdict::NoMedia),
        ("notspam.example", Verdict::Open),
        ("fine.example", Verdict::Open),
    ] {
        assert_eq!(
            b.store.get_host_verdict(host).await.unwrap(),
            verdict,
            "{host}"
        );
    }

    // The export reads back as the same three.
    let resp = b
        .send_as(
            &admin,
            Method::GET,
            &format!("{DOMAIN_BLOCKS}/export"),
            None,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let content_type = crate::helpers::content_type(&resp);
    assert!(content_type.starts_with("text/csv"), "{content_type}");
    let exported = resp.text().await.unwrap();
    assert_eq!(
        exported.lines().next(),
        Some("#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate"),
        "{exported}"
    );
    assert_eq!(exported.lines().count(), 4, "{exported}");
    let back: Vec<(String, Severity, Option<String>)> = parse_mastodon_csv(&exported)
        .unwrap_or_else(|e| panic!("{e}: {exported}"))
        .into_iter()
        .map(|b| (b.domain.to_string(), b.severity, b.public_comment))
        .collect();
    assert_eq!(
        back,
        vec![
            ("loud.example".to_owned(), Severity::Silence, None),
            ("pics.example".to_owned(), Severity::RejectMedia, None),
            (
                "spam.example".to_owned(),
                Severity::Suspend,
                Some("Spam, lots".to_owned())
            ),
        ],
        "{exported}"
    );

    // A bad domain on line 3: nothing is stored.
    let bad = "#domain,#severity,#reject_media\n\
               new.example,suspend,false\n\
               not a domain,silence,false\n";
    let resp = import(&admin, bad).await;
    let body = json_body(resp, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(body.to_string().contains("line 3"), "{body}");
    assert_eq!(body["errors"][0]["field"], "csv", "{body}");
    assert_eq!(get_as(&b, &admin, DOMAIN_BLOCKS).await, list);

    let entries = audit(&b, &admin).await;
    let imported: Vec<&Value> = entries
        .iter()
        .filter(|e| e["action"] == "domain_policy.import")
        .collect();
    assert_eq!(imported.len(), 1, "{entries:#?}");
    assert_eq!(imported[0]["details"]["rows"], 3, "{entries:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn domain_blocks_are_validated() {
    let b = Instance::spawn().await;
    let admin = b.staff_token("admin", true, None).await;
    let resp = put_policy(&b, &admin, "not a domain", "suspend").await;
    assert_invalid(resp, "domain", None).await;
    let resp = put_policy(&b, &admin, "ok.example", "explode").await;
    assert_invalid(resp, "severity", Some("explode")).await;
    // Both at once: both named.
    let resp = put_policy(&b, &admin, "http://x.example", "explode").await;
    let body = json_body(resp, StatusCode::UNPROCESSABLE_ENTITY).await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["domain", "severity"], "{body}");
    // This server itself, in any case.
    let resp = put_policy(&b, &admin, &b.domain, "suspend").await;
    assert_invalid(resp, "domain", None).await;
    let resp = put_policy(&b, &admin, &b.domain.to_uppercase(), "suspend").await;
    assert_invalid(resp, "domain", None).await;
    // Not an object, or unknown fields.
    let resp = b
        .send_as(
            &admin,
            Method::POST,
            DOMAIN_BLOCKS,
            Some(&json!(["x.example"])),
        )
        .await;
    assert!(resp.status().is_client_error(), "{}", resp.status());
    // Not an administrator.
    let resp = put_policy(&b, &b.token, "ok.example", "suspend").await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        b.send(Method::GET, DOMAIN_BLOCKS, None).await.status(),
        StatusCode::FORBIDDEN
    );
    let resp = b
        .send(Method::DELETE, &format!("{DOMAIN_BLOCKS}/ok.example"), None)
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let resp = b
        .client
        .get(b.url(DOMAIN_BLOCKS))
        .send()
        .await
        .expect("GET without a token");
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    // Nothing was stored or audited.
    assert_eq!(get_as(&b, &admin, DOMAIN_BLOCKS).await, json!([]));
    assert_eq!(audit(&b, &admin).await, Vec::<Value>::new());
}

/// A peer controls its own ids, and `loud.example.` (with the root's dot)
/// names the same host as `loud.example`. activitypub_federation strips the
/// dot before the policy check at the inbox gate, but Deling's own checks
/// (silence and reject_media on receipt, the fan-out, each send) ask the
/// store about the host as written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trailing_dot_does_not_escape_a_domain_policy() {
    let b = Instance::spawn().await;
    for (domain, severity) in [
        ("spam.example", Severity::Suspend),
        ("loud.example", Severity::Silence),
        ("pics.example", Severity::RejectMedia),
    ] {
        let domain = deling_domain::policy::Domain::parse(domain).unwrap();
        b.store
            .put_domain_policy(&domain, severity, None, None, None)
            .await
            .unwrap();
    }
    for (host, verdict) in [
        ("spam.example.", Verdict::Refused),
        ("media.spam.example.", Verdict::Refused),
        ("loud.example.", Verdict::Silenced),
        ("loud.example.:8443", Verdict::Silenced),
        ("pics.example.", Verdict::NoMedia),
    ] {
        assert_eq!(
            b.store.get_host_verdict(host).await.unwrap(),
            verdict,
            "{host}"
        );
    }
}

/// The single POST refuses this server's own domain; an import must too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn importing_this_servers_own_domain_is_refused() {
    let b = Instance::spawn().await;
    let admin = b.staff_token("admin", true, None).await;
    let csv = format!(
        "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n\
         spam.example,suspend,true,true,,false\n\
         {},suspend,true,true,,false\n",
        b.domain
    );
    let resp = b
        .client
        .post(b.url(&format!("{DOMAIN_BLOCKS}/import")))
        .bearer_auth(&admin)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .expect("POST import");
    let body = json_body(resp, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(body.to_string().contains("is this server"), "{body}");
    assert_eq!(get_as(&b, &admin, DOMAIN_BLOCKS).await, json!([]));
}
