//! Administration pages over real HTTP: an agency's profile and staff for
//! its admins, and for instance administrators the agencies, the
//! federation policy (with Mastodon's CSV out and in) and the audit log.
//! Refusals change nothing, markup typed into fields comes back as text,
//! and every action is in the audit log.

use deling_domain::auth::Role;
use deling_testkit::{TestApp, web::Browser};
use reqwest::StatusCode;

fn location(resp: &reqwest::Response) -> String {
    resp.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// An agency `oslo` with `kari` as its admin, and `kari` logged in.
async fn oslo_with_admin(app: &TestApp) -> (deling_store::records::Agency, Browser) {
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let kari = app.staff("kari", false).await;
    app.store
        .put_membership(kari.id, oslo.id, Role::Admin)
        .await
        .unwrap();
    (oslo, app.logged_in("kari").await)
}

/// The value of the control whose id is `id`.
fn value_of(html: &str, id: &str) -> String {
    let at = html.find(&format!("id=\"{id}\"")).expect(id);
    let tag = &html[at..at + html[at..].find('>').unwrap()];
    tag.split("value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned()
}

async fn actions(app: &TestApp) -> Vec<(String, String, String)> {
    app.store
        .list_audit(1000, 0)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.actor, e.action, e.target))
        .collect()
}

#[tokio::test]
async fn an_agency_admin_edits_the_profile_shown_on_the_page_and_actor() {
    let app = TestApp::spawn().await;
    let (oslo, mut b) = oslo_with_admin(&app).await;

    let home = b.page("/staff/admin").await;
    assert!(
        home.contains("href=\"/staff/admin/agencies/oslo\""),
        "{home}"
    );
    assert!(
        !home.contains("href=\"/staff/admin/federation\""),
        "an agency admin sees no instance sections: {home}"
    );
    let form = b.page("/staff/admin/agencies/oslo").await;
    assert!(form.contains("value=\"Oslo kommune\""), "{form}");

    let path = "/staff/admin/agencies/oslo";
    let resp = b
        .post_form(
            path,
            path,
            &[
                ("name", "Oslo <b>kommune</b>"),
                ("summary", "Vi deler **data** <script>alert(1)</script>"),
                ("icon_url", "https://www.oslo.kommune.no/logo.png"),
                ("website", "https://www.oslo.kommune.no/"),
                ("org_number", "974 760 673"),
                ("indexable", "on"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&resp), "/staff/admin/agencies/oslo?done=profile");
    let done = b.page(&location(&resp)).await;
    assert!(done.contains("role=\"status\""), "{done}");
    assert!(done.contains("Oslo &#60;b&#62;kommune") || done.contains("Oslo &lt;b&gt;kommune"));
    assert!(!done.contains("<b>kommune</b>"), "{done}");

    let stored = app.store.get_agency(oslo.id).await.unwrap().unwrap();
    assert_eq!(stored.name, "Oslo <b>kommune</b>");
    assert_eq!(stored.org_number.as_deref(), Some("974760673"));
    assert!(stored.summary_html.contains("<strong>data</strong>"));
    assert!(!stored.summary_html.contains("<script"));

    // The public page and the actor document show the new profile.
    let public = app.get("/agencies/oslo").await.text().await.unwrap();
    assert!(!public.contains("<b>kommune</b>"), "{public}");
    assert!(public.contains("<strong>data</strong>"), "{public}");
    let actor: serde_json::Value = app
        .client
        .get(app.url("/agencies/oslo"))
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(actor["name"], "Oslo <b>kommune</b>", "{actor}");
    assert_eq!(
        actor["icon"]["url"], "https://www.oslo.kommune.no/logo.png",
        "{actor}"
    );

    // Written to the audit log as the API writes it; an unchanged save
    // writes nothing more.
    let log = actions(&app).await;
    assert!(log.contains(&("kari".into(), "agency.update".into(), "oslo".into())));
    let form = b.page(path).await;
    assert!(form.contains("checked"), "indexable kept: {form}");
    let resp = b
        .post_form(
            path,
            path,
            &[
                ("name", "Oslo <b>kommune</b>"),
                ("summary", "Vi deler **data** <script>alert(1)</script>"),
                ("icon_url", "https://www.oslo.kommune.no/logo.png"),
                ("website", "https://www.oslo.kommune.no/"),
                ("org_number", "974760673"),
                ("indexable", "on"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(actions(&app).await.len(), log.len());
}

#[tokio::test]
async fn a_bad_profile_is_shown_again_with_each_problem_and_nothing_stored() {
    let app = TestApp::spawn().await;
    let (oslo, mut b) = oslo_with_admin(&app).await;
    let before = app.store.get_agency(oslo.id).await.unwrap().unwrap();
    let path = "/staff/admin/agencies/oslo";
    let resp = b
        .post_form(
            path,
            path,
            &[
                ("name", "Oslo \"igjen\""),
                ("summary", "Ny tekst"),
                ("icon_url", ""),
                ("website", "javascript:alert(1)"),
                ("org_number", "123"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    for id in ["admin-website", "admin-org-number"] {
        assert!(html.contains(&format!("id=\"{id}-error\"")), "{id}: {html}");
        assert!(html.contains(&format!("href=\"#{id}\"")), "{id}: {html}");
    }
    assert!(html.contains("aria-describedby=\"admin-org-number-hint admin-org-number-error\""));
    assert!(!html.contains("id=\"admin-name-error\""), "{html}");
    assert_eq!(html.matches("aria-invalid=\"true\"").count(), 2, "{html}");
    // What was typed is kept, escaped.
    let kept = |name| deling_testkit::web::input_value(&html, name);
    assert_eq!(kept("org_number").as_deref(), Some("123"));
    assert_eq!(kept("website").as_deref(), Some("javascript:alert(1)"));
    assert!(html.contains("Oslo &#34;igjen&#34;") || html.contains("Oslo &quot;igjen&quot;"));
    assert!(html.contains(">Ny tekst</textarea>"), "{html}");
    assert!(
        html.contains("Skriv et norsk organisasjonsnummer"),
        "{html}"
    );

    // Nothing stored, nothing audited.
    assert_eq!(app.store.get_agency(oslo.id).await.unwrap(), Some(before));
    assert!(actions(&app).await.is_empty());

    // In English too.
    let resp = b
        .post_form(
            "/staff/admin/agencies/oslo?lang=en",
            "/staff/admin/agencies/oslo?lang=en",
            &[("name", ""), ("org_number", "974760673")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("Write a name of 1 to 100 characters."),
        "{html}"
    );
    assert!(html.contains("<html lang=\"en\""));
}

#[tokio::test]
async fn an_admin_adds_changes_and_removes_staff() {
    let app = TestApp::spawn().await;
    let (oslo, mut b) = oslo_with_admin(&app).await;
    let ola = app.staff_without_password("ola", false).await;
    let path = "/staff/admin/agencies/oslo/staff";

    let resp = b
        .post_form(
            path,
            path,
            &[("action", "add"), ("username", "ola"), ("role", "editor")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&resp), format!("{path}?done=added"));
    assert_eq!(
        app.store.get_role(ola.id, oslo.id).await.unwrap(),
        Some(Role::Editor)
    );
    let html = b.page(&location(&resp)).await;
    assert!(html.contains("<th scope=\"row\">ola</th>"), "{html}");
    assert!(html.contains("Redaktør"), "{html}");

    let resp = b
        .post_form(
            path,
            path,
            &[("action", "role"), ("username", "ola"), ("role", "admin")],
        )
        .await;
    assert_eq!(location(&resp), format!("{path}?done=role"));
    assert_eq!(
        app.store.get_role(ola.id, oslo.id).await.unwrap(),
        Some(Role::Admin)
    );

    let resp = b
        .post_form(path, path, &[("action", "remove"), ("username", "ola")])
        .await;
    assert_eq!(location(&resp), format!("{path}?done=removed"));
    assert_eq!(app.store.get_role(ola.id, oslo.id).await.unwrap(), None);

    // An unknown account: the form again, the name kept and escaped.
    let resp = b
        .post_form(
            path,
            path,
            &[
                ("action", "add"),
                ("username", "<i>nobody</i>"),
                ("role", "admin"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(html.contains("id=\"admin-username-error\""), "{html}");
    assert!(!html.contains("<i>nobody</i>"), "{html}");
    assert!(html.contains("<option value=\"admin\" selected>"), "{html}");

    // The last admin cannot remove herself.
    let resp = b
        .post_form(path, path, &[("action", "remove"), ("username", "kari")])
        .await;
    assert_eq!(resp.status(), StatusCode::CONFLICT);
    assert!(resp.text().await.unwrap().contains("siste administrator"));
    let kari = app
        .store
        .get_staff_by_username("kari")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        app.store.get_role(kari.id, oslo.id).await.unwrap(),
        Some(Role::Admin)
    );

    let log = actions(&app).await;
    for action in ["membership.put", "membership.put", "membership.delete"] {
        assert!(
            log.contains(&("kari".into(), action.into(), "ola@oslo".into())),
            "{log:?}"
        );
    }
}

#[tokio::test]
async fn editors_and_other_agencies_admins_are_refused_and_nothing_changes() {
    let app = TestApp::spawn().await;
    let (oslo, mut kari) = oslo_with_admin(&app).await;
    let nav = app.agency("nav", "NAV").await;
    let ola = app.staff("ola", false).await;
    app.store
        .put_membership(ola.id, oslo.id, Role::Editor)
        .await
        .unwrap();
    let mut ola_b = app.logged_in("ola").await;
    let before = (
        app.store.get_agency(oslo.id).await.unwrap(),
        app.store.list_agency_members(oslo.id).await.unwrap().len(),
        app.store.list_domain_policies().await.unwrap().len(),
        app.store.list_agencies().await.unwrap().len(),
    );

    let everything = [
        "/staff/admin",
        "/staff/admin/agencies/oslo",
        "/staff/admin/agencies/oslo/staff",
        "/staff/admin/agencies",
        "/staff/admin/federation",
        "/staff/admin/federation/domain-blocks.csv",
        "/staff/admin/audit",
        "/staff/admin/agencies/oslo/audit",
    ];
    for path in everything {
        let resp = ola_b.get(path).await;
        assert_eq!(resp.status(), StatusCode::FORBIDDEN, "ola GET {path}");
        assert!(
            resp.text().await.unwrap().contains("<html"),
            "an HTML page for {path}"
        );
    }
    // Ola's own, valid token: the refusal is about his rights.
    let posts: [(&str, Vec<(&str, &str)>); 5] = [
        ("/staff/admin/agencies/oslo", vec![("name", "Taken over")]),
        (
            "/staff/admin/agencies/oslo/staff",
            vec![("action", "add"), ("username", "ola"), ("role", "admin")],
        ),
        (
            "/staff/admin/agencies",
            vec![("slug", "evil"), ("name", "Evil")],
        ),
        (
            "/staff/admin/federation",
            vec![
                ("action", "domain-add"),
                ("domain", "example.org"),
                ("severity", "suspend"),
            ],
        ),
        (
            "/staff/admin/federation",
            vec![("action", "mode"), ("mode", "allowlist")],
        ),
    ];
    let ola_csrf = app.store.list_sessions(ola.id).await.unwrap()[0]
        .csrf_token
        .clone();
    for (path, fields) in &posts {
        let mut all = vec![("csrf", ola_csrf.as_str())];
        all.extend(fields.iter().copied());
        let resp = ola_b.post_raw(path, &all).await;
        assert_eq!(resp.status(), StatusCode::FORBIDDEN, "ola POST {path}");
    }

    // Kari manages oslo, not nav, and is no instance administrator.
    for path in [
        "/staff/admin/agencies/nav",
        "/staff/admin/agencies/nav/staff",
        "/staff/admin/agencies",
        "/staff/admin/federation",
        "/staff/admin/federation/domain-blocks.csv",
        "/staff/admin/audit",
    ] {
        let resp = kari.get(path).await;
        assert_eq!(resp.status(), StatusCode::FORBIDDEN, "kari GET {path}");
    }
    let resp = kari
        .post_form(
            "/staff/admin",
            "/staff/admin/agencies/nav",
            &[("name", "Kari's NAV")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let resp = kari
        .post_form(
            "/staff/admin",
            "/staff/admin/federation",
            &[("action", "import"), ("csv", "example.org,suspend")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);

    let after = (
        app.store.get_agency(oslo.id).await.unwrap(),
        app.store.list_agency_members(oslo.id).await.unwrap().len(),
        app.store.list_domain_policies().await.unwrap().len(),
        app.store.list_agencies().await.unwrap().len(),
    );
    assert_eq!(before, after);
    assert_eq!(
        app.store.get_agency(nav.id).await.unwrap().unwrap().name,
        "NAV"
    );
    assert!(actions(&app).await.is_empty());

    // Someone who manages nothing at all gets 403 on the home page too,
    // and no session at all goes to the login.
    let mut nobody = app.browser();
    let resp = nobody.get("/staff/admin/federation").await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert!(location(&resp).starts_with("/login?next="));
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused() {
    let app = TestApp::spawn().await;
    let (oslo, mut b) = oslo_with_admin(&app).await;
    app.staff("root", true).await;
    let mut root = app.logged_in("root").await;
    let resp = b
        .post_raw("/staff/admin/agencies/oslo", &[("name", "No token")])
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let resp = b
        .post_raw(
            "/staff/admin/agencies/oslo/staff",
            &[
                ("csrf", "dlg_wrong"),
                ("action", "remove"),
                ("username", "kari"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let resp = root
        .post_raw(
            "/staff/admin/federation",
            &[
                ("action", "domain-add"),
                ("domain", "example.org"),
                ("severity", "suspend"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.store.get_agency(oslo.id).await.unwrap().unwrap().name,
        "Oslo kommune"
    );
    assert!(app.store.list_domain_policies().await.unwrap().is_empty());
    assert_eq!(
        app.store.list_agency_members(oslo.id).await.unwrap().len(),
        1
    );
}

#[tokio::test]
async fn an_instance_admin_sets_the_federation_policy_and_reads_the_audit_log() {
    let app = TestApp::spawn().await;
    app.staff("root", true).await;
    let mut b = app.logged_in("root").await;
    let home = b.page("/staff/admin").await;
    for link in [
        "/staff/admin/agencies",
        "/staff/admin/federation",
        "/staff/admin/audit",
    ] {
        assert!(home.contains(&format!("href=\"{link}\"")), "{link}: {home}");
    }

    // Create an agency.
    let path = "/staff/admin/agencies";
    let resp = b
        .post_form(
            path,
            path,
            &[
                ("slug", "Bad Slug"),
                ("name", "Bergen <kommune>"),
                ("org_number", "1"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(html.contains("id=\"admin-new-slug-error\""), "{html}");
    assert!(html.contains("id=\"admin-new-org-number-error\""), "{html}");
    assert!(html.contains("Bergen &#60;kommune&#62;") || html.contains("Bergen &lt;kommune&gt;"));
    assert!(app.store.list_agencies().await.unwrap().is_empty());
    let resp = b
        .post_form(
            path,
            path,
            &[
                ("slug", "bergen"),
                ("name", "Bergen <kommune>"),
                ("org_number", ""),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&resp),
        "/staff/admin/agencies/bergen/staff?done=created"
    );
    let list = b.page(path).await;
    assert!(
        list.contains("Bergen &#60;kommune&#62;") || list.contains("Bergen &lt;kommune&gt;"),
        "{list}"
    );
    assert!(!list.contains("<kommune>"));
    let resp = b
        .post_form(path, path, &[("slug", "bergen"), ("name", "Bergen igjen")])
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("Det kortnavnet tilhører")
    );

    // The mode.
    let fed = "/staff/admin/federation";
    let resp = b
        .post_form(fed, fed, &[("action", "mode"), ("mode", "allowlist")])
        .await;
    assert_eq!(location(&resp), format!("{fed}?done=mode"));
    assert_eq!(
        app.store.get_federation_mode().await.unwrap(),
        deling_domain::policy::FederationMode::Allowlist
    );
    let html = b.page(fed).await;
    assert!(html.contains("value=\"allowlist\" checked"), "{html}");

    // A domain block, with markup in its reasons.
    let resp = b
        .post_form(
            fed,
            fed,
            &[
                ("action", "domain-add"),
                ("domain", "spam.example"),
                ("severity", "suspend"),
                ("public_comment", "<script>alert(1)</script> spam"),
                ("private_comment", "<b>reported</b>"),
            ],
        )
        .await;
    assert_eq!(location(&resp), format!("{fed}?done=domain-added"));
    let html = b.page(fed).await;
    assert!(
        html.contains("<th scope=\"row\">spam.example</th>"),
        "{html}"
    );
    assert!(!html.contains("<script>alert(1)</script>"), "{html}");
    assert!(!html.contains("<b>reported</b>"), "{html}");

    // A bad domain: inline, kept, nothing stored.
    let resp = b
        .post_form(
            fed,
            fed,
            &[
                ("action", "domain-add"),
                ("domain", "not a domain"),
                ("severity", "silence"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(html.contains("id=\"admin-domain-error\""), "{html}");
    assert_eq!(value_of(&html, "admin-domain"), "not a domain");
    assert!(html.contains("value=\"silence\" selected"), "{html}");
    assert_eq!(app.store.list_domain_policies().await.unwrap().len(), 1);

    // Export, remove, import what was exported: the block is back.
    let resp = b.get("/staff/admin/federation/domain-blocks.csv").await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(
        resp.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment"),
    );
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = resp.text().await.unwrap();
    assert!(csv.contains("spam.example,suspend"), "{csv}");
    let resp = b
        .post_form(
            fed,
            fed,
            &[("action", "domain-remove"), ("domain", "spam.example")],
        )
        .await;
    assert_eq!(location(&resp), format!("{fed}?done=domain-removed"));
    assert!(app.store.list_domain_policies().await.unwrap().is_empty());
    let resp = b
        .post_form(fed, fed, &[("action", "import"), ("csv", &csv)])
        .await;
    assert_eq!(location(&resp), format!("{fed}?done=imported&n=1"));
    let rows = app.store.list_domain_policies().await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].domain, "spam.example");
    assert_eq!(rows[0].severity, "suspend");
    assert_eq!(
        rows[0].public_comment.as_deref(),
        Some("<script>alert(1)</script> spam")
    );
    let html = b.page(&location(&resp)).await;
    assert!(html.contains("Én domeneregel ble importert."), "{html}");

    // A CSV with a bad row: nothing imported, the problem named, the text kept.
    let bad = "good.example,suspend\nnot a domain,suspend\n";
    let resp = b
        .post_form(fed, fed, &[("action", "import"), ("csv", bad)])
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(html.contains("id=\"admin-csv-error\""), "{html}");
    assert!(html.contains("line 2"), "{html}");
    assert!(
        html.contains("good.example,suspend\nnot a domain,suspend"),
        "{html}"
    );
    assert_eq!(app.store.list_domain_policies().await.unwrap().len(), 1);

    // Actor blocks.
    let actor = "https://spam.example/users/<b>x</b>";
    let resp = b
        .post_form(
            fed,
            fed,
            &[
                ("action", "actor-add"),
                ("actor", "not a url"),
                ("reason", "x"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let resp = b
        .post_form(
            fed,
            fed,
            &[
                ("action", "actor-add"),
                ("actor", actor),
                ("reason", "<em>spam</em>"),
            ],
        )
        .await;
    assert_eq!(location(&resp), format!("{fed}?done=actor-added"));
    let blocked = app.store.list_actor_blocks().await.unwrap();
    assert_eq!(blocked.len(), 1);
    let html = b.page(fed).await;
    assert!(!html.contains("<em>spam</em>"), "{html}");
    let resp = b
        .post_form(
            fed,
            fed,
            &[("action", "actor-remove"), ("actor", &blocked[0].actor)],
        )
        .await;
    assert_eq!(location(&resp), format!("{fed}?done=actor-removed"));
    assert!(app.store.list_actor_blocks().await.unwrap().is_empty());

    // The audit log shows it all, newest first, markup as text.
    let log = b.page("/staff/admin/audit").await;
    let order = [
        "actor_block.delete",
        "actor_block.put",
        "domain_policy.import",
        "domain_policy.delete",
        "domain_policy.put",
        "federation_mode.put",
        "agency.create",
    ];
    let mut at = 0;
    for action in order {
        let found = log[at..].find(&format!("<code>{action}</code>"));
        assert!(found.is_some(), "{action} after {at}: {log}");
        at += found.unwrap();
    }
    assert!(!log.contains("<b>x</b>"), "{log}");
    assert!(!log.contains("<em>spam</em>"), "{log}");
    let entries = actions(&app).await;
    assert!(
        entries.iter().all(|(who, _, _)| who == "root"),
        "{entries:?}"
    );
    assert_eq!(entries.len(), 7, "{entries:?}");
}

#[tokio::test]
async fn the_audit_log_pages() {
    let app = TestApp::spawn().await;
    app.staff("root", true).await;
    for n in 0..55 {
        app.store
            .put_audit(
                None,
                "cli",
                "test.entry",
                &format!("target-{n}"),
                serde_json::json!({}),
            )
            .await
            .unwrap();
    }
    let mut b = app.logged_in("root").await;
    let first = b.page("/staff/admin/audit").await;
    assert!(first.contains(">target-54<"), "newest first");
    assert!(!first.contains(">target-4<"));
    assert!(first.contains("href=\"/staff/admin/audit?page=2\""));
    assert!(!first.contains("rel=\"prev\""));
    let second = b.page("/staff/admin/audit?page=2").await;
    assert!(second.contains(">target-4<") && second.contains(">target-0<"));
    assert!(second.contains("href=\"/staff/admin/audit?page=1\""));
    assert!(!second.contains("rel=\"next\""));
}

#[tokio::test]
async fn an_agency_admin_reads_the_agencys_own_audit_log() {
    let app = TestApp::spawn().await;
    let (_oslo, mut kari) = oslo_with_admin(&app).await;
    app.agency("nav", "NAV").await;
    app.staff_without_password("ola", false).await;
    let path = "/staff/admin/agencies/oslo/staff";
    let resp = kari
        .post_form(
            path,
            path,
            &[("action", "add"), ("username", "ola"), ("role", "editor")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    // Filed under no agency, or under another: not on oslo's page.
    app.store
        .put_audit(
            None,
            "cli",
            "test.entry",
            "elsewhere",
            serde_json::json!({}),
        )
        .await
        .unwrap();

    let home = kari.page("/staff/admin").await;
    assert!(
        home.contains("href=\"/staff/admin/agencies/oslo/audit\""),
        "{home}"
    );
    let html = kari.page("/staff/admin/agencies/oslo/audit").await;
    assert!(html.contains(">ola@oslo<"), "{html}");
    assert!(html.contains(">membership.put<"), "{html}");
    assert!(!html.contains("elsewhere"), "{html}");
    let resp = kari.get("/staff/admin/agencies/nav/audit").await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn followers_hear_of_a_profile_saved_on_the_page() {
    use deling_domain::auth::{Password, Username};
    use deling_testkit::{
        PASSWORD, eventually,
        instance::Instance,
        peer::{FakePeer, fake_keys},
    };
    let (b, peer) = tokio::join!(Instance::spawn(), FakePeer::spawn());
    let oslo = b.agency("oslo").await;
    let [k1, _] = fake_keys().await;
    let eve = peer.actor("eve", k1);
    b.followed_by(&eve, "oslo").await;
    let hash = tokio::task::spawn_blocking(|| Password::parse(PASSWORD).unwrap().hash())
        .await
        .unwrap();
    let kari = b
        .store
        .put_staff(&Username::parse("kari").unwrap(), hash, false)
        .await
        .unwrap();
    b.store
        .put_membership(kari.id, oslo.id, Role::Admin)
        .await
        .unwrap();
    let mut browser = Browser::new(&b.base);
    browser.log_in("kari").await;
    let path = "/staff/admin/agencies/oslo";
    let resp = browser
        .post_form(
            path,
            path,
            &[
                ("name", "Oslo kommune, Plan- og bygningsetaten"),
                ("summary", "Vi deler **veiledere**."),
                ("org_number", "974760673"),
                ("indexable", "on"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    eventually("the Update of the actor at eve's server", async || {
        peer.received_of("Update")
            .into_iter()
            .map(|r| r.json())
            .find(|u| u["object"]["name"] == "Oslo kommune, Plan- og bygningsetaten")
            .ok_or_else(|| "not yet".to_owned())
    })
    .await;
}
