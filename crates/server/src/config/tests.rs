//! Configuration: defaults, layering and refusals.
use super::*;

#[test]
fn defaults_parse() {
    let c: Config = Figment::new()
        .merge(Toml::string(DEFAULT_TOML))
        .extract()
        .expect("defaults");
    assert!(c.check().is_ok());
    assert_eq!(c.bind, "127.0.0.1:8080");
    assert!(!c.federation.debug);
    // The file's caps are the store's own defaults, which the tests use.
    assert_eq!(
        c.federation.follower_caps(),
        deling_store::queries::follower_cap::FollowerCaps::default()
    );
}

#[test]
fn limits_are_checked() {
    let base: Config = Figment::new()
        .merge(Toml::string(DEFAULT_TOML))
        .extract()
        .expect("defaults");
    assert!(!base.http.trust_proxy_headers);
    assert_eq!(
        base.limits.settings(),
        deling_web::ratelimit::LimitSettings::default()
    );
    let mut c = base.clone();
    c.limits.login_per_ip_per_minute = 0;
    let e = c.check().expect_err("0 is refused").to_string();
    assert!(e.contains("limits.login_per_ip_per_minute"), "{e}");
    let mut c = base.clone();
    c.limits.login_lockout_max_seconds = 10;
    c.limits.login_lockout_base_seconds = 20;
    let e = c.check().expect_err("max below base").to_string();
    assert!(e.contains("limits.login_lockout_max_seconds"), "{e}");
    let mut c = base;
    c.limits.api_per_token_per_minute = 1;
    c.limits.login_lockout_base_seconds = 1;
    c.limits.login_lockout_max_seconds = 1;
    assert!(c.check().is_ok());
}

#[test]
fn search_is_checked() {
    let base: Config = Figment::new()
        .merge(Toml::string(DEFAULT_TOML))
        .extract()
        .expect("defaults");
    assert!(base.search.peers.is_empty());
    assert_eq!(
        base.search.settings().peer_timeout,
        std::time::Duration::from_millis(1500)
    );
    let mut c = base.clone();
    c.search.peers = vec!["deling.bodo.no".into(), "localhost:8081".into()];
    assert!(c.check().is_ok());
    c.search.peers.push("https://x.example/".into());
    let e = c.check().expect_err("a URL is refused").to_string();
    assert!(e.contains("search.peers"), "{e}");
    let mut c = base;
    c.search.peer_timeout_ms = 0;
    let e = c.check().expect_err("0 is refused").to_string();
    assert!(e.contains("search.peer_timeout_ms"), "{e}");
}

#[test]
fn redacts_passwords() {
    assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
}

#[test]
fn single_sign_on_is_checked_with_the_key_named() {
    let base: Config = Figment::new()
        .merge(Toml::string(DEFAULT_TOML))
        .extract()
        .expect("defaults");
    assert!(!base.auth.oidc.enabled());
    let mut on = base.clone();
    on.auth.oidc.issuer = "https://login.example.no/tenant".into();
    on.auth.oidc.client_id = "deling".into();
    on.auth.oidc.client_secret = "s3cret".into();
    assert!(on.check().is_ok());
    assert!(on.auth.oidc.settings().unwrap().is_some());
    let refused = |tweak: &dyn Fn(&mut Config), key: &str| {
        let mut c = on.clone();
        tweak(&mut c);
        let e = c.check().expect_err(key).to_string();
        assert!(e.contains(key), "{key}: {e}");
    };
    refused(
        &|c| c.auth.oidc.issuer = "not a url".into(),
        "auth.oidc.issuer",
    );
    refused(
        &|c| c.auth.oidc.issuer = "http://login.example.no/".into(),
        "auth.oidc.issuer",
    );
    refused(
        &|c| c.auth.oidc.issuer = "https://login.example.no/?x=1".into(),
        "auth.oidc.issuer",
    );
    refused(
        &|c| c.auth.oidc.client_id = " ".into(),
        "auth.oidc.client_id",
    );
    refused(
        &|c| c.auth.oidc.client_secret.clear(),
        "auth.oidc.client_secret",
    );
    refused(
        &|c| c.auth.oidc.claim = "pre ferred".into(),
        "auth.oidc.claim",
    );
    refused(
        &|c| c.auth.oidc.username_domain = "kommune.no:443".into(),
        "auth.oidc.username_domain",
    );
    refused(
        &|c| c.auth.oidc.scopes = vec!["openid".into()],
        "auth.oidc.scopes",
    );
    refused(&|c| c.auth.oidc.label = "x".repeat(61), "auth.oidc.label");
    // A client id without an issuer is a half-done configuration.
    refused(&|c| c.auth.oidc.issuer.clear(), "auth.oidc.issuer");
    // Password login off needs single sign-on, or no one could log in.
    let mut off = base.clone();
    off.auth.password_login = false;
    let e = off.check().expect_err("no way to log in").to_string();
    assert!(e.contains("auth.password_login"), "{e}");
    let mut only_sso = on.clone();
    only_sso.auth.password_login = false;
    assert!(only_sso.check().is_ok());
    // http:// is for a provider on this machine (tests).
    let mut local = on;
    local.auth.oidc.issuer = "http://127.0.0.1:9000".into();
    assert!(local.check().is_ok());
}

#[test]
fn proxy_headers_are_checked() {
    let base: Config = Figment::new()
        .merge(Toml::string(DEFAULT_TOML))
        .extract()
        .expect("defaults");
    assert_eq!(
        base.http.proxy_headers().expect("the default parses"),
        deling_web::proxy::ProxyHeaders::XForwarded
    );
    let mut c = base;
    c.http.proxy_headers = "forwarded".into();
    assert_eq!(
        c.http.proxy_headers().expect("forwarded parses"),
        deling_web::proxy::ProxyHeaders::Forwarded
    );
    c.http.proxy_headers = "both".into();
    let e = c
        .check()
        .expect_err("an unknown style is refused")
        .to_string();
    assert!(e.contains("http.proxy_headers"), "{e}");
}
