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
