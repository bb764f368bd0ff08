//! `GET /staff/agencies/{slug}/messages`: the newest private messages
//! people sent an agency (direct messages, followers-only replies,
//! mentions), for its own staff alone (`require_member`: not even an
//! instance administrator reads another agency's).

use super::{Person, when};
use crate::{
    auth::require_member,
    pages::ctx::{Chrome, Ctx},
    session::StaffSession,
};
use actix_web::{HttpResponse, web};
use askama::Template;
use deling_store::records::CommentAuthor;

/// Messages shown (the newest).
const SHOWN: u64 = 50;

/// One message.
struct MessageLine {
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
    messages: Vec<MessageLine>,
}

/// `GET /staff/agencies/{slug}/messages`.
pub async fn page(ctx: Ctx, session: StaffSession, slug: web::Path<String>) -> HttpResponse {
    ctx.staff_page(async {
        let state = &ctx.state;
        let agency = crate::lookup::agency(state, &slug).await?;
        require_member(state, &session.staff, &agency).await?;
        let rows = state.store.list_messages(agency.id, None, SHOWN).await?;
        let messages = rows
            .into_iter()
            .map(|m| {
                let (date, datetime) = when(m.published_at);
                MessageLine {
                    author: m.author.map(|a| {
                        Person::author(
                            state,
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
            })
            .collect();
        let title = ctx
            .t
            .msg_with("dash-messages-title", &[("agency", &agency.name)]);
        let page = MessagesPage {
            c: ctx.staff_chrome(title, &session, "dashboard"),
            messages,
        };
        Ok(ctx.staff_ok(&page))
    })
    .await
}
