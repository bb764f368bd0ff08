//! What a test does with an [`Instance`]: its ids, agencies and staff made
//! through the store, and requests to its API and ActivityPub endpoints.

use super::Instance;
use crate::{
    bodies::{id_of, item_body, titles},
    http::json_body,
    keys::pool_key,
    peer::FakeActor,
    wait::{self, eventually},
};
use deling_domain::{
    agency::OrgNumber,
    auth::{NewToken, Role, Username},
    slug::Slug,
    text::DisplayName,
};
use deling_store::{
    queries::{agency::NewAgency, inbox::InboxActivity},
    records::Agency,
};
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use std::sync::atomic::Ordering;

impl Instance {
    /// `http://localhost:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The actor id of local agency `slug`.
    pub fn actor_id(&self, slug: &str) -> String {
        self.url(&format!("/agencies/{slug}"))
    }

    /// `@slug@localhost:PORT`.
    pub fn handle(&self, slug: &str) -> String {
        format!("@{slug}@{}", self.domain)
    }

    /// The shared inbox.
    pub fn shared_inbox(&self) -> String {
        self.url("/inbox")
    }

    /// Creates a local agency the editor may publish for.
    pub async fn agency(&self, slug: &str) -> Agency {
        let n = self.agencies.fetch_add(1, Ordering::Relaxed);
        let kp = pool_key(self.key_base + 1 + n % 2).await;
        let agency = self
            .store
            .put_agency(NewAgency {
                slug: Slug::parse(slug).expect("valid slug"),
                name: DisplayName::parse(&format!("Etaten {slug}")).expect("valid name"),
                org_number: Some(OrgNumber::parse("958935420").expect("valid org number")),
                public_key_pem: kp.public_key_pem.clone(),
                private_key_pem: kp.private_key_pem.clone(),
            })
            .await
            .expect("put agency");
        self.store
            .put_membership(self.editor_id, agency.id, Role::Editor)
            .await
            .expect("put membership");
        agency
    }

    /// Makes staff member `username` (an instance administrator if
    /// `instance_admin`, an editor of `editor_of` if given) through the
    /// store, and returns the secret of a new bearer token of theirs.
    pub async fn staff_token(
        &self,
        username: &str,
        instance_admin: bool,
        editor_of: Option<i64>,
    ) -> String {
        let staff = self
            .store
            .put_staff(
                &Username::parse(username).expect("valid username"),
                "not a hash".into(),
                instance_admin,
            )
            .await
            .expect("put staff");
        if let Some(agency_id) = editor_of {
            self.store
                .put_membership(staff.id, agency_id, Role::Editor)
                .await
                .expect("put membership");
        }
        let token = NewToken::generate();
        self.store
            .put_token(staff.id, token.hash, Some(username.to_owned()), None)
            .await
            .expect("put token");
        token.secret
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    /// `GET path`, expecting 200 and JSON.
    pub async fn get_json(&self, path: &str) -> Value {
        json_body(self.get(path).await, StatusCode::OK).await
    }

    /// The ActivityPub document at `path` (asked for as a peer asks).
    pub async fn get_activity_json(&self, path: &str) -> Value {
        let resp = self
            .client
            .get(self.url(path))
            .header("Accept", "application/activity+json")
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        json_body(resp, StatusCode::OK).await
    }

    /// An authenticated request (as the editor) with an optional JSON body.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Response {
        self.send_as(&self.token, method, path, body).await
    }

    /// A request with bearer `token` and an optional JSON body.
    pub async fn send_as(
        &self,
        token: &str,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Response {
        let mut req = self
            .client
            .request(method.clone(), self.url(path))
            .bearer_auth(token);
        if let Some(body) = body {
            req = req.json(body);
        }
        req.send()
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    /// Publishes an item for `slug` and returns its id.
    pub async fn publish(&self, slug: &str, title: &str, tags: &[&str]) -> i64 {
        let resp = self
            .send(
                reqwest::Method::POST,
                &format!("/api/v1/agencies/{slug}/items"),
                Some(&item_body(title, tags)),
            )
            .await;
        id_of(&json_body(resp, StatusCode::CREATED).await)
    }

    /// `POST /api/v1/agencies/{slug}/following`, expecting 202.
    pub async fn follow(&self, slug: &str, target: &str) -> Value {
        let resp = self
            .send(
                reqwest::Method::POST,
                &format!("/api/v1/agencies/{slug}/following"),
                Some(&json!({ "target": target })),
            )
            .await;
        json_body(resp, StatusCode::ACCEPTED).await
    }

    /// The state of `slug`'s Follow of `actor_id`, if listed.
    pub async fn following_state(&self, slug: &str, actor_id: &str) -> Option<String> {
        let list = self
            .get_json(&format!("/api/v1/agencies/{slug}/following"))
            .await;
        list.as_array()
            .expect("following is a list")
            .iter()
            .find(|f| f["actor"]["actor_id"] == actor_id)
            .map(|f| f["state"].as_str().unwrap_or_default().to_owned())
    }

    /// Waits until `slug`'s Follow of `actor_id` is accepted.
    pub async fn wait_accepted(&self, slug: &str, actor_id: &str) {
        eventually(
            &format!("{slug}'s Follow of {actor_id} accepted"),
            async || match self.following_state(slug, actor_id).await {
                Some(s) if s == "accepted" => Ok(()),
                other => Err(format!("state {other:?}")),
            },
        )
        .await;
    }

    /// Actor ids of `slug`'s followers, as the API lists them.
    pub async fn follower_ids(&self, slug: &str) -> Vec<String> {
        self.get_json(&format!("/api/v1/agencies/{slug}/followers"))
            .await
            .as_array()
            .expect("followers is a list")
            .iter()
            .map(|a| a["actor_id"].as_str().expect("actor_id").to_owned())
            .collect()
    }

    /// Makes the fake `actor` follow agency `slug` here, and waits until it
    /// is listed as a follower (the Accept goes to the fake server).
    pub async fn followed_by(&self, actor: &FakeActor, slug: &str) {
        let follow = json!({"@context": "https://www.w3.org/ns/activitystreams",
            "id": actor.activity_id(&format!("follow-{slug}")), "type": "Follow",
            "actor": actor.id, "object": self.actor_id(slug)});
        let resp = actor
            .post(&self.shared_inbox(), &follow)
            .send(&self.client)
            .await;
        assert_eq!(resp.status(), StatusCode::ACCEPTED, "{follow}");
        eventually(&format!("{} to follow {slug}", actor.id), async || {
            let ids = self.follower_ids(slug).await;
            if ids.contains(&actor.id) {
                Ok(())
            } else {
                Err(format!("{ids:?}"))
            }
        })
        .await;
    }

    /// The items of other servers, as `GET /api/v1/items?origin=remote` lists them.
    pub async fn remote_items(&self) -> Vec<Value> {
        let page = self
            .get_json("/api/v1/items?origin=remote&per_page=100")
            .await;
        page["items"].as_array().expect("items is a list").clone()
    }

    /// Waits until the remote item with `ap_id` is listed, and returns it.
    pub async fn wait_remote_item(&self, ap_id: &str) -> Value {
        eventually(&format!("{ap_id} listed on {}", self.domain), async || {
            let items = self.remote_items().await;
            items
                .iter()
                .find(|i| i["ap_id"] == ap_id)
                .cloned()
                .ok_or_else(|| format!("remote items: {:?}", titles(&items)))
        })
        .await
    }

    /// The comments on item `id`.
    pub async fn comments(&self, id: i64) -> Vec<Value> {
        self.get_json(&format!("/api/v1/items/{id}/comments"))
            .await
            .as_array()
            .expect("comments is a list")
            .clone()
    }

    /// Waits until this instance has no delivery left to attempt.
    pub async fn deliveries_drained(&self) {
        wait::deliveries_drained(&self.store).await;
    }

    /// Waits until this instance has processed the received activity
    /// `ap_id` (done or failed); returns its row.
    pub async fn processed(&self, ap_id: &str) -> InboxActivity {
        wait::processed(&self.store, ap_id).await
    }
}
