//! Requests signed the draft-cavage way (HTTP Signatures, RSA PKCS#1 v1.5
//! over SHA-256), as Mastodon signs them, with this crate's own
//! implementation (independent of activitypub_federation's), each part of
//! which a test can spoil on purpose; and the checks a strict peer makes
//! of what Deling sends.

use super::{
    FakeActor, Received, SignatureStyle,
    rfc9421::verify_received_rfc9421,
    wire::{authority, send_get, send_raw},
};
use base64::{Engine, engine::general_purpose::STANDARD as B64};
use chrono::{DateTime, Utc};
use reqwest::Response;
use rsa::{Pkcs1v15Sign, RsaPrivateKey, RsaPublicKey, pkcs8::DecodePublicKey};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use url::Url;

impl FakeActor {
    /// A correctly signed POST of `activity` to `inbox`.
    pub fn post<'a>(&'a self, inbox: &str, activity: &Value) -> SignedPost<'a> {
        SignedPost {
            inbox: inbox.to_owned(),
            body: serde_json::to_vec(activity).expect("serialise"),
            digest_of: None,
            key: &self.key,
            key_id: self.key_id.clone(),
            date: Some(Utc::now()),
            headers: vec!["(request-target)", "host", "date", "digest"],
            host: None,
        }
    }

    /// A GET of `url` signed as Mastodon signs in authorized-fetch mode:
    /// `(request-target) host date accept`, rsa-sha256, no Digest.
    pub fn get<'a>(&'a self, url: &str) -> SignedGet<'a> {
        SignedGet {
            url: url.to_owned(),
            key: &self.key,
            key_id: self.key_id.clone(),
            date: Some(Utc::now()),
            accept: "application/activity+json".to_owned(),
            headers: vec!["(request-target)", "host", "date", "accept"],
            host: None,
        }
    }
}

/// A POST to sign and send; each field can be spoilt on purpose.
pub struct SignedPost<'a> {
    /// Target inbox URL.
    pub inbox: String,
    /// What is sent.
    pub body: Vec<u8>,
    /// What the Digest is computed over (the body unless set).
    pub digest_of: Option<Vec<u8>>,
    /// Signing key.
    pub key: &'a RsaPrivateKey,
    /// `keyId`.
    pub key_id: String,
    /// The `Date` header (none if `None`).
    pub date: Option<DateTime<Utc>>,
    /// The signed headers, in order.
    pub headers: Vec<&'static str>,
    /// The `Host` header signed and sent (the inbox URL's unless set).
    pub host: Option<String>,
}

/// An HTTP date (RFC 7231 IMF-fixdate).
pub fn http_date(t: DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// `SHA-256=<base64>` of `body`.
pub fn digest_header(body: &[u8]) -> String {
    format!("SHA-256={}", B64.encode(Sha256::digest(body)))
}

impl SignedPost<'_> {
    /// Signs the request, returning its headers (name, value).
    pub fn signed_headers(&self) -> Vec<(String, String)> {
        let url = Url::parse(&self.inbox).expect("inbox URL");
        let mut target = url.path().to_owned();
        if let Some(q) = url.query() {
            target = format!("{target}?{q}");
        }
        let digest = digest_header(self.digest_of.as_deref().unwrap_or(&self.body));
        let date = self.date.map(http_date);
        let mut values: HashMap<&str, String> = HashMap::from([
            ("(request-target)", format!("post {target}")),
            ("host", self.host.clone().unwrap_or_else(|| authority(&url))),
            ("digest", digest.clone()),
        ]);
        if let Some(d) = &date {
            values.insert("date", d.clone());
        }
        let signing_string = self
            .headers
            .iter()
            .map(|h| format!("{h}: {}", values.get(h).cloned().unwrap_or_default()))
            .collect::<Vec<_>>()
            .join("\n");
        let signature = self
            .key
            .sign(
                Pkcs1v15Sign::new::<Sha256>(),
                &Sha256::digest(signing_string.as_bytes()),
            )
            .expect("sign");
        let mut headers = vec![
            (
                "content-type".to_owned(),
                "application/activity+json".to_owned(),
            ),
            ("digest".to_owned(), digest),
            (
                "signature".to_owned(),
                format!(
                    "keyId=\"{}\",algorithm=\"rsa-sha256\",headers=\"{}\",signature=\"{}\"",
                    self.key_id,
                    self.headers.join(" "),
                    B64.encode(signature)
                ),
            ),
        ];
        if let Some(d) = date {
            headers.push(("date".to_owned(), d));
        }
        if let Some(host) = &self.host {
            headers.push(("host".to_owned(), host.clone()));
        }
        headers
    }

    /// Signs and sends.
    pub async fn send(&self, client: &reqwest::Client) -> Response {
        send_raw(client, &self.inbox, &self.signed_headers(), &self.body).await
    }
}

/// Checks a received POST the way a strict peer (Mastodon 4.5) does, in
/// the style it was signed in: see [`verify_received_rfc9421`]; or for
/// draft-cavage, the Digest matches the body, the signature covers
/// `(request-target)`, `host`, `date` and `digest`, the Date is recent,
/// `keyId` is `expected_key_id`, and the signature verifies with
/// `public_key_pem`.
pub fn verify_received(
    r: &Received,
    expected_key_id: &str,
    public_key_pem: &str,
) -> Result<(), String> {
    if r.signature_style() == SignatureStyle::Rfc9421 {
        return verify_received_rfc9421(r, expected_key_id, public_key_pem);
    }
    let digest = r.headers.get("digest").ok_or("no Digest header")?;
    if *digest != digest_header(&r.body) {
        return Err(format!("Digest {digest} does not match the body"));
    }
    let date = r.headers.get("date").ok_or("no Date header")?;
    let when = DateTime::parse_from_rfc2822(&date.replace("GMT", "+0000"))
        .map_err(|e| format!("Date {date:?}: {e}"))?;
    let age = Utc::now().signed_duration_since(when).num_seconds().abs();
    if age > 300 {
        return Err(format!("Date {date:?} is {age} s away from now"));
    }
    let sig = r.headers.get("signature").ok_or("no Signature header")?;
    let params: HashMap<String, String> = sig
        .split(',')
        .filter_map(|part| {
            let (k, v) = part.split_once('=')?;
            Some((k.trim().to_owned(), v.trim().trim_matches('"').to_owned()))
        })
        .collect();
    let key_id = params.get("keyId").ok_or("no keyId")?;
    if key_id != expected_key_id {
        return Err(format!("keyId {key_id}, expected {expected_key_id}"));
    }
    let headers: Vec<&str> = params
        .get("headers")
        .ok_or("no headers list")?
        .split_whitespace()
        .collect();
    for needed in ["(request-target)", "host", "date", "digest"] {
        if !headers.contains(&needed) {
            return Err(format!("{needed} is not signed: {headers:?}"));
        }
    }
    let signing_string = headers
        .iter()
        .map(|h| {
            let v = match *h {
                "(request-target)" => Some(format!("post {}", r.path)),
                "(created)" => params.get("created").cloned(),
                "(expires)" => params.get("expires").cloned(),
                other => r.headers.get(other).cloned(),
            };
            v.map(|v| format!("{h}: {v}"))
                .ok_or_else(|| format!("signed header {h} is missing"))
        })
        .collect::<Result<Vec<_>, _>>()?
        .join("\n");
    let signature = B64
        .decode(params.get("signature").ok_or("no signature")?)
        .map_err(|e| format!("signature is not base64: {e}"))?;
    let key = RsaPublicKey::from_public_key_pem(public_key_pem)
        .map_err(|e| format!("public key: {e}"))?;
    key.verify(
        Pkcs1v15Sign::new::<Sha256>(),
        &Sha256::digest(signing_string.as_bytes()),
        &signature,
    )
    .map_err(|e| format!("signature does not verify: {e}"))
}

/// Base64 of the RSA PKCS#1 v1.5 SHA-256 signature of `signing_string`.
fn sign_string(key: &RsaPrivateKey, signing_string: &str) -> String {
    let signature = key
        .sign(
            Pkcs1v15Sign::new::<Sha256>(),
            &Sha256::digest(signing_string.as_bytes()),
        )
        .expect("sign");
    B64.encode(signature)
}

/// A signed GET; each field can be spoilt on purpose.
pub struct SignedGet<'a> {
    /// What is fetched.
    pub url: String,
    /// Signing key.
    pub key: &'a RsaPrivateKey,
    /// `keyId`.
    pub key_id: String,
    /// The `Date` header (none if `None`).
    pub date: Option<DateTime<Utc>>,
    /// The `Accept` header.
    pub accept: String,
    /// The signed headers, in order.
    pub headers: Vec<&'static str>,
    /// The `Host` header signed and sent (the URL's unless set).
    pub host: Option<String>,
}

impl SignedGet<'_> {
    /// Signs the request, returning its headers (name, value).
    pub fn signed_headers(&self) -> Vec<(String, String)> {
        let url = Url::parse(&self.url).expect("URL");
        let mut target = url.path().to_owned();
        if let Some(q) = url.query() {
            target = format!("{target}?{q}");
        }
        let date = self.date.map(http_date);
        let mut values: HashMap<&str, String> = HashMap::from([
            ("(request-target)", format!("get {target}")),
            ("host", self.host.clone().unwrap_or_else(|| authority(&url))),
            ("accept", self.accept.clone()),
        ]);
        if let Some(d) = &date {
            values.insert("date", d.clone());
        }
        let signing_string = self
            .headers
            .iter()
            .map(|h| format!("{h}: {}", values.get(h).cloned().unwrap_or_default()))
            .collect::<Vec<_>>()
            .join("\n");
        let mut headers = vec![
            ("accept".to_owned(), self.accept.clone()),
            (
                "signature".to_owned(),
                format!(
                    "keyId=\"{}\",algorithm=\"rsa-sha256\",headers=\"{}\",signature=\"{}\"",
                    self.key_id,
                    self.headers.join(" "),
                    sign_string(self.key, &signing_string)
                ),
            ),
        ];
        if let Some(d) = date {
            headers.push(("date".to_owned(), d));
        }
        if let Some(host) = &self.host {
            headers.push(("host".to_owned(), host.clone()));
        }
        headers
    }

    /// Signs and sends.
    pub async fn send(&self, client: &reqwest::Client) -> Response {
        send_get(client, &self.url, &self.signed_headers()).await
    }
}

/// Flips a bit of the signature in a `Signature` header among `headers`.
pub fn tamper_signature(headers: &mut [(String, String)]) {
    let (_, value) = headers
        .iter_mut()
        .find(|(k, _)| k == "signature")
        .expect("a Signature header");
    let (head, sig) = value
        .rsplit_once("signature=\"")
        .expect("a signature parameter");
    let sig = sig.trim_end_matches('"');
    let mut bytes = B64.decode(sig).expect("base64 signature");
    bytes[0] ^= 1;
    *value = format!("{head}signature=\"{}\"", B64.encode(bytes));
}

/// The parameters of a `Signature` header.
pub fn signature_params(signature: &str) -> HashMap<String, String> {
    signature
        .split(',')
        .filter_map(|part| {
            let (k, v) = part.split_once('=')?;
            Some((k.trim().to_owned(), v.trim().trim_matches('"').to_owned()))
        })
        .collect()
}

/// Checks a received request of `method` the way a strict peer (Mastodon)
/// does: the signature covers each of `needed`, a signed Date is recent, a
/// Digest (if sent) matches the body, `keyId` is `expected_key_id`, and the
/// signature verifies with `public_key_pem`. Returns the signature's
/// parameters.
pub fn verify_request(
    r: &Received,
    method: &str,
    expected_key_id: &str,
    public_key_pem: &str,
    needed: &[&str],
) -> Result<HashMap<String, String>, String> {
    if let Some(digest) = r.headers.get("digest")
        && *digest != digest_header(&r.body)
    {
        return Err(format!("Digest {digest} does not match the body"));
    }
    let sig = r.headers.get("signature").ok_or("no Signature header")?;
    let params = signature_params(sig);
    let key_id = params.get("keyId").ok_or("no keyId")?;
    if key_id != expected_key_id {
        return Err(format!("keyId {key_id}, expected {expected_key_id}"));
    }
    let headers: Vec<String> = params
        .get("headers")
        .ok_or("no headers list")?
        .split_whitespace()
        .map(str::to_ascii_lowercase)
        .collect();
    for n in needed {
        if !headers.iter().any(|h| h == n) {
            return Err(format!("{n} is not signed: {headers:?}"));
        }
    }
    if headers.iter().any(|h| h == "date") {
        let date = r.headers.get("date").ok_or("no Date header")?;
        let when = DateTime::parse_from_rfc2822(&date.replace("GMT", "+0000"))
            .map_err(|e| format!("Date {date:?}: {e}"))?;
        let age = Utc::now().signed_duration_since(when).num_seconds().abs();
        if age > 300 {
            return Err(format!("Date {date:?} is {age} s away from now"));
        }
    }
    let signing_string = headers
        .iter()
        .map(|h| {
            let v = match h.as_str() {
                "(request-target)" => Some(format!("{} {}", method.to_lowercase(), r.path)),
                "(created)" => params.get("created").cloned(),
                "(expires)" => params.get("expires").cloned(),
                other => r.headers.get(other).cloned(),
            };
            v.map(|v| format!("{h}: {v}"))
                .ok_or_else(|| format!("signed header {h} is missing"))
        })
        .collect::<Result<Vec<_>, _>>()?
        .join("\n");
    let signature = B64
        .decode(params.get("signature").ok_or("no signature")?)
        .map_err(|e| format!("signature is not base64: {e}"))?;
    let key = RsaPublicKey::from_public_key_pem(public_key_pem)
        .map_err(|e| format!("public key: {e}"))?;
    key.verify(
        Pkcs1v15Sign::new::<Sha256>(),
        &Sha256::digest(signing_string.as_bytes()),
        &signature,
    )
    .map_err(|e| format!("signature does not verify: {e}"))?;
    Ok(params)
}
