//! Security headers on every response: pages run no script but the
//! server's own files, cannot be framed, and no response is sniffed as
//! another type.

use actix_web::middleware::DefaultHeaders;

/// The Content-Security-Policy of every response. The pages are plain
/// server-rendered HTML that works without script; the one script, the
/// copy button's (`/static/copy.js`), is a file of ours: no inline script,
/// no inline style, nothing from elsewhere. Images (agency logos, which
/// each agency names) may come from any https server; no page shows a
/// picture from another federated server (avatars are initials). Forms post to us and are never
/// answered with a redirect elsewhere ("follow from your own server"
/// answers with a page naming the visitor's server, and single sign-on
/// starts from a link), so `form-action` is ours alone: a form injected
/// into a page cannot send what it gathers to another site.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     img-src 'self' https: data:; style-src 'self'; form-action 'self'; base-uri 'none'; \
     frame-ancestors 'none'";

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
