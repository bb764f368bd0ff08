//! Shared items: list, read, publish, edit, withdraw; their comments.

use crate::{
    auth::{Access, Authenticated},
    cache::{self, Key},
    dto::{CommentQuery, CommentView, ItemBody, ItemPage, ItemQuery, ItemView, ReactionView},
    error::{ApiError, Problem},
    state::AppState,
};
use actix_web::{HttpRequest, HttpResponse, http::header, web};
use deling_domain::{
    FieldError,
    item::{ItemContent, ItemKind, RawItem, Tag},
    language::Language,
};
use deling_store::{
    ItemCursor, ItemFilter, Origin,
    queries::{
        audit::Audit,
        comment::{CommentCursor, CommentsFrom},
    },
    records::{Agency, Item, Staff},
};

const DEFAULT_PER_PAGE: u64 = 20;
const MAX_PER_PAGE: u64 = 100;

/// Comments a page of `GET /api/v1/items/{id}/comments` holds unless
/// `limit` says otherwise, and at most.
const DEFAULT_COMMENTS: u64 = 100;
const MAX_COMMENTS: u64 = 500;

fn bad(field: &str, problem: impl std::fmt::Display) -> ApiError {
    ApiError::BadRequest(format!("query parameter {field}: {problem}"))
}

/// Lists items, newest first.
#[utoipa::path(get, operation_id = "listItems", path = "/api/v1/items", tag = "items", params(ItemQuery),
    responses((status = 200, body = ItemPage), (status = 400, body = Problem)))]
pub async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    q: web::Query<ItemQuery>,
) -> Result<HttpResponse, ApiError> {
    // The list is public and the same for everyone; only its absolute
    // `next` link follows the request, through the public base.
    let key = Key::ItemList {
        query: req.query_string().to_owned(),
        base: if state.settings.trust_proxy_headers {
            state.public_base(&req).to_string()
        } else {
            String::new()
        },
    };
    cache::serve(&state, key, list_doc(&state, &req, q.into_inner())).await
}

/// The answer of [`list`].
async fn list_doc(
    state: &AppState,
    req: &HttpRequest,
    q: ItemQuery,
) -> Result<HttpResponse, ApiError> {
    let number = |field: &str, v: Option<&str>, default: u64| -> Result<u64, ApiError> {
        v.map_or(Ok(default), |v| {
            v.trim()
                .parse::<u64>()
                .map_err(|_| bad(field, format!("{v:?} is not a whole number")))
        })
    };
    let page = number("page", q.page.as_deref(), 1)?;
    if page == 0 {
        return Err(bad("page", "pages count from 1"));
    }
    let per_page = number("per_page", q.per_page.as_deref(), DEFAULT_PER_PAGE)?;
    if !(1..=MAX_PER_PAGE).contains(&per_page) {
        return Err(bad("per_page", format!("must be 1 to {MAX_PER_PAGE}")));
    }
    // The database counts rows with signed 64-bit integers.
    if (page - 1)
        .checked_mul(per_page)
        .is_none_or(|offset| offset > i64::MAX as u64)
    {
        return Err(bad("page", "is past the last possible page"));
    }
    let origin = match q.origin.as_deref() {
        None | Some("local") => Origin::Local,
        Some("remote") => Origin::Remote,
        Some("all") => Origin::All,
        Some(other) => {
            return Err(bad(
                "origin",
                format!("{other:?} is not local, remote or all"),
            ));
        }
    };
    let filter = ItemFilter {
        agency: q.agency,
        kind: q
            .kind
            .map(|k| k.parse::<ItemKind>().map(|k| k.as_str().to_owned()))
            .transpose()
            .map_err(|e| bad("kind", e))?,
        tag: q
            .tag
            .map(|t| Tag::parse(&t).map(|t| t.as_str().to_owned()))
            .transpose()
            .map_err(|e| bad("tag", e))?,
        language: q
            .language
            .map(|l| Language::parse(&l).map(|l| l.to_string()))
            .transpose()
            .map_err(|e| bad("language", e))?,
        origin,
    };
    let cursor = q
        .cursor
        .as_deref()
        .map(|c| ItemCursor::parse(c).ok_or_else(|| bad("cursor", "is not one from a next link")))
        .transpose()?;
    // Page 1 and a cursor read after a point (new items cannot shift what
    // follows); a page number alone skips rows, for clients that jump.
    let (items, total, next_cursor) = if cursor.is_some() || page == 1 {
        let slice = state
            .store
            .list_items_after(&filter, cursor.as_ref(), per_page)
            .await?;
        (slice.items, slice.total, slice.next)
    } else {
        let paged = state.store.list_items(&filter, page, per_page).await?;
        let more = page.saturating_mul(per_page) < paged.total;
        let next = paged.items.last().filter(|_| more).map(ItemCursor::after);
        (paged.items, paged.total, next)
    };
    let next = next_cursor.map(|c| {
        let mut url = state.public_base(req);
        url.set_path(req.path());
        let pairs: Vec<(String, String)> =
            url::form_urlencoded::parse(req.query_string().as_bytes())
                .filter(|(k, _)| k != "page" && k != "cursor")
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
        url.query_pairs_mut()
            .clear()
            .extend_pairs(pairs)
            .append_pair("cursor", &c.to_string())
            .append_pair("page", &(page + 1).to_string());
        url.to_string()
    });
    Ok(HttpResponse::Ok().json(ItemPage {
        items: items
            .into_iter()
            .map(|i| {
                let c = i.counts;
                ItemView::new(state, i, c)
            })
            .collect(),
        page,
        per_page,
        total,
        next,
    }))
}

/// A local item a staff member may edit, with its agency and what lets
/// them ([`find_editable`]).
#[derive(Debug, Clone)]
pub struct Editable {
    /// The item.
    pub item: Item,
    /// The agency that published it.
    pub agency: Agency,
    /// The staff member's right to edit for the agency.
    pub access: Access,
}

impl Editable {
    /// The audit entry for `action` on the item, kept when an instance
    /// admin from outside the agency takes it (see [`Access::audit`]).
    fn audit(&self, staff: &Staff, action: &str) -> Option<Audit> {
        self.access
            .audit(
                staff,
                &self.agency,
                action,
                &format!("{}{}", items_of(&self.agency), self.item.id),
            )
            .map(|a| a.with("item", self.item.id))
    }
}

/// How the audit log names `agency`'s items: followed by an item's id,
/// one of them (`oslo/items/42`).
fn items_of(agency: &Agency) -> String {
    format!("{}/items/", agency.slug)
}

/// Reads an item `staff` may edit: it must be local and `staff` an editor
/// of its agency. The API and the staff pages ask the same.
pub async fn find_editable(state: &AppState, staff: &Staff, id: i64) -> Result<Editable, ApiError> {
    let item = crate::lookup::item(state, id).await?;
    let agency_id = item.agency_id().ok_or_else(|| {
        ApiError::Forbidden(format!(
            "item {id} belongs to another server and cannot be changed here"
        ))
    })?;
    let agency = state
        .store
        .get_agency(agency_id)
        .await?
        .ok_or_else(|| ApiError::NotFound("agency not found".into()))?;
    let access = crate::auth::require_editor(state, staff, &agency).await?;
    Ok(Editable {
        item,
        agency,
        access,
    })
}

/// Publishes `content` for `agency` as `staff`, whose right to (`access`)
/// the caller checked, and wakes federation to tell its followers. An
/// instance admin from outside the agency leaves an `item.create` entry.
pub async fn publish(
    state: &AppState,
    staff: &Staff,
    agency: &Agency,
    access: Access,
    content: &ItemContent,
) -> Result<Item, ApiError> {
    // The new item's id is the store's to give; it ends the target.
    let audit = access.audit(staff, agency, "item.create", &items_of(agency));
    let item = state
        .store
        .put_item_audited(agency.id, content, audit.as_ref())
        .await?;
    state.wake_federation();
    Ok(item)
}

/// Stores an edited item (from [`find_editable`]) as `staff` and wakes
/// federation to send the `Update`; `item.update` in the audit log for an
/// instance admin from outside the agency.
pub async fn revise(
    state: &AppState,
    staff: &Staff,
    editable: &Editable,
    content: &ItemContent,
) -> Result<Item, ApiError> {
    let audit = editable.audit(staff, "item.update");
    let item = state
        .store
        .update_item_audited(editable.item.id, content, audit.as_ref())
        .await?;
    state.wake_federation();
    Ok(item)
}

/// Withdraws an item (from [`find_editable`]) as `staff`: followers'
/// servers get a `Delete` and the item answers 410 from now on;
/// `item.withdraw` in the audit log for an instance admin from outside
/// the agency.
pub async fn withdraw(
    state: &AppState,
    staff: &Staff,
    editable: &Editable,
) -> Result<(), ApiError> {
    let audit = editable.audit(staff, "item.withdraw");
    state
        .store
        .delete_item_audited(editable.item.id, audit.as_ref())
        .await?;
    state.wake_federation();
    Ok(())
}

fn invalid(errors: Vec<FieldError>) -> ApiError {
    ApiError::Invalid(errors)
}

/// Shows one item.
#[utoipa::path(get, operation_id = "getItem", path = "/api/v1/items/{id}", tag = "items",
    params(("id" = i64, Path, description = "Item id")),
    responses((status = 200, body = ItemView), (status = 404, body = Problem), (status = 410, body = Problem)))]
pub async fn get(state: web::Data<AppState>, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    let item = crate::lookup::item(&state, *id).await?;
    let counts = item.counts;
    Ok(HttpResponse::Ok().json(ItemView::new(&state, item, counts)))
}

/// Publishes an item for an agency.
#[utoipa::path(post, operation_id = "createItem", path = "/api/v1/agencies/{slug}/items", tag = "items", request_body = crate::dto::NewItemBody,
    params(("slug" = String, Path, description = "The agency's slug")),
    security(("bearer" = [])),
    responses((status = 201, body = ItemView), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 413, body = Problem),
        (status = 422, body = Problem)))]
pub async fn create(
    state: web::Data<AppState>,
    auth: Authenticated,
    slug: web::Path<String>,
    body: crate::input::JsonBody<ItemBody>,
) -> Result<HttpResponse, ApiError> {
    let agency = crate::lookup::speaking_agency(&state, &slug).await?;
    let access = auth.require_editor(&state, &agency).await?;
    let content = ItemContent::parse(RawItem::try_from(body.into_inner()).map_err(invalid)?)
        .map_err(invalid)?;
    let item = publish(&state, &auth.staff, &agency, access, &content).await?;
    let view = ItemView::new(&state, item, Default::default());
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/items/{}", view.id)))
        .json(view))
}

/// Changes some of an item's fields; the result is checked as a whole.
#[utoipa::path(patch, operation_id = "updateItem", path = "/api/v1/items/{id}", tag = "items", request_body = ItemBody,
    params(("id" = i64, Path, description = "Item id")),
    security(("bearer" = [])),
    responses((status = 200, body = ItemView), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 410, body = Problem),
        (status = 422, body = Problem)))]
pub async fn update(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<i64>,
    body: crate::input::JsonBody<ItemBody>,
) -> Result<HttpResponse, ApiError> {
    let editable = find_editable(&state, &auth.staff, *id).await?;
    let merged = body.into_inner();
    let content = ItemContent::parse(
        RawItem::try_from(merged)
            .map_err(invalid)?
            .over(editable.item.to_raw()),
    )
    .map_err(invalid)?;
    let item = revise(&state, &auth.staff, &editable, &content).await?;
    let counts = item.counts;
    Ok(HttpResponse::Ok().json(ItemView::new(&state, item, counts)))
}

/// Withdraws an item; it answers 410 Gone afterwards.
#[utoipa::path(delete, operation_id = "withdrawItem", path = "/api/v1/items/{id}", tag = "items",
    params(("id" = i64, Path, description = "Item id")),
    security(("bearer" = [])),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 410, body = Problem)))]
pub async fn delete(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let editable = find_editable(&state, &auth.staff, *id).await?;
    withdraw(&state, &auth.staff, &editable).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Pins an item to its agency's profile (the actor's `featured`
/// collection; Mastodon shows it at the top). At most five per agency.
#[utoipa::path(post, operation_id = "pinItem", path = "/api/v1/items/{id}/pin", tag = "items",
    params(("id" = i64, Path, description = "Item id")),
    security(("bearer" = [])),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 410, body = Problem)))]
pub async fn pin(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    set_pinned(&state, &auth.staff, *id, true).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Unpins an item.
#[utoipa::path(delete, operation_id = "unpinItem", path = "/api/v1/items/{id}/pin", tag = "items",
    params(("id" = i64, Path, description = "Item id")),
    security(("bearer" = [])),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 410, body = Problem)))]
pub async fn unpin(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    set_pinned(&state, &auth.staff, *id, false).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Pins or unpins an item of an agency `staff` edits for; followers hear
/// of a change only, and only a change by an instance admin from outside
/// the agency is in the audit log (`item.pin`, `item.unpin`). `Ok(false)`
/// when it was so already.
pub async fn set_pinned(
    state: &AppState,
    staff: &Staff,
    id: i64,
    pinned: bool,
) -> Result<bool, ApiError> {
    let editable = find_editable(state, staff, id).await?;
    let (item_id, agency_id) = (editable.item.id, editable.agency.id);
    let changed = if pinned {
        let audit = editable.audit(staff, "item.pin");
        state
            .store
            .pin_item_audited(item_id, agency_id, audit.as_ref())
            .await?
    } else {
        let audit = editable.audit(staff, "item.unpin");
        state
            .store
            .unpin_item_audited(item_id, agency_id, audit.as_ref())
            .await?
    };
    if changed {
        state.wake_federation();
    }
    Ok(changed)
}

/// Lists who liked and boosted an item, newest first: for the staff of
/// its agency only, as the public (and peers) see counts, not people.
#[utoipa::path(get, operation_id = "listItemReactions", path = "/api/v1/items/{id}/reactions", tag = "items",
    params(("id" = i64, Path, description = "Item id")),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<ReactionView>), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 410, body = Problem)))]
pub async fn reactions(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let item = find_editable(&state, &auth.staff, *id).await?.item;
    let mut views: Vec<ReactionView> = state
        .store
        .list_reactions(item.id)
        .await?
        .into_iter()
        .map(|r| ReactionView {
            kind: r.kind,
            actor: crate::routes::api::federation::actor_ref(&r.actor),
            at: r.at,
        })
        .collect();
    // Boosts by agencies on this server are shares.
    views.extend(
        state
            .store
            .list_item_shares(item.id)
            .await?
            .into_iter()
            .map(|(s, a)| ReactionView {
                kind: "announce".into(),
                actor: crate::dto::ActorRef::local(&state, &a),
                at: s.created_at,
            }),
    );
    views.sort_by_key(|v| std::cmp::Reverse(v.at));
    Ok(HttpResponse::Ok().json(views))
}

/// Lists a page of an item's comments, oldest first: `limit` of them
/// (default 100, at most 500), after the cursor `after`. While there are
/// more, a `Link: <...>; rel="next"` header gives the next page's URL.
#[utoipa::path(get, operation_id = "listItemComments", path = "/api/v1/items/{id}/comments", tag = "items",
    params(("id" = i64, Path, description = "Item id"), CommentQuery),
    responses(
        (status = 200, body = Vec<CommentView>, headers(
            ("Link" = String, description = "`<URL>; rel=\"next\"` while more comments follow"))),
        (status = 400, body = Problem), (status = 404, body = Problem), (status = 410, body = Problem)))]
pub async fn comments(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
    q: web::Query<CommentQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let limit = match q.limit.as_deref() {
        None => DEFAULT_COMMENTS,
        Some(v) => v
            .trim()
            .parse::<u64>()
            .map_err(|_| bad("limit", format!("{v:?} is not a whole number")))?,
    };
    if !(1..=MAX_COMMENTS).contains(&limit) {
        return Err(bad("limit", format!("must be 1 to {MAX_COMMENTS}")));
    }
    let from = match q.after.as_deref() {
        None => CommentsFrom::Start,
        Some(a) => CommentsFrom::After(
            CommentCursor::parse(a).ok_or_else(|| bad("after", "is not one from a next link"))?,
        ),
    };
    let item = crate::lookup::item(&state, *id).await?;
    let page = state.store.list_comments_page(item.id, from, limit).await?;
    let mut resp = HttpResponse::Ok();
    if let Some(next) = page.next {
        let mut url = state.public_base(&req);
        url.set_path(req.path());
        url.query_pairs_mut()
            .clear()
            .append_pair("limit", &limit.to_string())
            .append_pair("after", &next.to_string());
        resp.insert_header((header::LINK, format!("<{url}>; rel=\"next\"")));
    }
    let views: Vec<CommentView> = page
        .comments
        .into_iter()
        .map(|c| CommentView::new(&state, c))
        .collect();
    Ok(resp.json(views))
}
