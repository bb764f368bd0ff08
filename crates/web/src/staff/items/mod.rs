//! Staff pages: items. An agency's editors publish, edit, withdraw, pin
//! and share items here, with the same rules and the same domain parsing
//! as the API (`routes::api::items`, `routes::api::shares`):
//!
//! - `GET /staff/agencies/{slug}/items`: the agency's items, what it
//!   shares, and others' items it could share;
//! - `GET /staff/agencies/{slug}/items/new[?kind=]`, `POST /staff/agencies/{slug}/items`;
//! - `GET /staff/items/{id}/edit`, `POST /staff/items/{id}`;
//! - `GET|POST /staff/items/{id}/withdraw`;
//! - `POST /staff/items/{id}/pin|unpin|share|unshare`.
//!
//! The form ([`form`]) has every field of the chosen kind; "Preview" and
//! "add another" post it back and show it again without storing anything.

pub mod form;
pub mod view;

use crate::{
    auth::Access,
    error::ApiError,
    pages::ctx::{Chrome, Ctx},
    routes::api::{items as api_items, shares as api_shares},
    session::{StaffForm, StaffSession},
};
use actix_web::{
    HttpRequest, HttpResponse,
    http::{StatusCode, header},
    web,
};
use askama::Template;
use deling_domain::item::{ItemKind, RawItem};
use deling_store::{
    ItemCursor, ItemFilter, Origin,
    records::{Agency, Item, ItemOwner},
};
use form::ItemForm;
use serde::Deserialize;
use view::FormSetting;

/// Registers this area's routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/staff/agencies/{slug}/items", web::get().to(list))
        .route("/staff/agencies/{slug}/items", web::post().to(create))
        .route("/staff/agencies/{slug}/items/new", web::get().to(new))
        .route("/staff/items/{id}", web::get().to(to_edit))
        .route("/staff/items/{id}", web::post().to(update))
        .route("/staff/items/{id}/edit", web::get().to(edit))
        .route(
            "/staff/items/{id}/withdraw",
            web::get().to(confirm_withdraw),
        )
        .route("/staff/items/{id}/withdraw", web::post().to(withdraw))
        .route("/staff/items/{id}/pin", web::post().to(pin))
        .route("/staff/items/{id}/unpin", web::post().to(unpin))
        .route("/staff/items/{id}/share", web::post().to(share))
        .route("/staff/items/{id}/unshare", web::post().to(unshare));
}

/// The staff list of an agency's items.
pub fn list_path(slug: &str) -> String {
    format!("/staff/agencies/{slug}/items")
}

fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to.to_owned()))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

/// Back to the agency's list with a notice of what was `done`, at the
/// top of the page, where the notice is (no `#row` fragment: it would
/// scroll the notice out of sight and start the Tab order mid-page).
fn done(slug: &str, what: &str) -> HttpResponse {
    see_other(&format!("{}?done={what}", list_path(slug)))
}

/// A page that is not 200 (a form shown again with its errors).
fn staff_answer(ctx: &Ctx, status: StatusCode, page: &impl Template) -> HttpResponse {
    let mut res = ctx.render(status, page);
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    res
}

/// The agency `slug`, which `session` must edit for, and what lets them.
async fn editable_agency(
    ctx: &Ctx,
    session: &StaffSession,
    slug: &str,
    speaking: bool,
) -> Result<(Agency, Access), ApiError> {
    let agency = if speaking {
        crate::lookup::speaking_agency(&ctx.state, slug)
            .await
            .map_err(moved)?
    } else {
        crate::lookup::agency(&ctx.state, slug).await?
    };
    let access = crate::auth::require_editor(&ctx.state, &session.staff, &agency).await?;
    Ok((agency, access))
}

/// An agency that moved elsewhere publishes nothing new: the API says
/// 409, a page says the staff member may not (there is no conflict a
/// person can resolve by trying again).
fn moved(e: ApiError) -> ApiError {
    match e {
        ApiError::Conflict(m) => ApiError::Forbidden(m),
        other => other,
    }
}

/// The slug and name of a local item's agency.
fn owner(item: &Item) -> Result<(String, String), ApiError> {
    match &item.owner {
        ItemOwner::Local { slug, name, .. } => Ok((slug.clone(), name.clone())),
        ItemOwner::Remote { .. } => Err(ApiError::Forbidden(format!(
            "item {} belongs to another server",
            item.id
        ))),
    }
}

fn kind_of(s: &str) -> Result<ItemKind, ApiError> {
    s.parse::<ItemKind>()
        .map_err(|e| ApiError::BadRequest(e.to_string()))
}

// ---- the kind chooser and the form ----

/// One kind to choose.
struct KindChoice {
    href: String,
    label: String,
    help: String,
}

#[derive(Template)]
#[template(path = "staff/items/kinds.html")]
struct KindsPage {
    c: Chrome,
    agency: String,
    kinds: Vec<KindChoice>,
    back: String,
}

/// The query of the new-item page.
#[derive(Debug, Deserialize)]
pub struct NewQuery {
    kind: Option<String>,
}

/// `GET /staff/agencies/{slug}/items/new`: the kinds to choose from, or
/// the form of the kind chosen.
pub async fn new(
    ctx: Ctx,
    session: StaffSession,
    slug: web::Path<String>,
    q: web::Query<NewQuery>,
) -> HttpResponse {
    ctx.staff_page(async {
        let (agency, _) = editable_agency(&ctx, &session, &slug, true).await?;
        let t = ctx.t;
        let Some(kind) = q.kind.as_deref().filter(|k| !k.is_empty()) else {
            let page = KindsPage {
                c: ctx.staff_chrome(t.msg("items-new-title"), &session, "dashboard"),
                agency: agency.name.clone(),
                kinds: ItemKind::ALL
                    .into_iter()
                    .map(|k| KindChoice {
                        href: format!("{}/new?kind={k}", list_path(&agency.slug)),
                        label: t.msg_with(&format!("items-new-{k}"), &[]),
                        help: t.msg_with(&format!("items-kind-help-{k}"), &[]),
                    })
                    .collect(),
                back: list_path(&agency.slug),
            };
            return Ok(ctx.staff_ok(&page));
        };
        let kind = kind_of(kind)?;
        let form = ItemForm::from_raw(kind, &RawItem::default(), t.lang().code());
        Ok(ctx.staff_ok(&new_page(&ctx, &session, &agency, &form, &[], false)))
    })
    .await
}

fn new_page(
    ctx: &Ctx,
    session: &StaffSession,
    agency: &Agency,
    form: &ItemForm,
    problems: &[form::Problem],
    preview: bool,
) -> view::FormPage {
    let heading = ctx.t.msg_with(&format!("items-new-{}", form.kind), &[]);
    let c = ctx.staff_chrome(
        title_with_problems(ctx, &heading, problems),
        session,
        "dashboard",
    );
    view::page(
        c,
        FormSetting {
            heading,
            agency: agency.name.clone(),
            action: list_path(&agency.slug),
            cancel: list_path(&agency.slug),
            csrf: session.csrf().to_owned(),
            save_key: "items-publish",
        },
        form,
        problems,
        preview,
    )
}

fn edit_page(
    ctx: &Ctx,
    session: &StaffSession,
    item: &Item,
    form: &ItemForm,
    problems: &[form::Problem],
    preview: bool,
) -> Result<view::FormPage, ApiError> {
    let (slug, name) = owner(item)?;
    let heading = ctx
        .t
        .msg_with("items-edit-title", &[("title", &item.title)]);
    let c = ctx.staff_chrome(
        title_with_problems(ctx, &heading, problems),
        session,
        "dashboard",
    );
    Ok(view::page(
        c,
        FormSetting {
            heading,
            agency: name,
            action: format!("/staff/items/{}", item.id),
            cancel: list_path(&slug),
            csrf: session.csrf().to_owned(),
            save_key: "items-save",
        },
        form,
        problems,
        preview,
    ))
}

/// The document title says first that the form has errors, so a screen
/// reader hears it when the page loads.
fn title_with_problems(ctx: &Ctx, title: &str, problems: &[form::Problem]) -> String {
    if problems.is_empty() {
        title.to_owned()
    } else {
        ctx.t
            .msg_with("items-title-with-errors", &[("title", title)])
    }
}

/// What a post of the form asks for besides saving.
enum Intent {
    Save,
    Preview,
    Add(String),
}

fn intent(form: &StaffForm) -> Intent {
    if form.fields.has("preview") {
        Intent::Preview
    } else if let Some(group) = form.fields.get("add") {
        Intent::Add(group.to_owned())
    } else {
        Intent::Save
    }
}

/// `POST /staff/agencies/{slug}/items`: publishes, or shows the form again
/// (with errors, a preview or one more row).
pub async fn create(ctx: Ctx, form: StaffForm, slug: web::Path<String>) -> HttpResponse {
    ctx.staff_page(async {
        let session = &form.session;
        let (agency, access) = editable_agency(&ctx, session, &slug, true).await?;
        let kind = kind_of(form.fields.text("kind"))?;
        let mut item_form = ItemForm::from_fields(kind, &form.fields);
        match intent(&form) {
            Intent::Preview => {
                Ok(ctx.staff_ok(&new_page(&ctx, session, &agency, &item_form, &[], true)))
            }
            Intent::Add(group) => {
                item_form.add_row(&group);
                Ok(ctx.staff_ok(&new_page(&ctx, session, &agency, &item_form, &[], false)))
            }
            Intent::Save => match item_form.parse() {
                Ok(content) => {
                    api_items::publish(&ctx.state, &session.staff, &agency, access, &content)
                        .await?;
                    Ok(done(&agency.slug, "created"))
                }
                Err(problems) => {
                    let page = new_page(&ctx, session, &agency, &item_form, &problems, false);
                    Ok(staff_answer(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &page))
                }
            },
        }
    })
    .await
}

/// `GET /staff/items/{id}`: where a form shown again after a post lives;
/// its language links lead here, so on to the edit page.
pub async fn to_edit(req: HttpRequest, id: web::Path<i64>) -> HttpResponse {
    let mut to = format!("/staff/items/{}/edit", id.into_inner());
    if !req.query_string().is_empty() {
        to.push('?');
        to.push_str(req.query_string());
    }
    see_other(&to)
}

/// `GET /staff/items/{id}/edit`: the form with the item's values.
pub async fn edit(ctx: Ctx, session: StaffSession, id: web::Path<i64>) -> HttpResponse {
    ctx.staff_page(async {
        let item = api_items::find_editable(&ctx.state, &session.staff, *id)
            .await?
            .item;
        let kind = kind_of(&item.kind)?;
        let form = ItemForm::from_raw(kind, &item.to_raw(), &item.language);
        Ok(ctx.staff_ok(&edit_page(&ctx, &session, &item, &form, &[], false)?))
    })
    .await
}

/// `POST /staff/items/{id}`: saves the edit, or shows the form again.
pub async fn update(ctx: Ctx, form: StaffForm, id: web::Path<i64>) -> HttpResponse {
    ctx.staff_page(async {
        let session = &form.session;
        let editable = api_items::find_editable(&ctx.state, &session.staff, *id).await?;
        let item = &editable.item;
        // The kind is the stored one: changing it is not an edit this
        // form offers (the metadata would not fit).
        let kind = kind_of(&item.kind)?;
        let mut item_form = ItemForm::from_fields(kind, &form.fields);
        match intent(&form) {
            Intent::Preview => {
                Ok(ctx.staff_ok(&edit_page(&ctx, session, item, &item_form, &[], true)?))
            }
            Intent::Add(group) => {
                item_form.add_row(&group);
                Ok(ctx.staff_ok(&edit_page(&ctx, session, item, &item_form, &[], false)?))
            }
            Intent::Save => match item_form.parse_over(item.to_raw()) {
                Ok(content) => {
                    api_items::revise(&ctx.state, &session.staff, &editable, &content).await?;
                    let (slug, _) = owner(item)?;
                    Ok(done(&slug, "saved"))
                }
                Err(problems) => {
                    let page = edit_page(&ctx, session, item, &item_form, &problems, false)?;
                    Ok(staff_answer(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &page))
                }
            },
        }
    })
    .await
}

// ---- withdrawing ----

#[derive(Template)]
#[template(path = "staff/items/withdraw.html")]
struct WithdrawPage {
    c: Chrome,
    title: String,
    url: String,
    csrf: String,
    action: String,
    cancel: String,
}

/// `GET /staff/items/{id}/withdraw`: what withdrawing does, and the
/// button that does it.
pub async fn confirm_withdraw(ctx: Ctx, session: StaffSession, id: web::Path<i64>) -> HttpResponse {
    ctx.staff_page(async {
        let item = api_items::find_editable(&ctx.state, &session.staff, *id)
            .await?
            .item;
        let (slug, _) = owner(&item)?;
        let page = WithdrawPage {
            c: ctx.staff_chrome(
                ctx.t
                    .msg_with("items-withdraw-title", &[("title", &item.title)]),
                &session,
                "dashboard",
            ),
            url: ctx.state.urls.item(item.id).to_string(),
            csrf: session.csrf().to_owned(),
            action: format!("/staff/items/{}/withdraw", item.id),
            cancel: list_path(&slug),
            title: item.title,
        };
        Ok(ctx.staff_ok(&page))
    })
    .await
}

/// `POST /staff/items/{id}/withdraw`: withdraws the item.
pub async fn withdraw(ctx: Ctx, form: StaffForm, id: web::Path<i64>) -> HttpResponse {
    ctx.staff_page(async {
        let editable = api_items::find_editable(&ctx.state, &form.session.staff, *id).await?;
        let (slug, _) = owner(&editable.item)?;
        api_items::withdraw(&ctx.state, &form.session.staff, &editable).await?;
        Ok(done(&slug, "withdrawn"))
    })
    .await
}

// ---- pins and shares ----

async fn set_pinned(ctx: Ctx, form: StaffForm, id: i64, pinned: bool) -> HttpResponse {
    ctx.staff_page(async {
        let item = api_items::find_editable(&ctx.state, &form.session.staff, id)
            .await?
            .item;
        let (slug, _) = owner(&item)?;
        match api_items::set_pinned(&ctx.state, &form.session.staff, id, pinned).await {
            Ok(_) => Ok(done(&slug, if pinned { "pinned" } else { "unpinned" })),
            // At most five pins: say so on the list rather than fail.
            Err(ApiError::Conflict(_)) => Ok(done(&slug, "pin-full")),
            Err(e) => Err(e),
        }
    })
    .await
}

/// `POST /staff/items/{id}/pin`.
pub async fn pin(ctx: Ctx, form: StaffForm, id: web::Path<i64>) -> HttpResponse {
    set_pinned(ctx, form, *id, true).await
}

/// `POST /staff/items/{id}/unpin`.
pub async fn unpin(ctx: Ctx, form: StaffForm, id: web::Path<i64>) -> HttpResponse {
    set_pinned(ctx, form, *id, false).await
}

/// `POST /staff/items/{id}/share` with `agency`: that agency boosts the
/// item to its followers.
pub async fn share(ctx: Ctx, form: StaffForm, id: web::Path<i64>) -> HttpResponse {
    ctx.staff_page(async {
        let slug = form.fields.text("agency");
        let (_, agency) = api_shares::share(&ctx.state, &form.session.staff, *id, slug)
            .await
            .map_err(moved)?;
        Ok(done(&agency.slug, "shared"))
    })
    .await
}

/// `POST /staff/items/{id}/unshare` with `agency`: the boost taken back.
pub async fn unshare(ctx: Ctx, form: StaffForm, id: web::Path<i64>) -> HttpResponse {
    ctx.staff_page(async {
        let slug = form.fields.text("agency");
        let agency = api_shares::unshare(&ctx.state, &form.session.staff, *id, slug).await?;
        Ok(done(&agency.slug, "unshared"))
    })
    .await
}

// ---- the agency's list ----

/// A row of the list.
struct Row {
    id: i64,
    anchor: String,
    title: String,
    url: String,
    kind: String,
    by: String,
    date: String,
    datetime: String,
    pinned: bool,
    shared: bool,
}

#[derive(Template)]
#[template(path = "staff/items/list.html")]
struct ListPage {
    c: Chrome,
    agency: String,
    slug: String,
    agency_url: String,
    csrf: String,
    notice: Option<String>,
    items: Vec<Row>,
    total: String,
    next: Option<String>,
    shares: Vec<Row>,
    others: Vec<Row>,
}

/// The query of the list.
#[derive(Debug, Deserialize)]
pub struct ListQuery {
    done: Option<String>,
    cursor: Option<String>,
}

/// Items on one page of the list.
const PER_PAGE: u64 = 50;
/// Others' newest items offered for sharing.
const OTHERS: u64 = 20;

/// Notices the list shows after a post.
const NOTICES: &[&str] = &[
    "created",
    "saved",
    "withdrawn",
    "pinned",
    "unpinned",
    "pin-full",
    "shared",
    "unshared",
];

fn row(ctx: &Ctx, item: &Item, shared: bool) -> Row {
    let url = match &item.owner {
        ItemOwner::Local { .. } => ctx.state.urls.item(item.id).to_string(),
        ItemOwner::Remote { .. } => item
            .url
            .clone()
            .or_else(|| item.ap_id.clone())
            .unwrap_or_default(),
    };
    let by = match &item.owner {
        ItemOwner::Local { name, .. } => name.clone(),
        ItemOwner::Remote { name, handle, .. } => {
            name.clone().or_else(|| handle.clone()).unwrap_or_default()
        }
    };
    Row {
        id: item.id,
        anchor: format!("item-{}", item.id),
        title: item.title.clone(),
        url: crate::pages::views::web_href(&url).unwrap_or_default(),
        kind: crate::pages::views::kind_label(ctx.t, &item.kind),
        by,
        date: item.published_at.format("%Y-%m-%d").to_string(),
        datetime: item.published_at.to_rfc3339(),
        pinned: item.pinned_at.is_some(),
        shared,
    }
}

/// `GET /staff/agencies/{slug}/items`: the agency's items with what can
/// be done to each; what it shares; others' latest items to share.
pub async fn list(
    ctx: Ctx,
    session: StaffSession,
    slug: web::Path<String>,
    q: web::Query<ListQuery>,
) -> HttpResponse {
    ctx.staff_page(async {
        let (agency, _) = editable_agency(&ctx, &session, &slug, false).await?;
        let store = &ctx.state.store;
        let cursor = q.cursor.as_deref().and_then(ItemCursor::parse);
        let own = store
            .list_items_after(
                &ItemFilter {
                    agency: Some(agency.slug.clone()),
                    kind: None,
                    tag: None,
                    language: None,
                    origin: Origin::Local,
                },
                cursor.as_ref(),
                PER_PAGE,
            )
            .await?;
        let shares = store.list_agency_shares(agency.id, 200).await?;
        let shared_ids: Vec<i64> = shares.iter().map(|(_, i)| i.id).collect();
        let others = store
            .list_items_after(
                &ItemFilter {
                    agency: None,
                    kind: None,
                    tag: None,
                    language: None,
                    origin: Origin::All,
                },
                None,
                OTHERS + PER_PAGE.min(own.items.len() as u64),
            )
            .await?;
        let t = ctx.t;
        let notice = q
            .done
            .as_deref()
            .filter(|d| NOTICES.contains(d))
            .map(|d| t.msg_with(&format!("items-done-{d}"), &[]));
        let page = ListPage {
            c: ctx.staff_chrome(
                t.msg_with("items-list-title", &[("agency", &agency.name)]),
                &session,
                "dashboard",
            ),
            agency_url: ctx.state.urls.agency(&agency.slug).to_string(),
            csrf: session.csrf().to_owned(),
            notice,
            items: own.items.iter().map(|i| row(&ctx, i, false)).collect(),
            total: t.msg_n("items-total", own.total),
            next: own.next.map(|c| {
                let q = url::form_urlencoded::Serializer::new(String::new())
                    .append_pair("cursor", &c.to_string())
                    .finish();
                format!("{}?{q}", list_path(&agency.slug))
            }),
            shares: shares.iter().map(|(_, i)| row(&ctx, i, true)).collect(),
            others: others
                .items
                .iter()
                .filter(|i| i.agency_id() != Some(agency.id))
                .take(OTHERS as usize)
                .map(|i| row(&ctx, i, shared_ids.contains(&i.id)))
                .collect(),
            agency: agency.name,
            slug: agency.slug,
        };
        Ok(ctx.staff_ok(&page))
    })
    .await
}
