//! `GET /staff/agencies/{slug}/messages`: the newest private messages
//! people sent an agency (direct messages, followers-only replies,
//! mentions), for its own staff alone (`require_member`: not even an
//! instance administrator reads another agency's). Messages from a
//! silenced host wait apart, at `/staff/agencies/{slug}/messages/held`,
//! for the staff to release or delete (through the API's own functions,
//! `routes::api::messages::{release_message, delete_message}`).

use super::{DoneQuery, Person, done_notice, see_other, when, with_done};
use crate::{
    auth::require_member,
    error::ApiError,
    pages::ctx::{Chrome, Ctx},
    routes::api::messages::{delete_message, release_message},
    session::{StaffForm, StaffSession},
};
use actix_web::{HttpResponse, web};
use askama::Template;
use deling_store::{queries::message::Message, records::CommentAuthor};

/// Messages shown (the newest).
const SHOWN: u64 = 50;

/// One message.
struct MessageLine {
    id: i64,
    author: Option<Person>,
    warning: Option<String>,
    lang: Option<String>,
    content_html: String,
    date: String,
    datetime: String,
}

#[derive(Template)]
#[template(path = "staff/manage/messages.html")]
struct MessagesPage {
    c: Chrome,
    csrf: String,
    slug: String,
    notice: Option<String>,
    /// The held messages' page (with release and delete buttons), not
    /// the inbox.
    held_view: bool,
    /// On the inbox: how many messages wait on the held page, said only
    /// when there are some.
    held_waiting: Option<String>,
    messages: Vec<MessageLine>,
}

/// Held messages counted for the inbox's link, at most.
const HELD_CAP: u64 = 100;

/// `GET /staff/agencies/{slug}/messages`: the inbox, held messages left
/// out.
pub async fn page(
    ctx: Ctx,
    session: StaffSession,
    slug: web::Path<String>,
    q: web::Query<DoneQuery>,
) -> HttpResponse {
    ctx.staff_page(render(&ctx, &session, &slug, false, q.done.as_deref()))
        .await
}

/// `GET /staff/agencies/{slug}/messages/held`: the messages held from
/// silenced hosts, each with release and delete buttons.
pub async fn held(
    ctx: Ctx,
    session: StaffSession,
    slug: web::Path<String>,
    q: web::Query<DoneQuery>,
) -> HttpResponse {
    ctx.staff_page(render(&ctx, &session, &slug, true, q.done.as_deref()))
        .await
}

async fn render(
    ctx: &Ctx,
    session: &StaffSession,
    slug: &str,
    held_view: bool,
    done: Option<&str>,
) -> Result<HttpResponse, ApiError> {
    let state = &ctx.state;
    let agency = crate::lookup::agency(state, slug).await?;
    require_member(state, &session.staff, &agency).await?;
    let (rows, held_waiting) = if held_view {
        let rows = state
            .store
            .list_held_messages(agency.id, None, SHOWN)
            .await?;
        (rows, None)
    } else {
        let rows = state.store.list_messages(agency.id, None, SHOWN).await?;
        let held = state
            .store
            .count_held_messages_upto(agency.id, HELD_CAP)
            .await?;
        let waiting = match held {
            0 => None,
            n if n >= HELD_CAP => Some(ctx.t.msg_n("msg-held-many", HELD_CAP - 1)),
            n => Some(ctx.t.msg_n("msg-held-count", n)),
        };
        (rows, waiting)
    };
    let messages = rows.into_iter().map(|m| line(ctx, m)).collect();
    let title = ctx.t.msg_with(
        if held_view {
            "msg-held-title"
        } else {
            "dash-messages-title"
        },
        &[("agency", &agency.name)],
    );
    let page = MessagesPage {
        c: ctx.staff_chrome(title, session, "dashboard"),
        csrf: session.csrf().to_owned(),
        slug: agency.slug.to_string(),
        notice: done_notice(ctx, done),
        held_view,
        held_waiting,
        messages,
    };
    Ok(ctx.staff_ok(&page))
}

fn line(ctx: &Ctx, m: Message) -> MessageLine {
    let (date, datetime) = when(m.published_at);
    MessageLine {
        id: m.id,
        author: m.author.map(|a| {
            Person::author(
                &ctx.state,
                &CommentAuthor::Remote {
                    ap_id: a.ap_id,
                    handle: a.handle,
                    name: a.name,
                    url: a.url,
                },
            )
        }),
        warning: m.content_warning.filter(|w| !w.trim().is_empty()),
        lang: m.language,
        // Sanitised when received, as comments are.
        content_html: m.content_html,
        date,
        datetime,
    }
}

/// `POST /staff/agencies/{slug}/messages/{id}/{action}`: `release` or
/// `delete` a message, then back to the held messages.
pub async fn act(
    ctx: Ctx,
    path: web::Path<(String, i64, String)>,
    form: StaffForm,
) -> HttpResponse {
    ctx.staff_page(async {
        let (slug, id, action) = path.into_inner();
        let (state, staff) = (&ctx.state, &form.session.staff);
        let done = match action.as_str() {
            "release" => release_message(state, staff, &slug, id)
                .await
                .map(|()| "released"),
            "delete" => delete_message(state, staff, &slug, id)
                .await
                .map(|()| "message-deleted"),
            _ => Err(ApiError::NotFound(format!("no action {action:?}"))),
        }?;
        // The slug went through the agency lookup above: a path of ours.
        let back = format!("/staff/agencies/{slug}/messages/held");
        Ok(see_other(&with_done(&back, done)))
    })
    .await
}
