//! Building and running the server: the database, then the HTTP listener.

use crate::config::{Config, redact};
use actix_web::{App, HttpServer, dev::Server, middleware};
use anyhow::Context;
use deling_federation::{Urls, keys};
use deling_store::Store;
use deling_web::{AppState, WebSettings};
use std::net::{SocketAddr, TcpListener};

/// Opens the database named in `config` and brings its schema up to date.
pub async fn open_store(config: &Config) -> anyhow::Result<Store> {
    let store = Store::connect(&config.database_url)
        .await
        .with_context(|| format!("database_url = {}", redact(&config.database_url)))?;
    store
        .migrate()
        .await
        .context("while migrating the database")?;
    Ok(store)
}

/// The public URL scheme for `config`.
pub fn urls(config: &Config) -> anyhow::Result<Urls> {
    Urls::for_domain(&config.domain, config.federation.debug)
        .with_context(|| format!("domain = {:?} does not make a URL", config.domain))
}

/// A server bound to its port, not yet running.
pub struct Application {
    addr: SocketAddr,
    server: Server,
}

impl Application {
    /// Connects, migrates, makes sure the instance actor exists and binds
    /// the listener (port 0 picks a free port, for tests).
    pub async fn build(config: &Config) -> anyhow::Result<Self> {
        let store = open_store(config).await?;
        // RSA generation is slow: only on the very first start.
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
        let state = AppState {
            store,
            urls: urls(config)?,
            settings: WebSettings {
                instance_name: config.instance.name.clone(),
                domain: config.domain.clone(),
                token_lifetime: chrono::Duration::days(i64::from(config.auth.token_lifetime_days)),
                max_body_bytes: config.http.max_body_bytes,
            },
        };
        let bind = config.bind_addr()?;
        let listener =
            TcpListener::bind(bind).with_context(|| format!("cannot listen on bind = {bind}"))?;
        let addr = listener.local_addr()?;
        let mut server = HttpServer::new(move || {
            App::new()
                .wrap(middleware::Logger::new("%r %s %b %Dms").log_target("deling::http"))
                .wrap(middleware::NormalizePath::trim())
                .configure(deling_web::configure(state.clone()))
        });
        if config.http.workers > 0 {
            server = server.workers(config.http.workers);
        }
        let server = server.listen(listener)?.run();
        Ok(Self { addr, server })
    }

    /// The address actually bound.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves until SIGINT or SIGTERM, then finishes in-flight requests.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
