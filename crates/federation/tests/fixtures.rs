//! Runs every payload in `../shared/fixtures/activitypub/` (real documents
//! from 14 fediverse servers, collected by the Lemmy project) through the
//! same code a verified activity takes: actor documents through the actor
//! checks and import, activities through the inbox processor, objects
//! wrapped in a Create. Each must be handled or refused with a reason;
//! none may panic. A second test aims the replies, likes and follows among
//! them at a local agency and item (ids remapped as they are loaded) and
//! asserts each one's effect: a public comment, a message in the staff
//! inbox only, a counted like, a follower. The fixtures belong to the
//! steering repository: when `../shared` is missing (a user's clone), the
//! tests say so and pass, except under CI, where that is a failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use activitypub_federation::traits::Object;
use deling_domain::audience::Visibility;
use deling_federation::{
    Urls,
    context::{FedContext, FedSettings},
    error::FedError,
    inbox,
    objects::actors::DbRemoteActor,
    protocol::actor::ActorJson,
    setup::build_config,
    urls::authority,
};
use deling_store::{Store, queries::remote_actor::RemoteActorData};
use serde_json::{Value, json};
use std::{io::Write, path::PathBuf, sync::Arc, time::Duration};
use url::Url;

fn fixtures_dir() -> Option<PathBuf> {
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/activitypub");
    if dir.is_dir() {
        return Some(dir);
    }
    // CI has ../shared beside the clone: there its absence is a fault, not
    // a reason to pass without having looked.
    assert!(
        std::env::var_os("CI").is_none(),
        "../shared/fixtures/activitypub is missing, and CI is set"
    );
    // Straight to stderr: the test harness captures `eprintln!` of passing
    // tests, and a skip must not go unnoticed.
    let _ = writeln!(
        std::io::stderr(),
        "skipping: ../shared/fixtures/activitypub is not here (it comes with the steering repository)"
    );
    None
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
            http: Default::default(),
            follower_caps: Default::default(),
        },
        wake: Arc::new(tokio::sync::Notify::new()),
        client: offline_client().await,
        metrics: deling_federation::metrics::Metrics::new().unwrap(),
        key_refetches: Default::default(),
        inbox_memo: Default::default(),
        inbox_batch: Default::default(),
        keys: Default::default(),
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

/// Registers the activity's actor as if its signature had been verified;
/// its followers collection where Mastodon and most others put it.
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
            followers: Some(format!("{actor}/followers")),
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

const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

fn is_public_address(v: &Value) -> bool {
    matches!(v.as_str(), Some(PUBLIC | "as:Public" | "Public"))
}

/// `to`/`cc` entries that name someone other than the public or the
/// author's followers are aimed at `target` instead, as are mentions, so
/// a payload sent to someone elsewhere reads as one sent to our agency.
fn aim_audience(object: &mut Value, author: &str, target: &str) {
    let followers = format!("{author}/followers");
    for key in ["to", "cc"] {
        let Some(list) = object.get_mut(key) else {
            continue;
        };
        let aimed = |v: &mut Value| {
            if !is_public_address(v) && v.as_str() != Some(followers.as_str()) && v.is_string() {
                *v = Value::String(target.to_owned());
            }
        };
        match list {
            Value::Array(a) => a.iter_mut().for_each(aimed),
            v @ Value::String(_) => aimed(v),
            _ => {}
        }
    }
    if let Some(Value::Array(tags)) = object.get_mut("tag") {
        for t in tags {
            if t.get("type").and_then(Value::as_str) == Some("Mention") {
                t["href"] = Value::String(target.to_owned());
            }
        }
    }
}

/// What a fixture aimed at our agency and item must do.
#[derive(Debug, PartialEq)]
enum Expect {
    /// A public or unlisted reply: a comment on the item, so addressed.
    Comment(Visibility),
    /// A followers-only or direct reply that names the agency: in its
    /// staff inbox only, so addressed.
    Message(Visibility),
    /// A followers-only or direct reply that does not name the agency
    /// (which follows no one): for others, so nowhere here.
    Nowhere(Visibility),
    /// A like of the item: counted.
    Like,
    /// A follow of the agency: a follower.
    Follower,
}

/// Each fixture that can be aimed at a local agency or item (replies,
/// likes, follows), with its ids remapped as it is loaded, processed
/// through the inbox: its effect is asserted, by kind and by audience.
#[tokio::test]
async fn fixtures_aimed_at_us_have_their_effect() {
    let Some(dir) = fixtures_dir() else {
        return;
    };
    let mut files = Vec::new();
    json_files(&dir, &mut files);
    files.sort();
    let (config, _dir) = context().await;
    let data = config.to_request_data();
    let kp = deling_federation::keys::generate().unwrap();
    let oslo = data
        .store
        .put_agency(deling_store::queries::agency::NewAgency {
            slug: deling_domain::slug::Slug::parse("oslo").unwrap(),
            name: deling_domain::text::DisplayName::parse("Oslo kommune").unwrap(),
            org_number: None,
            public_key_pem: kp.public_key_pem,
            private_key_pem: kp.private_key_pem,
        })
        .await
        .unwrap();
    let item = data
        .store
        .put_item(
            oslo.id,
            &deling_domain::item::ItemContent::parse(deling_domain::item::RawItem {
                kind: Some("guide".into()),
                title: Some("Byggesak".into()),
                language: Some("nb".into()),
                ..Default::default()
            })
            .unwrap(),
        )
        .await
        .unwrap();
    let agency_url = data.urls.agency("oslo").to_string();
    let item_url = data.urls.item(item.id).to_string();
    let mut seen = std::collections::BTreeMap::<String, usize>::new();
    for path in &files {
        let name = path.strip_prefix(&dir).unwrap().display().to_string();
        let value: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let kind = value["type"].as_str().unwrap_or_default().to_owned();
        // Notes arrive in a Create; Creates of Notes as they are.
        let (mut activity, expect) = match kind.as_str() {
            "Note" => {
                let Some(author) = value["attributedTo"].as_str().map(str::to_owned) else {
                    continue;
                };
                let create = json!({"type": "Create", "id": format!("{author}#create-{name}"),
                    "actor": author, "object": value});
                (create, None)
            }
            "Create" | "Update" if value["object"]["type"] == "Note" => (value.clone(), None),
            "Like" if value["object"].is_string() => (value.clone(), Some(Expect::Like)),
            "Follow" if value["object"].is_string() => (value.clone(), Some(Expect::Follower)),
            _ => continue,
        };
        let Some(actor) = activity["actor"].as_str().map(str::to_owned) else {
            continue;
        };
        let expect = match expect {
            Some(e) => {
                activity["object"] = Value::String(if e == Expect::Like {
                    item_url.clone()
                } else {
                    agency_url.clone()
                });
                e
            }
            None => {
                let note = &mut activity["object"];
                // A fixture's Note must be its actor's own to be taken.
                if note["attributedTo"].as_str() != Some(actor.as_str()) {
                    continue;
                }
                note["inReplyTo"] = Value::String(item_url.clone());
                aim_audience(note, &actor, &agency_url);
                let mentioned = note["tag"].as_array().is_some_and(|tags| {
                    tags.iter()
                        .any(|t| t["type"] == "Mention" && t["href"] == agency_url.as_str())
                });
                let has = |k: &str| note.get(k).is_some_and(|v| !v.is_null());
                let (to, cc) = if has("to") || has("cc") {
                    (note["to"].clone(), note["cc"].clone())
                } else {
                    (activity["to"].clone(), activity["cc"].clone())
                };
                let names_public = |v: &Value| match v {
                    Value::Array(a) => a.iter().any(is_public_address),
                    other => is_public_address(other),
                };
                let names = |v: &Value, who: &str| match v {
                    Value::Array(a) => a.iter().any(|x| x.as_str() == Some(who)),
                    other => other.as_str() == Some(who),
                };
                let named = mentioned || names(&to, &agency_url) || names(&cc, &agency_url);
                let private = |v: Visibility| {
                    if named {
                        Expect::Message(v)
                    } else {
                        Expect::Nowhere(v)
                    }
                };
                if names_public(&to) {
                    Expect::Comment(Visibility::Public)
                } else if names_public(&cc) {
                    Expect::Comment(Visibility::Unlisted)
                } else if names(&to, &format!("{actor}/followers")) {
                    private(Visibility::Followers)
                } else {
                    private(Visibility::Direct)
                }
            }
        };
        // As stored: parsed, so `https://host?c=1` reads `https://host/?c=1`.
        let note_id = activity["object"]["id"]
            .as_str()
            .and_then(|s| Url::parse(s).ok())
            .map(String::from);
        register_actor(&data.store, &Url::parse(&actor).unwrap()).await;
        let before = data.store.count_item_reactions(item.id).await.unwrap();
        let outcome = tokio::time::timeout(
            Duration::from_secs(20),
            inbox::process(&activity.to_string(), &data),
        )
        .await
        .unwrap_or_else(|_| panic!("{name}: processing hung"));
        if let Err(e) = &outcome {
            // Only a reply with nothing to show may be refused.
            let empty = activity["object"]["content"]
                .as_str()
                .is_none_or(|c| deling_domain::markdown::plain_text(c).is_empty());
            assert!(empty && is_clean(e), "{name} ({expect:?}): {e}");
            *seen
                .entry(format!("{expect:?} refused (empty)"))
                .or_default() += 1;
            continue;
        }
        let comments = data.store.list_comments(item.id).await.unwrap();
        let in_comments = note_id
            .as_deref()
            .is_some_and(|id| comments.iter().any(|c| c.ap_id.as_deref() == Some(id)));
        let messages = data.store.list_messages(oslo.id, None, 1000).await.unwrap();
        let in_messages = note_id
            .as_deref()
            .is_some_and(|id| messages.iter().any(|m| m.ap_id.as_deref() == Some(id)));
        let actor_row = data
            .store
            .get_remote_actor_by_ap_id(&actor)
            .await
            .unwrap()
            .unwrap();
        match expect {
            Expect::Comment(visibility) => {
                assert!(in_comments && !in_messages, "{name}: not a public comment");
                let c = comments
                    .iter()
                    .find(|c| c.ap_id == note_id)
                    .expect("the comment");
                assert_eq!(c.visibility, visibility, "{name}");
            }
            Expect::Message(visibility) => {
                assert!(
                    in_messages && !in_comments,
                    "{name}: a private reply must be in the staff inbox only"
                );
                let m = messages
                    .iter()
                    .find(|m| m.ap_id == note_id)
                    .expect("the message");
                assert_eq!(m.visibility, visibility, "{name}");
            }
            Expect::Nowhere(_) => assert!(
                !in_messages && !in_comments,
                "{name}: a private reply that names no one here must not be kept"
            ),
            Expect::Like => {
                let after = data.store.count_item_reactions(item.id).await.unwrap();
                assert_eq!(after.likes, before.likes + 1, "{name}: like not counted");
            }
            Expect::Follower => assert!(
                data.store.is_follower(oslo.id, actor_row.id).await.unwrap(),
                "{name}: follower not stored"
            ),
        }
        *seen.entry(format!("{expect:?}")).or_default() += 1;
    }
    eprintln!("fixtures aimed at a local agency and item: {seen:?}");
    for kind in ["Comment(", "Message(", "Like", "Follower"] {
        assert!(
            seen.keys().any(|k| k.starts_with(kind)),
            "no fixture checked as {kind}: {seen:?}"
        );
    }
}
