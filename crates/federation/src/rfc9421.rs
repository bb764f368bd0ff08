//! RFC 9421 HTTP Message Signatures, the part ActivityPub servers use:
//! parsing `Signature-Input` / `Signature`, building the signature base
//! (RFC 9421 section 2.5), verifying and making `rsa-v1_5-sha256` and
//! `rsa-pss-sha512` signatures (section 3.3), and RFC 9530 `Content-Digest`.
//!
//! No I/O and no policy here: which components a signature must cover, its
//! time window and whose key it is are decided by [`crate::signature`].
//! Structured fields (RFC 8941) are read and written with `sfv`, so the
//! `@signature-params` line is the canonical serialization both sides build.

use crate::crypto::{SigningKey, VerifyingKey};
use base64::Engine;
use sfv::{
    BareItem, Dictionary, InnerList, Item, KeyRef, ListEntry, ListSerializer, Parameters, Parser,
    StringRef,
};
use sha2::{Digest, Sha256, Sha512};
use std::collections::BTreeMap;
use url::Url;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Why a message signature could not be read, built or checked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rfc9421Error {
    /// `Signature-Input` or `Signature` is not a structured-field dictionary
    /// of the expected shape.
    #[error("malformed {0}")]
    Malformed(&'static str),
    /// A covered component this implementation does not derive (such as
    /// `@query-param`, or a header component with `;sf` or `;key`).
    #[error("the component {0} is not supported")]
    Unsupported(String),
    /// A covered header is not in the message.
    #[error("the covered header {0} is missing")]
    MissingHeader(String),
    /// The `alg` parameter names an algorithm other than the RSA ones.
    #[error("the algorithm {0} is not supported")]
    Algorithm(String),
    /// `Content-Digest` is missing, unreadable or does not match the body.
    #[error("{0}")]
    ContentDigest(&'static str),
    /// Signing failed.
    #[error("cannot sign: {0}")]
    Sign(String),
}

/// The signature algorithms Deling verifies (section 3.3) and, for the
/// first, makes: actor keys in the fediverse are RSA keys, and Mastodon
/// and Fedify sign with `rsa-v1_5-sha256`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256 (section 3.3.2).
    RsaV15Sha256,
    /// RSASSA-PSS with SHA-512, MGF1 and a 64-byte salt (section 3.3.1).
    RsaPssSha512,
}

impl Algorithm {
    /// The `alg` parameter value.
    pub fn name(self) -> &'static str {
        match self {
            Self::RsaV15Sha256 => "rsa-v1_5-sha256",
            Self::RsaPssSha512 => "rsa-pss-sha512",
        }
    }

    /// The algorithm an `alg` parameter names, if it is one of these.
    pub fn parse(name: &str) -> Result<Self, Rfc9421Error> {
        match name {
            "rsa-v1_5-sha256" => Ok(Self::RsaV15Sha256),
            "rsa-pss-sha512" => Ok(Self::RsaPssSha512),
            other => Err(Rfc9421Error::Algorithm(other.to_owned())),
        }
    }
}

/// Signatures one request may carry (see [`parse`]).
pub const MAX_SIGNATURES: usize = 4;

/// Components one signature may cover: peers cover four to eight.
pub const MAX_COMPONENTS: usize = 32;

/// The request a signature is made over or checked against.
#[derive(Debug)]
pub struct Message<'a> {
    /// The method, as sent (`POST`).
    pub method: &'a str,
    /// The full target URI: what `@target-uri`, `@authority`, `@scheme`,
    /// `@path` and `@query` are derived from.
    pub target: &'a Url,
    /// Header values by lower-case name.
    pub headers: &'a BTreeMap<String, String>,
}

/// One signature of a request: its label, what it covers, its parameters
/// and its bytes.
#[derive(Debug, Clone)]
pub struct MessageSignature {
    /// The dictionary key in both headers (`sig1`).
    pub label: String,
    /// The covered component names, in order.
    pub components: Vec<String>,
    /// `created`, seconds since the epoch.
    pub created: Option<i64>,
    /// `expires`, seconds since the epoch.
    pub expires: Option<i64>,
    /// `keyid`.
    pub key_id: Option<String>,
    /// `alg`, when given.
    pub alg: Option<String>,
    /// The signature bytes.
    pub signature: Vec<u8>,
    /// The covered components and parameters as signed: the
    /// `@signature-params` value.
    params_line: String,
    /// Components that carry parameters (`;sf`, `;key`, `;req`...), which
    /// this implementation does not derive.
    unsupported: Option<String>,
}

fn serialize_inner_list(list: &InnerList) -> String {
    let mut ser = ListSerializer::new();
    ser.members([&ListEntry::InnerList(list.clone())]);
    ser.finish().unwrap_or_else(|| "()".to_owned())
}

fn integer_param(params: &Parameters, name: &str) -> Result<Option<i64>, Rfc9421Error> {
    match params.iter().find(|(k, _)| k.as_str() == name) {
        None => Ok(None),
        Some((_, BareItem::Integer(i))) => Ok(Some(i64::from(*i))),
        Some(_) => Err(Rfc9421Error::Malformed("signature parameters")),
    }
}

fn string_param(params: &Parameters, name: &str) -> Result<Option<String>, Rfc9421Error> {
    match params.iter().find(|(k, _)| k.as_str() == name) {
        None => Ok(None),
        Some((_, BareItem::String(s))) => Ok(Some(s.as_str().to_owned())),
        Some(_) => Err(Rfc9421Error::Malformed("signature parameters")),
    }
}

/// Reads every signature of a request, in `Signature-Input` order. A label
/// in `Signature-Input` without a value in `Signature` is malformed.
pub fn parse(
    signature_input: &str,
    signature: &str,
) -> Result<Vec<MessageSignature>, Rfc9421Error> {
    let inputs: Dictionary = Parser::new(signature_input)
        .parse()
        .map_err(|_| Rfc9421Error::Malformed("Signature-Input"))?;
    let values: Dictionary = Parser::new(signature)
        .parse()
        .map_err(|_| Rfc9421Error::Malformed("Signature"))?;
    // A request carries one signature, sometimes two (a proxy's beside
    // the sender's); each is matched to its bytes and may be checked, so
    // thousands in one header would cost their square before any key.
    if inputs.len() > MAX_SIGNATURES || values.len() > MAX_SIGNATURES {
        return Err(Rfc9421Error::Malformed(
            "Signature-Input: too many signatures",
        ));
    }
    let mut out = Vec::new();
    for (label, entry) in &inputs {
        let ListEntry::InnerList(list) = entry else {
            return Err(Rfc9421Error::Malformed("Signature-Input"));
        };
        let bytes = match values.iter().find(|(k, _)| k.as_str() == label.as_str()) {
            Some((
                _,
                ListEntry::Item(Item {
                    bare_item: BareItem::ByteSequence(b),
                    ..
                }),
            )) => b.clone(),
            _ => return Err(Rfc9421Error::Malformed("Signature")),
        };
        if list.items.len() > MAX_COMPONENTS {
            return Err(Rfc9421Error::Malformed(
                "Signature-Input: too many components",
            ));
        }
        let mut components = Vec::new();
        let mut unsupported = None;
        for item in &list.items {
            let BareItem::String(name) = &item.bare_item else {
                return Err(Rfc9421Error::Malformed("Signature-Input"));
            };
            if !item.params.is_empty() && unsupported.is_none() {
                unsupported = Some(serialize_inner_list(&InnerList::new(vec![item.clone()])));
            }
            components.push(name.as_str().to_owned());
        }
        out.push(MessageSignature {
            label: label.as_str().to_owned(),
            components,
            created: integer_param(&list.params, "created")?,
            expires: integer_param(&list.params, "expires")?,
            key_id: string_param(&list.params, "keyid")?,
            alg: string_param(&list.params, "alg")?,
            signature: bytes,
            params_line: serialize_inner_list(list),
            unsupported,
        });
    }
    Ok(out)
}

/// The value of one component (section 2.1 for headers, 2.2 for derived
/// components of a request).
fn component_value(name: &str, msg: &Message<'_>) -> Result<String, Rfc9421Error> {
    let url = msg.target;
    let authority = || match url.port() {
        Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
        None => url.host_str().unwrap_or_default().to_owned(),
    };
    Ok(match name {
        "@method" => msg.method.to_owned(),
        "@target-uri" => url.as_str().to_owned(),
        "@authority" => authority().to_ascii_lowercase(),
        "@scheme" => url.scheme().to_ascii_lowercase(),
        "@path" => url.path().to_owned(),
        "@query" => format!("?{}", url.query().unwrap_or_default()),
        "@request-target" => match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        },
        derived if derived.starts_with('@') => {
            return Err(Rfc9421Error::Unsupported(derived.to_owned()));
        }
        header => {
            if header.bytes().any(|b| b.is_ascii_uppercase()) {
                return Err(Rfc9421Error::Malformed("component name"));
            }
            msg.headers
                .get(header)
                .map(|v| v.trim().to_owned())
                .ok_or_else(|| Rfc9421Error::MissingHeader(header.to_owned()))?
        }
    })
}

/// The signature base (section 2.5): one line per covered component, then
/// the `@signature-params` line.
pub fn signature_base(sig: &MessageSignature, msg: &Message<'_>) -> Result<String, Rfc9421Error> {
    if let Some(component) = &sig.unsupported {
        return Err(Rfc9421Error::Unsupported(component.clone()));
    }
    let mut base = String::new();
    for (i, name) in sig.components.iter().enumerate() {
        // A component listed twice makes the base ambiguous (section 2.5).
        if sig.components[..i].contains(name) {
            return Err(Rfc9421Error::Malformed("Signature-Input"));
        }
        let value = component_value(name, msg)?;
        base.push_str(&format!("\"{name}\": {value}\n"));
    }
    base.push_str(&format!("\"@signature-params\": {}", sig.params_line));
    Ok(base)
}

/// Whether `sig` verifies over `msg` with `key`. Without an `alg`
/// parameter an RSA key means `rsa-v1_5-sha256`, as the fediverse signs.
pub fn verify(
    sig: &MessageSignature,
    msg: &Message<'_>,
    key: &VerifyingKey,
) -> Result<bool, Rfc9421Error> {
    let alg = sig
        .alg
        .as_deref()
        .map_or(Ok(Algorithm::RsaV15Sha256), Algorithm::parse)?;
    let base = signature_base(sig, msg)?;
    Ok(verify_base(alg, base.as_bytes(), &sig.signature, key))
}

fn verify_base(alg: Algorithm, base: &[u8], signature: &[u8], key: &VerifyingKey) -> bool {
    match alg {
        Algorithm::RsaV15Sha256 => key.verify_pkcs1_sha256(base, signature),
        Algorithm::RsaPssSha512 => key.verify_pss_sha512(base, signature),
    }
}

/// A new signature's headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    /// The `Signature-Input` value.
    pub signature_input: String,
    /// The `Signature` value.
    pub signature: String,
}

/// Signs `msg` over `components` with `rsa-v1_5-sha256` under the label
/// `sig1`, with `created` and `keyid` (and `alg`) as Mastodon and Fedify
/// expect them.
pub fn sign(
    msg: &Message<'_>,
    components: &[&str],
    key_id: &str,
    created: i64,
    key: &SigningKey,
) -> Result<Signed, Rfc9421Error> {
    let bad = |e: sfv::Error| Rfc9421Error::Sign(e.to_string());
    let items = components
        .iter()
        .map(|c| Ok(Item::new(StringRef::from_str(c).map_err(bad)?.to_owned())))
        .collect::<Result<Vec<_>, Rfc9421Error>>()?;
    let mut params = Parameters::new();
    params.insert(
        KeyRef::from_str("created").map_err(bad)?.to_owned(),
        BareItem::Integer(created.try_into().map_err(bad)?),
    );
    params.insert(
        KeyRef::from_str("keyid").map_err(bad)?.to_owned(),
        BareItem::String(StringRef::from_str(key_id).map_err(bad)?.to_owned()),
    );
    params.insert(
        KeyRef::from_str("alg").map_err(bad)?.to_owned(),
        BareItem::String(
            StringRef::from_str(Algorithm::RsaV15Sha256.name())
                .map_err(bad)?
                .to_owned(),
        ),
    );
    let list = InnerList::with_params(items, params);
    let sig = MessageSignature {
        label: "sig1".into(),
        components: components.iter().map(|c| (*c).to_owned()).collect(),
        created: Some(created),
        expires: None,
        key_id: Some(key_id.to_owned()),
        alg: Some(Algorithm::RsaV15Sha256.name().to_owned()),
        signature: Vec::new(),
        params_line: serialize_inner_list(&list),
        unsupported: None,
    };
    let base = signature_base(&sig, msg)?;
    let bytes = key
        .sign_pkcs1_sha256(base.as_bytes())
        .map_err(|e| Rfc9421Error::Sign(e.to_string()))?;
    Ok(Signed {
        signature_input: format!("sig1={}", sig.params_line),
        signature: format!("sig1=:{}:", B64.encode(bytes)),
    })
}

/// The `Content-Digest` of a body (RFC 9530), SHA-256 as Mastodon reads it.
pub fn content_digest(body: &[u8]) -> String {
    format!("sha-256=:{}:", B64.encode(Sha256::digest(body)))
}

/// Checks a `Content-Digest` against the body: every SHA-256 and SHA-512
/// digest given must match and at least one must be given; other
/// algorithms are ignored (RFC 9530 section 2).
pub fn check_content_digest(header: Option<&str>, body: &[u8]) -> Result<(), Rfc9421Error> {
    let header = header.ok_or(Rfc9421Error::ContentDigest(
        "the request carries no Content-Digest",
    ))?;
    let digests: Dictionary = Parser::new(header)
        .parse()
        .map_err(|_| Rfc9421Error::ContentDigest("the Content-Digest is unreadable"))?;
    let mut checked = false;
    for (alg, entry) in &digests {
        let expected = match alg.as_str() {
            "sha-256" => Sha256::digest(body).to_vec(),
            "sha-512" => Sha512::digest(body).to_vec(),
            _ => continue,
        };
        let ListEntry::Item(Item {
            bare_item: BareItem::ByteSequence(given),
            ..
        }) = entry
        else {
            return Err(Rfc9421Error::ContentDigest(
                "the Content-Digest is unreadable",
            ));
        };
        if *given != expected {
            return Err(Rfc9421Error::ContentDigest(
                "the Content-Digest does not match the body",
            ));
        }
        checked = true;
    }
    if checked {
        Ok(())
    } else {
        Err(Rfc9421Error::ContentDigest(
            "the Content-Digest has no SHA-256 or SHA-512 digest",
        ))
    }
}
