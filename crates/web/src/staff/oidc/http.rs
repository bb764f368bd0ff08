//! The HTTP client the OpenID Connect exchanges use: the workspace's
//! reqwest behind openidconnect's asynchronous client hook. It follows no
//! redirect (a redirected token or key request could be steered to
//! another host) and gives up after a short while, so a provider that
//! hangs cannot hold a visitor's login for long.

use openidconnect::{AsyncHttpClient, HttpRequest, HttpResponse};
use std::{future::Future, pin::Pin, time::Duration};

/// How long one request to the provider may take, all of it.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// How long connecting to the provider may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The largest answer read from the provider (discovery documents and key
/// sets are a few kilobytes).
const MAX_BODY: usize = 1024 * 1024;

/// Why a request to the provider failed.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// The request could not be made, or no answer came in time.
    #[error("request to the provider failed: {0}")]
    Request(#[from] reqwest::Error),
    /// The request or answer could not be carried over.
    #[error("bad HTTP message: {0}")]
    Message(#[from] openidconnect::http::Error),
    /// The answer was larger than [`MAX_BODY`].
    #[error("the provider's answer is larger than {MAX_BODY} bytes")]
    TooLarge,
}

/// A reqwest client for the provider.
#[derive(Debug, Clone)]
pub struct HttpClient(reqwest::Client);

impl HttpClient {
    /// A client that follows no redirects.
    pub fn new() -> Result<Self, reqwest::Error> {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .user_agent(concat!(
                "Deling/",
                env!("CARGO_PKG_VERSION"),
                " (OpenID Connect)"
            ))
            .build()
            .map(Self)
    }

    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let (parts, body) = request.into_parts();
        let mut req = self.0.request(parts.method, parts.uri.to_string());
        for (name, value) in &parts.headers {
            req = req.header(name, value);
        }
        let mut resp = req.body(body).send().await?;
        let mut builder = openidconnect::http::Response::builder().status(resp.status());
        for (name, value) in resp.headers() {
            builder = builder.header(name, value);
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await? {
            if body.len() + chunk.len() > MAX_BODY {
                return Err(HttpError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        Ok(builder.body(body)?)
    }
}

impl<'c> AsyncHttpClient<'c> for HttpClient {
    type Error = HttpError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, HttpError>> + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(self.send(request))
    }
}
