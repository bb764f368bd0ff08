//! Building and running the server: the database, then the HTTP listener.

use crate::config::{Config, redact};
use actix_web::{App, HttpServer, dev::Server, middleware};
use anyhow::Context;
use deling_federation::{
    Urls,
    context::{FedContext, FedSettings},
    delivery::Worker,
    keys,
};
use deling_store::Store;
use deling_web::{AppState, WebSettings};
use std::net::{SocketAddr, TcpListener};

/// Opens the database named in `config`, brings its schema up to date and
/// makes sure the instance actor exists.
pub async fn open_store(config: &Config) -> anyhow::Result<Store> {
    let store = Store::connect(&config.database_url)
        .await
        .with_context(|| format!("database_url = {}", redact(&config.database_url)))?;
    store
        .migrate()
        .await
        .context("while migrating the database")?;
    ensure_instance(config, &store).await?;
    if store
        .search_index_missing()
        .await
        .context("while checking the search index")?
    {
        tracing::info!("building the search index (once, for items stored before it)");
        let n = store
            .reindex_search(500, |_, _| {})
            .await
            .context("while building the search index")?;
        tracing::info!(items = n, "search index built");
    }
    Ok(store)
}

/// The public URL scheme for `config`.
pub fn urls(config: &Config) -> anyhow::Result<Urls> {
    Urls::for_domain(&config.domain, config.federation.debug)
        .with_context(|| format!("domain = {:?} does not make a URL", config.domain))
}

/// The federation context and activitypub_federation configuration for
/// `config`, over `store` (which must hold the instance row).
pub async fn federation_config(
    config: &Config,
    store: Store,
) -> anyhow::Result<deling_federation::context::Config> {
    if config.federation.allow_private_addresses && !config.federation.debug {
        tracing::warn!(
            "federation.allow_private_addresses has no effect without federation.debug: \
             peers on private addresses or with explicit ports are still refused"
        );
    }
    let fed = FedContext {
        store,
        urls: urls(config)?,
        settings: FedSettings {
            domain: config.domain.clone(),
            debug: config.federation.debug,
            allow_private_addresses: config.federation.allow_private_addresses,
            require_signed_fetch: config.federation.require_signed_fetch,
            retry_base: std::time::Duration::from_secs(config.federation.retry_base_seconds),
            max_attempts: i32::try_from(config.federation.max_delivery_attempts).unwrap_or(20),
            http: config.federation.http(),
            follower_caps: config.federation.follower_caps(),
        },
        wake: std::sync::Arc::new(tokio::sync::Notify::new()),
        // Outside debug mode the resolver checks every address connected
        // to, whatever the setting says (the warning above).
        client: deling_federation::context::http_client_with(
            config.federation.allow_private_addresses && config.federation.debug,
            config.federation.http(),
        )?,
        metrics: deling_federation::metrics::Metrics::new().context("cannot register metrics")?,
        key_refetches: Default::default(),
        inbox_memo: Default::default(),
        inbox_batch: Default::default(),
        keys: Default::default(),
    };
    deling_federation::setup::build_config(fed)
        .await
        .context("while setting up federation")
}

/// Makes sure the instance row and its key pair exist (generated on the
/// very first start, as RSA generation is slow).
pub async fn ensure_instance(config: &Config, store: &Store) -> anyhow::Result<()> {
    let fresh = match store.get_instance().await? {
        None => Some(keys::generate()?),
        Some(_) => None,
    };
    store
        .get_or_put_instance(&config.domain, &config.instance.name, || {
            fresh
                .map(|kp| (kp.public_key_pem, kp.private_key_pem))
                .unwrap_or_default()
        })
        .await
        .context("while preparing the instance actor")?;
    Ok(())
}

/// A server bound to its port, not yet running.
pub struct Application {
    addr: SocketAddr,
    server: Server,
    /// The private metrics listener, when `metrics.bind` is set.
    metrics: Option<(SocketAddr, Server)>,
    worker: Option<Worker>,
    federation: deling_federation::context::Config,
    /// Agencies at start-up (the first-run hint is shown when there are none).
    pub agency_count: u64,
}

impl Application {
    /// Connects, migrates, makes sure the instance actor exists and binds
    /// the listener (port 0 picks a free port, for tests).
    pub async fn build(config: &Config) -> anyhow::Result<Self> {
        let store = open_store(config).await?;
        let agency_count = store.count_agencies().await?;
        let federation = federation_config(config, store.clone()).await?;
        let urls = federation.urls.clone();
        let state = AppState::new(
            store,
            urls,
            WebSettings {
                instance_name: config.instance.name.clone(),
                instance_description: config.instance.description.clone(),
                instance_operator: config.instance.operator.clone(),
                instance_contact: config.instance.contact.clone(),
                domain: config.domain.clone(),
                token_lifetime: chrono::Duration::days(i64::from(config.auth.token_lifetime_days)),
                session_lifetime: chrono::Duration::hours(i64::from(config.auth.session_hours)),
                password_login: config.auth.password_login,
                oidc: config.auth.oidc.settings()?,
                max_body_bytes: config.http.max_body_bytes,
                body_deadline: std::time::Duration::from_secs(config.http.body_timeout_seconds),
                trust_proxy_headers: config.http.trust_proxy_headers,
                proxy_headers: config.http.proxy_headers()?,
                page_cache: config.http.page_cache,
                limits: config.limits.settings(),
                metrics_token: config.metrics.token()?,
                search: config.search.settings(),
            },
            federation.clone(),
        );
        let bind = config.bind_addr()?;
        let listener =
            TcpListener::bind(bind).with_context(|| format!("cannot listen on bind = {bind}"))?;
        let addr = listener.local_addr()?;
        let metrics = match config.metrics.bind_addr()? {
            None => None,
            Some(bind) => {
                let listener = TcpListener::bind(bind)
                    .with_context(|| format!("cannot listen on metrics.bind = {bind}"))?;
                let addr = listener.local_addr()?;
                let state = state.clone();
                let server = HttpServer::new(move || {
                    App::new()
                        .wrap(deling_web::headers::security_headers())
                        .configure(deling_web::routes::metrics::configure_private(
                            state.clone(),
                        ))
                })
                .workers(1)
                .listen(listener)?
                .run();
                Some((addr, server))
            }
        };
        // The access log is written at `info` on `deling::http`: when the
        // log filter drops that (the bench's `warn`), the middleware would
        // still render every request line for nothing. The filter is read
        // once at start, so this is decided once too.
        let access_log = tracing::enabled!(target: "deling::http", tracing::Level::INFO);
        let mut server = HttpServer::new(move || {
            App::new()
                .wrap(middleware::Condition::new(
                    access_log,
                    middleware::Logger::new("%r %s %b %Dms").log_target("deling::http"),
                ))
                .wrap(middleware::NormalizePath::trim())
                .wrap(middleware::from_fn(
                    deling_web::input::refuse_control_characters,
                ))
                .wrap(middleware::from_fn(deling_web::head::head_as_get))
                // Outside the input check, so its refusals carry them too.
                .wrap(deling_web::headers::security_headers())
                .wrap(middleware::from_fn(deling_web::observe::track))
                // Innermost, so that every extractor reads the body through it.
                .wrap(middleware::from_fn(
                    deling_web::body_deadline::body_deadline,
                ))
                .configure(deling_web::configure(state.clone()))
        });
        if config.http.workers > 0 {
            server = server.workers(config.http.workers);
        }
        let server = server.listen(listener)?.run();
        Ok(Self {
            addr,
            server,
            metrics,
            worker: Some(Worker::new(federation.clone())),
            federation,
            agency_count,
        })
    }

    /// Builds without the background federation worker, so a test can
    /// drive the queues itself with [`deling_federation::delivery::drain`].
    pub fn without_worker(mut self) -> Self {
        self.worker = None;
        self
    }

    /// The federation configuration (for tests that drain the queues).
    pub fn federation(&self) -> &deling_federation::context::Config {
        &self.federation
    }

    /// The address actually bound.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The address of the private metrics listener, if there is one.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics.as_ref().map(|(addr, _)| *addr)
    }

    /// Serves until SIGINT or SIGTERM, then finishes in-flight requests
    /// and stops the federation worker after its current round (whatever
    /// it had not started stays queued in the database).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let worker = self.worker.map(|w| tokio::spawn(w.run(stopped)));
        let metrics = self.metrics.map(|(_, server)| {
            let handle = server.handle();
            (handle, tokio::spawn(server))
        });
        let result = self.server.await;
        if let Some((handle, task)) = metrics {
            handle.stop(true).await;
            let _ = task.await;
        }
        let _ = stop.send(true);
        if let Some(w) = worker {
            let _ = w.await;
        }
        result
    }
}
