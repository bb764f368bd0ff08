//! Runs every payload in `../shared/fixtures/activitypub/` (real documents
//! from 14 fediverse servers, collected by the Lemmy project) through the
//! same code a verified activity takes: actor documents through the actor
//! checks and import, activities through the inbox processor, objects
//! wrapped in a Create. Each must be handled or refused with a reason;
//! none may panic. The fixtures belong to the steering repository: when
//! `../shared` is missing (a user's clone), the test says so and passes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use activitypub_federation::traits::Object;
use deling_federation::{
    Urls,
    context::{FedContext, FedSettings, build_config},
    error::FedError,
    inbox,
    objects::actors::{DbRemoteActor, authority},
    protocol::actor::ActorJson,
};
use deling_store::{Store, queries::remote_actor::RemoteActorData};
use serde_json::{Value, json};
use std::{path::PathBuf, sync::Arc, time::Duration};
use url::Url;

fn fixtures_dir() -> Option<PathBuf> {
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/activitypub");
    dir.is_dir().then_some(dir)
}

fn json_files(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            json_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

const ACTOR_TYPES: [&str; 5] = ["Person", "Group", "Organization", "Service", "Application"];

async fn context() -> (deling_federation::context::Config, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("f.sqlite3").display()
    );
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let kp = deling_federation::keys::generate().unwrap();
    store
        .get_or_put_instance("deling.test", "Deling", || {
            (kp.public_key_pem, kp.private_key_pem)
        })
        .await
        .unwrap();
    let ctx = FedContext {
        store,
        urls: Urls::for_domain("deling.test", false).unwrap(),
        settings: FedSettings {
            domain: "deling.test".into(),
            // Debug mode only so that activitypub_federation skips its own
            // DNS lookup of each fixture's (real) host: together with the
            // client below, the test never leaves this machine, and its
            // outcome does not depend on whether the network is there.
            debug: true,
            allow_private_addresses: false,
            require_signed_fetch: false,
            retry_base: Duration::from_secs(1),
            max_attempts: 3,
        },
        wake: Arc::new(tokio::sync::Notify::new()),
        client: offline_client().await,
        metrics: deling_federation::metrics::Metrics::new().unwrap(),
        key_refetches: Default::default(),
    };
    (build_config(ctx).await.unwrap(), dir)
}

/// A client whose every request goes to a loopback "proxy" that hangs up
/// at once, so a fetch a fixture triggers fails with a connection error
/// instead of reaching the real server it names.
async fn offline_client() -> reqwest::Client {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((conn, _)) = listener.accept().await {
            drop(conn);
        }
    });
    reqwest::Client::builder()
        .proxy(reqwest::Proxy::all(format!("http://{addr}")).unwrap())
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

/// Registers the activity's actor as if its signature had been verified.
async fn register_actor(store: &Store, actor: &Url) {
    store
        .put_remote_actor(RemoteActorData {
            ap_id: actor.to_string(),
            actor_type: "Person".into(),
            domain: authority(actor),
            preferred_username: Some("someone".into()),
            name: None,
            inbox: format!("{actor}/inbox"),
            shared_inbox: None,
            url: None,
            icon_url: None,
            summary_html: None,
            public_key_pem: None,
            followers: None,
            speaks_deling: false,
        })
        .await
        .unwrap();
}

/// A failure that is a clear refusal rather than a crash or a bug.
fn is_clean(e: &FedError) -> bool {
    matches!(
        e,
        FedError::Refused(_) | FedError::NotFound(_) | FedError::Protocol(_) | FedError::Json(_)
    )
}

#[tokio::test]
async fn every_fixture_is_handled_or_refused_cleanly() {
    let Some(dir) = fixtures_dir() else {
        eprintln!(
            "skipping: ../shared/fixtures/activitypub is not here (it comes with the steering repository)"
        );
        return;
    };
    let mut files = Vec::new();
    json_files(&dir, &mut files);
    files.sort();
    assert!(
        files.len() >= 100,
        "expected the 124 fixtures, found {}",
        files.len()
    );
    let (config, _dir) = context().await;
    let (mut handled, mut refused, mut actors_ok) = (0, 0, 0);
    for path in &files {
        let name = path.strip_prefix(&dir).unwrap().display().to_string();
        let raw = std::fs::read_to_string(path).unwrap();
        let value: Value =
            serde_json::from_str(&raw).unwrap_or_else(|e| panic!("{name}: not JSON: {e}"));
        let kind = value
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let data = config.to_request_data();
        if ACTOR_TYPES.contains(&kind.as_str()) {
            match serde_json::from_value::<ActorJson>(value.clone()) {
                Ok(actor) => {
                    let id = actor.id.clone();
                    match DbRemoteActor::verify(&actor, &id, &data).await {
                        Ok(()) => {
                            DbRemoteActor::from_json(actor, &data)
                                .await
                                .unwrap_or_else(|e| panic!("{name}: {e}"));
                            actors_ok += 1;
                        }
                        Err(e) => {
                            assert!(is_clean(&e), "{name}: {e}");
                            refused += 1;
                        }
                    }
                }
                Err(e) => {
                    eprintln!("{name}: actor refused: {e}");
                    refused += 1;
                }
            }
            continue;
        }
        // Objects reach us inside a Create; activities as they are.
        let activity = if value.get("actor").is_some() {
            value.clone()
        } else {
            let author = value
                .get("attributedTo")
                .and_then(deling_federation::protocol::incoming::first_url)
                .or_else(|| {
                    value
                        .get("id")
                        .and_then(Value::as_str)
                        .and_then(|s| Url::parse(s).ok())
                });
            match author {
                Some(a) => {
                    json!({"type": "Create", "id": format!("{a}#create-fixture"), "actor": a, "object": value})
                }
                None => {
                    refused += 1;
                    continue;
                }
            }
        };
        let Some(actor) = activity
            .get("actor")
            .and_then(deling_federation::protocol::incoming::first_url)
        else {
            refused += 1;
            continue;
        };
        register_actor(&data.store, &actor).await;
        let outcome = tokio::time::timeout(
            Duration::from_secs(20),
            inbox::process(&activity.to_string(), &data),
        )
        .await
        .unwrap_or_else(|_| panic!("{name}: processing hung"));
        match outcome {
            Ok(()) => handled += 1,
            Err(e) => {
                assert!(is_clean(&e), "{name}: not a clean refusal: {e:?}");
                eprintln!("{name}: refused: {e}");
                refused += 1;
            }
        }
    }
    eprintln!(
        "fixtures: {} files, {actors_ok} actors imported, {handled} activities handled, {refused} refused cleanly",
        files.len()
    );
    assert_eq!(actors_ok + handled + refused, files.len());
    assert!(
        actors_ok >= 22,
        "every actor document should import, got {actors_ok}"
    );
}
