//! RFC 9421's own test vectors (Appendix B), verified with
//! `deling_federation::rfc9421`.
//!
//! The key is `test-key-rsa-pss` of Appendix B.1.2 (its public half), the
//! message is `test-request` of Appendix B.2, and the signatures are those
//! of Appendix B.2.1 (minimal) and B.2.3 (full coverage), copied from the
//! RFC text. RSA-PSS is randomized, so the vectors can only be verified,
//! not reproduced; a changed byte of the message must fail.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use deling_federation::crypto::{SigningKey, VerifyingKey};
use deling_federation::rfc9421::{self, Message, Rfc9421Error};
use std::collections::BTreeMap;
use url::Url;

/// Appendix B.1.2, `test-key-rsa-pss`, public key.
const TEST_KEY_RSA_PSS: &str = "-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAr4tmm3r20Wd/PbqvP1s2
+QEtvpuRaV8Yq40gjUR8y2Rjxa6dpG2GXHbPfvMs8ct+Lh1GH45x28Rw3Ry53mm+
oAXjyQ86OnDkZ5N8lYbggD4O3w6M6pAvLkhk95AndTrifbIFPNU8PPMO7OyrFAHq
gDsznjPFmTOtCEcN2Z1FpWgchwuYLPL+Wokqltd11nqqzi+bJ9cvSKADYdUAAN5W
Utzdpiy6LbTgSxP7ociU4Tn0g5I6aDZJ7A8Lzo0KSyZYoA485mqcO0GVAdVw9lq4
aOT9v6d+nb4bnNkQVklLQ3fVAvJm+xdDOp9LCNCN48V2pnDOkFV6+U9nV5oyc6XI
2wIDAQAB
-----END PUBLIC KEY-----
";

/// Appendix B.2, `test-request`: `POST /foo?param=Value&Pet=dog` on
/// example.com, body `{"hello": "world"}`.
const BODY: &[u8] = br#"{"hello": "world"}"#;

fn test_request_headers() -> BTreeMap<String, String> {
    [
        ("host", "example.com"),
        ("date", "Tue, 20 Apr 2021 02:07:55 GMT"),
        ("content-type", "application/json"),
        (
            "content-digest",
            "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:",
        ),
        ("content-length", "18"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

fn target() -> Url {
    Url::parse("https://example.com/foo?param=Value&Pet=dog").unwrap()
}

fn key() -> VerifyingKey {
    VerifyingKey::from_pem(TEST_KEY_RSA_PSS).unwrap()
}

/// Appendix B.2.1.
const B21_INPUT: &str =
    r#"sig-b21=();created=1618884473;keyid="test-key-rsa-pss";nonce="b3k2pp5k7z-50gnwp.yemd""#;
const B21_SIGNATURE: &str = "sig-b21=:d2pmTvmbncD3xQm8E9ZV2828BjQWGgiwAaw5bAkgibUopemLJcWDy/lkbbHAve4cRAtx31Iq786U7it++wgGxbtRxf8Udx7zFZsckzXaJMkA7ChG52eSkFxykJeNqsrWH5S+oxNFlD4dzVuwe8DhTSja8xxbR/Z2cOGdCbzR72rgFWhzx2VjBqJzsPLMIQKhO4DGezXehhWwE56YCE+O6c0mKZsfxVrogUvA4HELjVKWmAvtl6UnCh8jYzuVG5WSb/QEVPnP5TmcAnLH1g+s++v6d4s8m0gCw1fV5/SITLq9mhho8K3+7EPYTU8IU1bLhdxO5Nyt8C8ssinQ98Xw9Q==:";

/// Appendix B.2.3.
const B23_INPUT: &str = r#"sig-b23=("date" "@method" "@path" "@query" "@authority" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-rsa-pss""#;
const B23_SIGNATURE: &str = "sig-b23=:bbN8oArOxYoyylQQUU6QYwrTuaxLwjAC9fbY2F6SVWvh0yBiMIRGOnMYwZ/5MR6fb0Kh1rIRASVxFkeGt683+qRpRRU5p2voTp768ZrCUb38K0fUxN0O0iC59DzYx8DFll5GmydPxSmme9v6ULbMFkl+V5B1TP/yPViV7KsLNmvKiLJH1pFkh/aYA2HXXZzNBXmIkoQoLd7YfW91kE9o/CCoC1xMy7JA1ipwvKvfrs65ldmlu9bpG6A9BmzhuzF8Eim5f8ui9eH8LZH896+QIF61ka39VBrohr9iyMUJpvRX2Zbhl5ZJzSRxpJyoEZAFL2FUo5fTIztsDZKEgM4cUA==:";

/// Appendix B.2.2 covers `@query-param`, which is not derived here.
const B22_INPUT: &str = r#"sig-b22=("@authority" "content-digest" "@query-param";name="Pet");created=1618884473;keyid="test-key-rsa-pss";tag="header-example""#;
const B22_SIGNATURE: &str = "sig-b22=:LjbtqUbfmvjj5C5kr1Ugj4PmLYvx9wVjZvD9GsTT4F7GrcQEdJzgI9qHxICagShLRiLMlAJjtq6N4CDfKtjvuJyE5qH7KT8UCMkSowOB4+ECxCmT8rtAmj/0PIXxi0A0nxKyB09RNrCQibbUjsLS/2YyFYXEu4TRJQzRw1rLEuEfY17SARYhpTlaqwZVtR8NV7+4UKkjqpcAoFqWFQh62s7Cl+H2fjBSpqfZUJcsIk4N6wiKYd4je2U/lankenQ99PZfB4jY3I5rSV2DSBVkSFsURIjYErOs0tFTQosMTAoxk//0RoKUqiYY8Bh0aaUEb0rQl3/XaVe4bXTugEjHSw==:";

fn verifies(
    input: &str,
    signature: &str,
    method: &str,
    target: &Url,
    headers: &BTreeMap<String, String>,
) -> Result<bool, Rfc9421Error> {
    let sigs = rfc9421::parse(input, signature)?;
    assert_eq!(sigs.len(), 1);
    let msg = Message {
        method,
        target,
        headers,
    };
    rfc9421::verify(&sigs[0], &msg, &key())
}

#[test]
fn b21_minimal_signature_verifies() {
    let headers = test_request_headers();
    let sig = &rfc9421::parse(B21_INPUT, B21_SIGNATURE).unwrap()[0];
    assert_eq!(sig.label, "sig-b21");
    assert_eq!(sig.created, Some(1_618_884_473));
    assert_eq!(sig.key_id.as_deref(), Some("test-key-rsa-pss"));
    assert!(sig.components.is_empty());
    // The base of B.2.1, as printed in the RFC.
    let msg = Message {
        method: "POST",
        target: &target(),
        headers: &headers,
    };
    assert_eq!(
        rfc9421::signature_base(sig, &msg).unwrap(),
        r#""@signature-params": ();created=1618884473;keyid="test-key-rsa-pss";nonce="b3k2pp5k7z-50gnwp.yemd""#
    );
    // B.2.1 names no alg: PSS is chosen by the key there, so say it here.
    let mut pss = sig.clone();
    pss.alg = Some("rsa-pss-sha512".into());
    assert!(rfc9421::verify(&pss, &msg, &key()).unwrap());
    // The same bytes read as PKCS#1 v1.5 do not verify.
    assert!(!rfc9421::verify(sig, &msg, &key()).unwrap());
}

#[test]
fn b23_full_coverage_verifies_and_a_changed_component_fails() {
    let headers = test_request_headers();
    let sig = &rfc9421::parse(B23_INPUT, B23_SIGNATURE).unwrap()[0];
    let mut pss = sig.clone();
    pss.alg = Some("rsa-pss-sha512".into());
    let msg = Message {
        method: "POST",
        target: &target(),
        headers: &headers,
    };
    assert_eq!(
        rfc9421::signature_base(sig, &msg).unwrap(),
        [
            r#""date": Tue, 20 Apr 2021 02:07:55 GMT"#,
            r#""@method": POST"#,
            r#""@path": /foo"#,
            r#""@query": ?param=Value&Pet=dog"#,
            r#""@authority": example.com"#,
            r#""content-type": application/json"#,
            r#""content-digest": sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:"#,
            r#""content-length": 18"#,
            r#""@signature-params": ("date" "@method" "@path" "@query" "@authority" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-rsa-pss""#,
        ]
        .join("\n")
    );
    assert!(rfc9421::verify(&pss, &msg, &key()).unwrap());
    // The body's digest in the RFC is the real one.
    rfc9421::check_content_digest(headers.get("content-digest").map(String::as_str), BODY).unwrap();

    // Another query, another authority, another method: each fails.
    let other_query = Url::parse("https://example.com/foo?param=Value&Pet=cat").unwrap();
    let msg = Message {
        method: "POST",
        target: &other_query,
        headers: &headers,
    };
    assert!(!rfc9421::verify(&pss, &msg, &key()).unwrap());
    let other_host = Url::parse("https://example.org/foo?param=Value&Pet=dog").unwrap();
    let msg = Message {
        method: "POST",
        target: &other_host,
        headers: &headers,
    };
    assert!(!rfc9421::verify(&pss, &msg, &key()).unwrap());
    let msg = Message {
        method: "PUT",
        target: &target(),
        headers: &headers,
    };
    assert!(!rfc9421::verify(&pss, &msg, &key()).unwrap());
    // A covered header that is missing cannot be verified at all.
    let mut fewer = headers.clone();
    fewer.remove("content-length");
    assert_eq!(
        verifies(B23_INPUT, B23_SIGNATURE, "POST", &target(), &fewer),
        Err(Rfc9421Error::MissingHeader("content-length".into()))
    );
}

#[test]
fn b22_query_param_is_refused_as_unsupported() {
    let headers = test_request_headers();
    assert!(matches!(
        verifies(B22_INPUT, B22_SIGNATURE, "POST", &target(), &headers),
        Err(Rfc9421Error::Unsupported(_))
    ));
}

#[test]
fn content_digest_is_checked_against_the_body() {
    let good = rfc9421::content_digest(BODY);
    assert_eq!(
        good,
        "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:"
    );
    rfc9421::check_content_digest(Some(&good), BODY).unwrap();
    assert!(rfc9421::check_content_digest(Some(&good), b"{}").is_err());
    assert!(rfc9421::check_content_digest(None, BODY).is_err());
    // Only unknown algorithms: nothing was checked.
    assert!(rfc9421::check_content_digest(Some("md5=:AAAA:"), BODY).is_err());
    // Cavage's Digest syntax is not a structured field.
    assert!(
        rfc9421::check_content_digest(
            Some("SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE="),
            BODY
        )
        .is_err()
    );
}

#[test]
fn own_signature_round_trips_and_reads_as_mastodon_expects() {
    let kp = deling_federation::keys::generate().unwrap();
    let private = SigningKey::from_pem(&kp.private_key_pem).unwrap();
    let public = VerifyingKey::from_pem(&kp.public_key_pem).unwrap();
    let target = Url::parse("https://deling.example/inbox").unwrap();
    let mut headers = BTreeMap::new();
    headers.insert(
        "content-type".to_owned(),
        "application/activity+json".to_owned(),
    );
    headers.insert("content-digest".to_owned(), rfc9421::content_digest(BODY));
    let msg = Message {
        method: "POST",
        target: &target,
        headers: &headers,
    };
    let signed = rfc9421::sign(
        &msg,
        &["@method", "@target-uri", "content-type", "content-digest"],
        "https://deling.example/agencies/oslo#main-key",
        1_700_000_000,
        &private,
    )
    .unwrap();
    assert_eq!(
        signed.signature_input,
        r#"sig1=("@method" "@target-uri" "content-type" "content-digest");created=1700000000;keyid="https://deling.example/agencies/oslo#main-key";alg="rsa-v1_5-sha256""#
    );
    let sig = &rfc9421::parse(&signed.signature_input, &signed.signature).unwrap()[0];
    assert!(rfc9421::verify(sig, &msg, &public).unwrap());
    let elsewhere = Url::parse("https://deling.example/agencies/bergen/inbox").unwrap();
    let msg = Message {
        method: "POST",
        target: &elsewhere,
        headers: &headers,
    };
    assert!(!rfc9421::verify(sig, &msg, &public).unwrap());
}

#[test]
fn headers_with_more_signatures_or_components_than_any_signer_are_refused() {
    let input = |labels: usize, components: usize| {
        let covered: Vec<String> = (0..components).map(|n| format!("\"x-h{n}\"")).collect();
        (0..labels)
            .map(|n| format!("s{n}=({});created=1;keyid=\"k\"", covered.join(" ")))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let values = |labels: usize| {
        (0..labels)
            .map(|n| format!("s{n}=:c2ln:"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let ok = rfc9421::parse(
        &input(rfc9421::MAX_SIGNATURES, 4),
        &values(rfc9421::MAX_SIGNATURES),
    );
    assert_eq!(ok.map(|s| s.len()).ok(), Some(rfc9421::MAX_SIGNATURES));
    let many = rfc9421::MAX_SIGNATURES + 1;
    assert!(matches!(
        rfc9421::parse(&input(many, 4), &values(many)),
        Err(Rfc9421Error::Malformed(_))
    ));
    assert!(matches!(
        rfc9421::parse(&input(1, rfc9421::MAX_COMPONENTS + 1), &values(1)),
        Err(Rfc9421Error::Malformed(_))
    ));
    assert!(rfc9421::parse(&input(1, rfc9421::MAX_COMPONENTS), &values(1)).is_ok());
}
