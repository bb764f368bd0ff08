//! An agency's profile: edited through the API by an admin of the agency,
//! sent to followers as an `Update` of its actor, and refreshed on the
//! follower's side.

use crate::helpers::{Instance, eventually, json_body};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profile_changes_reach_followers() {
    let (a, b) = tokio::join!(Instance::spawn(), Instance::spawn());
    a.agency("nav").await;
    let oslo = b.agency("oslo").await;
    let oslo_id = b.actor_id("oslo");
    a.follow("nav", &b.handle("oslo")).await;
    a.wait_accepted("nav", &oslo_id).await;

    let admin = b.staff_token("oslo_admin", false, None).await;
    b.store
        .put_membership(
            b.store
                .get_staff_by_username("oslo_admin")
                .await
                .unwrap()
                .unwrap()
                .id,
            oslo.id,
            deling_domain::auth::Role::Admin,
        )
        .await
        .unwrap();

    // The instance's editor of oslo may publish but not edit the profile.
    let resp = b
        .send(
            Method::PATCH,
            "/api/v1/agencies/oslo",
            Some(&json!({"name": "Nope"})),
        )
        .await;
    let problem = json_body(resp, StatusCode::FORBIDDEN).await;
    assert!(
        problem["detail"].as_str().unwrap().contains("admin"),
        "{problem}"
    );
    // Without a token: 401.
    let resp = b
        .client
        .patch(b.url("/api/v1/agencies/oslo"))
        .json(&json!({"name": "Nope"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);

    // Bad values: 422 naming each field, nothing stored, nothing queued.
    let events_before = b
        .store
        .list_pending_outbox_events(1000)
        .await
        .unwrap()
        .len();
    let resp = b
        .send_as(
            &admin,
            Method::PATCH,
            "/api/v1/agencies/oslo",
            Some(&json!({
                "name": null,
                "website": "javascript:alert(1)",
                "icon_url": "not a url",
                "org_number": "123",
                "summary": "x".repeat(2001),
            })),
        )
        .await;
    let problem = json_body(resp, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(
        problem["detail"].as_str().unwrap().contains("name"),
        "{problem}"
    );
    let resp = b
        .send_as(
            &admin,
            Method::PATCH,
            "/api/v1/agencies/oslo",
            Some(&json!({
                "website": "javascript:alert(1)",
                "icon_url": "not a url",
                "org_number": "123",
                "summary": "x".repeat(2001),
            })),
        )
        .await;
    let problem = json_body(resp, StatusCode::UNPROCESSABLE_ENTITY).await;
    let detail = problem["detail"].as_str().unwrap().to_owned();
    for field in ["website", "icon_url", "org_number", "summary"] {
        assert!(detail.contains(field), "{field} not named: {problem}");
    }
    for body in [json!({"colour": "blue"}), json!(["name"])] {
        let resp = b
            .send_as(&admin, Method::PATCH, "/api/v1/agencies/oslo", Some(&body))
            .await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{body}");
    }
    assert_eq!(
        b.store.get_agency(oslo.id).await.unwrap().as_ref(),
        Some(&oslo),
        "a refused change was stored"
    );
    assert_eq!(
        b.store
            .list_pending_outbox_events(1000)
            .await
            .unwrap()
            .len(),
        events_before
    );

    // An admin of the agency changes it.
    let resp = b
        .send_as(
            &admin,
            Method::PATCH,
            "/api/v1/agencies/oslo",
            Some(&json!({
                "name": "Oslo kommune, Plan- og bygningsetaten",
                "summary": "Vi deler **veiledere** om byggesak.",
                "website": "https://www.oslo.kommune.no/",
                "icon_url": "https://www.oslo.kommune.no/logo.png",
            })),
        )
        .await;
    let view = json_body(resp, StatusCode::OK).await;
    assert_eq!(
        view["name"], "Oslo kommune, Plan- og bygningsetaten",
        "{view}"
    );
    assert_eq!(
        view["summary_html"],
        "<p>Vi deler <strong>veiledere</strong> om byggesak.</p>\n"
    );
    assert_eq!(view["org_number"], "958935420", "untouched: {view}");

    // The actor document shows it at once ...
    let actor: serde_json::Value = b
        .client
        .get(&oslo_id)
        .header("Accept", "application/activity+json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(actor["name"], "Oslo kommune, Plan- og bygningsetaten");
    assert_eq!(actor["icon"]["type"], "Image", "{actor}");
    assert_eq!(actor["icon"]["url"], "https://www.oslo.kommune.no/logo.png");
    let fields: Vec<&str> = actor["attachment"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["Website", "Organisation number"], "{actor}");

    // So does the HTML profile page (escaped, with the logo and the site).
    let html = b
        .client
        .get(&oslo_id)
        .header("Accept", "text/html")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for part in [
        "<img src=\"https://www.oslo.kommune.no/logo.png\"",
        "<meta property=\"og:image\" content=\"https://www.oslo.kommune.no/logo.png\">",
        "<a href=\"https://www.oslo.kommune.no/\" rel=\"me nofollow noopener noreferrer\">",
        "<strong>veiledere</strong>",
    ] {
        assert!(html.contains(part), "{part} missing from {html}");
    }

    // ... and the follower's copy is refreshed by the Update.
    let remote = eventually("A to hold the new profile of oslo", async || {
        let r = a
            .store
            .get_remote_actor_by_ap_id(&oslo_id)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("oslo unknown on A")?;
        if r.name.as_deref() == Some("Oslo kommune, Plan- og bygningsetaten") {
            Ok(r)
        } else {
            Err(format!("name {:?}", r.name))
        }
    })
    .await;
    assert_eq!(
        remote.icon_url.as_deref(),
        Some("https://www.oslo.kommune.no/logo.png")
    );
    assert!(
        remote
            .summary_html
            .as_deref()
            .is_some_and(|s| s.contains("<strong>veiledere</strong>")),
        "{remote:?}"
    );
    let following = a.get_json("/api/v1/agencies/nav/following").await;
    assert_eq!(
        following[0]["actor"]["name"], "Oslo kommune, Plan- og bygningsetaten",
        "{following}"
    );

    // Sending the same profile again writes nothing, so queues nothing (the
    // Update is queued in the same transaction as the write).
    let stored = b.store.get_agency(oslo.id).await.unwrap().unwrap();
    let audited = b.store.list_audit(1000, 0).await.unwrap().len();
    let resp = b
        .send_as(
            &admin,
            Method::PATCH,
            "/api/v1/agencies/oslo",
            Some(&json!({"name": "Oslo kommune, Plan- og bygningsetaten"})),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(b.store.get_agency(oslo.id).await.unwrap(), Some(stored));
    assert_eq!(b.store.list_audit(1000, 0).await.unwrap().len(), audited);

    // null clears the optional fields; the audit log names what changed.
    let resp = b
        .send_as(
            &admin,
            Method::PATCH,
            "/api/v1/agencies/oslo",
            Some(&json!({"website": null, "icon_url": null})),
        )
        .await;
    let view = json_body(resp, StatusCode::OK).await;
    assert!(
        view["website"].is_null() && view["icon_url"].is_null(),
        "{view}"
    );
    let audit = b.store.list_audit(10, 0).await.unwrap();
    let last = &audit[0];
    assert_eq!(
        (
            last.actor.as_str(),
            last.action.as_str(),
            last.target.as_str()
        ),
        ("oslo_admin", "agency.update", "oslo")
    );
    assert_eq!(last.details, json!({"changed": ["website", "icon_url"]}));
    eventually("A to drop oslo's icon", async || {
        let r = a
            .store
            .get_remote_actor_by_ap_id(&oslo_id)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("oslo unknown on A")?;
        match r.icon_url {
            None => Ok(()),
            Some(u) => Err(u),
        }
    })
    .await;
}
