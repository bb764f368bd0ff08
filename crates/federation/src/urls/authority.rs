//! What "the same server" means for a URL: its host and port.

use crate::error::{FedError, refuse};
use url::Url;

/// `host` or `host:port` of a URL: what "the same server" means here. The
/// port counts, unlike in activitypub_federation's own domain check.
pub fn authority(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_owned(),
        _ => String::new(),
    }
}

/// Fails unless `a` and `b` are on the same server (host and port).
pub fn same_origin(a: &Url, b: &Url) -> Result<(), FedError> {
    if a.scheme() == b.scheme() && authority(a) == authority(b) && !authority(a).is_empty() {
        Ok(())
    } else {
        refuse(format!("{a} is not on the same server as {b}"))
    }
}
