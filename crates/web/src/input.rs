//! The edge where text enters: every JSON body, query string and path is
//! checked here for control characters before any handler sees it.
//!
//! One mechanism for all routes rather than a check per field: a NUL in
//! any string that reaches PostgreSQL fails the statement (a 500), and on
//! SQLite it is stored and served back. Line breaks and tabs are allowed in
//! body strings (Markdown needs them); the domain types decide which fields
//! must be one line. Path segments and query values never need them.

use crate::{
    dto::ObjectOnly,
    error::{ApiError, json_error},
};
use actix_web::{
    FromRequest, HttpRequest,
    body::MessageBody,
    dev::{Payload, ServiceRequest, ServiceResponse},
    middleware::Next,
    web,
};
use deling_domain::{FieldError, text::find_control};
use serde::de::DeserializeOwned;
use serde_json::{Value, value::RawValue};
use std::{future::Future, pin::Pin};

/// A JSON object body of shape `T` whose strings (keys and values, at any
/// depth) carry no control characters other than line breaks and tabs.
/// A body that does not fit `T` is a 400; one that fits but carries a
/// control character is a 422 naming every such field.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T> JsonBody<T> {
    /// The parsed body.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        // The raw text is kept so that `T` is read from it, not from a
        // `Value`: a map would silently keep the last of duplicate keys,
        // which the derived deserialisers refuse.
        let raw = web::Json::<Box<RawValue>>::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            let raw = raw.await?.into_inner();
            let body: ObjectOnly<T> = serde_json::from_str(raw.get()).map_err(|e| {
                json_error(actix_web::error::JsonPayloadError::Deserialize(e), &req)
            })?;
            // `raw` parsed once already, so this cannot fail; if it did,
            // the body would still be refused.
            let value: Value = serde_json::from_str(raw.get())
                .map_err(|e| ApiError::BadRequest(format!("the JSON body does not fit: {e}")))?;
            let mut errors = Vec::new();
            control_characters(&value, &mut String::new(), &mut errors);
            if errors.is_empty() {
                Ok(Self(body.0))
            } else {
                Err(ApiError::Invalid(errors).into())
            }
        })
    }
}

fn refusal(c: char) -> String {
    format!("must not contain the control character U+{:04X}", c as u32)
}

/// Problems reported of one body, at most: a client fixes the first and
/// sends again, and a body of a million bad strings must not become a
/// million error messages (each carrying its path) in memory.
const MAX_PROBLEMS: usize = 20;

/// Longest path named in a problem, in characters: keys are the client's,
/// and one may be as long as the body.
const MAX_PATH_CHARS: usize = 200;

/// Records the strings under `value` that hold a control character, under
/// their paths (`links[0].title`; `metadata` for a bad key in it): the
/// first [`MAX_PROBLEMS`] of them.
fn control_characters(value: &Value, path: &mut String, errors: &mut Vec<FieldError>) {
    if errors.len() >= MAX_PROBLEMS {
        return;
    }
    match value {
        Value::String(s) => {
            if let Some(c) = find_control(s, true) {
                errors.push(FieldError::new(field_name(path), refusal(c)));
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                if errors.len() >= MAX_PROBLEMS {
                    break;
                }
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                control_characters(item, path, errors);
                path.truncate(len);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                if errors.len() >= MAX_PROBLEMS {
                    break;
                }
                if let Some(c) = find_control(key, false) {
                    errors.push(FieldError::new(
                        field_name(path),
                        format!("a key {}", refusal(c)),
                    ));
                    continue;
                }
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                control_characters(item, path, errors);
                path.truncate(len);
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

fn field_name(path: &str) -> String {
    if path.is_empty() {
        return "body".to_owned();
    }
    match path.char_indices().nth(MAX_PATH_CHARS) {
        Some((cut, _)) => format!("{}…", &path[..cut]),
        None => path.to_owned(),
    }
}

/// The control characters in a request's path and query, each under the
/// name a client can find: the query parameter's name, or `path`.
pub fn uri_problems(path: &str, query: &str) -> Vec<FieldError> {
    let mut errors = Vec::new();
    // Percent-decoding a path segment is what form decoding does, apart
    // from `+` (a space there, which is no control character) and the `&`
    // and `=` separators (which are no control characters either), so the
    // same decoder finds every control character a segment can carry.
    let path_control = path.split('/').find_map(|segment| {
        url::form_urlencoded::parse(segment.as_bytes())
            .find_map(|(k, v)| find_control(&k, false).or_else(|| find_control(&v, false)))
    });
    if let Some(c) = path_control {
        errors.push(FieldError::new("path", refusal(c)));
    }
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
        if let Some(c) = find_control(&name, false) {
            errors.push(FieldError::new("query", format!("a name {}", refusal(c))));
        } else if let Some(c) = find_control(&value, false) {
            errors.push(FieldError::new(name.into_owned(), refusal(c)));
        }
    }
    errors
}

/// Middleware: answers 400, naming the parameter, for a request whose path
/// or query string carries a control character (`%00`, `%0A`, ...), before
/// routing; so no path or query extractor ever sees one.
pub async fn refuse_control_characters(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let errors = uri_problems(req.uri().path(), req.query_string());
    if errors.is_empty() {
        next.call(req)
            .await
            .map(ServiceResponse::map_into_left_body)
    } else {
        let (req, _) = req.into_parts();
        let mut res = actix_web::ResponseError::error_response(&ApiError::BadParameters(errors));
        // Refused before the API's scope marks its answers private: a
        // request with a token gets what every such answer carries.
        if req
            .headers()
            .contains_key(actix_web::http::header::AUTHORIZATION)
        {
            crate::routes::api::mark_private(res.headers_mut());
        }
        Ok(ServiceResponse::new(req, res).map_into_right_body())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The fields named, sorted: the order of keys in a map depends on
    /// serde_json's features, which the workspace may unify.
    fn fields(v: Value) -> Vec<String> {
        let mut errors = Vec::new();
        control_characters(&v, &mut String::new(), &mut errors);
        let mut fields: Vec<String> = errors.into_iter().map(|e| e.field).collect();
        fields.sort();
        fields
    }

    #[test]
    fn names_every_string_with_a_control_character() {
        assert_eq!(
            fields(json!({
                "title": "a\u{0}b",
                "body": "line\nline\ttab",
                "links": [{"href": "https://x.no"}, {"title": "\u{1b}[31m"}],
                "metadata": {"audience": "\u{85}x", "bad\u{0}key": 1},
                "tags": ["ok", "\u{7f}"]
            })),
            [
                "links[1].title",
                "metadata",
                "metadata.audience",
                "tags[1]",
                "title"
            ]
        );
        assert!(fields(json!({"body": "Linje 1\r\nLinje 2\tog fane"})).is_empty());
    }

    #[test]
    fn a_flood_of_bad_strings_is_named_a_few_times_briefly() {
        let key = "k".repeat(100_000);
        let bad: Vec<&str> = vec!["\u{7f}"; 10_000];
        let mut errors = Vec::new();
        control_characters(
            &json!({"metadata": {key.clone(): bad}}),
            &mut String::new(),
            &mut errors,
        );
        assert_eq!(errors.len(), MAX_PROBLEMS);
        for e in &errors {
            assert!(
                e.field.chars().count() <= MAX_PATH_CHARS + 1,
                "{}",
                e.field.len()
            );
            assert!(e.field.starts_with("metadata.kkk") && e.field.ends_with('…'));
        }
    }

    #[test]
    fn finds_control_characters_in_paths_and_queries() {
        let names = |p: &str, q: &str| {
            uri_problems(p, q)
                .into_iter()
                .map(|e| e.field)
                .collect::<Vec<_>>()
        };
        assert_eq!(names("/api/v1/items", "agency=%00"), ["agency"]);
        assert_eq!(names("/api/v1/items", "agency=oslo&tag=a%0Ab"), ["tag"]);
        assert_eq!(names("/api/v1/agencies/os%00lo", ""), ["path"]);
        assert_eq!(names("/x", "a%01=1"), ["query"]);
        assert!(names("/api/v1/agencies/oslo/members/kari", "page=2&tag=%C3%A6+b").is_empty());
        // Invalid UTF-8 becomes U+FFFD, which is no control character.
        assert!(names("/x/%FF", "q=%FF").is_empty());
    }
}
