//! What responses reveal and link to: security headers, links built only
//! from the configured domain, neutral errors about other servers, and
//! `/metrics` only where the operator opened it.

use crate::helpers::{TestApp, guide, problem};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn pages_and_api_answers_carry_security_headers() {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let token = app.editor_of("kari", &oslo).await;
    app.create_item(&token, "oslo", &guide("Overskrift")).await;
    for (path, accept) in [
        ("/", "text/html"),
        ("/agencies/oslo", "text/html"),
        ("/items/1", "text/html"),
        ("/api/v1/items", "application/json"),
        ("/api/v1/nowhere", "application/json"),
    ] {
        let resp = app
            .client
            .get(app.url(path))
            .header("Accept", accept)
            .send()
            .await
            .unwrap();
        let h = resp.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert!(h.contains_key("referrer-policy"), "{path}");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(csp.contains("default-src 'none'"), "{path}: {csp}");
        assert!(
            csp.contains("script-src 'self';") && !csp.contains("unsafe-"),
            "{path}: no script but the server's own files: {csp}"
        );
        // No form of ours is answered with a redirect to another site.
        assert!(
            csp.contains("form-action 'self';"),
            "{path}: forms post to this site alone: {csp}"
        );
    }
}

#[tokio::test]
async fn links_come_from_the_configured_domain_unless_proxies_are_trusted() {
    let list = |app: &TestApp, headers: Vec<(&'static str, &'static str)>| {
        let mut req = app.client.get(app.url("/api/v1/items?per_page=1"));
        for (k, v) in headers {
            req = req.header(k, v);
        }
        async move {
            let v: serde_json::Value = req.send().await.unwrap().json().await.unwrap();
            v["next"].as_str().expect("a next link").to_owned()
        }
    };
    let forged = vec![
        ("X-Forwarded-Host", "evil.test"),
        ("X-Forwarded-Proto", "javascript"),
        ("Forwarded", "host=evil.test;proto=javascript"),
    ];

    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let token = app.editor_of("kari", &oslo).await;
    for n in 0..2 {
        app.create_item(&token, "oslo", &guide(&format!("Side {n}")))
            .await;
    }
    let next = list(&app, forged.clone()).await;
    assert!(
        next.starts_with("http://deling.test/api/v1/items?"),
        "{next}"
    );
    // A Host header that is not a host changes nothing either.
    let next = list(&app, vec![("Host", "evil.test/x?")]).await;
    assert!(next.starts_with("http://deling.test/"), "{next}");

    // Trusted proxies may say the client used https on another name, but
    // never another scheme than http(s).
    let app = TestApp::spawn_with(|c| c.http.trust_proxy_headers = true).await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let token = app.editor_of("kari", &oslo).await;
    for n in 0..2 {
        app.create_item(&token, "oslo", &guide(&format!("Side {n}")))
            .await;
    }
    let next = list(
        &app,
        vec![
            ("X-Forwarded-Host", "deling.example.no"),
            ("X-Forwarded-Proto", "https"),
        ],
    )
    .await;
    assert!(
        next.starts_with("https://deling.example.no/api/v1/items?"),
        "{next}"
    );
    let next = list(&app, forged).await;
    assert!(next.starts_with("http://deling.test/"), "{next}");
    // Behind nginx a client's own Forwarded header passes through: it is
    // not read.
    let next = list(&app, vec![("Forwarded", "proto=https;host=evil.example")]).await;
    assert!(
        next.starts_with("http://") && !next.contains("evil.example"),
        "{next}"
    );

    // Behind a proxy that writes Forwarded, that is read, and a client's
    // X-Forwarded-Host is not.
    let app = TestApp::spawn_with(|c| {
        c.http.trust_proxy_headers = true;
        c.http.proxy_headers = "forwarded".into();
    })
    .await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let token = app.editor_of("kari", &oslo).await;
    for n in 0..2 {
        app.create_item(&token, "oslo", &guide(&format!("Side {n}")))
            .await;
    }
    let next = list(
        &app,
        vec![(
            "Forwarded",
            "for=192.0.2.1;proto=https;host=deling.example.no",
        )],
    )
    .await;
    assert!(
        next.starts_with("https://deling.example.no/api/v1/items?"),
        "{next}"
    );
    let next = list(
        &app,
        vec![
            ("X-Forwarded-Host", "evil.example"),
            ("X-Forwarded-Proto", "https"),
        ],
    )
    .await;
    assert!(
        next.starts_with("http://") && !next.contains("evil.example"),
        "{next}"
    );
}

#[tokio::test]
async fn another_servers_failure_is_reported_without_its_details() {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let token = app.editor_of("kari", &oslo).await;
    // localhost resolves to a loopback address, which the guard refuses
    // before connecting.
    let resp = app
        .client
        .post(app.url("/api/v1/agencies/oslo/following"))
        .bearer_auth(&token)
        .json(&json!({"target": "http://localhost:9/actors/x"}))
        .send()
        .await
        .unwrap();
    let body = problem(resp, 502).await;
    assert_eq!(
        body["detail"], "the remote server could not be reached",
        "{body}"
    );
    let text = body.to_string().to_lowercase();
    for leak in ["internal", "danger", "127.0.0.1", "env"] {
        assert!(!text.contains(leak), "{leak} in {body}");
    }
}

#[tokio::test]
async fn metrics_are_served_only_where_the_operator_opened_them() {
    // Not configured: not there at all.
    let app = TestApp::spawn().await;
    problem(app.get("/metrics").await, 404).await;

    // A token opens them on the public port.
    let secret = "metrics-token-0123456789";
    let app = TestApp::spawn_with(|c| c.metrics.token = secret.into()).await;
    let get = |token: Option<&'static str>| {
        let mut req = app.client.get(app.url("/metrics"));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send()
    };
    assert_eq!(get(None).await.unwrap().status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        get(Some("metrics-token-wrong-guess"))
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let resp = get(Some(secret)).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("deling_delivery_queue_depth")
    );

    // A separate address serves them alone; the public port does not.
    let app = TestApp::spawn_with(|c| c.metrics.bind = "127.0.0.1:0".into()).await;
    problem(app.get("/metrics").await, 404).await;
    let private = app.metrics_base.clone().expect("a metrics listener");
    let resp = app
        .client
        .get(format!("{private}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("deling_delivery_queue_depth")
    );
    let resp = app
        .client
        .get(format!("{private}/api/v1/items"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
}
