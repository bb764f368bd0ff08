//! Followers on a [`FakePeer`] for delivery tests, as rows to store
//! directly: no Follow needs to be exchanged to have something to deliver.

use super::{FakeActor, FakePeer, public_pem};
use deling_store::queries::remote_actor::RemoteActorData;
use rsa::RsaPrivateKey;
use serde_json::json;

impl FakePeer {
    /// A follower `name` whose own inbox is at `inbox_path`, with no shared
    /// inbox (no document is served: delivering needs none).
    pub fn follower_at(&self, name: &str, inbox_path: &str) -> RemoteActorData {
        RemoteActorData {
            ap_id: self.url(&format!("/actors/{name}")),
            actor_type: "Person".into(),
            domain: self.domain.clone(),
            preferred_username: Some(name.to_owned()),
            name: None,
            inbox: self.url(inbox_path),
            shared_inbox: None,
            url: None,
            icon_url: None,
            summary_html: None,
            public_key_pem: None,
            followers: None,
            speaks_deling: false,
        }
    }

    /// A follower `name` with its inbox at `/actors/{name}/inbox`.
    pub fn follower(&self, name: &str) -> RemoteActorData {
        self.follower_at(name, &format!("/actors/{name}/inbox"))
    }

    /// A follower that can sign: its document (with `key`) is served, and
    /// it is returned both as a signer and as the row to store.
    pub fn signing_follower(
        &self,
        name: &str,
        key: &RsaPrivateKey,
    ) -> (FakeActor, RemoteActorData) {
        let mut data = self.follower(name);
        let pem = public_pem(key);
        data.public_key_pem = Some(pem.clone());
        let id = data.ap_id.clone();
        let doc = json!({
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "type": "Person",
            "id": id,
            "preferredUsername": name,
            "inbox": data.inbox,
            "outbox": format!("{id}/outbox"),
            "publicKey": {"id": format!("{id}#main-key"), "owner": id, "publicKeyPem": pem},
        });
        self.serve(&format!("/actors/{name}"), doc);
        let actor = FakeActor {
            id: id.clone(),
            key_id: format!("{id}#main-key"),
            key: key.clone(),
        };
        (actor, data)
    }
}
