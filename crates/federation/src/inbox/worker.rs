//! The inbox loop: stored activities claimed and processed several at a
//! time, each through [`super::dispatch::process`], and their
//! outcome recorded (done, failed with the reason, or retried later if a
//! peer or the database was unreachable). Rows are claimed many at a time
//! and wait in hand for a slot. An actor's activities are processed one
//! at a time, in order; one host's actors take at most half the slots, so
//! that fetches from a slow host cannot hold up the rest, and so do the
//! activities that may fetch at all, so that slow fetches from several
//! hosts cannot either. Slots still free once every other host's rows
//! that can start have started are lent to a host past its half, all but
//! one, for activities that fetch nothing: a busy peer is not held to
//! half the inbox while the rest is quiet, nor are its likes held up
//! behind its own slow fetches. Nor can one actor's or host's backlog
//! fill the rows in hand: an actor busy or with a task's worth waiting,
//! and a host with every slot it may be lent, with its share of the rows
//! in hand, or with its share of the slots and a row that may fetch
//! claimed, are passed over by the claims, which then take other actors'
//! rows, however much older the backlog is; and at most half the rows in
//! hand may be rows that may fetch, which start only in the fetch slots.
//! The federation worker (`delivery::Worker`) runs this loop beside the
//! delivery queue's.

use super::dispatch::process;
use crate::{
    context::{Config, Data},
    error::FedError,
    queue::{IDLE, LEASE, MIN_NAP, backoff, stopping},
};
use chrono::{Duration as ChronoDuration, Utc};
use deling_store::queries::inbox::InboxActivity;
use std::{
    collections::{HashMap, HashSet, VecDeque},
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Instant,
};
use tokio::{
    sync::{Notify, watch},
    task::{self, JoinError, JoinSet},
};

/// Inbox activities processed at once.
const INBOX_SLOTS: usize = 8;
/// Of those, at most this many from actors of one host, so that fetches
/// from a slow host cannot take every slot; more only in slots lent for
/// what fetches nothing ([`INBOX_HOST_SLOTS_LENT`]).
const INBOX_HOST_SLOTS: usize = INBOX_SLOTS / 2;
/// Most tasks of one host's actors when slots are lent (see
/// [`InboxPool::start_tasks`]): one slot is always left to another host's
/// rows.
const INBOX_HOST_SLOTS_LENT: usize = INBOX_SLOTS - 1;
/// Of those, at most this many whose activities may fetch from another
/// server (see [`may_fetch`]), whatever their hosts: anyone may send a
/// `Create` naming an object on a host that answers slowly, from actors
/// on two host names, and the host share alone would then let them hold
/// every slot. The rest are kept for what needs no fetch (likes, follows,
/// replies sent whole).
const INBOX_FETCH_SLOTS: usize = INBOX_SLOTS / 2;
/// Rows claimed in one statement, and the most kept in hand waiting for
/// a slot. A claim sorts every due row, so it costs as much for one row
/// as for many: claiming one slot's worth at a time made the claims, not
/// the activities, the inbox's work once a backlog built up (see
/// docs/PERFORMANCE.md, "Inbox ingest").
const CLAIM_BATCH: usize = 64;
/// Most rows of one actor one task takes, so that one busy actor gives
/// its slot up now and then; also the most of one actor's rows kept in
/// hand waiting (none while it has a task: its next rows stay in the
/// queue, so that the rows in hand are others', and an actor's rows given
/// back by its task are claimed again before its newer ones).
const ROWS_PER_TASK: usize = 16;
/// Most rows of the actors of one host kept in hand waiting, so that one
/// host's backlog (of many actors) cannot fill the rows in hand either:
/// a quarter stays for others. Not half: a busy host whose rows came in
/// half-batches, each followed by a claim's pause, stored about a tenth
/// fewer a second (docs/PERFORMANCE.md, "Fifteenth pass").
const HOST_ROWS_WAITING: usize = CLAIM_BATCH * 3 / 4;
/// Most rows that may fetch kept in hand waiting, whatever their hosts:
/// they start only in the fetch slots, and rows that cannot start must
/// not fill the rows in hand, or nothing else is claimed until their
/// leases run short.
const FETCH_ROWS_WAITING: usize = CLAIM_BATCH / 2;
/// After a claim that found fewer rows than it asked for, or gave rows
/// over an actor's or host's share back, the next waits this long (or for
/// a slot to free with nothing left in hand): the due rows are few, or all
/// of actors and hosts that have their share.
const CLAIM_PAUSE: std::time::Duration = std::time::Duration::from_millis(20);
/// Longest one stored activity may take to process (its fetches
/// included); beyond it, it is tried again later.
const ROW_TIME: ChronoDuration = ChronoDuration::seconds(25);
/// Give up on an incoming activity after this many tries.
const INBOX_MAX_ATTEMPTS: i32 = 5;

/// Processes stored activities, up to `INBOX_SLOTS` at once, claiming
/// more as slots free up, until `shutdown`; activities in hand are
/// finished first, and those claimed but not started are given back.
/// `wake` is this loop's signal of new work.
pub async fn run(config: Config, wake: &Notify, mut shutdown: watch::Receiver<bool>) {
    let mut pool = InboxPool::new(config);
    let mut more = true;
    loop {
        while let Some(done) = pool.tasks.try_join_next_with_id() {
            pool.finished(done);
            more = true;
        }
        if stopping(&shutdown) {
            break;
        }
        if more {
            more = pool.fill().await.unwrap_or_else(|e| {
                tracing::warn!(error = %e, "cannot claim inbox activities");
                false
            });
            if more && pool.tasks.len() < INBOX_SLOTS {
                continue;
            }
        }
        let nap = pool.nap();
        tokio::select! {
            Some(done) = pool.tasks.join_next_with_id() => {
                pool.finished(done);
                more = true;
            }
            _ = wake.notified() => more = true,
            _ = tokio::time::sleep(nap) => more = true,
            _ = shutdown.changed() => {}
        }
    }
    pool.closing.store(true, Ordering::Relaxed);
    while let Some(done) = pool.tasks.join_next_with_id().await {
        pool.finished(done);
    }
    pool.give_back_all().await;
}

/// One claim of due activities, processed to the end: for the worker's
/// `round` (tests and `drain`). `true` if there may be more waiting.
pub async fn round(config: &Config) -> Result<bool, FedError> {
    let mut pool = InboxPool::new(config.clone());
    let more = pool.fill().await?;
    while let Some(done) = pool.tasks.join_next_with_id().await {
        pool.finished(done);
        pool.dispatch().await?;
    }
    pool.give_back_all().await;
    Ok(more)
}

/// A claimed row and the lease it was claimed under.
struct Claimed {
    row: InboxActivity,
    lease_until: chrono::DateTime<Utc>,
    /// Whether processing it may fetch from another server.
    fetches: bool,
}

/// What of a stored activity tells whether processing it may fetch: its
/// object left unparsed (an embedded one may be large; only whether it
/// is a string matters).
#[derive(serde::Deserialize)]
struct FetchProbe<'a> {
    #[serde(default, borrow)]
    object: Option<&'a serde_json::value::RawValue>,
}

/// A stored activity's forwarded mark (`delingForwarded`), left as raw
/// JSON: set only on a relay's copy, which is checked at its origin.
#[derive(serde::Deserialize)]
struct ForwardedProbe<'a> {
    #[serde(default, rename = "delingForwarded", borrow)]
    forwarded: Option<&'a serde_json::value::RawValue>,
}

/// The `type` of an embedded object, left as raw JSON (it may be a list).
#[derive(serde::Deserialize)]
struct TypeProbe<'a> {
    #[serde(default, rename = "type", borrow)]
    kind: Option<&'a serde_json::value::RawValue>,
}

/// Whether processing `row` may fetch from another server. Erring towards
/// yes costs only a place in the smaller share of slots; erring towards no
/// lets slow fetches take every slot, so everything not known to act on
/// what it carries counts: a `Create` or `Update` naming its object by id,
/// or carrying an actor (its profile is fetched afresh) or an object
/// whose type is not one plain string; an `Announce` of anything but one
/// of our own objects by id (another server's may be fetched to be
/// catalogued, whether named or embedded); a `Delete` relayed by someone
/// other than its actor, or marked as forwarded (the object's server is
/// asked); a `Move`. Unreadable bodies are failed by processing, which
/// fetches nothing for them.
fn may_fetch(row: &InboxActivity, own_domain: &str) -> bool {
    match row.kind.as_str() {
        "Move" => true,
        "Delete" => {
            row.signer != row.actor
                || matches!(
                    serde_json::from_str(&row.body),
                    Ok(ForwardedProbe { forwarded: Some(flag) }) if flag.get() != "false"
                )
        }
        "Create" | "Update" | "Announce" => {
            let Ok(FetchProbe { object: Some(raw) }) = serde_json::from_str(&row.body) else {
                return false;
            };
            if let Ok(id) = serde_json::from_str::<String>(raw.get()) {
                return row.kind != "Announce"
                    || url::Url::parse(&id)
                        .map(|u| !crate::urls::authority(&u).eq_ignore_ascii_case(own_domain))
                        .unwrap_or(false);
            }
            if row.kind == "Announce" {
                return true;
            }
            let Ok(TypeProbe { kind: Some(kind) }) = serde_json::from_str(raw.get()) else {
                return true;
            };
            match serde_json::from_str::<&str>(kind.get()) {
                Ok(kind) => crate::inbox::activities::create_or_update::ACTOR_TYPES.contains(&kind),
                Err(_) => true,
            }
        }
        _ => false,
    }
}

impl Claimed {
    /// Whether it may still be started: its lease leaves room for it to
    /// run its longest before another process could take it.
    fn startable(&self) -> bool {
        Utc::now() <= self.lease_until - ROW_TIME - ChronoDuration::seconds(5)
    }
}

/// Gives claimed rows back unprocessed (each under the lease it was
/// claimed with), so that this or another process takes them up at once.
async fn give_back(rows: &[Claimed], data: &Data) {
    let mut leases: Vec<chrono::DateTime<Utc>> = rows.iter().map(|c| c.lease_until).collect();
    leases.sort();
    leases.dedup();
    for lease in leases {
        let ids: Vec<i64> = rows
            .iter()
            .filter(|c| c.lease_until == lease)
            .map(|c| c.row.id)
            .collect();
        if let Err(e) = data.store.release_inbox_activities(&ids, lease).await {
            tracing::warn!(error = %e, "cannot give inbox activities back");
        }
    }
}

/// The inbox activities in hand: those claimed and waiting for a slot, in
/// the order claimed, and one task per actor processing its rows in that
/// order, at most [`INBOX_HOST_SLOTS`] tasks per host unless slots are
/// lent.
struct InboxPool {
    config: Config,
    /// Set when the worker stops: tasks start no further activity.
    closing: Arc<AtomicBool>,
    tasks: JoinSet<()>,
    /// Actor and host of each task, and whether it may fetch.
    owners: HashMap<task::Id, (String, String, bool)>,
    /// Tasks that may fetch (see [`INBOX_FETCH_SLOTS`]).
    fetching: usize,
    actors: HashSet<String>,
    hosts: HashMap<String, usize>,
    /// Hosts at their share of the slots a row of which that may fetch
    /// was given back: claims pass them over until they are within it
    /// again, so that rows which cannot start do not fill those in hand.
    full_hosts: HashSet<String>,
    /// Claimed, not yet handed to a task.
    waiting: VecDeque<Claimed>,
    /// When the last claim came back short.
    dry_at: Option<Instant>,
}

/// The authority (`host` or `host:port`) of an actor id.
fn actor_host(actor: &str) -> String {
    url::Url::parse(actor)
        .map(|u| crate::urls::authority(&u))
        .unwrap_or_default()
}

impl InboxPool {
    fn new(config: Config) -> Self {
        Self {
            config,
            closing: Arc::default(),
            tasks: JoinSet::new(),
            owners: HashMap::new(),
            fetching: 0,
            actors: HashSet::new(),
            hosts: HashMap::new(),
            full_hosts: HashSet::new(),
            waiting: VecDeque::new(),
            dry_at: None,
        }
    }

    /// How long the loop may sleep with nothing else to wake it: while
    /// work is in hand and a slot free, until the pause after a short claim
    /// is over; an idle pool waits for its wake-up.
    fn nap(&self) -> std::time::Duration {
        let busy = !(self.tasks.is_empty() && self.waiting.is_empty());
        match self.dry_at {
            Some(at) if busy && self.tasks.len() < INBOX_SLOTS => {
                CLAIM_PAUSE.saturating_sub(at.elapsed()).max(MIN_NAP / 10)
            }
            _ => IDLE,
        }
    }

    /// Hands waiting rows to free slots, then claims more if a slot is
    /// still free and the pause after a short claim is over; `true` if
    /// the claim was full (there may be more).
    async fn fill(&mut self) -> Result<bool, FedError> {
        self.dispatch().await?;
        if self.tasks.len() >= INBOX_SLOTS || self.waiting.len() >= CLAIM_BATCH {
            return Ok(false);
        }
        let idle = self.tasks.is_empty() && self.waiting.is_empty();
        if !idle && self.dry_at.is_some_and(|at| at.elapsed() < CLAIM_PAUSE) {
            return Ok(false);
        }
        let want = CLAIM_BATCH - self.waiting.len();
        let data = self.config.to_request_data();
        // Stored exactly (microseconds), so the rows can be released by it.
        let lease_until = deling_store::records::now() + LEASE;
        let (skip_actors, skip_hosts) = self.passed_over();
        let rows = data
            .store
            .claim_inbox_activities_except(want as u64, lease_until, &skip_actors, &skip_hosts)
            .await?;
        let full = rows.len() == want;
        let over = self.admit(rows, lease_until);
        // Rows given back are due at once. The next claim passes their
        // actors over; the pause bounds how often it runs should a
        // host's rows escape its filter (an actor id spelled unusually).
        self.dry_at = (!full || !over.is_empty()).then(Instant::now);
        if !over.is_empty() {
            tracing::debug!(
                released = over.len(),
                "inbox activities over an actor's or host's share given back"
            );
            give_back(&over, &data).await;
        }
        self.dispatch().await?;
        Ok(full)
    }

    /// Rows in hand waiting, per actor and per host.
    fn waiting_counts(&self) -> (HashMap<String, usize>, HashMap<String, usize>) {
        let mut actors: HashMap<String, usize> = HashMap::new();
        let mut hosts: HashMap<String, usize> = HashMap::new();
        for c in &self.waiting {
            *actors.entry(c.row.actor.clone()).or_default() += 1;
            *hosts.entry(actor_host(&c.row.actor)).or_default() += 1;
        }
        (actors, hosts)
    }

    /// The actors and hosts a claim passes over: actors with a task or a
    /// task's worth of rows waiting, hosts with as many slots as may be
    /// lent them, with their share of the rows waiting, or with their
    /// share of the slots and a row that may fetch given back
    /// (`full_hosts`). Their rows stay in the queue, in order, and the
    /// claim takes other actors' rows behind them.
    fn passed_over(&self) -> (Vec<String>, Vec<String>) {
        let (actors, hosts) = self.waiting_counts();
        let mut skip_actors: Vec<String> = self
            .actors
            .iter()
            .cloned()
            .chain(
                actors
                    .into_iter()
                    .filter(|&(_, n)| n >= ROWS_PER_TASK)
                    .map(|(a, _)| a),
            )
            .collect();
        skip_actors.sort();
        skip_actors.dedup();
        let mut skip_hosts: Vec<String> = self
            .hosts
            .iter()
            .filter(|&(_, &n)| n >= INBOX_HOST_SLOTS_LENT)
            .map(|(h, _)| h.clone())
            .chain(self.full_hosts.iter().cloned())
            .chain(
                hosts
                    .into_iter()
                    .filter(|&(_, n)| n >= HOST_ROWS_WAITING)
                    .map(|(h, _)| h),
            )
            .collect();
        skip_hosts.sort();
        skip_hosts.dedup();
        (skip_actors, skip_hosts)
    }

    /// Adds claimed rows (in id order) to those waiting, within each
    /// actor's and host's share (see [`Self::passed_over`]); returns the
    /// rest, to give back. Once one row of an actor is left out, so are
    /// its later ones: those kept are always its oldest claimed.
    fn admit(
        &mut self,
        rows: Vec<InboxActivity>,
        lease_until: chrono::DateTime<Utc>,
    ) -> Vec<Claimed> {
        let (mut actors, mut hosts) = self.waiting_counts();
        let mut fetch_rows = self.waiting.iter().filter(|c| c.fetches).count();
        let mut refused: HashSet<String> = HashSet::new();
        let mut over = Vec::new();
        let own_domain = self.config.domain().to_owned();
        for row in rows {
            let host = actor_host(&row.actor);
            let a = actors.get(&row.actor).copied().unwrap_or(0);
            let h = hosts.get(&host).copied().unwrap_or(0);
            let fetches = may_fetch(&row, &own_domain);
            let claimed = Claimed {
                row,
                lease_until,
                fetches,
            };
            // A row that may fetch cannot start while its host has its
            // share of the slots, and would wait in hand: it goes back,
            // and claims pass the host over until it is within its share
            // again (so that, meanwhile, no new rows of the host are lent
            // slots ahead of it).
            let full =
                claimed.fetches && self.hosts.get(&host).copied().unwrap_or(0) >= INBOX_HOST_SLOTS;
            if full {
                self.full_hosts.insert(host.clone());
            }
            if full
                || (claimed.fetches && fetch_rows >= FETCH_ROWS_WAITING)
                || refused.contains(&claimed.row.actor)
                || self.actors.contains(&claimed.row.actor)
                || a >= ROWS_PER_TASK
                || h >= HOST_ROWS_WAITING
            {
                refused.insert(claimed.row.actor.clone());
                over.push(claimed);
                continue;
            }
            fetch_rows += usize::from(claimed.fetches);
            *actors.entry(claimed.row.actor.clone()).or_default() += 1;
            *hosts.entry(host).or_default() += 1;
            self.waiting.push_back(claimed);
        }
        over
    }

    /// Starts a task for each waiting actor that has none, while slots
    /// are free: first within each host's share, then in slots lent past
    /// it ([`Self::start_tasks`]). Rows whose lease ran too short to start
    /// them are given back, and with them their actor's later rows, so
    /// that the actor's rows are still taken in order.
    async fn dispatch(&mut self) -> Result<(), FedError> {
        let closing = self.closing.load(Ordering::Relaxed);
        let late: HashSet<String> = self
            .waiting
            .iter()
            .filter(|c| closing || !c.startable())
            .map(|c| c.row.actor.clone())
            .collect();
        let (stale, fresh): (VecDeque<Claimed>, VecDeque<Claimed>) =
            std::mem::take(&mut self.waiting)
                .into_iter()
                .partition(|c| late.contains(&c.row.actor));
        self.waiting = fresh;
        if !stale.is_empty() {
            tracing::info!(
                released = stale.len(),
                "inbox activities waited too long; given back"
            );
            give_back(&Vec::from(stale), &self.config.to_request_data()).await;
        }
        self.start_tasks(false);
        self.start_tasks(true);
        Ok(())
    }

    /// Starts a task for each waiting actor that has none while slots are
    /// free, in the order the rows were claimed. Within its host's share
    /// (`lend` false) a task takes the actor's rows in order, up to the
    /// first that may fetch while the fetching tasks are all taken. Past
    /// its host's share (`lend`, after the first pass) it takes only rows
    /// that fetch nothing, up to the first that may: a lent slot is held
    /// no longer than the database takes, so the host it was lent to gives
    /// it back soon to whoever comes next. Nor is a slot lent for a host's
    /// rows claimed after one of its rows that may fetch: a stream of
    /// likes must not keep the host past its share while that row waits
    /// for the host to be within it again. An actor's row passed over
    /// holds its later rows back too, whatever the pass.
    fn start_tasks(&mut self, lend: bool) {
        let mut held: HashSet<String> = HashSet::new();
        // Actors a row of which was passed over here: their later rows
        // wait with it, so that they are not processed before it.
        let mut blocked: HashSet<String> = HashSet::new();
        let mut i = 0;
        while self.tasks.len() < INBOX_SLOTS && i < self.waiting.len() {
            let actor = self.waiting[i].row.actor.clone();
            let host = actor_host(&actor);
            if lend && (held.contains(&host) || self.waiting[i].fetches) {
                held.insert(host);
                blocked.insert(actor);
                i += 1;
                continue;
            }
            if self.actors.contains(&actor) || blocked.contains(&actor) {
                i += 1;
                continue;
            }
            let host_tasks = self.hosts.get(&host).copied().unwrap_or(0);
            let fetch_full = lend || self.fetching >= INBOX_FETCH_SLOTS;
            let within = if lend {
                (INBOX_HOST_SLOTS..INBOX_HOST_SLOTS_LENT).contains(&host_tasks)
            } else {
                host_tasks < INBOX_HOST_SLOTS
            };
            if !within || (fetch_full && self.waiting[i].fetches) {
                blocked.insert(actor);
                i += 1;
                continue;
            }
            let mut rows = Vec::new();
            let mut fetches = false;
            let mut j = i;
            while j < self.waiting.len() && rows.len() < ROWS_PER_TASK {
                if self.waiting[j].row.actor == actor {
                    if fetch_full && self.waiting[j].fetches {
                        break;
                    }
                    fetches |= self.waiting[j].fetches;
                    rows.extend(self.waiting.remove(j));
                } else {
                    j += 1;
                }
            }
            let data = self.config.to_request_data();
            let closing = self.closing.clone();
            let handle = self
                .tasks
                .spawn(async move { process_in_order(&rows, &closing, &data).await });
            self.owners
                .insert(handle.id(), (actor.clone(), host.clone(), fetches));
            self.fetching += usize::from(fetches);
            self.actors.insert(actor);
            *self.hosts.entry(host).or_default() += 1;
        }
    }

    /// Gives back every row still waiting (the worker stops).
    async fn give_back_all(&mut self) {
        let rows: Vec<Claimed> = self.waiting.drain(..).collect();
        if !rows.is_empty() {
            give_back(&rows, &self.config.to_request_data()).await;
        }
    }

    fn finished(&mut self, done: Result<(task::Id, ()), JoinError>) {
        let id = match done {
            Ok((id, ())) => id,
            Err(e) => {
                tracing::error!(error = %e, "an inbox task failed");
                e.id()
            }
        };
        if let Some((actor, host, fetches)) = self.owners.remove(&id) {
            self.fetching -= usize::from(fetches);
            self.actors.remove(&actor);
            if let Some(n) = self.hosts.get_mut(&host) {
                *n = n.saturating_sub(1);
                if *n < INBOX_HOST_SLOTS {
                    self.full_hosts.remove(&host);
                }
                if *n == 0 {
                    self.hosts.remove(&host);
                }
            }
        }
    }
}

/// Processes one actor's claimed activities in order. Processing may fetch
/// from slow peers (each row has at most [`ROW_TIME`]); rows not started
/// while their lease still has room for one are given back rather than
/// processed after their lease ran out, when another process may have
/// taken them; so are rows not started when the worker stops.
///
/// The rows processed are marked done together, in one statement, when
/// the run ends (at most [`ROWS_PER_TASK`] rows), not one write each: the
/// one writer connection is the inbox's narrowest point. Until then they
/// stay under their lease, so a crash in between has them processed again
/// once it lapses, as a crash between processing one and marking it did
/// before: a stored activity is processed at least once, never lost.
async fn process_in_order(rows: &[Claimed], closing: &AtomicBool, data: &Data) {
    let mut done = Vec::with_capacity(rows.len());
    for (n, claimed) in rows.iter().enumerate() {
        if !claimed.startable() || closing.load(Ordering::Relaxed) {
            tracing::info!(
                released = rows.len() - n,
                "inbox activities ran long; the rest is given back"
            );
            finish(&done, data).await;
            give_back(&rows[n..], data).await;
            return;
        }
        let row = &claimed.row;
        // One row's failure to be recorded (a busy database, say) must not
        // strand the rest: the row keeps its lease and is taken up again
        // when the lease runs out.
        match process_one(row, data).await {
            Ok(true) => done.push(row.id),
            Ok(false) => {}
            Err(e) => {
                tracing::warn!(id = %row.ap_id, error = %e, "cannot record an inbox activity's outcome");
            }
        }
    }
    finish(&done, data).await;
}

/// Marks processed rows done; if that fails they keep their lease and are
/// taken up again when it runs out.
async fn finish(ids: &[i64], data: &Data) {
    if let Err(e) = data.store.finish_inbox_activities(ids).await {
        tracing::warn!(error = %e, rows = ids.len(), "cannot mark inbox activities done");
    }
}

/// Processes one stored activity and records the outcome, except success:
/// `true` if it succeeded, for the caller to mark it done.
async fn process_one(row: &InboxActivity, data: &Data) -> Result<bool, FedError> {
    let limit = ROW_TIME
        .to_std()
        .unwrap_or(std::time::Duration::from_secs(25));
    // Each activity has the whole fetch budget: the rows of one run share
    // `data`, and a busy actor's sixteenth boost must not fail for good
    // because the fifteen before it used the budget up.
    let fresh = data.reset_request_count();
    let outcome = match tokio::time::timeout(limit, process(&row.body, &fresh)).await {
        Ok(outcome) => outcome,
        Err(_) => Err(FedError::TimedOut(format!(
            "processing took more than {} s",
            limit.as_secs()
        ))),
    };
    match outcome {
        Ok(()) => {
            data.metrics
                .inbox_processed
                .with_label_values(&["done"])
                .inc();
            return Ok(true);
        }
        Err(e) if e.is_transient() && row.attempts + 1 < INBOX_MAX_ATTEMPTS => {
            data.metrics
                .inbox_processed
                .with_label_values(&["retry"])
                .inc();
            // The id and the error (which may quote what was sent) only at
            // debug: the activity may be a private message, whose author and
            // subject are its agency's staff's to know, not the log's.
            tracing::info!(kind = %row.kind, host = %actor_host(&row.actor), "inbox activity will be retried");
            tracing::debug!(id = %row.ap_id, error = %e, "inbox activity will be retried");
            let next = Utc::now() + backoff(data.settings.retry_base, row.attempts);
            data.store
                .retry_inbox_activity(row.id, &e.to_string(), next)
                .await?;
        }
        Err(e) => {
            data.metrics
                .inbox_processed
                .with_label_values(&["failed"])
                .inc();
            // As above: the id and the error at debug only.
            tracing::info!(kind = %row.kind, host = %actor_host(&row.actor), "inbox activity refused");
            tracing::debug!(id = %row.ap_id, error = %e, "inbox activity refused");
            data.store
                .fail_inbox_activity(row.id, &e.to_string())
                .await?;
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(kind: &str, signer: &str, body: serde_json::Value) -> InboxActivity {
        InboxActivity {
            id: 1,
            ap_id: "https://a.example/activities/1".into(),
            signer: signer.into(),
            actor: "https://a.example/users/eve".into(),
            kind: kind.into(),
            body: body.to_string(),
            status: "pending".into(),
            attempts: 0,
            next_attempt_at: Utc::now(),
            locked_until: None,
            last_error: None,
            received_at: Utc::now(),
            processed_at: None,
        }
    }

    /// A pool holding rows of `actors` (actor, may fetch) as claimed, in
    /// that order, none started.
    fn pool_with(config: Config, actors: &[(&str, bool)]) -> InboxPool {
        let mut pool = InboxPool::new(config);
        for &(actor, fetches) in actors {
            claimed(&mut pool, actor, fetches);
        }
        pool
    }

    /// Adds a row of `actor` to those claimed and waiting.
    fn claimed(pool: &mut InboxPool, actor: &str, fetches: bool) {
        let mut r = row("Like", actor, serde_json::json!({}));
        r.id = i64::try_from(pool.waiting.len()).unwrap();
        r.actor = actor.into();
        pool.waiting.push_back(Claimed {
            row: r,
            lease_until: Utc::now() + LEASE,
            fetches,
        });
    }

    /// Which of `actors` have a task.
    fn started(pool: &InboxPool, actors: &[&str]) -> Vec<bool> {
        actors.iter().map(|a| pool.actors.contains(*a)).collect()
    }

    /// Slots are lent past a host's half for what fetches nothing, all
    /// but one, never for what may fetch, and never for a host's rows
    /// claimed after one of its rows that may fetch. Tasks are only
    /// spawned here: on this test's runtime none runs before the checks.
    #[tokio::test(flavor = "current_thread")]
    async fn slots_are_lent_past_a_hosts_half_for_what_fetches_nothing() {
        let world = crate::inbox::tests::world().await;
        let a = |name: &str| format!("https://a.example/users/{name}");
        let slow: Vec<String> = (0..4).map(|n| a(&format!("u{n}"))).collect();
        let (yan, zed, ulf) = (a("yan"), a("zed"), a("ulf"));
        let fans: Vec<String> = (0..6).map(|n| a(&format!("fan{n}"))).collect();
        let bo = "https://b.example/users/bo";
        let fetching =
            || -> Vec<(&str, bool)> { slow.iter().map(|u| (u.as_str(), true)).collect() };
        let slow: Vec<&str> = slow.iter().map(String::as_str).collect();

        // Four fetches of a.example hold its half; its likes are lent slots.
        let mut rows = fetching();
        rows.extend([(yan.as_str(), false), (zed.as_str(), false)]);
        let mut pool = pool_with(world.config.clone(), &rows);
        pool.dispatch().await.unwrap();
        assert_eq!(started(&pool, &slow), [true; 4]);
        assert_eq!(started(&pool, &[&yan, &zed]), [true, true]);
        assert_eq!(pool.hosts.get("a.example"), Some(&6));

        // A row of a.example that may fetch waits for its half: the like
        // claimed before it is lent a slot, the one after it is not.
        let mut rows = fetching();
        rows.extend([
            (zed.as_str(), false),
            (ulf.as_str(), true),
            (yan.as_str(), false),
        ]);
        let mut pool = pool_with(world.config.clone(), &rows);
        pool.dispatch().await.unwrap();
        assert_eq!(started(&pool, &[&zed, &ulf, &yan]), [true, false, false]);
        assert_eq!(pool.hosts.get("a.example"), Some(&5));

        // Lent slots stop one short of all, so another host's row claimed
        // after them still starts.
        let mut rows = fetching();
        rows.extend(fans.iter().map(|f| (f.as_str(), false)));
        let mut pool = pool_with(world.config.clone(), &rows);
        pool.dispatch().await.unwrap();
        assert_eq!(pool.hosts.get("a.example"), Some(&INBOX_HOST_SLOTS_LENT));
        assert_eq!(pool.tasks.len(), INBOX_SLOTS - 1);
        claimed(&mut pool, bo, false);
        pool.dispatch().await.unwrap();
        assert_eq!(started(&pool, &[bo]), [true]);
        assert_eq!(pool.tasks.len(), INBOX_SLOTS);

        // With the fetch slots taken, an actor's row that may fetch holds
        // its later like back: they are not processed out of order.
        let mut rows = fetching();
        rows.extend([(bo, true), (bo, false)]);
        let mut pool = pool_with(world.config.clone(), &rows);
        pool.dispatch().await.unwrap();
        assert_eq!(started(&pool, &[bo]), [false]);

        // A lent task stops at its actor's first row that may fetch, even
        // with fetch slots free.
        let likes: Vec<(&str, bool)> = slow.iter().map(|u| (*u, false)).collect();
        let mut pool = pool_with(world.config.clone(), &likes);
        claimed(&mut pool, &zed, false);
        claimed(&mut pool, &zed, true);
        pool.dispatch().await.unwrap();
        assert_eq!(started(&pool, &[&zed]), [true]);
        assert_eq!(pool.hosts.get("a.example"), Some(&5));
        assert_eq!(pool.waiting.len(), 1, "zed's row that may fetch waits");
        assert!(pool.waiting[0].fetches);
    }

    /// A claimed row that may fetch, of a host at its share of the slots,
    /// goes back with its host's later rows, and claims pass the host
    /// over until it is within its share again: such rows cannot start,
    /// and in hand they would keep other hosts' rows from being claimed.
    #[tokio::test(flavor = "current_thread")]
    async fn a_full_hosts_rows_that_may_fetch_are_not_kept_in_hand() {
        let world = crate::inbox::tests::world().await;
        let slow: Vec<String> = (0..4)
            .map(|n| format!("https://a.example/users/u{n}"))
            .collect();
        let rows: Vec<(&str, bool)> = slow.iter().map(|u| (u.as_str(), true)).collect();
        let mut pool = pool_with(world.config.clone(), &rows);
        pool.dispatch().await.unwrap();
        assert_eq!(pool.hosts.get("a.example"), Some(&INBOX_HOST_SLOTS));

        let named = serde_json::json!({"object": "https://a.example/notes/1"});
        let mut fetch = row("Create", "https://a.example/users/ulf", named);
        fetch.id = 10;
        fetch.actor = "https://a.example/users/ulf".into();
        let mut like = row("Like", "https://a.example/users/yan", serde_json::json!({}));
        like.id = 11;
        like.actor = "https://a.example/users/yan".into();
        let mut other = row("Like", "https://b.example/users/bo", serde_json::json!({}));
        other.id = 12;
        other.actor = "https://b.example/users/bo".into();
        let over = pool.admit(vec![fetch, like, other], Utc::now() + LEASE);
        let back: Vec<i64> = over.iter().map(|c| c.row.id).collect();
        assert_eq!(back, [10]);
        let kept: Vec<i64> = pool.waiting.iter().map(|c| c.row.id).collect();
        assert_eq!(kept, [11, 12]);
        let (_, skip_hosts) = pool.passed_over();
        assert!(
            skip_hosts.contains(&"a.example".to_owned()),
            "{skip_hosts:?}"
        );

        // Once one of its tasks ends, the host is claimed from again.
        let id = *pool.owners.keys().next().unwrap();
        pool.finished(Ok((id, ())));
        let (_, skip_hosts) = pool.passed_over();
        assert!(
            !skip_hosts.contains(&"a.example".to_owned()),
            "{skip_hosts:?}"
        );
    }

    /// At most half the rows in hand may be rows that may fetch, however
    /// many hosts they come from: the other half stays for rows that can
    /// start while the fetch slots are taken.
    #[tokio::test(flavor = "current_thread")]
    async fn rows_that_may_fetch_hold_at_most_half_the_hand() {
        let world = crate::inbox::tests::world().await;
        let mut pool = InboxPool::new(world.config.clone());
        let rows: Vec<InboxActivity> = (0..CLAIM_BATCH)
            .map(|n| {
                let actor = format!("https://h{n}.example/users/u");
                let named = serde_json::json!({"object": format!("https://h{n}.example/notes/1")});
                let mut r = row("Create", &actor, named);
                r.id = i64::try_from(n).unwrap();
                r.actor = actor;
                r
            })
            .collect();
        let over = pool.admit(rows, Utc::now() + LEASE);
        assert_eq!(pool.waiting.len(), FETCH_ROWS_WAITING);
        assert_eq!(over.len(), CLAIM_BATCH - FETCH_ROWS_WAITING);
        assert!(pool.full_hosts.is_empty());
    }

    #[test]
    fn activities_that_may_fetch_are_told_apart() {
        let eve = "https://a.example/users/eve";
        let by_id = serde_json::json!({"object": "https://a.example/notes/1"});
        let whole =
            serde_json::json!({"object": {"id": "https://a.example/notes/1", "type": "Note"}});
        let untyped = serde_json::json!({"object": {"id": "https://a.example/notes/1"}});
        let listed =
            serde_json::json!({"object": {"id": "https://a.example/notes/1", "type": ["Note"]}});
        let profile = serde_json::json!({"object": {"id": eve, "type": "Person"}});
        let ours = serde_json::json!({"object": "https://deling.example/items/1"});
        let forwarded =
            serde_json::json!({"object": "https://a.example/notes/1", "delingForwarded": true});
        for (kind, signer, body, fetches) in [
            ("Create", eve, &by_id, true),
            ("Update", eve, &by_id, true),
            ("Create", eve, &whole, false),
            ("Update", eve, &whole, false),
            // A profile Update refetches the actor; an untyped or oddly
            // typed object is not known not to fetch.
            ("Update", eve, &profile, true),
            ("Create", eve, &untyped, true),
            ("Create", eve, &listed, true),
            ("Announce", eve, &by_id, true),
            ("Announce", eve, &whole, true),
            ("Announce", eve, &ours, false),
            ("Like", eve, &by_id, false),
            ("Follow", eve, &by_id, false),
            ("Delete", eve, &by_id, false),
            ("Delete", eve, &forwarded, true),
            ("Delete", "https://relay.example/actor", &by_id, true),
            ("Move", eve, &by_id, true),
        ] {
            assert_eq!(
                may_fetch(&row(kind, signer, body.clone()), "deling.example"),
                fetches,
                "{kind} {body}"
            );
        }
    }
}
