//! Staff pages in the browser: oidc (added with the area).
