//! `GET /staff`: where a login lands. For each agency the staff member is
//! on: its latest items, new comments on them, new followers, the latest
//! items of the accounts it follows, deliveries that are failing, and how
//! many private messages it has. Every list is the newest few, read along
//! an index on the agency.

use super::{Person, excerpt, when};
use crate::{
    error::ApiError,
    pages::{
        ctx::{Chrome, Ctx},
        views::{kind_label, remote_page},
    },
    session::StaffSession,
};
use actix_web::HttpResponse;
use askama::Template;
use deling_domain::auth::Role;
use deling_store::{
    ItemFilter,
    records::{Agency, ItemOwner},
};

/// How many of each list a panel shows.
const NEWEST: u64 = 5;
/// Comments newer than this many days count as new.
const NEW_DAYS: i64 = 14;
/// Messages are counted up to this many ("99+" beyond).
const MESSAGES_CAP: u64 = 100;

/// One of the agency's own items.
struct ItemLine {
    title: String,
    lang: String,
    kind: String,
    edit_href: String,
    date: String,
    datetime: String,
}

/// A new comment on one of its items.
struct CommentLine {
    author: Person,
    item_title: String,
    thread_href: String,
    text: String,
    date: String,
    datetime: String,
    hidden: bool,
}

/// A new follower.
struct FollowerLine {
    person: Person,
    date: String,
    datetime: String,
}

/// An item of an account the agency follows.
struct FollowedLine {
    title: String,
    lang: String,
    href: Option<String>,
    by: String,
    date: String,
    datetime: String,
}

/// A delivery that failed.
struct FailingLine {
    host: String,
    activity: String,
    attempts: String,
    next: Option<(String, String)>,
    error: Option<String>,
}

/// One agency's panel.
struct Panel {
    slug: String,
    name: String,
    heading_id: String,
    role: String,
    public_href: String,
    items: Vec<ItemLine>,
    items_total: String,
    comments: Vec<CommentLine>,
    followers: Vec<FollowerLine>,
    followers_total: String,
    followed: Vec<FollowedLine>,
    failing: Vec<FailingLine>,
    messages: String,
}

#[derive(Template)]
#[template(path = "staff/manage/dashboard.html")]
struct DashboardPage {
    c: Chrome,
    greeting: String,
    panels: Vec<Panel>,
    instance_admin: bool,
}

/// `GET /staff`.
pub async fn page(ctx: Ctx, session: StaffSession) -> HttpResponse {
    ctx.staff_page(async {
        let memberships = ctx.state.store.list_memberships(session.staff.id).await?;
        let mut panels = Vec::with_capacity(memberships.len());
        for (agency, role) in memberships
            .into_iter()
            .filter(|(a, _)| a.deleted_at.is_none())
        {
            panels.push(panel(&ctx, &session, agency, role).await?);
        }
        let page = DashboardPage {
            c: ctx.staff_chrome(ctx.t.msg("dash-title"), &session, "dashboard"),
            greeting: ctx
                .t
                .msg_with("dash-greeting", &[("user", &session.staff.username)]),
            panels,
            instance_admin: session.staff.instance_admin,
        };
        Ok(ctx.staff_ok(&page))
    })
    .await
}

async fn panel(
    ctx: &Ctx,
    session: &StaffSession,
    agency: Agency,
    role: Role,
) -> Result<Panel, ApiError> {
    let (state, t) = (&ctx.state, ctx.t);
    let store = &state.store;
    let latest = store
        .list_items(
            &ItemFilter {
                agency: Some(agency.slug.clone()),
                ..ItemFilter::default()
            },
            1,
            NEWEST,
        )
        .await?;
    let since = chrono::Utc::now() - chrono::Duration::days(NEW_DAYS);
    let comments = store
        .list_agency_comments(&[agency.id], Some(since), true, NEWEST)
        .await?;
    let followers = store.list_recent_followers(agency.id, NEWEST).await?;
    let followers_total = store.count_followers(agency.id).await?;
    let followed = store.list_items_of_followed(agency.id, NEWEST).await?;
    let failing = store.list_failing_deliveries(agency.id, NEWEST).await?;
    // Messages are for the agency's own staff alone: the dashboard lists
    // only the staff member's own agencies, and checks it all the same.
    crate::auth::require_member(state, &session.staff, &agency).await?;
    let messages = store.count_messages_upto(agency.id, MESSAGES_CAP).await?;
    Ok(Panel {
        heading_id: format!("agency-{}", agency.slug),
        role: t.msg(match role {
            Role::Admin => "dash-role-admin",
            Role::Editor => "dash-role-editor",
        }),
        public_href: state.urls.agency(&agency.slug).to_string(),
        items_total: t.msg_n("dash-items-total", latest.total),
        items: latest
            .items
            .iter()
            .map(|i| {
                let (date, datetime) = when(i.published_at);
                ItemLine {
                    title: i.title.clone(),
                    lang: i.language.clone(),
                    kind: kind_label(t, &i.kind),
                    edit_href: format!("/staff/items/{}/edit", i.id),
                    date,
                    datetime,
                }
            })
            .collect(),
        comments: comments
            .into_iter()
            .map(|c| {
                let (date, datetime) = when(c.comment.published_at);
                CommentLine {
                    author: Person::author(state, &c.comment.author),
                    item_title: c.item_title,
                    thread_href: format!(
                        "/staff/moderation/items/{}#comment-{}",
                        c.comment.item_id, c.comment.id
                    ),
                    text: excerpt(&c.comment.content_html, 200),
                    date,
                    datetime,
                    hidden: c.hidden,
                }
            })
            .collect(),
        followers_total: t.msg_n("dash-followers-total", followers_total),
        followers: followers
            .iter()
            .map(|f| {
                let (date, datetime) = when(f.since);
                FollowerLine {
                    person: Person::remote(&f.actor),
                    date,
                    datetime,
                }
            })
            .collect(),
        followed: followed
            .iter()
            .map(|i| {
                let (date, datetime) = when(i.published_at);
                let by = match &i.owner {
                    ItemOwner::Remote { name, handle, .. } => name
                        .clone()
                        .filter(|n| !n.trim().is_empty())
                        .or_else(|| handle.clone())
                        .unwrap_or_default(),
                    ItemOwner::Local { name, .. } => name.clone(),
                };
                FollowedLine {
                    title: i.title.clone(),
                    lang: i.language.clone(),
                    href: remote_page(i),
                    by,
                    date,
                    datetime,
                }
            })
            .collect(),
        failing: failing
            .into_iter()
            .map(|d| FailingLine {
                host: d.host,
                activity: d.activity_id,
                attempts: t.msg_n(
                    "dash-failing-attempts",
                    u64::try_from(d.attempts).unwrap_or(0),
                ),
                next: d.next_attempt_at.map(when),
                error: d.last_error,
            })
            .collect(),
        messages: if messages >= MESSAGES_CAP {
            t.msg_n("dash-messages-many", MESSAGES_CAP - 1)
        } else {
            t.msg_n("dash-messages-count", messages)
        },
        slug: agency.slug,
        name: agency.name,
    })
}
