//! ActivityStreams documents as plain serde types: no I/O, no database.

pub mod activity;
pub mod actor;
pub mod collection;
pub mod context;
pub mod incoming;
pub mod lenient;
pub mod note;
pub mod page;

/// The media type of ActivityPub documents.
pub const AP_CONTENT_TYPE: &str = "application/activity+json";

/// The special collection that makes an object public.
pub const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// [`PUBLIC`] as a URL, for typed audiences.
pub fn public() -> url::Url {
    static URL: std::sync::LazyLock<url::Url> = std::sync::LazyLock::new(|| {
        #[allow(clippy::expect_used)] // a constant, checked by a test below
        url::Url::parse(PUBLIC).expect("the Public collection is a URL")
    });
    URL.clone()
}

#[cfg(test)]
mod tests {
    #[test]
    fn public_is_the_constant() {
        assert_eq!(super::public().as_str(), super::PUBLIC);
    }
}
