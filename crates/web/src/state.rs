//! What every handler can reach.

use deling_federation::Urls;
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
#[derive(Debug, Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// The public URL scheme.
    pub urls: Urls,
    /// Settings.
    pub settings: WebSettings,
}

impl AppState {
    /// `@slug@domain`.
    pub fn handle(&self, slug: &str) -> String {
        format!("@{slug}@{}", self.settings.domain)
    }
}
