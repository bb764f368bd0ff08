//! The item form page: the [`ItemForm`]'s values laid out as labelled
//! controls in fieldsets, each with its hint and its error tied to it, an
//! error summary linking to the controls, and the preview.

use super::form::{
    COMMON, Input, ItemForm, Problem, Rows, Spec, choice_label, control_id, hint_key,
    metadata_specs, row_control_id, row_groups,
};
use crate::pages::{ctx::Chrome, i18n::Tr, item::demote_headings};
use askama::Template;
use deling_domain::markdown;

/// One choice of a select.
pub struct OptionView {
    /// Its value.
    pub value: String,
    /// What it says.
    pub label: String,
    /// Chosen now.
    pub selected: bool,
}

/// One labelled control.
pub struct ControlView {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its label.
    pub label: String,
    /// Help under the label.
    pub hint: Option<String>,
    /// What is wrong with it.
    pub error: Option<String>,
    /// What it holds.
    pub value: String,
    /// `text`, `url`, `datetime-local`, `textarea` or `select`.
    pub widget: &'static str,
    /// A select's choices.
    pub options: Vec<OptionView>,
    /// Must be filled in.
    pub required: bool,
    /// The language of what is typed, for title, summary and body.
    pub lang: Option<String>,
    /// Ids of its hint and error, for `aria-describedby`.
    pub describedby: String,
    /// Rows of a textarea.
    pub rows: u8,
}

/// A group of controls with its legend.
pub struct FieldsetView {
    /// Its legend.
    pub legend: String,
    /// Its controls.
    pub controls: Vec<ControlView>,
}

/// An entry of the error summary.
pub struct SummaryEntry {
    /// The control's id.
    pub id: String,
    /// The control's label.
    pub label: String,
    /// What is wrong.
    pub message: String,
}

/// A button that adds a row to a group.
pub struct AddButton {
    /// The group.
    pub group: &'static str,
    /// Its words.
    pub label: String,
}

/// The preview of what was typed.
pub struct PreviewView {
    /// The item's language, when valid.
    pub lang: Option<String>,
    /// Title.
    pub title: String,
    /// Summary.
    pub summary: String,
    /// The body rendered as the item page renders it.
    pub body_html: String,
}

/// The form page.
#[derive(Template)]
#[template(path = "staff/items/form.html")]
pub struct FormPage {
    /// Frame.
    pub c: Chrome,
    /// The h1.
    pub heading: String,
    /// The agency it is for.
    pub agency: String,
    /// Where the form posts.
    pub action: String,
    /// Where "cancel" goes.
    pub cancel: String,
    /// The session's CSRF token.
    pub csrf: String,
    /// The kind.
    pub kind: String,
    /// The error summary.
    pub problems: Vec<SummaryEntry>,
    /// The summary's heading.
    pub problems_title: String,
    /// The fieldsets.
    pub fieldsets: Vec<FieldsetView>,
    /// The "add another" buttons.
    pub adds: Vec<AddButton>,
    /// The save button's words.
    pub save: String,
    /// The preview, when asked for.
    pub preview: Option<PreviewView>,
}

/// What the form page is for.
pub struct FormSetting {
    /// The h1.
    pub heading: String,
    /// The agency's name.
    pub agency: String,
    /// Where it posts.
    pub action: String,
    /// Where "cancel" goes.
    pub cancel: String,
    /// The session's CSRF token.
    pub csrf: String,
    /// Save button words key.
    pub save_key: &'static str,
}

fn widget(input: Input) -> &'static str {
    match input {
        Input::Area | Input::Markdown | Input::Urls => "textarea",
        Input::Url => "url",
        Input::Time => "datetime-local",
        Input::Choice(_) => "select",
        _ => "text",
    }
}

struct Built {
    control: ControlView,
    summary: Option<SummaryEntry>,
}

#[allow(clippy::too_many_arguments)]
fn control(
    t: Tr,
    id: String,
    name: String,
    label_key: &str,
    hint: Option<String>,
    input: Input,
    required: bool,
    value: &str,
    problems: &[Problem],
    lang: Option<String>,
) -> Built {
    let label = if required {
        t.msg_with(
            "items-required-label",
            &[("label", &t.msg_with(label_key, &[]))],
        )
    } else {
        t.msg_with(label_key, &[])
    };
    let error = problems.iter().find(|p| p.id == id).map(|p| t.msg(p.key));
    let mut described = vec![];
    if hint.is_some() {
        described.push(format!("{id}-hint"));
    }
    if error.is_some() {
        described.push(format!("{id}-error"));
    }
    let options = match input {
        Input::Choice(values) => std::iter::once(OptionView {
            value: String::new(),
            label: t.msg("items-choice-none"),
            selected: value.is_empty(),
        })
        .chain(values.iter().map(|v| OptionView {
            value: (*v).to_owned(),
            label: t.msg_with(&choice_label(&name, v), &[]),
            selected: value == *v,
        }))
        .collect(),
        _ => vec![],
    };
    let summary = error.clone().map(|message| SummaryEntry {
        id: id.clone(),
        label: t.msg_with(label_key, &[]),
        message,
    });
    Built {
        control: ControlView {
            describedby: described.join(" "),
            rows: match input {
                Input::Markdown => 14,
                Input::Area | Input::Urls => 3,
                _ => 0,
            },
            id,
            name,
            label,
            hint,
            error,
            value: value.to_owned(),
            widget: widget(input),
            options,
            required,
            lang,
        },
        summary,
    }
}

fn single(
    t: Tr,
    form: &ItemForm,
    spec: &Spec,
    problems: &[Problem],
    summary: &mut Vec<SummaryEntry>,
) -> ControlView {
    // Title, summary and body are written in the item's language.
    let lang = matches!(spec.name, "title" | "summary" | "body")
        .then(|| form.language())
        .flatten();
    let b = control(
        t,
        control_id(spec.name),
        spec.name.to_owned(),
        &format!("items-field-{}", spec.name),
        hint_key(spec.name).map(|k| t.msg_with(&k, &[])),
        spec.input,
        spec.required,
        form.value(spec.name),
        problems,
        lang,
    );
    summary.extend(b.summary);
    b.control
}

fn row_fieldsets(
    t: Tr,
    form: &ItemForm,
    group: Rows,
    problems: &[Problem],
    summary: &mut Vec<SummaryEntry>,
) -> Vec<FieldsetView> {
    form.rows_of(group.group)
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let legend = t.msg_n(&format!("items-group-{}", group.group), i as u64 + 1);
            FieldsetView {
                controls: group
                    .columns
                    .iter()
                    .zip(row)
                    .map(|((col, _, input, _), value)| {
                        let name = format!("{}_{col}", group.group);
                        let b = control(
                            t,
                            row_control_id(group.group, col, i),
                            name.clone(),
                            &format!("items-field-{name}"),
                            // Hints once, on the first row.
                            hint_key(&name)
                                .filter(|_| i == 0)
                                .map(|k| t.msg_with(&k, &[])),
                            *input,
                            false,
                            value,
                            problems,
                            None,
                        );
                        // The summary names the row too: "Distribution 2, Address".
                        summary.extend(b.summary.map(|e| SummaryEntry {
                            label: t.msg_with(
                                "items-row-label",
                                &[("group", &legend), ("label", &e.label)],
                            ),
                            ..e
                        }));
                        b.control
                    })
                    .collect(),
                legend,
            }
        })
        .collect()
}

/// The form page for `form` with `problems` shown, and the preview when
/// `preview` is set.
pub fn page(
    c: Chrome,
    setting: FormSetting,
    form: &ItemForm,
    problems: &[Problem],
    preview: bool,
) -> FormPage {
    let t = c.t;
    let mut summary = vec![];
    let mut fieldsets = vec![FieldsetView {
        legend: t.msg("items-group-about"),
        controls: COMMON
            .iter()
            .map(|s| single(t, form, s, problems, &mut summary))
            .collect(),
    }];
    fieldsets.push(FieldsetView {
        legend: t.msg_with(&format!("items-details-{}", form.kind), &[]),
        controls: metadata_specs(form.kind)
            .iter()
            .map(|s| single(t, form, s, problems, &mut summary))
            .collect(),
    });
    let mut adds = vec![];
    for group in row_groups(form.kind) {
        fieldsets.extend(row_fieldsets(t, form, group, problems, &mut summary));
        adds.push(AddButton {
            group: group.group,
            label: t.msg_with(&format!("items-add-{}", group.group), &[]),
        });
    }
    // Problems without a control of their own lead the summary.
    for p in problems.iter().filter(|p| p.id == "item-form") {
        summary.insert(
            0,
            SummaryEntry {
                id: p.id.clone(),
                label: t.msg("items-form-label"),
                message: t.msg(p.key),
            },
        );
    }
    let preview = preview.then(|| PreviewView {
        lang: form.language(),
        title: form.value("title").to_owned(),
        summary: form.value("summary").to_owned(),
        // The item page's rendering, its headings one level further down:
        // here they sit under the preview's own heading.
        body_html: demote_headings(&demote_headings(&markdown::render(form.value("body")))),
    });
    FormPage {
        problems_title: t.msg_n("items-problems-title", summary.len() as u64),
        problems: summary,
        heading: setting.heading,
        agency: setting.agency,
        action: setting.action,
        cancel: setting.cancel,
        csrf: setting.csrf,
        kind: form.kind.as_str().to_owned(),
        fieldsets,
        adds,
        save: t.msg(setting.save_key),
        preview,
        c,
    }
}
