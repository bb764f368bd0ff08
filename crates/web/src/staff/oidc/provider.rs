//! The OpenID Connect side of single sign-on: the settings from
//! `[auth.oidc]`, the provider's discovery document (cached for a while:
//! it is not session state, every process can fetch its own), the
//! authorization request (code flow with PKCE, `state` and `nonce`), and
//! the checks of the provider's answer: the code exchanged for tokens, the
//! ID token's signature, issuer, audience, expiry and nonce verified, then
//! the configured claim read (from the ID token, else from the userinfo
//! endpoint) and turned into a Deling username.

use super::http::HttpClient;
use deling_domain::auth::Username;
use openidconnect::{
    AccessToken, AccessTokenHash, AdditionalClaims, AuthType, AuthorizationCode,
    ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, IdToken, IssuerUrl, LanguageTag,
    Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    TokenResponse, UserInfoClaims,
    core::{
        CoreAuthenticationFlow, CoreClient, CoreClientAuthMethod, CoreGenderClaim,
        CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm, CoreProviderMetadata,
    },
};
use serde::{Deserialize, Serialize};
use std::{
    collections::BTreeMap,
    sync::Arc,
    time::{Duration, Instant},
};
use tokio::sync::Mutex;

/// How long a fetched discovery document (and key set) is used before it
/// is fetched again; providers publish a new signing key well ahead of
/// using it, and a signature that fails with the cached keys fetches them
/// anew at once.
const DISCOVERY_TTL: Duration = Duration::from_secs(600);

/// A discovery document and when it was fetched.
type Fetched = (Instant, Arc<CoreProviderMetadata>);

/// Single sign-on settings, from `[auth.oidc]` (checked at start-up).
#[derive(Clone)]
pub struct OidcSettings {
    issuer: IssuerUrl,
    client_id: ClientId,
    client_secret: ClientSecret,
    /// The claim whose value names the staff account.
    pub claim: String,
    /// When set, the claim is an e-mail address or principal name in this
    /// domain, and the part before `@` is the username.
    pub username_domain: Option<String>,
    /// Scopes asked for besides `openid`.
    pub scopes: Vec<String>,
    /// The provider's name on the login button (empty: a standard text).
    pub label: String,
    http: HttpClient,
    cache: Arc<Mutex<Option<Fetched>>>,
}

impl std::fmt::Debug for OidcSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the client secret: settings are logged.
        f.debug_struct("OidcSettings")
            .field("issuer", &self.issuer.as_str())
            .field("client_id", &self.client_id.as_str())
            .field("claim", &self.claim)
            .field("username_domain", &self.username_domain)
            .field("scopes", &self.scopes)
            .field("label", &self.label)
            .finish_non_exhaustive()
    }
}

/// Why the settings cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// The issuer is not a URL.
    #[error("not a URL: {0}")]
    Issuer(#[from] url::ParseError),
    /// The HTTP client could not be made.
    #[error("cannot make an HTTP client: {0}")]
    Http(#[from] reqwest::Error),
}

/// What `[auth.oidc]` holds, checked.
#[derive(Debug, Clone)]
pub struct OidcOptions {
    /// The issuer URL (discovery is `ISSUER/.well-known/openid-configuration`).
    pub issuer: String,
    /// This instance's client id at the provider.
    pub client_id: String,
    /// Its client secret.
    pub client_secret: String,
    /// The claim that names the staff account.
    pub claim: String,
    /// The domain of e-mail-like claim values (empty: the value as is).
    pub username_domain: String,
    /// Scopes besides `openid`.
    pub scopes: Vec<String>,
    /// The label on the login button.
    pub label: String,
}

impl OidcSettings {
    /// Settings from checked options.
    pub fn new(o: OidcOptions) -> Result<Self, SettingsError> {
        let domain = o.username_domain.trim().to_ascii_lowercase();
        Ok(Self {
            issuer: IssuerUrl::new(o.issuer.trim().to_owned())?,
            client_id: ClientId::new(o.client_id.trim().to_owned()),
            client_secret: ClientSecret::new(o.client_secret),
            claim: o.claim.trim().to_owned(),
            username_domain: (!domain.is_empty()).then_some(domain),
            scopes: o.scopes,
            label: o.label.trim().to_owned(),
            http: HttpClient::new()?,
            cache: Arc::default(),
        })
    }

    /// The issuer URL.
    pub fn issuer(&self) -> &str {
        self.issuer.as_str()
    }

    /// The provider's metadata: cached, or fetched now (`fresh` forces a
    /// fetch, after a signature that the cached keys could not check).
    async fn metadata(&self, fresh: bool) -> Result<Arc<CoreProviderMetadata>, Failure> {
        let mut cache = self.cache.lock().await;
        if !fresh
            && let Some((at, m)) = cache.as_ref()
            && at.elapsed() < DISCOVERY_TTL
        {
            return Ok(m.clone());
        }
        let m = CoreProviderMetadata::discover_async(self.issuer.clone(), &self.http)
            .await
            .map_err(|e| Failure::Unreachable(error_chain(&e)))?;
        let m = Arc::new(m);
        *cache = Some((Instant::now(), m.clone()));
        Ok(m)
    }

    fn client(
        &self,
        metadata: &CoreProviderMetadata,
        redirect: &RedirectUrl,
    ) -> CoreClient<
        openidconnect::EndpointSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointMaybeSet,
        openidconnect::EndpointMaybeSet,
    > {
        let client = CoreClient::from_provider_metadata(
            metadata.clone(),
            self.client_id.clone(),
            Some(self.client_secret.clone()),
        )
        .set_redirect_uri(redirect.clone());
        // HTTP Basic is the default; a provider that only takes the secret
        // in the body (some do) says so in its metadata.
        let methods = metadata.token_endpoint_auth_methods_supported();
        let post_only = methods.is_some_and(|m| {
            m.contains(&CoreClientAuthMethod::ClientSecretPost)
                && !m.contains(&CoreClientAuthMethod::ClientSecretBasic)
        });
        if post_only {
            client.set_auth_type(AuthType::RequestBody)
        } else {
            client
        }
    }

    /// Starts a login: the provider's authorization URL, and what must be
    /// kept until its answer.
    pub async fn begin(&self, redirect: &RedirectUrl, lang: &str) -> Result<Begun, Failure> {
        let metadata = self.metadata(false).await?;
        let client = self.client(&metadata, redirect);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scopes(self.scopes.iter().cloned().map(Scope::new))
            .set_pkce_challenge(challenge)
            .add_ui_locale(LanguageTag::new(lang.to_owned()))
            .url();
        Ok(Begun {
            url: url.to_string(),
            state: state.into_secret(),
            pkce_verifier: verifier.into_secret(),
            nonce: nonce.secret().clone(),
        })
    }

    /// Finishes a login: exchanges `code`, verifies the ID token, and
    /// reads the username the configured claim gives.
    pub async fn finish(
        &self,
        redirect: &RedirectUrl,
        code: String,
        pkce_verifier: String,
        nonce: String,
    ) -> Result<Username, Failure> {
        let metadata = self.metadata(false).await?;
        let client = self.client(&metadata, redirect);
        let token = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| Failure::Answer(error_chain(&e)))?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier))
            .request_async(&self.http)
            .await
            .map_err(|e| Failure::Answer(error_chain(&e)))?;
        let raw = token
            .id_token()
            .ok_or_else(|| Failure::Answer("the token response has no ID token".into()))?
            .to_string();
        let id_token: OidcIdToken = raw
            .parse()
            .map_err(|e| Failure::Answer(format!("the ID token does not parse: {e}")))?;
        let nonce = Nonce::new(nonce);
        let (claims, client) = match verify(&client, &id_token, &nonce, token.access_token()) {
            Err(Failure::Signature(first)) => {
                // The provider may have rotated its keys since we fetched
                // them: fetch once more and check again.
                tracing::info!(error = %first, "ID token signature did not verify with cached keys; fetching the provider's keys again");
                let metadata = self.metadata(true).await?;
                let client = self.client(&metadata, redirect);
                let claims = verify(&client, &id_token, &nonce, token.access_token())?;
                (claims, client)
            }
            other => (other?, client),
        };
        let from_token = serde_json::to_value(&claims).unwrap_or_default();
        let value = match claim_value(&from_token, &self.claim) {
            Some(v) => v,
            None => {
                // Many providers give only the identity in the ID token and
                // the rest at the userinfo endpoint (as the specification
                // has it for the code flow).
                let Ok(request) =
                    client.user_info(token.access_token().clone(), Some(claims.subject().clone()))
                else {
                    return Err(Failure::NoClaim);
                };
                let info: UserInfoClaims<OtherClaims, CoreGenderClaim> = request
                    .request_async(&self.http)
                    .await
                    .map_err(|e| Failure::Answer(error_chain(&e)))?;
                let info = serde_json::to_value(&info).unwrap_or_default();
                claim_value(&info, &self.claim).ok_or(Failure::NoClaim)?
            }
        };
        self.username(&value)
    }

    /// The username `value` (the claim's) names, under `username_domain`.
    pub fn username(&self, value: &str) -> Result<Username, Failure> {
        let value = value.trim();
        let name = match &self.username_domain {
            None => value.to_owned(),
            Some(domain) => match value.rsplit_once('@') {
                Some((local, d)) if d.eq_ignore_ascii_case(domain) => local.to_owned(),
                _ => return Err(Failure::Unknown(value.to_owned())),
            },
        };
        // Usernames are lower-case; providers' names usually compare
        // without case (Entra ID's principal names, e-mail addresses).
        Username::parse(&name.to_ascii_lowercase()).map_err(|_| Failure::Unknown(value.to_owned()))
    }
}

/// Whatever claims the provider adds to the standard ones, so that any
/// claim can name the account.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct OtherClaims {
    #[serde(flatten)]
    rest: BTreeMap<String, serde_json::Value>,
}

impl AdditionalClaims for OtherClaims {}

type OidcIdToken = IdToken<
    OtherClaims,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type OidcIdTokenClaims = openidconnect::IdTokenClaims<OtherClaims, CoreGenderClaim>;

/// Checks the ID token (signature, issuer, audience, expiry, nonce) and,
/// when it binds the access token (`at_hash`), that binding too.
fn verify<HasUserInfo: openidconnect::EndpointState>(
    client: &CoreClient<
        openidconnect::EndpointSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointMaybeSet,
        HasUserInfo,
    >,
    id_token: &OidcIdToken,
    nonce: &Nonce,
    access_token: &AccessToken,
) -> Result<OidcIdTokenClaims, Failure> {
    let verifier = client.id_token_verifier();
    let claims = id_token.claims(&verifier, nonce).map_err(|e| match e {
        ClaimsVerificationError::SignatureVerification(_) => Failure::Signature(error_chain(&e)),
        e => Failure::Answer(format!("the ID token was refused: {}", error_chain(&e))),
    })?;
    if let Some(expected) = claims.access_token_hash() {
        let alg = id_token
            .signing_alg()
            .map_err(|e| Failure::Answer(error_chain(&e)))?;
        let key = id_token
            .signing_key(&verifier)
            .map_err(|e| Failure::Answer(error_chain(&e)))?;
        let actual = AccessTokenHash::from_token(access_token, alg, key)
            .map_err(|e| Failure::Answer(error_chain(&e)))?;
        if actual != *expected {
            return Err(Failure::Answer(
                "the ID token's at_hash does not match the access token".into(),
            ));
        }
    }
    Ok(claims.clone())
}

/// A claim's value as text: a string, or a number (some providers give
/// employee numbers as numbers). An `email` names someone only when the
/// same claims say `email_verified: true`: a provider that lets its users
/// set their address (or never says it checked it, as Entra ID does not)
/// would otherwise let one of them log in as whoever has that address
/// for a username here.
pub fn claim_value(claims: &serde_json::Value, name: &str) -> Option<String> {
    if name == "email" && claims.get("email_verified") != Some(&serde_json::Value::Bool(true)) {
        return None;
    }
    match claims.get(name)? {
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// An error and its causes, on one line (for the log).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut line = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        line.push_str(": ");
        line.push_str(&s.to_string());
        source = s.source();
    }
    line
}

/// A login sent to the provider.
#[derive(Debug, Clone)]
pub struct Begun {
    /// Where to send the visitor.
    pub url: String,
    /// The `state` value (kept hashed in the database and whole in the
    /// visitor's cookie).
    pub state: String,
    /// The PKCE verifier.
    pub pkce_verifier: String,
    /// The nonce.
    pub nonce: String,
}

/// Why a single sign-on login did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The provider's discovery document or keys could not be fetched.
    Unreachable(String),
    /// The provider's answer (token response, ID token, userinfo) was
    /// refused.
    Answer(String),
    /// The ID token's signature did not verify with the keys at hand.
    Signature(String),
    /// Neither the ID token nor the userinfo endpoint gave the claim.
    NoClaim,
    /// The claim's value names no staff account (shown to the visitor).
    Unknown(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unreachable(e) => write!(f, "the provider could not be reached: {e}"),
            Self::Answer(e) | Self::Signature(e) => {
                write!(f, "the provider's answer was refused: {e}")
            }
            Self::NoClaim => f.write_str("the provider did not give the configured claim"),
            Self::Unknown(v) => write!(f, "{v:?} names no staff account"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(domain: &str) -> OidcSettings {
        OidcSettings::new(OidcOptions {
            issuer: "https://login.example.no/tenant".into(),
            client_id: "deling".into(),
            client_secret: "secret".into(),
            claim: "preferred_username".into(),
            username_domain: domain.into(),
            scopes: vec!["profile".into()],
            label: "ID-porten".into(),
        })
        .unwrap()
    }

    #[test]
    fn claim_values_become_usernames() {
        let plain = settings("");
        assert_eq!(
            plain.username("Kari.Nordmann").unwrap().as_str(),
            "kari.nordmann"
        );
        assert!(matches!(
            plain.username("kari@kommune.no"),
            Err(Failure::Unknown(_))
        ));
        let domain = settings("Kommune.no");
        assert_eq!(domain.username("Kari@KOMMUNE.no").unwrap().as_str(), "kari");
        for other in ["kari@evil.example", "kari", "kari@kommune.no.evil.example"] {
            assert!(
                matches!(domain.username(other), Err(Failure::Unknown(_))),
                "{other}"
            );
        }
    }

    #[test]
    fn claims_are_read_as_text() {
        let v = serde_json::json!({
            "sub": "abc", "employee": 42, "email": "kari@kommune.no",
            "email_verified": false, "empty": " "
        });
        assert_eq!(claim_value(&v, "sub").as_deref(), Some("abc"));
        assert_eq!(claim_value(&v, "employee").as_deref(), Some("42"));
        assert_eq!(claim_value(&v, "email"), None);
        assert_eq!(claim_value(&v, "empty"), None);
        // Unverified unless the claims say it is.
        let unsaid = serde_json::json!({"email": "kari@kommune.no"});
        assert_eq!(claim_value(&unsaid, "email"), None);
        let said = serde_json::json!({"email": "kari@kommune.no", "email_verified": true});
        assert_eq!(
            claim_value(&said, "email").as_deref(),
            Some("kari@kommune.no")
        );
        assert_eq!(claim_value(&v, "missing"), None);
    }

    #[test]
    fn the_secret_is_not_in_debug_output() {
        let s = format!("{:?}", settings(""));
        assert!(!s.contains("secret"), "{s}");
    }
}
