//! A real Deling server for the scenarios: a release build in this
//! process, on a SQLite file, plain-HTTP federation on loopback, one agency
//! (`oslo`) with an editor's API token.

use deling::{config::Config, startup::Application};
use deling_domain::{
    auth::{NewToken, Role, Username},
    slug::Slug,
    text::DisplayName,
};
use deling_federation::keys::KeyPair;
use deling_store::{Store, queries::agency::NewAgency};
use deling_testkit::{config::loopback_config, free_port};
use tempfile::TempDir;

/// A running server and what the scenarios need to drive it.
pub struct Server {
    /// `http://127.0.0.1:port`, to send requests to.
    pub base: String,
    /// `http://localhost:port`, the origin of its ActivityPub ids.
    pub origin: String,
    /// The editor's bearer token.
    pub token: String,
    /// The same database, opened beside the server.
    pub store: Store,
    /// The agency's id.
    pub agency_id: i64,
    /// The agency's (and the instance's) key pair.
    pub keys: KeyPair,
    /// The configuration it runs with.
    pub config: Config,
    _dir: TempDir,
}

/// The configuration of a bench server on `port` over `database_url`:
/// two workers (the machine's cores), rate limits out of the way.
pub fn bench_config(port: u16, database_url: &str) -> Config {
    let mut config = loopback_config(port, database_url);
    config.http.workers = 2;
    config.log.filter = "warn".into();
    config.federation.retry_base_seconds = 1;
    let l = &mut config.limits;
    l.api_per_token_per_minute = 10_000_000;
    l.search_per_ip_per_minute = 10_000_000;
    l.inbox_per_ip_per_minute = 10_000_000;
    l.inbox_per_host_per_minute = 10_000_000;
    config
}

/// Makes the database at `url` hold the instance and agency `oslo`;
/// returns the agency's id, its editor's token and the key pair.
pub async fn prepare(config: &Config, store: &Store) -> anyhow::Result<(i64, String, KeyPair)> {
    store.migrate().await?;
    let keys = deling_federation::keys::generate()?;
    store
        .get_or_put_instance(&config.domain, "Bench", || {
            (keys.public_key_pem.clone(), keys.private_key_pem.clone())
        })
        .await?;
    let agency = store
        .put_agency(NewAgency {
            slug: Slug::parse("oslo")?,
            name: DisplayName::parse("Oslo kommune")?,
            org_number: None,
            public_key_pem: keys.public_key_pem.clone(),
            private_key_pem: keys.private_key_pem.clone(),
        })
        .await?;
    let staff = store
        .put_staff(&Username::parse("bench")?, String::new(), false)
        .await?;
    store
        .put_membership(staff.id, agency.id, Role::Editor)
        .await?;
    let token = NewToken::generate();
    store.put_token(staff.id, token.hash, None, None).await?;
    Ok((agency.id, token.secret, keys))
}

impl Server {
    /// Starts a server on a fresh database.
    pub async fn start() -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("bench.sqlite3").display()
        );
        let port = free_port();
        let config = bench_config(port, &url);
        let store = Store::connect(&url).await?;
        let (agency_id, token, keys) = prepare(&config, &store).await?;
        let app = Application::build(&config).await?;
        tokio::spawn(app.run_until_stopped());
        Ok(Self {
            base: format!("http://127.0.0.1:{port}"),
            origin: format!("http://localhost:{port}"),
            token,
            store,
            agency_id,
            keys,
            config,
            _dir: dir,
        })
    }
}
