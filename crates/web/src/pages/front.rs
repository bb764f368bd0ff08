//! The front page (`GET /`): what this instance is and who runs it, its
//! agencies, and the latest items from its own and followed agencies,
//! filtered by kind.

use super::{
    ctx::{Chrome, Ctx, FeedLink},
    errors::{self, Problem},
    views::{ItemCard, KindLink, PER_PAGE, Pager, kind_links, list_query, web_href},
};
use crate::{error::ApiError, state::AppState};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use deling_store::{ItemFilter, queries::item::Origin};

/// A local agency as the front page lists it.
struct AgencyCard {
    name: String,
    href: String,
    handle: String,
}

/// How to reach the operator: a link when the setting is an address.
struct Contact {
    text: String,
    href: Option<String>,
}

#[derive(Template)]
#[template(path = "front.html")]
struct FrontPage {
    c: Chrome,
    intro: String,
    operator: Option<String>,
    contact: Option<Contact>,
    agencies: Vec<AgencyCard>,
    items: Vec<ItemCard>,
    total_label: String,
    kinds: Vec<KindLink>,
    pager: Pager,
}

fn contact(text: &str) -> Option<Contact> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let is_email = text.contains('@') && !text.contains(char::is_whitespace) && !text.contains(':');
    let href = if is_email {
        Some(format!("mailto:{text}"))
    } else {
        web_href(text)
    };
    Some(Contact {
        text: text.to_owned(),
        href,
    })
}

/// `GET /`.
pub async fn page(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    let ctx = Ctx::new(state, &req);
    let Some(listing) = list_query(&req) else {
        return errors::page(&ctx, Problem::BadRequest);
    };
    match build(&ctx, listing).await {
        Ok(p) => ctx.ok(&p),
        Err(e) => errors::from_api(&ctx, e),
    }
}

async fn build(ctx: &Ctx, l: super::views::Listing) -> Result<FrontPage, ApiError> {
    let (state, t) = (&ctx.state, ctx.t);
    let settings = &state.settings;
    let agencies = state
        .store
        .list_agencies()
        .await?
        .into_iter()
        .map(|a| AgencyCard {
            href: state.urls.agency(&a.slug).to_string(),
            handle: state.handle(&a.slug),
            name: a.name,
        })
        .collect();
    let filter = ItemFilter {
        kind: l.kind.map(|k| k.as_str().to_owned()),
        origin: Origin::All,
        ..Default::default()
    };
    let items = state.store.list_items(&filter, l.page, PER_PAGE).await?;
    let kind = l.kind.map(|k| k.as_str());
    let extra: Vec<(&str, &str)> = kind.map(|k| ("kind", k)).into_iter().collect();
    let mut c = ctx.chrome(t.msg("front-title"));
    c.feeds.push(FeedLink {
        title: t.msg_with("feed-instance", &[("name", &settings.instance_name)]),
        href: state
            .urls
            .base()
            .join("feed.atom")
            .map(|u| u.to_string())
            .unwrap_or_default(),
    });
    let intro = if settings.instance_description.trim().is_empty() {
        t.msg("front-intro-default")
    } else {
        settings.instance_description.clone()
    };
    Ok(FrontPage {
        c,
        intro,
        operator: Some(settings.instance_operator.trim().to_owned()).filter(|o| !o.is_empty()),
        contact: contact(&settings.instance_contact),
        agencies,
        total_label: t.msg_n("items-total", items.total),
        items: items
            .items
            .iter()
            .map(|i| ItemCard::new(state, t, i))
            .collect(),
        kinds: kind_links(t, "/", l.kind),
        pager: Pager::new(t, "/", &extra, l.page, PER_PAGE, items.total),
    })
}

#[cfg(test)]
mod tests {
    use super::contact;

    #[test]
    fn contacts_become_links_only_when_they_are_addresses() {
        let c = |s: &str| contact(s).and_then(|c| c.href);
        assert_eq!(
            c("drift@oslo.kommune.no").as_deref(),
            Some("mailto:drift@oslo.kommune.no")
        );
        assert_eq!(
            c("https://oslo.kommune.no/kontakt").as_deref(),
            Some("https://oslo.kommune.no/kontakt")
        );
        assert_eq!(c("javascript:alert(1)@x"), None);
        assert_eq!(c("Ring 21 80 21 80"), None);
        assert!(contact("  ").is_none());
    }
}
