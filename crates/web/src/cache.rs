//! Rendered public answers kept in memory: an agency's actor JSON and
//! page, an item's JSON and HTML page, outbox pages, the item list,
//! WebFinger and searches of this instance.
//! Peers and crawlers fetch the same few documents over and over, and
//! each costs several database reads and a rendering; served from here it
//! costs a lookup.
//!
//! An answer is kept only while it is certainly current, by two bounds:
//!
//! - **This process's writes.** Each entry carries the store's write mark
//!   ([`deling_store::Store::write_mark`]) taken before its reads, and is
//!   served only while the mark is unchanged: any write through this
//!   process's store (an edit, a withdrawal, an incoming comment or like,
//!   a renamed agency) makes every entry stale at once, before the write
//!   can commit. Nothing is kept while a write is under way. Coarse (one
//!   mark for all tables) but it cannot miss a table a page shows.
//! - **Other processes' writes** (the `deling` CLI on the same database)
//!   are not seen by the mark: entries expire after [`TTL`], so such a
//!   change shows within a second, as it would behind any short-lived
//!   proxy cache. Only public documents are kept (the handlers choose
//!   which), never one that sets a cookie or says `no-store`, and never an
//!   error or a `410`: a withdrawn item is looked up afresh.
//!
//! An answer made for a request that carries credentials is neither taken
//! from nor kept here, whatever its handler chose: [`private`] runs such a
//! request's handler (the API's middleware wraps every request with an
//! `Authorization` header in it), and [`serve`] then answers from the
//! database alone. A handler that one day tailors a public document to its
//! caller cannot leak it to the next anonymous reader through here.
//!
//! The cache is bounded ([`MAX_BYTES`], [`MAX_ENTRIES`]): when full, stale
//! entries go first, then everything.
//!
//! A miss is filled once: while one request reads and renders an answer,
//! the others asking for the same key under the same mark wait for it
//! instead of all reading the database at once (after each write, or each
//! [`TTL`], 64 connections asking for the same actor would otherwise make
//! 64 identical reads, and the last of them waits for all the others).
//! A waiter whose filler gave up (its client went away) or made an answer
//! that may not be kept (a `404`) makes its own.

use crate::{error::ApiError, state::AppState};
use actix_web::{
    HttpResponse,
    body::MessageBody,
    http::{
        StatusCode,
        header::{self, HeaderName, HeaderValue},
    },
    web::Bytes,
};
use std::{
    collections::HashMap,
    future::Future,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};
use tokio::sync::{OwnedRwLockWriteGuard, RwLock};

/// How long an entry may be served at most, whatever the write mark says:
/// the bound on staleness for writes made by another process.
pub const TTL: Duration = Duration::from_secs(1);

/// Bodies kept at most, in bytes (the process's memory target is small).
pub const MAX_BYTES: usize = 8 << 20;

/// Entries kept at most.
pub const MAX_ENTRIES: usize = 4096;

/// Searches kept at most (see [`Key::Search`]).
pub const MAX_SEARCHES: usize = 256;

/// A body larger than this is not kept: it would crowd out the rest.
const MAX_BODY: usize = MAX_BYTES / 16;

/// A key longer than this (in bytes of its text) is not kept: keys come
/// from the request (a query string, a path, a WebFinger resource), and
/// thousands of long ones would hold far more than the bodies.
pub const MAX_KEY_BYTES: usize = 512;

/// What an entry answers. Each variant holds everything of the request
/// that its answer depends on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Key {
    /// `GET /agencies/{slug}` as ActivityPub JSON, by the slug asked for.
    AgencyJson(String),
    /// `GET /items/{id}` as ActivityPub JSON.
    ItemJson(i64),
    /// An item's or an agency's HTML page (`GET /items/{id}`,
    /// `GET /agencies/{slug}`) without a query string: the path as asked
    /// (the language links repeat it) and the page's language. So only
    /// the first page of an item's comments, and of an agency's items, is
    /// kept: a later one is asked for with a query string and always made
    /// afresh.
    Page {
        /// The request path.
        path: String,
        /// The negotiated language's code.
        lang: &'static str,
    },
    /// `GET /agencies/{slug}/outbox?page=N`.
    OutboxPage {
        /// The slug asked for.
        slug: String,
        /// The page number, at least 1.
        page: u64,
    },
    /// `GET /api/v1/items` with this query string, under this public base
    /// (the `next` link is absolute).
    ItemList {
        /// The raw query string.
        query: String,
        /// The scheme and host links start with.
        base: String,
    },
    /// `GET /.well-known/webfinger` for this resource.
    Webfinger(String),
    /// `GET /api/v1/search` of this instance alone, with this query
    /// string. At most [`MAX_SEARCHES`] are kept: a crawler trying words
    /// must not push the documents peers fetch out of the cache.
    Search(String),
}

impl Key {
    fn is_search(&self) -> bool {
        matches!(self, Self::Search(_))
    }

    /// The bytes of text it holds, counted with its entry's body.
    fn weight(&self) -> usize {
        match self {
            Self::AgencyJson(s) | Self::Webfinger(s) | Self::Search(s) => s.len(),
            Self::ItemJson(_) => 0,
            Self::Page { path, .. } => path.len(),
            Self::OutboxPage { slug, .. } => slug.len(),
            Self::ItemList { query, base } => query.len() + base.len(),
        }
    }
}

/// One kept answer.
struct Entry {
    mark: u64,
    born: Instant,
    status: StatusCode,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Bytes,
}

impl Entry {
    fn fresh(&self, mark: u64) -> bool {
        self.mark == mark && self.born.elapsed() < TTL
    }

    fn response(&self) -> HttpResponse {
        let mut res = HttpResponse::with_body(self.status, self.body.clone());
        let headers = res.headers_mut();
        for (name, value) in &self.headers {
            headers.append(name.clone(), value.clone());
        }
        res.map_into_boxed_body()
    }
}

#[derive(Default)]
struct Entries {
    map: HashMap<Key, Entry>,
    bytes: usize,
    /// Of which searches.
    searches: usize,
}

impl Entries {
    fn insert(&mut self, key: Key, entry: Entry) {
        let size = entry.body.len() + key.weight();
        if key.is_search() && !self.map.contains_key(&key) && self.searches >= MAX_SEARCHES {
            let mark = entry.mark;
            self.map.retain(|k, e| !k.is_search() || e.fresh(mark));
            self.recount();
            if self.searches >= MAX_SEARCHES {
                return;
            }
        }
        if self.map.len() >= MAX_ENTRIES || self.bytes + size > MAX_BYTES {
            let mark = entry.mark;
            self.map.retain(|_, e| e.fresh(mark));
            self.recount();
            if self.map.len() >= MAX_ENTRIES || self.bytes + size > MAX_BYTES {
                self.map.clear();
                self.recount();
            }
        }
        let search = key.is_search();
        let weight = key.weight();
        match self.map.insert(key, entry) {
            Some(old) => self.bytes -= old.body.len() + weight,
            None if search => self.searches += 1,
            None => {}
        }
        self.bytes += size;
    }

    fn recount(&mut self) {
        self.bytes = self
            .map
            .iter()
            .map(|(k, e)| e.body.len() + k.weight())
            .sum();
        self.searches = self.map.keys().filter(|k| k.is_search()).count();
    }
}

/// A fill under way: the mark its reads began under, and a lock its
/// filler holds until it is done (or gone), which waiters queue on.
struct Filling {
    mark: u64,
    lock: Arc<RwLock<()>>,
}

/// The filler's hold on its [`Filling`]: dropped when the answer is kept,
/// or when the request is abandoned half-way, either way letting the
/// waiters go on.
struct FillGuard<'a> {
    filling: &'a Mutex<HashMap<Key, Filling>>,
    key: Key,
    lock: Arc<RwLock<()>>,
    _held: OwnedRwLockWriteGuard<()>,
}

impl Drop for FillGuard<'_> {
    fn drop(&mut self) {
        // The entry goes before the lock is released (the guard field is
        // dropped after this body), and only if a newer fill has not
        // taken the key over meanwhile.
        if let Ok(mut filling) = self.filling.lock()
            && filling
                .get(&self.key)
                .is_some_and(|f| Arc::ptr_eq(&f.lock, &self.lock))
        {
            filling.remove(&self.key);
        }
    }
}

/// What a request that missed does: fill the entry itself, or wait for
/// the request already filling it.
enum Miss<'a> {
    Fill(FillGuard<'a>),
    Wait(Arc<RwLock<()>>),
}

/// The cache, shared by the server's workers.
#[derive(Default)]
pub struct ResponseCache {
    entries: Mutex<Entries>,
    /// The fills under way, by key.
    filling: Mutex<HashMap<Key, Filling>>,
    /// Off (`http.page_cache = false`): nothing is kept.
    off: bool,
}

impl std::fmt::Debug for ResponseCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseCache").finish_non_exhaustive()
    }
}

impl ResponseCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// A cache that keeps nothing: every request reads the database.
    pub fn off() -> Self {
        Self {
            off: true,
            ..Self::default()
        }
    }

    /// The kept answer for `key` if it was read under `mark` and has not
    /// expired.
    fn get(&self, key: &Key, mark: u64) -> Option<HttpResponse> {
        // A poisoned lock only means a panic mid-insert elsewhere: answer
        // from the database instead.
        let entries = self.entries.lock().ok()?;
        entries
            .map
            .get(key)
            .filter(|e| e.fresh(mark))
            .map(Entry::response)
    }

    /// Keeps `res` under `key` if it may be kept, and gives it back.
    fn put(&self, key: Key, mark: u64, born: Instant, res: HttpResponse) -> HttpResponse {
        if self.off || !keepable(&res) {
            return res;
        }
        let (head, body) = res.into_parts();
        let body = match body.try_into_bytes() {
            Ok(bytes) => bytes,
            // A streamed body: not kept.
            Err(body) => return head.set_body(body),
        };
        if body.len() <= MAX_BODY {
            let entry = Entry {
                mark,
                born,
                status: head.status(),
                headers: head
                    .headers()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
                body: body.clone(),
            };
            if let Ok(mut entries) = self.entries.lock() {
                entries.insert(key, entry);
            }
        }
        head.set_body(body).map_into_boxed_body()
    }

    /// Answers `key` as read under `mark` (taken at `born`, before any
    /// read): from the cache, by waiting for a fill of the same key under
    /// the same mark, or by running `make` and keeping its answer.
    pub async fn fill(
        &self,
        key: Key,
        mark: u64,
        born: Instant,
        make: impl Future<Output = Result<HttpResponse, ApiError>>,
    ) -> Result<HttpResponse, ApiError> {
        if self.off {
            return make.await;
        }
        if let Some(hit) = self.get(&key, mark) {
            return Ok(hit);
        }
        match self.miss(&key, mark) {
            Some(Miss::Fill(guard)) => {
                let res = make.await?;
                let res = self.put(key, mark, born, res);
                drop(guard);
                Ok(res)
            }
            Some(Miss::Wait(lock)) => {
                drop(lock.read().await);
                match self.get(&key, mark) {
                    Some(hit) => Ok(hit),
                    None => Ok(self.put(key, mark, born, make.await?)),
                }
            }
            // A poisoned lock: answer without the single fill.
            None => Ok(self.put(key, mark, born, make.await?)),
        }
    }

    /// Registers this request as the filler of `key` under `mark`, unless
    /// another already fills it under that mark.
    fn miss(&self, key: &Key, mark: u64) -> Option<Miss<'_>> {
        let mut filling = self.filling.lock().ok()?;
        if let Some(f) = filling.get(key)
            && f.mark == mark
        {
            return Some(Miss::Wait(Arc::clone(&f.lock)));
        }
        let lock = Arc::new(RwLock::new(()));
        // A lock nobody else has seen yet: taking it cannot fail.
        let held = Arc::clone(&lock).try_write_owned().ok()?;
        filling.insert(
            key.clone(),
            Filling {
                mark,
                lock: Arc::clone(&lock),
            },
        );
        Some(Miss::Fill(FillGuard {
            filling: &self.filling,
            key: key.clone(),
            lock,
            _held: held,
        }))
    }

    /// How many answers are kept (for tests).
    pub fn len(&self) -> usize {
        self.entries.lock().map_or(0, |e| e.map.len())
    }

    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets everything.
    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.map.clear();
            entries.recount();
        }
    }
}

/// Only a plain `200` that sets no cookie and does not forbid storing.
fn keepable(res: &HttpResponse) -> bool {
    let no_store = res
        .headers()
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("no-store") || v.contains("private"));
    res.status() == StatusCode::OK && !no_store && !res.headers().contains_key(header::SET_COOKIE)
}

tokio::task_local! {
    /// Set while a request with credentials is handled (see [`private`]).
    static PRIVATE: ();
}

/// Runs `handling` (a request's handler, and whatever it calls) so that
/// [`serve`] neither answers it from the cache nor keeps its answer: for
/// a request that carries credentials. The handlers take no request to
/// [`serve`], so the mark travels with the task instead.
pub async fn private<F: Future>(handling: F) -> F::Output {
    PRIVATE.scope((), handling).await
}

/// Whether the request being handled is one [`private`] runs.
pub(crate) fn is_private() -> bool {
    PRIVATE.try_with(|()| ()).is_ok()
}

/// Answers `key` from the cache, or by running `make` (which must read
/// the database only once it runs, so after the mark is taken) and keeping
/// its answer when that may be kept. Inside [`private`], always by running
/// `make`, and nothing is kept.
pub async fn serve(
    state: &AppState,
    key: Key,
    make: impl Future<Output = Result<HttpResponse, ApiError>>,
) -> Result<HttpResponse, ApiError> {
    if state.cache.off || is_private() || key.weight() > MAX_KEY_BYTES {
        return make.await;
    }
    let born = Instant::now();
    let Some(mark) = state.store.write_mark() else {
        return make.await;
    };
    state.cache.fill(key, mark, born, make).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::{cell::Cell, rc::Rc};

    fn ok(body: &'static str) -> HttpResponse {
        HttpResponse::Ok()
            .content_type("application/activity+json")
            .insert_header((header::VARY, "Accept"))
            .body(body)
    }

    async fn body(res: HttpResponse) -> Bytes {
        actix_web::body::to_bytes(res.into_body()).await.unwrap()
    }

    #[actix_web::test]
    async fn requests_with_credentials_are_marked_for_their_whole_handling() {
        assert!(!is_private());
        let inside = private(async {
            tokio::task::yield_now().await;
            is_private()
        })
        .await;
        assert!(inside);
        assert!(!is_private(), "the mark ends with the request");
    }

    #[actix_web::test]
    async fn a_cache_that_is_off_keeps_nothing() {
        let cache = ResponseCache::off();
        let res = cache.put(Key::ItemJson(1), 7, Instant::now(), ok("one"));
        assert_eq!(body(res).await, "one");
        assert!(cache.get(&Key::ItemJson(1), 7).is_none());
        assert!(cache.is_empty());
    }

    #[actix_web::test]
    async fn kept_answers_are_served_under_the_same_mark_only() {
        let cache = ResponseCache::new();
        let key = Key::ItemJson(1);
        let res = cache.put(key.clone(), 7, Instant::now(), ok("one"));
        assert_eq!(body(res).await, "one");
        let hit = cache.get(&key, 7).expect("kept");
        assert_eq!(hit.status(), StatusCode::OK);
        assert_eq!(
            hit.headers().get(header::CONTENT_TYPE).unwrap(),
            "application/activity+json"
        );
        assert_eq!(hit.headers().get(header::VARY).unwrap(), "Accept");
        assert_eq!(body(hit).await, "one");
        assert!(cache.get(&key, 8).is_none(), "a write happened since");
        assert!(cache.get(&Key::ItemJson(2), 7).is_none());
    }

    #[test]
    fn keys_count_with_their_bodies() {
        let mut entries = Entries::default();
        let entry = || Entry {
            mark: 1,
            born: Instant::now(),
            status: StatusCode::OK,
            headers: vec![],
            body: Bytes::from_static(b"12345"),
        };
        entries.insert(Key::Search("q".repeat(100)), entry());
        entries.insert(Key::ItemJson(1), entry());
        assert_eq!(entries.bytes, 5 + 100 + 5);
        // Replaced, counted once.
        entries.insert(Key::Search("q".repeat(100)), entry());
        assert_eq!(entries.bytes, 5 + 100 + 5);
        entries.recount();
        assert_eq!(entries.bytes, 5 + 100 + 5);
    }

    #[actix_web::test]
    async fn entries_expire() {
        let cache = ResponseCache::new();
        let key = Key::Webfinger("acct:a@b".into());
        let old = Instant::now()
            .checked_sub(TTL + Duration::from_millis(1))
            .unwrap();
        let _ = cache.put(key.clone(), 1, old, ok("x"));
        assert!(cache.get(&key, 1).is_none());
    }

    #[actix_web::test]
    async fn only_plain_public_answers_are_kept() {
        let cache = ResponseCache::new();
        let gone = HttpResponse::Gone().body("tombstone");
        let _ = cache.put(Key::ItemJson(1), 1, Instant::now(), gone);
        let cookie = HttpResponse::Ok()
            .cookie(actix_web::cookie::Cookie::new("lang", "en"))
            .body("x");
        let _ = cache.put(Key::ItemJson(2), 1, Instant::now(), cookie);
        let private = HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body("x");
        let _ = cache.put(Key::ItemJson(3), 1, Instant::now(), private);
        assert!(cache.is_empty());
    }

    /// Runs `n` requests for one key at once, request `i` under mark
    /// `marks(i)`; the first one's `make` is `first`, the others' answer
    /// "other". `release` is sent once all have started (and registered
    /// or queued). Returns their bodies and how many ran their `make`.
    async fn at_once(
        cache: &Rc<ResponseCache>,
        n: usize,
        marks: impl Fn(usize) -> u64,
        first: impl Future<Output = Result<HttpResponse, ApiError>> + 'static,
        release: tokio::sync::oneshot::Sender<()>,
    ) -> (Vec<Bytes>, usize) {
        let made = Rc::new(Cell::new(0));
        let mut first = Some(Box::pin(first));
        let mut tasks = vec![];
        for i in 0..n {
            let (cache, made, mark) = (Rc::clone(cache), Rc::clone(&made), marks(i));
            let own = first.take();
            tasks.push(tokio::task::spawn_local(async move {
                let make = async move {
                    made.set(made.get() + 1);
                    match own {
                        Some(f) => f.await,
                        None => Ok(ok("other")),
                    }
                };
                let res = cache
                    .fill(Key::ItemJson(1), mark, Instant::now(), make)
                    .await;
                body(res.unwrap()).await
            }));
            tokio::task::yield_now().await;
        }
        release.send(()).unwrap();
        let mut bodies = vec![];
        for t in tasks {
            bodies.push(t.await.unwrap());
        }
        (bodies, made.get())
    }

    /// A `make` that answers `res` once released.
    fn held(
        res: HttpResponse,
    ) -> (
        impl Future<Output = Result<HttpResponse, ApiError>>,
        tokio::sync::oneshot::Sender<()>,
    ) {
        let (release, released) = tokio::sync::oneshot::channel::<()>();
        let make = async move {
            released.await.ok();
            Ok(res)
        };
        (make, release)
    }

    #[actix_web::test]
    async fn a_miss_is_filled_once_for_all_who_ask_at_once() {
        let cache = Rc::new(ResponseCache::new());
        let (first, release) = held(ok("first"));
        let (bodies, made) = at_once(&cache, 16, |_| 7, first, release).await;
        assert_eq!(made, 1, "one read for sixteen requests");
        assert!(bodies.iter().all(|b| b == "first"));
        assert!(cache.filling.lock().unwrap().is_empty());
    }

    #[actix_web::test]
    async fn requests_under_a_newer_mark_do_not_wait_for_an_older_fill() {
        let cache = Rc::new(ResponseCache::new());
        let (first, release) = held(ok("first"));
        // The first under mark 7, the rest after a write (mark 8): they
        // fill under their own mark, one for all of them.
        let marks = |i| if i == 0 { 7 } else { 8 };
        let (bodies, made) = at_once(&cache, 4, marks, first, release).await;
        assert_eq!(made, 2, "one fill per mark");
        assert_eq!(bodies[0], "first");
        assert!(bodies[1..].iter().all(|b| b == "other"));
        assert!(cache.filling.lock().unwrap().is_empty());
    }

    #[actix_web::test]
    async fn waiters_make_their_own_when_the_fill_is_abandoned_or_not_kept() {
        // A filler whose answer may not be kept (a 404): the waiters are
        // not handed it.
        let cache = Rc::new(ResponseCache::new());
        let (first, release) = held(HttpResponse::NotFound().body("none"));
        let (bodies, made) = at_once(&cache, 4, |_| 7, first, release).await;
        assert_eq!(bodies[0], "none");
        assert!(made >= 2);
        assert!(bodies[1..].iter().all(|b| b == "other"), "{bodies:?}");

        // A filler dropped half-way (its client went away).
        let cache = Rc::new(ResponseCache::new());
        let pending = {
            let cache = Rc::clone(&cache);
            tokio::task::spawn_local(async move {
                let never = std::future::pending::<Result<HttpResponse, ApiError>>();
                let _ = cache.fill(Key::ItemJson(1), 7, Instant::now(), never).await;
            })
        };
        tokio::task::yield_now().await;
        let waiter = {
            let cache = Rc::clone(&cache);
            tokio::task::spawn_local(async move {
                let res = cache
                    .fill(Key::ItemJson(1), 7, Instant::now(), async { Ok(ok("own")) })
                    .await;
                body(res.unwrap()).await
            })
        };
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished(), "waits for the filler");
        pending.abort();
        assert_eq!(waiter.await.unwrap(), "own");
        assert!(cache.filling.lock().unwrap().is_empty());
    }

    #[actix_web::test]
    async fn searches_are_kept_up_to_their_own_bound() {
        let cache = ResponseCache::new();
        let _ = cache.put(Key::ItemJson(1), 1, Instant::now(), ok("item"));
        for n in 0..MAX_SEARCHES + 50 {
            let _ = cache.put(Key::Search(format!("q={n}")), 1, Instant::now(), ok("s"));
        }
        assert_eq!(cache.len(), MAX_SEARCHES + 1, "the bound held");
        assert!(cache.get(&Key::ItemJson(1), 1).is_some(), "the rest kept");
        assert!(cache.get(&Key::Search("q=0".into()), 1).is_some());
        assert!(
            cache
                .get(&Key::Search(format!("q={MAX_SEARCHES}")), 1)
                .is_none(),
            "past the bound, not kept"
        );
        // Once the kept searches are stale (a write), new ones replace them.
        let _ = cache.put(Key::Search("q=new".into()), 2, Instant::now(), ok("s"));
        assert!(cache.get(&Key::Search("q=new".into()), 2).is_some());
        assert_eq!(cache.len(), 2, "the stale searches made room");
    }

    #[actix_web::test]
    async fn the_cache_stays_bounded() {
        let cache = ResponseCache::new();
        for i in 0..(MAX_ENTRIES as i64 + 10) {
            let _ = cache.put(Key::ItemJson(i), 1, Instant::now(), ok("x"));
        }
        assert!(cache.len() <= MAX_ENTRIES);
        let big: &'static str = Box::leak("y".repeat(MAX_BODY + 1).into_boxed_str());
        let _ = cache.put(Key::ItemJson(-1), 1, Instant::now(), ok(big));
        assert!(cache.get(&Key::ItemJson(-1), 1).is_none());
    }
}
