//! What a form with mistakes shows: each problem next to its field and
//! listed in a summary at the top, linked to the field.

use deling_domain::FieldError;

/// One field's problem.
#[derive(Debug, Clone)]
pub struct FieldProblem {
    /// The field's name in the form.
    pub field: String,
    /// The id of its control, for the summary's link.
    pub input: String,
    /// What is wrong, in the visitor's language.
    pub text: String,
    /// The technical detail, in English, when it helps (the line of a CSV
    /// file that is wrong).
    pub detail: Option<String>,
}

/// The problems of one posted form.
#[derive(Debug, Clone, Default)]
pub struct Problems {
    /// In the order of the form.
    pub list: Vec<FieldProblem>,
}

impl Problems {
    /// Adds `text` to `field`, whose control has the id `input`.
    pub fn push(&mut self, field: &str, input: &str, text: String) {
        self.list.push(FieldProblem {
            field: field.to_owned(),
            input: input.to_owned(),
            text,
            detail: None,
        });
    }

    /// Adds `text` with an English `detail` to `field`.
    pub fn push_detailed(&mut self, field: &str, input: &str, text: String, detail: String) {
        self.push(field, input, text);
        if let Some(p) = self.list.last_mut() {
            p.detail = Some(detail);
        }
    }

    /// The problem of `field`, if any.
    pub fn get(&self, field: &str) -> Option<&FieldProblem> {
        self.list.iter().find(|p| p.field == field)
    }

    /// Whether `field` has a problem.
    pub fn has(&self, field: &str) -> bool {
        self.get(field).is_some()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Adds the problems the domain found, worded by `word` (field name to
    /// message and control id), in the order of `order` (the form's).
    pub fn from_fields(
        errors: &[FieldError],
        order: &[&str],
        word: impl Fn(&str) -> (String, String),
    ) -> Self {
        let mut out = Self::default();
        for field in order {
            if errors.iter().any(|e| e.field == *field) {
                let (text, input) = word(field);
                out.push(field, &input, text);
            }
        }
        out
    }
}
