//! A person at a browser on a test server's pages: logs in through the real
//! login form, keeps the cookies the server sets, and posts forms with the
//! session's CSRF token, as a browser would (without following redirects,
//! so tests see each answer).

use crate::app::{PASSWORD, TestApp};
use reqwest::{Response, StatusCode, header};
use std::collections::BTreeMap;

/// A browser's cookies and its session on one test server.
#[derive(Debug, Clone)]
pub struct Browser {
    /// The server's base URL.
    pub base: String,
    client: reqwest::Client,
    /// Cookies by name, as the server last set them.
    pub cookies: BTreeMap<String, String>,
    /// `Set-Cookie` headers of the last answer, whole (to check their
    /// attributes).
    pub last_set_cookies: Vec<String>,
}

/// The value of `<input ... name="NAME" ... value="VALUE">` in `html`.
pub fn input_value(html: &str, name: &str) -> Option<String> {
    let needle = format!("name=\"{name}\"");
    let at = html.find(&needle)?;
    let start = html[..at].rfind('<')?;
    let end = at + html[at..].find('>')?;
    let tag = &html[start..end];
    let v = tag.split("value=\"").nth(1)?;
    Some(v.split('"').next()?.replace("&amp;", "&"))
}

impl Browser {
    /// A browser with no cookies, pointed at `base`.
    pub fn new(base: &str) -> Self {
        Self {
            base: base.to_owned(),
            client: reqwest::Client::builder()
                .no_proxy()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(std::time::Duration::from_secs(30))
                .build()
                .expect("HTTP client"),
            cookies: BTreeMap::new(),
            last_set_cookies: vec![],
        }
    }

    /// The same cookies, on another server (a second process on the same
    /// database).
    pub fn on(&self, base: &str) -> Self {
        Self {
            base: base.to_owned(),
            ..self.clone()
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep_cookies(&mut self, resp: &Response) {
        self.last_set_cookies = resp
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect();
        for set in &self.last_set_cookies {
            let pair = set.split(';').next().unwrap_or_default();
            let Some((name, value)) = pair.split_once('=') else {
                continue;
            };
            let expired = set.to_ascii_lowercase().contains("max-age=0");
            if expired || value.is_empty() {
                self.cookies.remove(name.trim());
            } else {
                self.cookies
                    .insert(name.trim().to_owned(), value.to_owned());
            }
        }
    }

    /// `GET path`, with the cookies.
    pub async fn get(&mut self, path: &str) -> Response {
        let resp = self
            .client
            .get(format!("{}{path}", self.base))
            .header(header::COOKIE, self.cookie_header())
            .send()
            .await
            .expect("GET");
        self.keep_cookies(&resp);
        resp
    }

    /// `GET path`, which must answer 200; its HTML.
    pub async fn page(&mut self, path: &str) -> String {
        let resp = self.get(path).await;
        let status = resp.status();
        let body = resp.text().await.expect("body");
        assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
        body
    }

    /// Posts `fields` as a form to `path`, exactly as given.
    pub async fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Response {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let resp = self
            .client
            .post(format!("{}{path}", self.base))
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ORIGIN, self.base.clone())
            .body(body)
            .send()
            .await
            .expect("POST");
        self.keep_cookies(&resp);
        resp
    }

    /// The session's CSRF token, read off a staff page (the log-out form
    /// on every one of them carries it).
    pub async fn csrf(&mut self, page: &str) -> String {
        let html = self.page(page).await;
        input_value(&html, "csrf").expect("a staff page carries the CSRF token")
    }

    /// Posts `fields` to `path` with the CSRF token that `from` (a staff
    /// page) carries, as a form on that page would.
    pub async fn post_form(&mut self, from: &str, path: &str, fields: &[(&str, &str)]) -> Response {
        let csrf = self.csrf(from).await;
        let mut all: Vec<(&str, &str)> = vec![("csrf", &csrf)];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// Logs in through the login form with `password`; the answer.
    pub async fn log_in_with(&mut self, username: &str, password: &str) -> Response {
        let html = self.page("/login").await;
        let csrf = input_value(&html, "csrf").expect("the login form carries a CSRF token");
        self.post_raw(
            "/login",
            &[
                ("csrf", &csrf),
                ("next", "/staff"),
                ("username", username),
                ("password", password),
            ],
        )
        .await
    }

    /// Logs in with the test password; panics unless it worked.
    pub async fn log_in(&mut self, username: &str) {
        let resp = self.log_in_with(username, PASSWORD).await;
        let status = resp.status();
        let body = resp.text().await.unwrap_or_default();
        assert_eq!(status, StatusCode::SEE_OTHER, "login failed: {body}");
        assert!(
            self.cookies.contains_key("deling_session"),
            "no session cookie"
        );
    }
}

impl TestApp {
    /// A browser on this server with no cookies.
    pub fn browser(&self) -> Browser {
        Browser::new(&self.base)
    }

    /// A browser logged in as `username` (an account made with
    /// [`TestApp::staff`], so with the test password).
    pub async fn logged_in(&self, username: &str) -> Browser {
        let mut b = self.browser();
        b.log_in(username).await;
        b
    }
}
