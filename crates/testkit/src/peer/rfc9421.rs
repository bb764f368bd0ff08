//! Requests signed the RFC 9421 way (HTTP Message Signatures), as Fedify
//! and Mastodon 4.5 sign them, with a signature base written out here by
//! hand from the RFC (independent of Deling's implementation), and the
//! checks a strict peer makes of what Deling sends.

use super::{
    FakeActor, Received,
    wire::{authority, send_get, send_raw},
};
use base64::{Engine, engine::general_purpose::STANDARD as B64};
use chrono::Utc;
use reqwest::Response;
use rsa::{Pkcs1v15Sign, RsaPrivateKey, RsaPublicKey, pkcs8::DecodePublicKey};
use serde_json::Value;
use sha2::{Digest, Sha256};
use url::Url;

impl FakeActor {
    /// A POST of `activity` to `inbox`, signed the RFC 9421 way as Fedify
    /// signs (`rsa-v1_5-sha256` over `@method`, `@target-uri`,
    /// `@authority`, `content-digest`).
    pub fn post_rfc9421<'a>(&'a self, inbox: &str, activity: &Value) -> Rfc9421Post<'a> {
        Rfc9421Post {
            method: "POST",
            inbox: inbox.to_owned(),
            body: serde_json::to_vec(activity).expect("serialise"),
            digest_of: None,
            key: &self.key,
            key_id: self.key_id.clone(),
            created: Utc::now().timestamp(),
            components: vec!["@method", "@target-uri", "@authority", "content-digest"],
            alg: Some("rsa-v1_5-sha256"),
            target: None,
        }
    }
}

impl FakeActor {
    /// A GET of `url` signed the RFC 9421 way as Fedify signs its fetches
    /// (`@method`, `@target-uri`, `@authority`), asking for ActivityStreams
    /// JSON.
    pub fn get_rfc9421<'a>(&'a self, url: &str) -> Rfc9421Post<'a> {
        Rfc9421Post {
            method: "GET",
            components: vec!["@method", "@target-uri", "@authority"],
            ..self.post_rfc9421(url, &Value::Null)
        }
    }
}

/// An RFC 9421-signed request; each field can be spoilt on purpose.
pub struct Rfc9421Post<'a> {
    /// `POST` (with the body, its Content-Digest and content type) or
    /// `GET` (without).
    pub method: &'static str,
    /// Where it is sent.
    pub inbox: String,
    /// What is sent.
    pub body: Vec<u8>,
    /// What the Content-Digest is computed over (the body unless set).
    pub digest_of: Option<Vec<u8>>,
    /// Signing key.
    pub key: &'a RsaPrivateKey,
    /// `keyid`.
    pub key_id: String,
    /// `created`.
    pub created: i64,
    /// The covered components, in order.
    pub components: Vec<&'static str>,
    /// `alg`: `rsa-v1_5-sha256` or `rsa-pss-sha512` (signs PKCS#1 v1.5
    /// when `None`).
    pub alg: Option<&'static str>,
    /// The URL the signature claims (the inbox unless set).
    pub target: Option<String>,
}

impl Rfc9421Post<'_> {
    /// Signs the request, returning its headers (name, value). The
    /// signature base is written out by hand from RFC 9421 section 2.5.
    pub fn signed_headers(&self) -> Vec<(String, String)> {
        let url = Url::parse(self.target.as_deref().unwrap_or(&self.inbox)).expect("URL");
        let digest = format!(
            "sha-256=:{}:",
            B64.encode(Sha256::digest(
                self.digest_of.as_deref().unwrap_or(&self.body)
            ))
        );
        let value = |c: &str| -> String {
            match c {
                "@method" => self.method.into(),
                "@target-uri" => url.to_string(),
                "@authority" => authority(&url),
                "@path" => url.path().into(),
                "@query" => format!("?{}", url.query().unwrap_or_default()),
                "content-digest" => digest.clone(),
                "content-type" => "application/activity+json".into(),
                other => panic!("no value for {other}"),
            }
        };
        let list = self
            .components
            .iter()
            .map(|c| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(" ");
        let mut params = format!(
            "({list});created={};keyid=\"{}\"",
            self.created, self.key_id
        );
        if let Some(alg) = self.alg {
            params.push_str(&format!(";alg=\"{alg}\""));
        }
        let mut base = String::new();
        for c in &self.components {
            base.push_str(&format!("\"{c}\": {}\n", value(c)));
        }
        base.push_str(&format!("\"@signature-params\": {params}"));
        let signature = match self.alg {
            Some("rsa-pss-sha512") => self
                .key
                .sign_with_rng(
                    &mut rand::rngs::OsRng,
                    rsa::pss::Pss::new_with_salt::<sha2::Sha512>(64),
                    &sha2::Sha512::digest(base.as_bytes()),
                )
                .expect("sign"),
            _ => self
                .key
                .sign(
                    Pkcs1v15Sign::new::<Sha256>(),
                    &Sha256::digest(base.as_bytes()),
                )
                .expect("sign"),
        };
        let mut headers = vec![
            ("signature-input".to_owned(), format!("sig1={params}")),
            (
                "signature".to_owned(),
                format!("sig1=:{}:", B64.encode(signature)),
            ),
        ];
        if self.method == "GET" {
            headers.push(("accept".to_owned(), "application/activity+json".to_owned()));
        } else {
            headers.push((
                "content-type".to_owned(),
                "application/activity+json".to_owned(),
            ));
            headers.push(("content-digest".to_owned(), digest));
        }
        headers
    }

    /// Signs and sends the request.
    pub async fn send(&self, client: &reqwest::Client) -> Response {
        if self.method == "GET" {
            send_get(client, &self.inbox, &self.signed_headers()).await
        } else {
            send_raw(client, &self.inbox, &self.signed_headers(), &self.body).await
        }
    }
}

/// Checks an RFC 9421-signed POST the way Mastodon 4.5 does
/// (`app/lib/signed_request.rb`): `created` and `keyid` given, `@method`,
/// `@target-uri` and `content-digest` covered, the SHA-256 Content-Digest
/// matches the body, and the signature (`rsa-v1_5-sha256`) verifies over a
/// base written out here.
pub fn verify_received_rfc9421(
    r: &Received,
    expected_key_id: &str,
    public_key_pem: &str,
) -> Result<(), String> {
    verify_rfc9421_as(r, "POST", expected_key_id, public_key_pem)
}

/// Checks an RFC 9421-signed GET the way Mastodon 4.5 does: as
/// [`verify_received_rfc9421`], without a body to cover.
pub fn verify_fetched_rfc9421(
    r: &Received,
    expected_key_id: &str,
    public_key_pem: &str,
) -> Result<(), String> {
    verify_rfc9421_as(r, "GET", expected_key_id, public_key_pem)
}

/// Everything of checking an RFC 9421-signed request (method `method`,
/// a `POST` with its body) the way Mastodon 4.5 does, short of the
/// cryptography: `created` recent and `keyid` one of `key_ids`, `@method`,
/// `@target-uri` (and for a `POST` `content-digest`) covered, the
/// SHA-256 `Content-Digest` matching the body. Returns the signature base
/// rebuilt from the request as received and the signature's bytes, for
/// the caller to verify with the backend it wants.
pub fn rfc9421_signed_base(
    r: &Received,
    method: &str,
    key_ids: &[&str],
) -> Result<(String, Vec<u8>), String> {
    let host = r.headers.get("host").ok_or("no Host header")?;
    let inbox = format!("http://{host}{}", r.path);
    let inbox = inbox.as_str();
    let input = r
        .headers
        .get("signature-input")
        .ok_or("no Signature-Input header")?;
    let (label, params) = input
        .split_once('=')
        .ok_or("Signature-Input has no label")?;
    let list = params
        .strip_prefix('(')
        .and_then(|p| p.split_once(')'))
        .ok_or("Signature-Input is not an inner list")?;
    let components: Vec<&str> = list.0.split(' ').map(|c| c.trim_matches('"')).collect();
    let needed: &[&str] = if method == "GET" {
        &["@method", "@target-uri"]
    } else {
        &["@method", "@target-uri", "content-digest"]
    };
    for needed in needed {
        if !components.contains(needed) {
            return Err(format!("{needed} is not covered: {input}"));
        }
    }
    if !key_ids
        .iter()
        .any(|id| list.1.contains(&format!(";keyid=\"{id}\"")))
    {
        return Err(format!("keyid is not one of {key_ids:?}: {input}"));
    }
    let created: i64 = list
        .1
        .split(';')
        .find_map(|p| p.strip_prefix("created="))
        .and_then(|c| c.parse().ok())
        .ok_or("no created")?;
    if (Utc::now().timestamp() - created).abs() > 300 {
        return Err(format!("created {created} is not recent"));
    }
    let digest = format!("sha-256=:{}:", B64.encode(Sha256::digest(&r.body)));
    if method == "POST" && r.headers.get("content-digest") != Some(&digest) {
        return Err(format!(
            "Content-Digest does not match the body: {:?}",
            r.headers
        ));
    }
    let mut base = String::new();
    for c in &components {
        let v = match *c {
            "@method" => method.to_owned(),
            "@target-uri" => inbox.to_owned(),
            "@authority" => authority(&Url::parse(inbox).map_err(|e| e.to_string())?),
            header => r
                .headers
                .get(header)
                .cloned()
                .ok_or_else(|| format!("covered header {header} is missing"))?,
        };
        base.push_str(&format!("\"{c}\": {v}\n"));
    }
    base.push_str(&format!("\"@signature-params\": {params}"));
    let sig = r.headers.get("signature").ok_or("no Signature header")?;
    let bytes = sig
        .strip_prefix(&format!("{label}=:"))
        .and_then(|s| s.strip_suffix(':'))
        .ok_or_else(|| format!("Signature has no {label}: {sig}"))?;
    let bytes = B64.decode(bytes).map_err(|e| format!("not base64: {e}"))?;
    Ok((base, bytes))
}

fn verify_rfc9421_as(
    r: &Received,
    method: &str,
    expected_key_id: &str,
    public_key_pem: &str,
) -> Result<(), String> {
    let (base, bytes) = rfc9421_signed_base(r, method, &[expected_key_id])?;
    let key = RsaPublicKey::from_public_key_pem(public_key_pem).map_err(|e| e.to_string())?;
    key.verify(
        Pkcs1v15Sign::new::<Sha256>(),
        &Sha256::digest(base.as_bytes()),
        &bytes,
    )
    .map_err(|e| format!("signature does not verify: {e}"))
}
