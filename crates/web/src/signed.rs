//! A request as its HTTP signature is checked: the headers with lower-case
//! names, and the request target, read the same way for inbox POSTs and
//! signed GETs.

use crate::state::AppState;
use actix_web::HttpRequest;
use std::collections::BTreeMap;

/// The headers (names lower-cased; one not valid as text dropped) and the
/// path and query a signature over `req` covers.
pub fn signed_parts(state: &AppState, req: &HttpRequest) -> (BTreeMap<String, String>, String) {
    let mut headers: BTreeMap<String, String> = req
        .headers()
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_ascii_lowercase(), v.to_str().ok()?.to_owned())))
        .collect();
    // Behind a proxy (or over HTTP/2) Host may be missing; it was signed as
    // the public host.
    headers
        .entry("host".into())
        .or_insert_with(|| state.settings.domain.clone());
    let path = req
        .uri()
        .path_and_query()
        .map_or_else(|| req.path().to_owned(), |p| p.as_str().to_owned());
    (headers, path)
}
