//! Security headers on every response: pages allow no script at all and
//! cannot be framed; no response is sniffed as another type.

use actix_web::middleware::DefaultHeaders;

/// The Content-Security-Policy of every response. The pages are plain
/// server-rendered HTML: no script, no inline style; images (agency logos)
/// may come from any https server.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; img-src 'self' https: data:; \
     style-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Middleware adding the security headers to each response that does not
/// set them itself.
pub fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add(("Content-Security-Policy", CONTENT_SECURITY_POLICY))
        .add(("X-Content-Type-Options", "nosniff"))
        // For browsers that predate frame-ancestors.
        .add(("X-Frame-Options", "DENY"))
        .add(("Referrer-Policy", "strict-origin-when-cross-origin"))
}
