//! What a [`FakePeer`] received, and the views tests take of it.

use super::FakePeer;
use actix_web::HttpRequest;
use serde_json::Value;
use std::{collections::BTreeMap, collections::HashMap, time::Instant};

/// A request the fake server received.
#[derive(Debug, Clone)]
pub struct Received {
    /// Path and query.
    pub path: String,
    /// Headers, names in lower case.
    pub headers: HashMap<String, String>,
    /// Body.
    pub body: Vec<u8>,
    /// When it arrived.
    pub at: Instant,
    /// The status it was (or was going to be) answered with.
    pub status: u16,
}

/// The two ways of signing an HTTP request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureStyle {
    /// draft-cavage: a `Signature` header alone.
    Cavage,
    /// RFC 9421: `Signature-Input` and `Signature`.
    Rfc9421,
}

impl Received {
    /// `req` as received (headers lower-cased), to be answered `status`.
    pub(super) fn record(req: &HttpRequest, body: &[u8], status: u16) -> Self {
        Self {
            path: req
                .uri()
                .path_and_query()
                .map_or_else(|| req.path().to_owned(), |p| p.as_str().to_owned()),
            headers: req
                .headers()
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str().to_lowercase(),
                        v.to_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect(),
            body: body.to_vec(),
            at: Instant::now(),
            status,
        }
    }

    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// The style the request was signed in, told apart by
    /// `Signature-Input` as Mastodon and Fedify do.
    pub fn signature_style(&self) -> SignatureStyle {
        if self.headers.contains_key("signature-input") {
            SignatureStyle::Rfc9421
        } else {
            SignatureStyle::Cavage
        }
    }
}

/// A POST as a delivery test looks at it.
#[derive(Debug, Clone)]
pub struct Post {
    /// Path, without the query.
    pub path: String,
    /// Body as JSON (`null` if it was not JSON).
    pub body: Value,
    /// When it arrived.
    pub at: Instant,
    /// The status it was (or was going to be) answered with.
    pub status: u16,
}

impl Post {
    /// The activity's `id`.
    pub fn activity_id(&self) -> &str {
        self.body["id"].as_str().unwrap_or_default()
    }

    /// Answered with 2xx: the peer took it.
    pub fn accepted(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

impl From<&Received> for Post {
    fn from(r: &Received) -> Self {
        Self {
            path: r.path.split('?').next().unwrap_or_default().to_owned(),
            body: r.json(),
            at: r.at,
            status: r.status,
        }
    }
}

impl FakePeer {
    /// Everything posted so far, in arrival order.
    pub fn received(&self) -> Vec<Received> {
        self.state.received.lock().expect("lock").clone()
    }

    /// Posted activities of `kind`.
    pub fn received_of(&self, kind: &str) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|r| r.json()["type"] == kind)
            .collect()
    }

    /// Every GET received so far.
    pub fn fetched(&self) -> Vec<Received> {
        self.state.fetched.lock().expect("lock").clone()
    }

    /// Every POST so far, in arrival order.
    pub fn posts(&self) -> Vec<Post> {
        self.state
            .received
            .lock()
            .expect("lock")
            .iter()
            .map(Post::from)
            .collect()
    }

    /// POSTs of activity `id`.
    pub fn posts_of(&self, id: &str) -> Vec<Post> {
        self.posts()
            .into_iter()
            .filter(|p| p.activity_id() == id)
            .collect()
    }

    /// How often each activity was taken (answered 2xx), by activity id.
    pub fn accepted_counts(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for p in self.posts().iter().filter(|p| p.accepted()) {
            *counts.entry(p.activity_id().to_owned()).or_default() += 1;
        }
        counts
    }

    /// How often activity `id` was taken, by inbox path.
    pub fn accepted_by_inbox(&self, id: &str) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for p in self.posts_of(id).iter().filter(|p| p.accepted()) {
            *counts.entry(p.path.clone()).or_default() += 1;
        }
        counts
    }
}
