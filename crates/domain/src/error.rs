//! Errors for values that failed to parse.

use std::fmt;

/// A value that does not parse into a domain type; the message says why, in
/// words fit for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub String);

impl Invalid {
    /// Builds the error from anything printable.
    pub fn new(message: impl fmt::Display) -> Self {
        Self(message.to_string())
    }
}

/// A parse failure attached to the input field it came from (`title`,
/// `links[2].href`, ...), so a client can point at the culprit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct FieldError {
    /// The field path in the input document.
    pub field: String,
    /// What is wrong with it.
    pub problem: String,
}

impl FieldError {
    /// Attaches `problem` to `field`.
    pub fn new(field: impl Into<String>, problem: impl fmt::Display) -> Self {
        Self {
            field: field.into(),
            problem: problem.to_string(),
        }
    }
}

/// Collects field errors so that one request reports all of its mistakes at once.
#[derive(Debug, Default)]
pub struct Errors(Vec<FieldError>);

impl Errors {
    /// Parses with `parse`, recording a failure under `field`.
    pub fn check<T>(&mut self, field: &str, parsed: Result<T, Invalid>) -> Option<T> {
        match parsed {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.push(FieldError::new(field, e));
                None
            }
        }
    }

    /// Records a failure under `field`.
    pub fn push(&mut self, field: impl Into<String>, problem: impl fmt::Display) {
        self.0.push(FieldError::new(field, problem));
    }

    /// The recorded errors.
    pub fn into_errors(self) -> Vec<FieldError> {
        self.0
    }

    /// `Ok(value)` when nothing was recorded.
    pub fn finish<T>(self, value: impl FnOnce() -> T) -> Result<T, Vec<FieldError>> {
        if self.0.is_empty() {
            Ok(value())
        } else {
            Err(self.0)
        }
    }
}
