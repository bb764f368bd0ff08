//! Actors, objects and collections at their public URLs. One URL serves
//! ActivityPub JSON to software that asks for it and HTML to browsers.

use crate::{
    cache::{self, Key},
    error::ApiError,
    pages::{
        ctx::Ctx,
        errors::{self, Problem},
    },
    state::AppState,
};
use actix_web::{HttpRequest, HttpResponse, http::header, web};
use deling_federation::{
    objects::{agency, comment, item},
    outbox,
    protocol::{
        AP_CONTENT_TYPE,
        collection::{
            OrderedCollection, OrderedCollectionPage, collection, collection_page, cursor_page_url,
        },
        context::{tombstone, with_context},
    },
};
use deling_store::{
    queries::comment::{CommentCursor, CommentsFrom},
    records::Agency,
};
use serde::Deserialize;

/// Collection pages hold this many entries.
const PAGE_SIZE: u64 = 20;

/// Pages of an item's `replies` hold this many comment ids. More than the
/// other collections' pages: Mastodon fetches at most a few hundred pages
/// of a whole thread, and an id is small.
pub const REPLIES_PAGE_SIZE: u64 = 100;

/// Whether the client asked for ActivityStreams rather than HTML.
pub fn wants_activity_json(req: &HttpRequest) -> bool {
    req.headers()
        .get_all(header::ACCEPT)
        .filter_map(|v| v.to_str().ok())
        .any(|a| a.contains("application/activity+json") || a.contains("application/ld+json"))
}

/// With `federation.require_signed_fetch`, ActivityPub GETs must carry a
/// valid HTTP signature of some actor ("authorized fetch"). On URLs that
/// also serve HTML, browsers asking for HTML are not affected; on URLs that
/// only serve JSON every request is checked. The instance actor is never
/// checked: peers must be able to fetch it to verify our own signatures.
async fn require_signature(
    state: &AppState,
    req: &HttpRequest,
    json_only: bool,
) -> Result<(), ApiError> {
    if !state.federation.settings.require_signed_fetch || !(json_only || wants_activity_json(req)) {
        return Ok(());
    }
    // Before any signature work: checking one may fetch a key from
    // anywhere `keyId` points.
    state
        .limiters
        .signed_get_per_ip
        .check(&crate::ratelimit::ip_key(state.client_ip(req)))
        .map_err(|wait| {
            crate::ratelimit::too_many("too many signed fetches from this address", wait)
        })?;
    let (headers, path) = crate::signed::signed_parts(state, req);
    deling_federation::signed_fetch::verify_get(&path, headers, &state.fed_data())
        .await
        .map(|_| ())
        .map_err(ApiError::from)
}

/// A local item that is not withdrawn, for the collections hanging off it.
async fn current_local_item(
    state: &AppState,
    id: i64,
) -> Result<deling_store::records::Item, ApiError> {
    state
        .store
        .get_item(id)
        .await?
        .filter(|i| i.agency_id().is_some() && i.deleted_at.is_none())
        .ok_or_else(|| ApiError::NotFound(format!("no item {id}")))
}

fn ap_response(status: actix_web::http::StatusCode, body: serde_json::Value) -> HttpResponse {
    HttpResponse::build(status)
        .content_type(format!("{AP_CONTENT_TYPE}; charset=utf-8"))
        .insert_header((header::VARY, "Accept"))
        .json(body)
}

fn ap_ok(body: serde_json::Value) -> HttpResponse {
    ap_response(actix_web::http::StatusCode::OK, body)
}

/// An agency, answering 410 with a Tombstone once withdrawn.
async fn agency_or_gone(
    state: &AppState,
    slug: &str,
) -> Result<Result<Agency, HttpResponse>, ApiError> {
    match state.store.get_agency_by_slug(slug).await? {
        None => Err(ApiError::NotFound(format!("no agency {slug:?}"))),
        Some(a) if a.deleted_at.is_some() => Ok(Err(ap_response(
            actix_web::http::StatusCode::GONE,
            tombstone(&state.urls.agency(slug), "Organization", a.deleted_at),
        ))),
        Some(a) => Ok(Ok(a)),
    }
}

/// `GET /agencies/{slug}`: the `Organization` actor or its page.
pub async fn agency(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    require_signature(&state, &req, false).await?;
    if !wants_activity_json(&req) {
        let ctx = Ctx::new(state.clone(), &req);
        let page = async {
            Ok(match crate::lookup::agency(&state, &slug).await {
                Ok(agency) => crate::pages::agency::page(&ctx, &req, &agency).await,
                Err(e) => errors::from_api(&ctx, e),
            })
        };
        // With a query string (a page of items, a kind, `?lang=`, which
        // sets a cookie) the page is made afresh.
        if !req.query_string().is_empty() {
            return page.await;
        }
        let key = Key::Page {
            path: req.path().to_owned(),
            lang: ctx.t.lang().code(),
        };
        return cache::serve(&state, key, page).await;
    }
    let key = Key::AgencyJson(slug.as_str().to_owned());
    cache::serve(&state, key, async {
        let agency = match agency_or_gone(&state, &slug).await? {
            Ok(a) => a,
            Err(gone) => return Ok(gone),
        };
        Ok(ap_ok(with_context(&agency::agency_actor(
            &state.urls,
            &agency,
        ))))
    })
    .await
}

/// `GET /actor`: the instance actor.
pub async fn instance_actor(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let instance = state
        .store
        .get_instance()
        .await?
        .ok_or_else(|| ApiError::Internal("the instance row is missing".into()))?;
    Ok(ap_ok(with_context(&agency::instance_actor(
        &state.urls,
        &instance,
    ))))
}

/// `?page=N` of a collection.
#[derive(Debug, Deserialize)]
pub struct PageQuery {
    page: Option<u64>,
}

/// `GET /agencies/{slug}/outbox`: the agency's `Create` activities, newest first.
pub async fn outbox(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    require_signature(&state, &req, true).await?;
    match q.page {
        Some(page) => {
            let page = page.max(1);
            let key = Key::OutboxPage {
                slug: slug.as_str().to_owned(),
                page,
            };
            cache::serve(&state, key, outbox_doc(&state, &slug, Some(page))).await
        }
        None => outbox_doc(&state, &slug, None).await,
    }
}

/// The outbox collection of agency `slug`, or its page `page`.
async fn outbox_doc(
    state: &AppState,
    slug: &str,
    page: Option<u64>,
) -> Result<HttpResponse, ApiError> {
    let agency = match agency_or_gone(state, slug).await? {
        Ok(a) => a,
        Err(gone) => return Ok(gone),
    };
    let id = state.urls.agency_outbox(&agency.slug);
    let filter = deling_store::ItemFilter {
        agency: Some(agency.slug.clone()),
        ..Default::default()
    };
    let Some(page) = page else {
        let total = state.store.count_items(&filter).await?;
        return Ok(ap_ok(with_context(&collection(id, total, PAGE_SIZE))));
    };
    let page = page.max(1);
    let items = state.store.list_items(&filter, page, PAGE_SIZE).await?;
    let mut activities = Vec::with_capacity(items.items.len());
    for i in &items.items {
        let page_json = item::item_page(&state.urls, i, i.counts)
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        activities.push(outbox::item::create_of(&state.urls, i.id, &page_json));
    }
    Ok(ap_ok(with_context(&collection_page(
        &id,
        page,
        PAGE_SIZE,
        items.total,
        activities,
    ))))
}

/// The follow collections of an agency.
#[derive(Debug, Clone, Copy)]
enum FollowCollection {
    Followers,
    Following,
}

async fn follow_collection(
    state: &AppState,
    req: &HttpRequest,
    slug: &str,
    page: Option<u64>,
    which: FollowCollection,
) -> Result<HttpResponse, ApiError> {
    require_signature(state, req, true).await?;
    let agency = match agency_or_gone(state, slug).await? {
        Ok(a) => a,
        Err(gone) => return Ok(gone),
    };
    let (id, store) = (&state.urls, &state.store);
    let id = match which {
        FollowCollection::Followers => id.agency_followers(&agency.slug),
        FollowCollection::Following => id.agency_following(&agency.slug),
    };
    let Some(page) = page else {
        let total = match which {
            FollowCollection::Followers => store.count_followers(agency.id).await?,
            FollowCollection::Following => store.count_following(agency.id).await?,
        };
        return Ok(ap_ok(with_context(&collection(id, total, PAGE_SIZE))));
    };
    let page = page.max(1);
    let ids = match which {
        FollowCollection::Followers => store.list_follower_ids(agency.id, page, PAGE_SIZE).await?,
        FollowCollection::Following => store.list_following_ids(agency.id, page, PAGE_SIZE).await?,
    };
    Ok(ap_ok(with_context(&collection_page(
        &id, page, PAGE_SIZE, ids.total, ids.items,
    ))))
}

/// `GET /agencies/{slug}/followers`.
pub async fn followers(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    follow_collection(&state, &req, &slug, q.page, FollowCollection::Followers).await
}

/// `GET /agencies/{slug}/following`.
pub async fn following(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    follow_collection(&state, &req, &slug, q.page, FollowCollection::Following).await
}

/// `GET /agencies/{slug}/featured`: the agency's pinned items, most
/// recently pinned first.
pub async fn featured(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    require_signature(&state, &req, true).await?;
    let agency = match agency_or_gone(&state, &slug).await? {
        Ok(a) => a,
        Err(gone) => return Ok(gone),
    };
    // Ids, not embedded Pages: Mastodon's FetchFeaturedCollectionService
    // takes only strings or embedded `Note`s, fetching each by id, so an
    // embedded Page would never show as pinned there.
    let ids: Vec<String> = state
        .store
        .list_pinned_items(agency.id)
        .await?
        .iter()
        .map(|i| state.urls.item(i.id).to_string())
        .collect();
    let doc = serde_json::json!({
        "type": "OrderedCollection",
        "id": state.urls.agency_featured(&agency.slug),
        "totalItems": ids.len(),
        "orderedItems": ids,
    });
    Ok(ap_ok(with_context(&doc)))
}

/// `GET /items/{id}`: the `Page` or the HTML page; 410 Tombstone once withdrawn.
pub async fn item(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    require_signature(&state, &req, false).await?;
    let id = *id;
    if wants_activity_json(&req) {
        return cache::serve(&state, Key::ItemJson(id), item_doc(&state, id, None)).await;
    }
    let ctx = Ctx::new(state.clone(), &req);
    // With a query string (`?lang=` sets a cookie; `?after=` and `?before=`
    // ask for a later page of comments) the page is made afresh: only the
    // first page of comments is ever kept, under the bare path.
    if !req.query_string().is_empty() {
        let from = match crate::pages::item::comments_from(req.query_string()) {
            Ok(from) => from,
            Err(e) => return Ok(errors::from_api(&ctx, e)),
        };
        return item_doc(&state, id, Some((&ctx, from))).await;
    }
    let key = Key::Page {
        path: req.path().to_owned(),
        lang: ctx.t.lang().code(),
    };
    let first = Some((&ctx, CommentsFrom::Start));
    cache::serve(&state, key, item_doc(&state, id, first)).await
}

/// Item `id` as ActivityPub JSON, or as its HTML page in `html`'s frame
/// with the page of comments it says.
async fn item_doc(
    state: &AppState,
    id: i64,
    html: Option<(&Ctx, CommentsFrom)>,
) -> Result<HttpResponse, ApiError> {
    let item = state
        .store
        .get_item(id)
        .await?
        .filter(|i| i.agency_id().is_some());
    let Some(item) = item else {
        if let Some((ctx, _)) = html {
            return Ok(errors::page(ctx, Problem::NotFound));
        }
        return Err(ApiError::NotFound(format!("no item {id}")));
    };
    if item.deleted_at.is_some() {
        if let Some((ctx, _)) = html {
            return Ok(errors::page(ctx, Problem::Gone));
        }
        return Ok(ap_response(
            actix_web::http::StatusCode::GONE,
            tombstone(&state.urls.item(id), "Page", item.deleted_at),
        ));
    }
    let counts = item.counts;
    if let Some((ctx, from)) = html {
        return Ok(crate::pages::item::page(ctx, &item, counts, from).await);
    }
    let page = item::item_page(&state.urls, &item, counts)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(ap_ok(with_context(&page)))
}

/// The query of [`replies`]: `page=true` for a page, `after` a cursor
/// from a page's `next`.
#[derive(Debug, Deserialize)]
pub struct RepliesQuery {
    page: Option<String>,
    after: Option<String>,
}

/// `GET /items/{id}/replies`: an `OrderedCollection` with the item's
/// count of shown comments and its `first` page; `?page=true` and
/// `?page=true&after=CURSOR` are its `OrderedCollectionPage`s of comment
/// ids, oldest first, each with the `next` while there is more. The shape
/// Mastodon's and GoToSocial's readers follow: `first`, then `next` by
/// URL, reading `orderedItems` of an ordered page.
pub async fn replies(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
    q: web::Query<RepliesQuery>,
) -> Result<HttpResponse, ApiError> {
    require_signature(&state, &req, true).await?;
    let id = *id;
    let q = q.into_inner();
    if q.page.as_deref().is_some_and(|p| p != "true") {
        return Err(ApiError::BadRequest(
            "query parameter page: only page=true is a page of replies".into(),
        ));
    }
    let after = q
        .after
        .as_deref()
        .map(|a| {
            CommentCursor::parse(a).ok_or_else(|| {
                ApiError::BadRequest(
                    "query parameter after: not a cursor from a page's next link".into(),
                )
            })
        })
        .transpose()?;
    let item = current_local_item(&state, id).await?;
    let collection_id = state.urls.item_replies(id);
    let total = item.counts.comments;
    if q.page.is_none() && after.is_none() {
        let doc = OrderedCollection {
            kind: "OrderedCollection".into(),
            first: Some(cursor_page_url(&collection_id, None)),
            last: None,
            id: collection_id,
            total_items: total,
        };
        return Ok(ap_ok(with_context(&doc)));
    }
    let from = after.map_or(CommentsFrom::Start, CommentsFrom::After);
    let page = state
        .store
        .list_comments_page(item.id, from, REPLIES_PAGE_SIZE)
        .await?;
    let ids: Vec<String> = page
        .comments
        .iter()
        .map(|c| {
            c.ap_id
                .clone()
                .unwrap_or_else(|| state.urls.comment(c.id).to_string())
        })
        .collect();
    let after = after.map(|a| a.to_string());
    let doc = OrderedCollectionPage {
        kind: "OrderedCollectionPage".into(),
        id: cursor_page_url(&collection_id, after.as_deref()),
        next: page
            .next
            .map(|n| cursor_page_url(&collection_id, Some(&n.to_string()))),
        prev: None,
        part_of: collection_id,
        total_items: total,
        ordered_items: ids,
    };
    Ok(ap_ok(with_context(&doc)))
}

/// `GET /comments/{id}`: a local agency's comment as a `Note`.
pub async fn comment(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    require_signature(&state, &req, true).await?;
    let id = *id;
    let found = state.store.get_comment_any(id).await?;
    let found = found.ok_or_else(|| ApiError::NotFound(format!("no comment {id}")))?;
    let (c, item) = (found.comment, found.item);
    if let (Some(at), deling_store::records::CommentAuthor::Agency { .. }) =
        (found.deleted_at, &c.author)
    {
        return Ok(ap_response(
            actix_web::http::StatusCode::GONE,
            tombstone(&state.urls.comment(id), "Note", Some(at)),
        ));
    }
    // A comment its moderators hid is not served.
    if found.deleted_at.is_some() || found.hidden {
        return Err(ApiError::NotFound(format!("no comment {id}")));
    }
    let (note, _) = comment::comment_note(&state.store, &state.urls, &c, &item)
        .await?
        .ok_or_else(|| {
            ApiError::NotFound(format!("comment {id} is served by its author's server"))
        })?;
    Ok(ap_ok(with_context(&note)))
}

/// `GET /shares/{id}`: a share's `Announce`; 410 with a Tombstone once it
/// was taken back (or its agency or item withdrawn).
pub async fn share(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    require_signature(&state, &req, true).await?;
    let id = *id;
    let found = state.store.get_share(id).await?;
    let s = found.ok_or_else(|| ApiError::NotFound(format!("no share {id}")))?;
    let agency = state.store.get_agency(s.agency_id).await?;
    let item = state.store.get_item(s.item_id).await?;
    let (Some(agency), Some(item)) = (agency, item) else {
        return Err(ApiError::NotFound(format!("no share {id}")));
    };
    if s.undone_at.is_some() || agency.deleted_at.is_some() || item.deleted_at.is_some() {
        let at = s.undone_at.or(agency.deleted_at).or(item.deleted_at);
        return Ok(ap_response(
            actix_web::http::StatusCode::GONE,
            tombstone(&state.urls.share(id), "Announce", at),
        ));
    }
    let (announce, _) =
        outbox::share::announce(&state.store, &state.urls, &s, &agency, &item).await?;
    Ok(ap_ok(with_context(&announce)))
}

/// `GET /items/{id}/likes` and `/items/{id}/shares`: counted collections
/// (who reacted is not published, only how many).
pub async fn reactions(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(i64, String)>,
) -> Result<HttpResponse, ApiError> {
    require_signature(&state, &req, true).await?;
    let (id, which) = path.into_inner();
    let item = current_local_item(&state, id).await?;
    let counts = item.counts;
    let (collection_id, total) = match which.as_str() {
        "likes" => (state.urls.item_likes(id), counts.likes),
        "shares" => (state.urls.item_shares(id), counts.shares),
        _ => return Err(ApiError::NotFound(format!("no collection {which:?}"))),
    };
    let doc = serde_json::json!({"type": "Collection", "id": collection_id, "totalItems": total});
    Ok(ap_ok(with_context(&doc)))
}

/// `GET /items/{id}/create`: the Create that published a local item, built
/// as it was delivered (`outbox::item`), with the item's own `published`.
pub async fn item_create(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    require_signature(&state, &req, true).await?;
    let id = *id;
    let item = current_local_item(&state, id).await?;
    let page = item::item_page(&state.urls, &item, item.counts)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(ap_ok(with_context(&outbox::item::create_of(
        &state.urls,
        id,
        &page,
    ))))
}
