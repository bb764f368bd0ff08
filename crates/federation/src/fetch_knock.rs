//! The double knock for signed fetches: activitypub_federation signs every
//! GET draft-cavage with the instance actor's key; this client middleware
//! signs it the RFC 9421 way instead (`@method`, `@target-uri`,
//! `@authority`, as Fedify signs fetches), and sends the library's
//! draft-cavage request when the peer answers 400 or 401. The style that
//! worked is kept per host with the deliveries' (see
//! [`crate::delivery::send`]), so later fetches knock once.
//!
//! Being the one place every request of the library passes, it also
//! enforces a [`FetchBudget`]: the library's own fetch limit is fixed for
//! the whole configuration and shared by everything one request does.

use crate::{
    delivery::send::{SignatureStyle, choose_style},
    rfc9421,
    urls::authority,
};
use deling_store::Store;
use reqwest::{Method, Request, Response};
use reqwest_middleware::{Middleware, Next};
use std::{
    collections::BTreeMap,
    sync::{
        Arc,
        atomic::{AtomicU32, Ordering},
    },
};

/// The middleware; one per federation configuration.
pub struct FetchKnock {
    /// Where each host's signature style is kept.
    pub store: Store,
    /// The instance actor's `keyId`, as the library signs with it.
    pub key_id: String,
    /// The instance actor's key, parsed once (see [`crate::crypto`]).
    pub key: Arc<crate::crypto::SigningKey>,
}

/// A number of requests that the work run under [`FetchBudget::spend_on`]
/// may send through activitypub_federation's client, in all: less than
/// the library's fetch limit (the same for every fetch of a process), for
/// work a peer's request waits on, which a hostile peer must not be able
/// to stretch with chains of redirects and ids. Clones share the count.
#[derive(Debug, Clone)]
pub struct FetchBudget(Arc<AtomicU32>);

tokio::task_local! {
    // The budget of the work being polled, if it has one: the library
    // gives the middleware nothing of the request data it fetches for.
    static BUDGET: FetchBudget;
}

/// Why a request was not sent.
#[derive(Debug, thiserror::Error)]
#[error("the fetch budget of this work is spent")]
pub struct OverBudget;

impl FetchBudget {
    /// A budget of `requests`.
    pub fn new(requests: u32) -> Self {
        Self(Arc::new(AtomicU32::new(requests)))
    }

    /// Runs `work`, its requests counted against this budget; once spent,
    /// a request fails with [`OverBudget`] without being sent.
    pub async fn spend_on<F: Future>(&self, work: F) -> F::Output {
        BUDGET.scope(self.clone(), work).await
    }

    /// Requests left.
    pub fn left(&self) -> u32 {
        self.0.load(Ordering::Relaxed)
    }

    /// Takes one request from the budget of the work being polled; work
    /// without a budget is not held back here.
    fn take_one() -> Result<(), OverBudget> {
        BUDGET
            .try_with(|budget| {
                budget
                    .0
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                    .map(drop)
                    .map_err(|_| OverBudget)
            })
            .unwrap_or(Ok(()))
    }
}

/// What an RFC 9421 GET covers: what Fedify covers on its fetches.
const COVERED: [&str; 3] = ["@method", "@target-uri", "@authority"];

impl FetchKnock {
    /// `cavage` signed the RFC 9421 way: the draft-cavage `Signature`
    /// replaced by `Signature-Input` and `Signature`; `None` if it cannot
    /// be (the request is then sent as the library signed it).
    fn rfc9421(&self, cavage: &Request) -> Option<Request> {
        let mut req = cavage.try_clone()?;
        let headers = BTreeMap::new();
        let msg = rfc9421::Message {
            method: req.method().as_str(),
            target: req.url(),
            headers: &headers,
        };
        let signed = rfc9421::sign(
            &msg,
            &COVERED,
            &self.key_id,
            chrono::Utc::now().timestamp(),
            &self.key,
        )
        .ok()?;
        let h = req.headers_mut();
        h.remove("signature");
        h.insert("signature-input", signed.signature_input.parse().ok()?);
        h.insert("signature", signed.signature.parse().ok()?);
        Some(req)
    }
}

#[async_trait::async_trait]
impl Middleware for FetchKnock {
    async fn handle(
        &self,
        req: Request,
        extensions: &mut http::Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<Response> {
        // Counted once, however many times it knocks: the budget is of
        // the library's fetches.
        FetchBudget::take_one().map_err(reqwest_middleware::Error::middleware)?;
        // Only the library's signed GETs (deliveries do not come this way).
        if req.method() != Method::GET || !req.headers().contains_key("signature") {
            return next.run(req, extensions).await;
        }
        let host = authority(req.url());
        let stored = self
            .store
            .get_host_signature_style(&host)
            .await
            .unwrap_or_else(|e| {
                tracing::warn!(host, error = %e, "cannot read the host's signature style");
                None
            });
        let (first, known) = choose_style(stored, chrono::Utc::now());
        let remember = |style: SignatureStyle| async move {
            if let Err(e) = self
                .store
                .put_host_signature_style(&host, style.stored())
                .await
            {
                tracing::warn!(host, error = %e, "cannot record the host's signature style");
            }
        };
        let knock = match first {
            SignatureStyle::Rfc9421 => self.rfc9421(&req),
            SignatureStyle::Cavage => None,
        };
        let Some(knock) = knock else {
            return next.run(req, extensions).await;
        };
        let response = next.clone().run(knock, extensions).await?;
        if matches!(response.status().as_u16(), 400 | 401) {
            tracing::info!(url = %req.url(), status = %response.status(), "RFC 9421 fetch refused: knocking again with draft-cavage");
            let response = next.run(req, extensions).await?;
            if response.status().is_success() {
                remember(SignatureStyle::Cavage).await;
            }
            return Ok(response);
        }
        if response.status().is_success() && !known {
            remember(SignatureStyle::Rfc9421).await;
        }
        Ok(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_budget_binds_only_the_work_run_under_it() {
        assert!(FetchBudget::take_one().is_ok(), "no budget, no bound");
        let budget = FetchBudget::new(2);
        let taken = budget
            .spend_on(async { [(); 3].map(|()| FetchBudget::take_one().is_ok()) })
            .await;
        assert_eq!(taken, [true, true, false]);
        assert_eq!(budget.left(), 0);
        // Its clones share the count; other work is not held back.
        assert!(
            budget
                .clone()
                .spend_on(async { FetchBudget::take_one() })
                .await
                .is_err()
        );
        assert!(FetchBudget::take_one().is_ok());
        let other = FetchBudget::new(1);
        assert!(
            other
                .spend_on(async { FetchBudget::take_one() })
                .await
                .is_ok()
        );
    }
}
