//! Receiving with the signer memo: a delivery accepted on what the memo
//! says is still checked against the policy, afresh, before the worker
//! acts on it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::{
    accept_delivery,
    memo::{MEMO_TTL, ReadStart},
    verify_delivery, worker,
};
use crate::{
    Urls, cavage,
    context::{Config, FedContext},
    crypto::SigningKey,
    signature::SignedRequest,
};
use base64::Engine;
use deling_domain::{
    item::{ItemContent, RawItem},
    slug::Slug,
    text::DisplayName,
};
use deling_store::{
    Store,
    queries::{agency::NewAgency, policy::policy_generation, remote_actor::RemoteActorData},
};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use url::Url;

const EVE: &str = "https://social.example/users/eve";
const DOMAIN: &str = "deling.test";

/// Eve's key pair, made once for all the tests here (making one is slow
/// in a debug build).
static EVE_KEY: std::sync::LazyLock<crate::keys::KeyPair> =
    std::sync::LazyLock::new(|| crate::keys::generate().unwrap());

pub(super) struct World {
    pub(super) config: Config,
    store: Store,
    key: SigningKey,
    item_url: Url,
    item_id: i64,
    _dir: tempfile::TempDir,
}

/// An agency with one item, and Eve on `social.example`, whose key we hold.
pub(super) async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("i.sqlite3").display()
    );
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let oslo = store
        .put_agency(NewAgency {
            slug: Slug::parse("oslo").unwrap(),
            name: DisplayName::parse("Oslo").unwrap(),
            org_number: None,
            public_key_pem: "oslo-pub".into(),
            private_key_pem: "oslo-priv".into(),
        })
        .await
        .unwrap();
    let content = ItemContent::parse(RawItem {
        kind: Some("guide".into()),
        title: Some("Veileder".into()),
        summary: Some("Kort".into()),
        language: Some("nb".into()),
        ..Default::default()
    })
    .unwrap();
    let item = store.put_item(oslo.id, &content).await.unwrap();
    let kp = &*EVE_KEY;
    store
        .put_remote_actor(RemoteActorData {
            ap_id: EVE.into(),
            actor_type: "Person".into(),
            domain: "social.example".into(),
            preferred_username: Some("eve".into()),
            name: None,
            inbox: format!("{EVE}/inbox"),
            shared_inbox: None,
            url: None,
            icon_url: None,
            summary_html: None,
            public_key_pem: Some(kp.public_key_pem.clone()),
            followers: Some(format!("{EVE}/followers")),
            speaks_deling: false,
        })
        .await
        .unwrap();
    let urls = Urls::for_domain(DOMAIN, false).unwrap();
    let item_url = urls.item(item.id);
    let ctx = FedContext {
        store: store.clone(),
        urls,
        settings: crate::context::FedSettings {
            domain: DOMAIN.into(),
            debug: false,
            allow_private_addresses: false,
            require_signed_fetch: false,
            retry_base: std::time::Duration::from_secs(1),
            max_attempts: 3,
            http: Default::default(),
            follower_caps: Default::default(),
        },
        wake: Default::default(),
        client: reqwest::Client::new(),
        metrics: crate::metrics::Metrics::new().unwrap(),
        key_refetches: Default::default(),
        keys: Default::default(),
        inbox_memo: Default::default(),
        inbox_batch: Default::default(),
    };
    let config = activitypub_federation::config::FederationConfig::builder()
        .domain(DOMAIN)
        .app_data(ctx)
        .build()
        .await
        .unwrap();
    World {
        config,
        store,
        key: SigningKey::from_pem(&kp.private_key_pem).unwrap(),
        item_url,
        item_id: item.id,
        _dir: dir,
    }
}

impl World {
    /// Eve's public reply `n` to the item, signed as Mastodon signs it,
    /// through the two steps of `POST /inbox`.
    async fn deliver_reply(&self, n: u32) -> Result<String, crate::error::FedError> {
        let note = format!("{EVE}/statuses/{n}");
        let activity = json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{note}/activity"),
            "type": "Create",
            "actor": EVE,
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "object": {
                "id": note,
                "type": "Note",
                "attributedTo": EVE,
                "inReplyTo": self.item_url.as_str(),
                "to": ["https://www.w3.org/ns/activitystreams#Public"],
                "content": format!("<p>Svar {n}</p>"),
            },
        });
        let body = activity.to_string();
        let digest = format!(
            "SHA-256={}",
            base64::engine::general_purpose::STANDARD.encode(Sha256::digest(body.as_bytes()))
        );
        let date = chrono::Utc::now()
            .format("%a, %d %b %Y %H:%M:%S GMT")
            .to_string();
        let signing_string = format!(
            "(request-target): post /inbox\nhost: {DOMAIN}\ndate: {date}\ndigest: {digest}"
        );
        let signature = cavage::sign(&self.key, &signing_string).unwrap();
        let headers = BTreeMap::from([
            ("host".to_owned(), DOMAIN.to_owned()),
            ("date".to_owned(), date),
            ("digest".to_owned(), digest),
            (
                "signature".to_owned(),
                format!(
                    "keyId=\"{EVE}#main-key\",algorithm=\"rsa-sha256\",\
                     headers=\"(request-target) host date digest\",signature=\"{signature}\""
                ),
            ),
        ]);
        let request = SignedRequest {
            method: "POST",
            path_and_query: "/inbox",
            headers,
        };
        let data = self.config.to_request_data();
        let delivery = verify_delivery(request, body.as_bytes(), &data).await?;
        accept_delivery(delivery, &data).await?;
        Ok(note)
    }

    fn memo(&self) -> std::sync::Arc<super::memo::InboxMemo> {
        self.config.to_request_data().inbox_memo.clone()
    }

    /// Delivers replies from number `first` on until one leaves Eve in the
    /// memo, and returns the notes delivered. The policy generation is one
    /// counter for the whole process, and the tests running beside this
    /// one change the policy too: an entry found stale is a failure only
    /// when nothing moved the generation and the TTL had not run out.
    async fn deliver_memoised(&self, first: u32) -> Vec<String> {
        let mut notes = Vec::new();
        for n in first..first + 20 {
            let generation = policy_generation();
            let began = std::time::Instant::now();
            notes.push(self.deliver_reply(n).await.unwrap());
            if self.memo().signer(EVE).is_some() {
                return notes;
            }
            assert!(
                policy_generation() != generation || began.elapsed() >= MEMO_TTL,
                "a signer that passed was not memoised"
            );
        }
        panic!("the policy changed under every one of 20 deliveries");
    }

    async fn process_all(&self) {
        while worker::round(&self.config).await.unwrap() {}
    }

    async fn comment_stored(&self, note: &str) -> bool {
        self.store
            .list_comments(self.item_id)
            .await
            .unwrap()
            .iter()
            .any(|c| c.ap_id.as_deref() == Some(note))
    }

    async fn inbox_status(&self, note: &str) -> String {
        self.store
            .get_inbox_activity(&format!("{note}/activity"))
            .await
            .unwrap()
            .expect("the activity was stored")
            .status
    }
}

#[tokio::test]
async fn an_accepted_reply_is_stored_as_a_comment_and_its_signer_memoised() {
    let w = world().await;
    let mut notes = w.deliver_memoised(1).await;
    // The memo answers the next delivery; it is processed all the same.
    notes.push(w.deliver_reply(100).await.unwrap());
    w.process_all().await;
    for note in &notes {
        assert!(w.comment_stored(note).await);
        assert_eq!(w.inbox_status(note).await, "done");
    }
    let counts = w.store.count_item_reactions(w.item_id).await.unwrap();
    assert_eq!(counts.comments, notes.len() as u64);
}

#[tokio::test]
async fn a_block_made_after_accept_still_drops_the_activity() {
    let w = world().await;
    let notes = w.deliver_memoised(1).await;
    // Blocked between the 202 and the processing: the block made here
    // makes the memo stale at once...
    w.store
        .put_actor_block(EVE, Some("spam"), None)
        .await
        .unwrap();
    assert!(
        w.memo().signer(EVE).is_none(),
        "a policy change leaves no memo entry standing"
    );
    // ...and the worker, reading the policy afresh, drops what was taken.
    w.process_all().await;
    for note in &notes {
        assert!(
            !w.comment_stored(note).await,
            "a blocked actor's reply was stored"
        );
        assert_eq!(w.inbox_status(note).await, "done", "dropped, not retried");
    }
    // The next delivery is refused at the door.
    let refused = w.deliver_reply(100).await.unwrap_err();
    assert!(
        matches!(refused, crate::error::FedError::Refused(_)),
        "{refused}"
    );
}

#[tokio::test]
async fn a_block_the_memo_missed_is_caught_by_the_worker() {
    let w = world().await;
    // A block made by another process (the command line) does not move
    // this process's policy generation: until the entry lapses, the memo
    // may let the actor's deliveries be stored. Played here by noting
    // the signer as passed after the block.
    w.store
        .put_actor_block(EVE, Some("spam"), None)
        .await
        .unwrap();
    let eve = crate::objects::actors::DbRemoteActor::new(
        w.store
            .get_remote_actor_by_ap_id(EVE)
            .await
            .unwrap()
            .unwrap(),
    )
    .unwrap();
    // Another test's policy change makes the planted entry stale (the
    // delivery is then refused at the door): plant it again and retry.
    let mut note = None;
    for n in 1..=20 {
        let start = ReadStart::now();
        w.memo().put_signer(&eve, start);
        match w.deliver_reply(n).await {
            Ok(stored) => {
                note = Some(stored);
                break;
            }
            Err(e) => assert!(
                policy_generation() != start.generation() || start.age() >= MEMO_TTL,
                "refused although the memo vouched for the signer: {e}"
            ),
        }
    }
    let note = note.expect("stored on the memo's word");
    w.process_all().await;
    assert!(
        !w.comment_stored(&note).await,
        "the worker acted on a blocked actor's activity"
    );
    assert_eq!(w.inbox_status(&note).await, "done");
}

#[tokio::test]
async fn a_silenced_hosts_reply_is_held_hidden() {
    let w = world().await;
    let domain = deling_domain::policy::Domain::parse("social.example").unwrap();
    w.store
        .put_domain_policy(
            &domain,
            deling_domain::policy::Severity::Silence,
            None,
            None,
            None,
        )
        .await
        .unwrap();
    let note = w.deliver_reply(1).await.unwrap();
    w.process_all().await;
    assert!(!w.comment_stored(&note).await, "a silenced reply is listed");
    let hidden = w.store.list_hidden_comments(w.item_id).await.unwrap();
    assert_eq!(hidden.len(), 1, "held for a moderator");
    assert_eq!(hidden[0].ap_id.as_deref(), Some(note.as_str()));
}
