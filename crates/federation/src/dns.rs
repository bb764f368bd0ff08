//! Name lookups for outgoing requests, bounded. The system resolver
//! (`getaddrinfo`) blocks a thread until it answers, and a name server
//! that answers slowly holds that thread for its full timeout (glibc: 5 s
//! a try, per server and attempt), which no request deadline cancels.
//! Anyone can name actors on hosts whose DNS answers slowly, so without a
//! bound such lookups could fill tokio's blocking pool (512 threads),
//! where password hashing and key generation wait too. Here at most
//! [`LOOKUP_SLOTS`] lookups run at once; a slot is held by the lookup's
//! thread until the resolver returns, even when the request that asked has
//! given up, so the bound holds for threads, not only for waiters. Each
//! address found is then checked by activitypub_federation's guard against
//! private and loopback addresses (as an IP literal, which it checks
//! without another lookup).

use activitypub_federation::resolver::ValidatingDnsResolver;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::{
    net::{IpAddr, SocketAddr, ToSocketAddrs},
    sync::Arc,
};
use tokio::sync::Semaphore;

/// How many lookups run at once, process-wide. Ordinary lookups take
/// milliseconds, so this many slots serve a fan-out to thousands of hosts;
/// a waiter past them waits within its request's connect timeout.
pub const LOOKUP_SLOTS: usize = 64;

/// A blocking lookup of a host name (port 0): the system resolver, or a
/// test's stand-in.
pub type Lookup = fn(&str) -> std::io::Result<Vec<SocketAddr>>;

/// The system resolver.
fn system_lookup(host: &str) -> std::io::Result<Vec<SocketAddr>> {
    Ok((host, 0).to_socket_addrs()?.collect())
}

/// A resolver for reqwest that runs at most `slots` lookups at once and
/// refuses private addresses unless told not to.
pub struct BoundedResolver {
    guard: Arc<ValidatingDnsResolver>,
    slots: Arc<Semaphore>,
    lookup: Lookup,
}

impl BoundedResolver {
    /// The system resolver with [`LOOKUP_SLOTS`] slots; `validate` refuses
    /// loopback, private and link-local addresses.
    pub fn new(validate: bool) -> Self {
        Self::with_lookup(validate, LOOKUP_SLOTS, system_lookup)
    }

    /// `lookup` with `slots` slots (tests bound a lookup that blocks).
    pub fn with_lookup(validate: bool, slots: usize, lookup: Lookup) -> Self {
        Self {
            guard: Arc::new(ValidatingDnsResolver::new(vec![], validate)),
            slots: Arc::new(Semaphore::new(slots)),
            lookup,
        }
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl Resolve for BoundedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let (guard, slots, lookup) = (self.guard.clone(), self.slots.clone(), self.lookup);
        Box::pin(async move {
            let host = name.as_str().trim_end_matches('.').to_owned();
            if host.parse::<IpAddr>().is_ok() {
                return guard.resolve(name).await;
            }
            let slot = slots
                .acquire_owned()
                .await
                .map_err(|e| Box::new(e) as BoxError)?;
            let found = tokio::task::spawn_blocking(move || {
                let _slot = slot;
                lookup(&host)
            })
            .await
            .map_err(|e| Box::new(e) as BoxError)??;
            let mut checked = Vec::with_capacity(found.len());
            for addr in found {
                let literal: Name = addr
                    .ip()
                    .to_canonical()
                    .to_string()
                    .parse()
                    .map_err(|_| BoxError::from(format!("{addr} is not an address")))?;
                checked.extend(guard.resolve(literal).await?);
            }
            Ok(Box::new(checked.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::{
        sync::atomic::{AtomicUsize, Ordering},
        time::Duration,
    };

    static RUNNING: AtomicUsize = AtomicUsize::new(0);
    static MOST: AtomicUsize = AtomicUsize::new(0);

    /// A name server that takes 200 ms for every name.
    fn slow_lookup(_host: &str) -> std::io::Result<Vec<SocketAddr>> {
        let now = RUNNING.fetch_add(1, Ordering::SeqCst) + 1;
        MOST.fetch_max(now, Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(200));
        RUNNING.fetch_sub(1, Ordering::SeqCst);
        Ok(vec!["93.184.215.14:0".parse().expect("an address")])
    }

    fn name(s: &str) -> Name {
        s.parse().expect("a name")
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn slow_lookups_hold_at_most_their_slots_even_when_abandoned() {
        let resolver = Arc::new(BoundedResolver::with_lookup(true, 3, slow_lookup));
        // Twelve requests, 20 ms apart, each giving up after 50 ms as a
        // connect timeout would; the lookups they started still run to the
        // end, and no more than three at a time.
        let mut tasks = Vec::new();
        for n in 0..12 {
            tokio::time::sleep(Duration::from_millis(20)).await;
            let r = resolver.clone();
            tasks.push(tokio::spawn(async move {
                tokio::time::timeout(
                    Duration::from_millis(50),
                    r.resolve(name(&format!("h{n}.slow.example"))),
                )
                .await
                .is_err()
            }));
        }
        for t in tasks {
            assert!(t.await.expect("joined"), "a lookup answered within 50 ms");
        }
        let done = resolver.resolve(name("late.slow.example")).await;
        let addrs: Vec<SocketAddr> = done.expect("resolved").collect();
        assert_eq!(addrs, vec!["93.184.215.14:0".parse().unwrap()]);
        assert_eq!(MOST.load(Ordering::SeqCst), 3, "lookups ran past the bound");
    }

    #[tokio::test]
    async fn private_answers_and_literals_are_refused_unless_allowed() {
        fn private(_: &str) -> std::io::Result<Vec<SocketAddr>> {
            Ok(vec!["10.0.0.7:0".parse().expect("an address")])
        }
        let guarded = BoundedResolver::with_lookup(true, 1, private);
        assert!(guarded.resolve(name("rebound.example")).await.is_err());
        assert!(guarded.resolve(name("127.0.0.1")).await.is_err());
        let open = BoundedResolver::with_lookup(false, 1, private);
        let addrs: Vec<SocketAddr> = open
            .resolve(name("rebound.example"))
            .await
            .expect("allowed")
            .collect();
        assert_eq!(addrs, vec!["10.0.0.7:0".parse().unwrap()]);
    }
}
