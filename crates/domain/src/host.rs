//! Host names and ports as URLs write them: the one check used wherever a
//! peer's host, a handle's host or the instance's own domain is taken in.

/// A DNS host name: dot-separated labels of ASCII letters, digits and `-`
/// (not at either end of a label), each 1 to 63 characters, 253 in all.
/// Case is not looked at; callers lower-case what they keep.
pub fn name_ok(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

/// A port as URLs write it: digits only, no sign or leading zero, 1 to 65535.
pub fn port_ok(p: &str) -> bool {
    !p.is_empty()
        && p.chars().all(|c| c.is_ascii_digit())
        && !p.starts_with('0')
        && p.parse::<u16>().is_ok()
}

/// `host` or `host:port`, each part as [`name_ok`] and [`port_ok`] want it.
pub fn authority_ok(s: &str) -> bool {
    match s.rsplit_once(':') {
        Some((name, port)) => name_ok(name) && port_ok(port),
        None => name_ok(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_ports_and_authorities() {
        for good in [
            "localhost",
            "deling.oslo.kommune.no",
            "a-b.example",
            "X9.no",
        ] {
            assert!(name_ok(good), "{good:?}");
        }
        for bad in [
            "", ".", "a..b", ".a", "a.", "-a.no", "a-.no", "ho st", "a_b.no",
        ] {
            assert!(!name_ok(bad), "{bad:?}");
        }
        assert!(!name_ok(&"a".repeat(64)));
        for good in ["1", "80", "65535"] {
            assert!(port_ok(good), "{good:?}");
        }
        for bad in ["", "0", "080", "+80", "65536", "8o"] {
            assert!(!port_ok(bad), "{bad:?}");
        }
        assert!(authority_ok("localhost:8080"));
        assert!(authority_ok("social.example.no"));
        for bad in ["x.no:", ":80", "x.no:0", "x.no:1:2", "[::1]:80"] {
            assert!(!authority_ok(bad), "{bad:?}");
        }
    }
}
