//! The site a peer host belongs to: its registrable domain (one label
//! under a public suffix of Mozilla's Public Suffix List), so that one
//! party's many host names count as one where a bound per server must
//! hold. Whoever owns `example.org` can make `a.example.org`,
//! `b.example.org` and any number more with one wildcard DNS record;
//! `github.io` and the like are public suffixes on the list, so the
//! parties under them stay apart.

/// The site of `authority` (a host, and a port in debug mode, as a
/// remote actor's `domain` holds it): its registrable domain, with the
/// port if there is one. A host with no registrable domain (an IP
/// address, `localhost`, a public suffix itself) is its own site.
pub fn site_of(authority: &str) -> String {
    let authority = authority.to_ascii_lowercase();
    // An IPv6 literal in brackets has colons of its own.
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if !port.contains(']') => (host, Some(port)),
        _ => (authority.as_str(), None),
    };
    let host = host.trim_end_matches('.');
    let registrable = if host.starts_with('[') || host.parse::<std::net::Ipv4Addr>().is_ok() {
        None
    } else {
        psl::domain_str(host)
    };
    match (registrable, port) {
        (Some(site), Some(port)) => format!("{site}:{port}"),
        (Some(site), None) => site.to_owned(),
        (None, _) => authority,
    }
}

#[cfg(test)]
mod tests {
    use super::site_of;

    #[test]
    fn hosts_under_one_registrable_domain_are_one_site() {
        for (authority, site) in [
            ("mastodon.social", "mastodon.social"),
            ("a1.evil.example", "evil.example"),
            ("x.y.evil.example", "evil.example"),
            ("social.vivaldi.net", "vivaldi.net"),
            ("deling.oslo.kommune.no", "oslo.kommune.no"),
            ("a.b.example.co.uk", "example.co.uk"),
            ("Masto.Example.ORG", "example.org"),
            ("sub.example.org.", "example.org"),
            ("a.example.org:8443", "example.org:8443"),
        ] {
            assert_eq!(site_of(authority), site, "{authority}");
        }
    }

    #[test]
    fn public_suffixes_keep_their_parties_apart() {
        // Private suffixes of the list: each name under them is a party.
        assert_eq!(site_of("alice.github.io"), "alice.github.io");
        assert_ne!(site_of("alice.github.io"), site_of("bob.github.io"));
        assert_eq!(site_of("co.uk"), "co.uk");
        // Each municipality under kommune.no is a party of its own.
        assert_ne!(
            site_of("deling.oslo.kommune.no"),
            site_of("deling.bergen.kommune.no")
        );
    }

    #[test]
    fn addresses_and_single_labels_are_their_own_site() {
        for authority in [
            "localhost",
            "localhost:8080",
            "127.0.0.1",
            "127.0.0.1:3000",
            "[::1]",
            "[::1]:8080",
        ] {
            assert_eq!(site_of(authority), authority, "{authority}");
        }
        assert_ne!(site_of("localhost:8080"), site_of("localhost:8081"));
    }
}
