//! A Deling server per API test, on a database of its own, driven over real
//! HTTP. Agencies, staff and tokens are made directly through a [`Store`]
//! on the same database, which is what the CLI does too.

use crate::{
    config::test_config,
    db::sqlite_url,
    http::{client, ok_json},
    keys::test_keys,
    server,
};
use deling::config::Config;
use deling_domain::{
    agency::OrgNumber,
    auth::{NewToken, Password, Role, Username},
    slug::Slug,
    text::DisplayName,
};
use deling_store::{
    Store,
    queries::agency::NewAgency,
    records::{Agency, Staff},
};
use reqwest::{Response, StatusCode};
use serde_json::Value;
use tempfile::TempDir;

/// A password long enough for [`Password::parse`].
pub const PASSWORD: &str = "correct horse battery staple";

/// A running server with a store on its database.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The same database the server uses.
    pub store: Store,
    /// An HTTP client that never goes through a proxy.
    pub client: reqwest::Client,
    /// The private metrics listener, when the configuration has one.
    pub metrics_base: Option<String>,
    /// Keeps the SQLite file alive for the test's duration.
    _dir: Option<TempDir>,
}

impl TestApp {
    /// A server on a fresh SQLite database.
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// A server on the (empty) database at `database_url`.
    pub async fn spawn_on(database_url: &str, dir: Option<TempDir>) -> Self {
        Self::spawn_configured(database_url, dir, |_| {}).await
    }

    /// A server on a fresh SQLite database, with `tweak` applied to the
    /// test configuration.
    pub async fn spawn_with(tweak: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = sqlite_url(dir.path(), "t.sqlite3");
        Self::spawn_configured(&url, Some(dir), tweak).await
    }

    /// A server on the database at `database_url` (kept alive by `dir`, if
    /// given), with `tweak` applied to the test configuration.
    pub async fn spawn_configured(
        database_url: &str,
        dir: Option<TempDir>,
        tweak: impl FnOnce(&mut Config),
    ) -> Self {
        let mut config = test_config(database_url);
        tweak(&mut config);
        let store = server::migrated_store(database_url).await;
        let app = server::build(&config, &store, test_keys())
            .await
            .expect("build the application");
        let addr = app.addr();
        let metrics = app.metrics_addr();
        tokio::spawn(app.run_until_stopped());
        Self {
            base: format!("http://{addr}"),
            metrics_base: metrics.map(|a| format!("http://{a}")),
            store,
            client: client(),
            _dir: dir,
        }
    }

    /// An absolute URL on the server for `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Creates a local agency (with the shared test keys).
    pub async fn agency(&self, slug: &str, name: &str) -> Agency {
        self.store
            .put_agency(NewAgency {
                slug: Slug::parse(slug).expect("valid slug"),
                name: DisplayName::parse(name).expect("valid name"),
                org_number: Some(OrgNumber::parse("958935420").expect("valid org number")),
                public_key_pem: test_keys().public_key_pem.clone(),
                private_key_pem: test_keys().private_key_pem.clone(),
            })
            .await
            .expect("put agency")
    }

    /// Creates a staff account with [`PASSWORD`].
    pub async fn staff(&self, username: &str, instance_admin: bool) -> Staff {
        let hash =
            tokio::task::spawn_blocking(|| Password::parse(PASSWORD).expect("long enough").hash())
                .await
                .expect("hash the password");
        self.store
            .put_staff(
                &Username::parse(username).expect("valid username"),
                hash,
                instance_admin,
            )
            .await
            .expect("put staff")
    }

    /// Creates a staff account without a usable password (for tests that
    /// only need a token; skips argon2).
    pub async fn staff_without_password(&self, username: &str, instance_admin: bool) -> Staff {
        self.store
            .put_staff(
                &Username::parse(username).expect("valid username"),
                "not a hash".into(),
                instance_admin,
            )
            .await
            .expect("put staff")
    }

    /// Issues a token for `staff` and returns its secret.
    pub async fn token(&self, staff: &Staff) -> String {
        self.labelled_token(staff, "test").await
    }

    /// Issues a token labelled `label` for `staff` and returns its secret.
    pub async fn labelled_token(&self, staff: &Staff, label: &str) -> String {
        let t = NewToken::generate();
        self.store
            .put_token(staff.id, t.hash, Some(label.into()), None)
            .await
            .expect("put token");
        t.secret
    }

    /// A new staff member who is an editor of `agency`, and their token.
    pub async fn editor_of(&self, username: &str, agency: &Agency) -> String {
        let staff = self.staff_without_password(username, false).await;
        self.store
            .put_membership(staff.id, agency.id, Role::Editor)
            .await
            .expect("put membership");
        self.token(&staff).await
    }

    /// A new instance administrator and their token.
    pub async fn instance_admin(&self, username: &str) -> String {
        let staff = self.staff_without_password(username, true).await;
        self.token(&staff).await
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    /// `GET path`, expecting 200 and JSON.
    pub async fn get_ok(&self, path: &str) -> Value {
        let resp = self.get(path).await;
        ok_json(resp, StatusCode::OK).await
    }

    /// `POST /api/v1/agencies/{slug}/items` with `body` as JSON.
    pub async fn post_item(&self, token: &str, slug: &str, body: &Value) -> Response {
        self.client
            .post(self.url(&format!("/api/v1/agencies/{slug}/items")))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("POST item")
    }

    /// Publishes `body` and returns the created item; panics unless 201.
    pub async fn create_item(&self, token: &str, slug: &str, body: &Value) -> Value {
        let resp = self.post_item(token, slug, body).await;
        ok_json(resp, StatusCode::CREATED).await
    }

    /// `PATCH /api/v1/items/{id}` with `body` as JSON.
    pub async fn patch_item(&self, token: &str, id: i64, body: &Value) -> Response {
        self.client
            .patch(self.url(&format!("/api/v1/items/{id}")))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("PATCH item")
    }

    /// `DELETE /api/v1/items/{id}`.
    pub async fn delete_item(&self, token: &str, id: i64) -> Response {
        self.client
            .delete(self.url(&format!("/api/v1/items/{id}")))
            .bearer_auth(token)
            .send()
            .await
            .expect("DELETE item")
    }

    /// `GET /api/v1/items/{id}`, expecting 200.
    pub async fn read_item(&self, id: i64) -> Value {
        self.get_ok(&format!("/api/v1/items/{id}")).await
    }

    /// Number of items the public listing reports.
    pub async fn total_items(&self) -> u64 {
        self.get_ok("/api/v1/items?origin=all").await["total"]
            .as_u64()
            .expect("total is a number")
    }
}
