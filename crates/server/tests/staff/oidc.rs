//! Staff pages: oidc (tests added with the area).
