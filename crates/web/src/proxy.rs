//! What a trusted reverse proxy says about the request it passes on: the
//! client's address, and the scheme and host the client used. Only the
//! headers of the style the proxy writes are read. A proxy writes its own
//! and passes the client's others through untouched, so reading a second
//! style would let a client pick its own address (and dodge the rate
//! limits) by sending the header its proxy does not write.

use actix_web::{
    HttpRequest,
    http::header::{HeaderMap, HeaderName},
};
use std::{net::IpAddr, str::FromStr};

/// The headers the reverse proxy in front of Deling writes
/// (`http.proxy_headers`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProxyHeaders {
    /// `X-Forwarded-For`, `X-Forwarded-Proto`, `X-Forwarded-Host`: nginx,
    /// Caddy, Traefik, HAProxy's `option forwardfor`, Apache.
    #[default]
    XForwarded,
    /// RFC 7239 `Forwarded` (`for=`, `proto=`, `host=`), as HAProxy's
    /// `option forwarded` writes it.
    Forwarded,
}

impl FromStr for ProxyHeaders {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "x-forwarded" => Ok(Self::XForwarded),
            "forwarded" => Ok(Self::Forwarded),
            other => Err(format!(
                "unknown proxy header style {other:?}: \"x-forwarded\" or \"forwarded\""
            )),
        }
    }
}

impl ProxyHeaders {
    /// The client's address as the proxy wrote it: the last one in the
    /// header, the one the proxy itself added (a client's own come before
    /// it).
    pub fn client_ip(self, headers: &HeaderMap) -> Option<IpAddr> {
        match self {
            Self::XForwarded => last_value(headers, "x-forwarded-for").and_then(parse_node),
            Self::Forwarded => last_forwarded(headers, "for").and_then(parse_node),
        }
    }

    /// The scheme and host the client used, as the proxy wrote them (the
    /// last value of each); each one the proxy did not write is the
    /// connection's own (`Host`).
    pub fn scheme_and_host(self, req: &HttpRequest) -> (String, String) {
        let headers = req.headers();
        let (scheme, host) = match self {
            Self::XForwarded => (
                last_value(headers, "x-forwarded-proto"),
                last_value(headers, "x-forwarded-host"),
            ),
            Self::Forwarded => (
                last_forwarded(headers, "proto"),
                last_forwarded(headers, "host"),
            ),
        };
        (
            scheme.map_or_else(|| own_scheme(req).to_owned(), str::to_ascii_lowercase),
            host.map_or_else(|| own_host(req), str::to_owned),
        )
    }
}

/// The connection's own scheme. Not actix's `connection_info`, which
/// reads `Forwarded` and `X-Forwarded-*` too, whoever wrote them.
fn own_scheme(req: &HttpRequest) -> &'static str {
    if req.app_config().secure() {
        "https"
    } else {
        "http"
    }
}

/// The host the request names: its authority (HTTP/2) or `Host`.
fn own_host(req: &HttpRequest) -> String {
    req.uri()
        .authority()
        .map(|a| a.as_str().to_owned())
        .or_else(|| {
            req.headers()
                .get(actix_web::http::header::HOST)
                .and_then(|h| h.to_str().ok())
                .map(str::to_owned)
        })
        .unwrap_or_else(|| req.app_config().host().to_owned())
}

/// The last non-empty comma-separated value of every `name` header.
fn last_value<'h>(headers: &'h HeaderMap, name: &'static str) -> Option<&'h str> {
    headers
        .get_all(HeaderName::from_static(name))
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .rfind(|s| !s.is_empty())
}

/// The `key=` parameter of the last `Forwarded` element that has one,
/// unquoted.
fn last_forwarded<'h>(headers: &'h HeaderMap, key: &str) -> Option<&'h str> {
    headers
        .get_all(HeaderName::from_static("forwarded"))
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|element| {
            element.split(';').find_map(|pair| {
                let (k, v) = pair.split_once('=')?;
                k.trim()
                    .eq_ignore_ascii_case(key)
                    .then(|| v.trim().trim_matches('"'))
            })
        })
        .rfind(|v| !v.is_empty())
}

/// An address as proxies write it: `192.0.2.1`, `192.0.2.1:4711`,
/// `2001:db8::1`, `[2001:db8::1]:4711`.
fn parse_node(s: &str) -> Option<IpAddr> {
    let s = s.trim().trim_matches('"');
    if let Ok(ip) = s.parse() {
        return Some(ip);
    }
    if let Some(rest) = s.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    s.rsplit_once(':')?.0.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HttpRequest {
        pairs
            .iter()
            .fold(TestRequest::default(), |r, h| r.insert_header(*h))
            .to_http_request()
    }

    #[test]
    fn each_style_reads_only_its_own_headers() {
        // A client behind nginx adds a Forwarded header of its own: nginx
        // passes it through, and only X-Forwarded-For counts.
        let req = headers(&[
            ("x-forwarded-for", "6.6.6.6, 192.0.2.7"),
            ("forwarded", "for=6.6.6.7"),
        ]);
        let x = ProxyHeaders::XForwarded;
        assert_eq!(x.client_ip(req.headers()), "192.0.2.7".parse().ok());
        // Behind a proxy writing Forwarded, the client's X-Forwarded-For
        // is ignored.
        let f = ProxyHeaders::Forwarded;
        assert_eq!(f.client_ip(req.headers()), "6.6.6.7".parse().ok());
        let req = headers(&[(
            "forwarded",
            "for=6.6.6.6, for=\"[2001:db8:cafe::17]:4711\";proto=https",
        )]);
        assert_eq!(f.client_ip(req.headers()), "2001:db8:cafe::17".parse().ok());
        assert_eq!(x.client_ip(req.headers()), None);
        let req = headers(&[("x-forwarded-for", "garbage")]);
        assert_eq!(x.client_ip(req.headers()), None);
    }

    #[test]
    fn scheme_and_host_come_from_the_same_style() {
        let req = headers(&[
            ("host", "deling.test"),
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "deling.example.no"),
            ("forwarded", "proto=http;host=evil.example"),
        ]);
        assert_eq!(
            ProxyHeaders::XForwarded.scheme_and_host(&req),
            ("https".to_owned(), "deling.example.no".to_owned())
        );
        assert_eq!(
            ProxyHeaders::Forwarded.scheme_and_host(&req),
            ("http".to_owned(), "evil.example".to_owned())
        );
        // What the other style says is not read, even when nothing of the
        // proxy's own style is there.
        let req = headers(&[
            ("host", "deling.test"),
            ("forwarded", "proto=https;host=evil.example"),
        ]);
        assert_eq!(
            ProxyHeaders::XForwarded.scheme_and_host(&req),
            ("http".to_owned(), "deling.test".to_owned())
        );
        let req = headers(&[("host", "deling.test"), ("forwarded", "for=192.0.2.1")]);
        assert_eq!(
            ProxyHeaders::Forwarded.scheme_and_host(&req),
            ("http".to_owned(), "deling.test".to_owned())
        );
    }

    #[test]
    fn styles_parse_from_their_names() {
        assert_eq!("x-forwarded".parse(), Ok(ProxyHeaders::XForwarded));
        assert_eq!("forwarded".parse(), Ok(ProxyHeaders::Forwarded));
        assert!("X-Forwarded-For".parse::<ProxyHeaders>().is_err());
    }
}
