//! `GET /staff/moderation/items/{id}`: an item's comment thread as its
//! moderators see it (hidden comments too, marked), with a reply form on
//! each comment (answering as the item's agency), and the moderation
//! buttons: hide or show, delete, block the author, report to the
//! author's server; the agency's own comments can be edited
//! (`/staff/moderation/comments/{id}/edit`) and deleted. Every change goes
//! through the API's functions (`routes::api::comments`), so the rights
//! are the API's: the item's agency's editors, and instance admins.

use super::{DoneQuery, Person, done_notice, see_other, when, with_done};
use crate::{
    auth::require_editor,
    error::ApiError,
    pages::ctx::{Chrome, Ctx},
    routes::api::comments::{
        MAX_REASON, block_comment_author, edit_own_comment, remove_comment, report_comment,
        set_hidden, write_comment,
    },
    session::{StaffForm, StaffSession},
    staff::login::safe_next,
};
use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;
use deling_domain::FieldError;
use deling_store::records::{Agency, Comment, CommentAuthor, Item};
use std::collections::HashMap;

/// Replies indent this deep; deeper ones line up with the last.
const MAX_DEPTH: usize = 4;

/// A comment with what its moderators can do to it.
pub(crate) struct ModComment {
    pub id: i64,
    pub anchor: String,
    pub depth: usize,
    pub author: Person,
    /// Written on another server (so it can be reported, its author
    /// blocked); else by an agency here (so it can be edited).
    pub remote: bool,
    pub hidden: bool,
    pub date: String,
    pub datetime: String,
    pub lang: Option<String>,
    pub warning: Option<String>,
    pub content_html: String,
    pub item_title: String,
    pub thread_href: String,
    pub reply_to: Option<String>,
    /// The label of the reply form's text box.
    pub reply_label: String,
}

impl ModComment {
    /// `c` on item `item_id` titled `item_title`.
    pub fn new(ctx: &Ctx, c: &Comment, hidden: bool, item_title: &str) -> Self {
        let (date, datetime) = when(c.published_at);
        let author = Person::author(&ctx.state, &c.author);
        Self {
            reply_label: ctx.t.msg_with("mod-reply-to", &[("name", &author.name)]),
            id: c.id,
            anchor: format!("comment-{}", c.id),
            depth: 0,
            author,
            remote: matches!(c.author, CommentAuthor::Remote { .. }),
            hidden,
            date,
            datetime,
            lang: c.language.clone(),
            warning: c.content_warning.clone().filter(|w| !w.trim().is_empty()),
            content_html: c.content_html.clone(),
            item_title: item_title.to_owned(),
            thread_href: format!("/staff/moderation/items/{}#comment-{}", c.item_id, c.id),
            reply_to: None,
        }
    }
}

/// A form on the thread page that was sent back with an error.
struct FormError {
    /// Which form: `reply-0` (the new comment), `reply-{id}`, `report-{id}`.
    form: String,
    /// What was typed.
    text: String,
    /// Why it was refused.
    message: String,
}

#[derive(Template)]
#[template(path = "staff/manage/thread.html")]
struct ThreadPage {
    c: Chrome,
    csrf: String,
    back: String,
    item_lang: String,
    item_href: String,
    comment_as: String,
    notice: Option<String>,
    comments: Vec<ModComment>,
    error: Option<FormError>,
    max_reason: usize,
    report_hint: String,
    thread_count: String,
}

impl ThreadPage {
    /// Whether `form` is the one sent back with an error.
    fn has_error(&self, form: &str) -> bool {
        self.error.as_ref().is_some_and(|e| e.form == form)
    }

    /// What was typed into `form`, if it is the one sent back.
    fn typed(&self, form: &str) -> &str {
        match &self.error {
            Some(e) if e.form == form => &e.text,
            _ => "",
        }
    }
}

/// A local item whose comments `staff` moderates, and its agency.
async fn moderated_item(
    ctx: &Ctx,
    session: &StaffSession,
    id: i64,
) -> Result<(Item, Agency), ApiError> {
    let item = crate::lookup::item(&ctx.state, id).await?;
    let agency_id = item.agency_id().ok_or_else(|| {
        ApiError::Forbidden("comments on other servers' items are moderated there".into())
    })?;
    let agency = ctx
        .state
        .store
        .get_agency(agency_id)
        .await?
        .ok_or_else(|| ApiError::NotFound("agency not found".into()))?;
    require_editor(&ctx.state, &session.staff, &agency).await?;
    Ok((item, agency))
}

/// The thread in reading order: each comment followed by its replies,
/// with how deep it sits; a reply whose parent is not listed starts a
/// thread of its own.
fn in_thread(ctx: &Ctx, item: &Item, rows: &[(Comment, bool)]) -> Vec<ModComment> {
    let listed: HashMap<i64, &(Comment, bool)> = rows.iter().map(|r| (r.0.id, r)).collect();
    let mut children: HashMap<i64, Vec<&(Comment, bool)>> = HashMap::new();
    let mut roots = vec![];
    for r in rows {
        match r.0.in_reply_to_id.filter(|p| listed.contains_key(p)) {
            Some(p) => children.entry(p).or_default().push(r),
            None => roots.push(r),
        }
    }
    let mut out = Vec::with_capacity(rows.len());
    let mut stack: Vec<(&(Comment, bool), usize)> =
        roots.into_iter().rev().map(|r| (r, 0)).collect();
    while let Some(((c, hidden), depth)) = stack.pop() {
        let mut m = ModComment::new(ctx, c, *hidden, &item.title);
        m.depth = depth.min(MAX_DEPTH);
        m.reply_to = c
            .in_reply_to_id
            .filter(|p| listed.contains_key(p))
            .map(|p| format!("#comment-{p}"));
        out.push(m);
        if let Some(kids) = children.get(&c.id) {
            stack.extend(kids.iter().rev().map(|k| (*k, depth + 1)));
        }
    }
    out
}

async fn render(
    ctx: &Ctx,
    session: &StaffSession,
    item: Item,
    agency: Agency,
    notice: Option<String>,
    error: Option<FormError>,
) -> Result<HttpResponse, ApiError> {
    let rows = ctx
        .state
        .store
        .list_item_comments_for_moderation(item.id)
        .await?;
    let comments = in_thread(ctx, &item, &rows);
    let title = ctx
        .t
        .msg_with("mod-thread-title", &[("title", &item.title)]);
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = ThreadPage {
        c: ctx.staff_chrome(title, session, "moderation"),
        csrf: session.csrf().to_owned(),
        back: format!("/staff/moderation/items/{}", item.id),
        item_href: ctx.state.urls.item(item.id).to_string(),
        item_lang: item.language,
        comment_as: ctx
            .t
            .msg_with("mod-comment-as", &[("agency", &agency.name)]),
        notice,
        thread_count: ctx.t.msg_n("mod-thread-count", comments.len() as u64),
        report_hint: ctx.t.msg_n("mod-report-hint", MAX_REASON as u64),
        comments,
        error,
        max_reason: MAX_REASON,
    };
    let mut res = ctx.staff_ok(&page);
    *res.status_mut() = status;
    Ok(res)
}

/// `GET /staff/moderation/items/{id}`.
pub async fn page(
    ctx: Ctx,
    session: StaffSession,
    id: web::Path<i64>,
    q: web::Query<DoneQuery>,
) -> HttpResponse {
    ctx.staff_page(async {
        let (item, agency) = moderated_item(&ctx, &session, *id).await?;
        let notice = done_notice(&ctx, q.done.as_deref());
        render(&ctx, &session, item, agency, notice, None).await
    })
    .await
}

/// The words for a refused comment or report field.
fn field_message(ctx: &Ctx, fields: &[FieldError]) -> String {
    let key = if fields.iter().any(|f| f.field == "in_reply_to") {
        "mod-error-reply-to"
    } else if fields.iter().any(|f| f.field == "reason") {
        "mod-error-reason"
    } else {
        "mod-error-body"
    };
    ctx.t.msg(key)
}

/// `POST /staff/moderation/items/{id}/reply`: a comment as the item's
/// agency, answering `in_reply_to` when given.
pub async fn reply(ctx: Ctx, id: web::Path<i64>, form: StaffForm) -> HttpResponse {
    ctx.staff_page(async {
        let session = &form.session;
        let (item, agency) = moderated_item(&ctx, session, *id).await?;
        let parent: Option<i64> = match form.fields.text("in_reply_to") {
            "" => None,
            p => Some(
                p.parse()
                    .map_err(|_| ApiError::BadRequest("in_reply_to is not an id".into()))?,
            ),
        };
        let body = form.fields.text("body");
        let form_id = format!("reply-{}", parent.unwrap_or(0));
        let refused = |message: String| FormError {
            form: form_id.clone(),
            text: body.to_owned(),
            message,
        };
        if body.trim().is_empty() {
            let e = refused(ctx.t.msg("mod-error-body-empty"));
            return render(&ctx, session, item, agency, None, Some(e)).await;
        }
        match write_comment(
            &ctx.state,
            &session.staff,
            item.id,
            &agency.slug,
            parent,
            body,
        )
        .await
        {
            Ok(c) => Ok(see_other(&with_done(
                &format!("/staff/moderation/items/{}#comment-{}", item.id, c.id),
                "replied",
            ))),
            Err(ApiError::Invalid(fields)) => {
                let e = refused(field_message(&ctx, &fields));
                render(&ctx, session, item, agency, None, Some(e)).await
            }
            Err(e) => Err(e),
        }
    })
    .await
}

/// `POST /staff/moderation/comments/{id}/report`: reports a remote
/// comment to its author's server with a reason.
pub async fn report(ctx: Ctx, id: web::Path<i64>, form: StaffForm) -> HttpResponse {
    ctx.staff_page(async {
        let session = &form.session;
        let id = *id;
        let reason = form.fields.text("reason");
        match report_comment(&ctx.state, &session.staff, id, reason).await {
            Ok(_) => Ok(see_other(&with_done(
                &safe_next(form.fields.get("back")),
                "reported",
            ))),
            Err(ApiError::Invalid(fields)) => {
                let c = ctx
                    .state
                    .store
                    .get_comment_for_moderation(id)
                    .await?
                    .ok_or_else(|| ApiError::NotFound(format!("no comment {id}")))?;
                let (item, agency) = moderated_item(&ctx, session, c.item_id).await?;
                let e = FormError {
                    form: format!("report-{id}"),
                    text: reason.to_owned(),
                    message: field_message(&ctx, &fields),
                };
                render(&ctx, session, item, agency, None, Some(e)).await
            }
            Err(e) => Err(e),
        }
    })
    .await
}

/// `POST /staff/moderation/comments/{id}/{action}`: `hide`, `unhide`,
/// `delete` or `block-author`; then back where the form was.
pub async fn act(ctx: Ctx, path: web::Path<(i64, String)>, form: StaffForm) -> HttpResponse {
    ctx.staff_page(async {
        let (id, action) = path.into_inner();
        let staff = &form.session.staff;
        let state = &ctx.state;
        let done = match action.as_str() {
            "hide" => set_hidden(state, staff, id, true).await.map(|()| "hidden"),
            "unhide" => set_hidden(state, staff, id, false)
                .await
                .map(|()| "unhidden"),
            "delete" => remove_comment(state, staff, id).await.map(|()| "deleted"),
            "block-author" => block_comment_author(state, staff, id)
                .await
                .map(|(_, agency)| match agency {
                    Some(_) => "blocked",
                    None => "blocked-everywhere",
                }),
            _ => Err(ApiError::NotFound(format!("no action {action:?}"))),
        }?;
        Ok(see_other(&with_done(
            &safe_next(form.fields.get("back")),
            done,
        )))
    })
    .await
}

#[derive(Template)]
#[template(path = "staff/manage/comment_edit.html")]
struct EditPage {
    c: Chrome,
    csrf: String,
    id: i64,
    back: String,
    body: String,
    error: Option<String>,
}

/// The agency's own comment `id`, when `session` may edit it: the item
/// it is on and its Markdown.
async fn own_comment(
    ctx: &Ctx,
    session: &StaffSession,
    id: i64,
) -> Result<(Item, String), ApiError> {
    let state = &ctx.state;
    let c = state
        .store
        .get_comment_for_moderation(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no comment {id}")))?;
    let CommentAuthor::Agency { slug, .. } = &c.comment.author else {
        return Err(ApiError::Forbidden(
            "only comments written by an agency here can be edited here".into(),
        ));
    };
    let agency = crate::lookup::agency(state, slug).await?;
    require_editor(state, &session.staff, &agency).await?;
    let item = crate::lookup::item(state, c.item_id).await?;
    let source = state
        .store
        .get_own_comment_source(id)
        .await?
        .unwrap_or_default();
    Ok((item, source))
}

fn edit_page(
    ctx: &Ctx,
    session: &StaffSession,
    id: i64,
    item: &Item,
    body: String,
    error: Option<String>,
) -> HttpResponse {
    let title = ctx.t.msg_with("mod-edit-title", &[("title", &item.title)]);
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = EditPage {
        c: ctx.staff_chrome(title, session, "moderation"),
        csrf: session.csrf().to_owned(),
        id,
        back: format!("/staff/moderation/items/{}#comment-{id}", item.id),
        body,
        error,
    };
    let mut res = ctx.staff_ok(&page);
    *res.status_mut() = status;
    res
}

/// `GET /staff/moderation/comments/{id}/edit`: the agency's own comment
/// in a form.
pub async fn edit_form(ctx: Ctx, session: StaffSession, id: web::Path<i64>) -> HttpResponse {
    ctx.staff_page(async {
        let (item, source) = own_comment(&ctx, &session, *id).await?;
        Ok(edit_page(&ctx, &session, *id, &item, source, None))
    })
    .await
}

/// `POST /staff/moderation/comments/{id}/edit`: saves it; peers get the
/// `Update`.
pub async fn edit(ctx: Ctx, id: web::Path<i64>, form: StaffForm) -> HttpResponse {
    ctx.staff_page(async {
        let session = &form.session;
        let id = *id;
        let (item, _) = own_comment(&ctx, session, id).await?;
        let body = form.fields.text("body");
        if body.trim().is_empty() {
            let message = ctx.t.msg("mod-error-body-empty");
            return Ok(edit_page(
                &ctx,
                session,
                id,
                &item,
                body.to_owned(),
                Some(message),
            ));
        }
        match edit_own_comment(&ctx.state, &session.staff, id, body).await {
            Ok(_) => Ok(see_other(&with_done(
                &format!("/staff/moderation/items/{}#comment-{id}", item.id),
                "edited",
            ))),
            Err(ApiError::Invalid(fields)) => {
                let message = field_message(&ctx, &fields);
                Ok(edit_page(
                    &ctx,
                    session,
                    id,
                    &item,
                    body.to_owned(),
                    Some(message),
                ))
            }
            Err(e) => Err(e),
        }
    })
    .await
}
