//! The configuration a test server runs with: the compiled-in defaults,
//! without reading `DELING_*` environment variables (they are
//! process-global and tests run in parallel), changed for loopback.

use deling::config::{Config, DEFAULT_TOML};
use figment::{
    Figment,
    providers::{Format, Toml},
};

/// The public host an API test server claims; it only shows in URLs and
/// handles, requests go to the bound address.
pub const DOMAIN: &str = "deling.test";

/// The compiled-in defaults, as `deling` reads them with no file and no
/// environment.
pub fn defaults() -> Config {
    Figment::new()
        .merge(Toml::string(DEFAULT_TOML))
        .extract()
        .expect("the built-in defaults parse")
}

/// A server for API tests: any free port on loopback, ids under
/// [`DOMAIN`] over plain HTTP, one worker.
pub fn test_config(database_url: &str) -> Config {
    let mut config = defaults();
    config.bind = "127.0.0.1:0".into();
    config.database_url = database_url.to_owned();
    config.domain = DOMAIN.into();
    config.federation.debug = true;
    config.http.workers = 1;
    config
}

/// A server that federates over loopback: bound to `127.0.0.1:port`, its
/// domain `localhost:port` (activitypub_federation refuses IP-literal
/// ids), private addresses allowed, retries after a second, one worker.
pub fn loopback_config(port: u16, database_url: &str) -> Config {
    let mut config = defaults();
    config.bind = format!("127.0.0.1:{port}");
    config.domain = format!("localhost:{port}");
    config.database_url = database_url.to_owned();
    config.federation.debug = true;
    config.federation.allow_private_addresses = true;
    config.federation.retry_base_seconds = 1;
    config.http.workers = 1;
    config
}
