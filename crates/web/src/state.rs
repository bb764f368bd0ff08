//! What every handler can reach.

use deling_federation::{Urls, context::Config};
use deling_store::Store;

/// Settings the web layer needs from the server's configuration.
#[derive(Debug, Clone)]
pub struct WebSettings {
    /// The instance's display name.
    pub instance_name: String,
    /// The public host (and port), the part after `@` in handles.
    pub domain: String,
    /// How long a token from `POST /api/v1/auth/login` lives.
    pub token_lifetime: chrono::Duration,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
}

/// Shared state, cloned into each worker.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// The public URL scheme.
    pub urls: Urls,
    /// Settings.
    pub settings: WebSettings,
    /// activitypub_federation's configuration (with our federation context).
    pub federation: Config,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// Request data for activitypub_federation calls.
    pub fn fed_data(&self) -> deling_federation::context::Data {
        self.federation.to_request_data()
    }

    /// Wakes the federation worker: there is something to send.
    pub fn wake_federation(&self) {
        self.federation.wake.notify_one();
    }

    /// `@slug@domain`.
    pub fn handle(&self, slug: &str) -> String {
        format!("@{slug}@{}", self.settings.domain)
    }
}
