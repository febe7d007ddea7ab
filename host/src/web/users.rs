//! Users pages: `/admin/acl/users/<action>`.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;

use super::error::{AppError, AppResult};
use super::input::{Input, Paging, Params};
use super::record;
use super::view::PageCtx;
use crate::acl::Granted;
use crate::acl::store::{self, Kind, Link};
use crate::auth::session::{self, Realm};
use crate::auth::{password, tokens};
use crate::state::AppState;
use crate::users::{self, NewUser, Status};
use crate::validate;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/acl/users/index", get(index))
        .route("/admin/acl/users/create", get(create_form).post(create))
        .route("/admin/acl/users/edit", get(edit_form).post(edit))
        .route("/admin/acl/users/block", post(block))
        .route("/admin/acl/users/unblock", post(unblock))
        .route("/admin/acl/users/delete", post(delete))
        .route("/admin/acl/users/reset-password", post(reset_password))
}

const PER_PAGE: i64 = 25;
const NAME_MAX: usize = 100;

#[derive(Debug, Deserialize)]
struct ListQuery {
    q: Option<String>,
    page: Option<i64>,
}

async fn index(
    State(state): State<AppState>,
    _: Granted,
    page: PageCtx,
    Params(q): Params<ListQuery>,
) -> AppResult<Response> {
    let search = validate::optional_text("Search", q.q.as_deref().unwrap_or(""), 100)?;
    let paging = Paging::new(q.page, PER_PAGE);
    let found = users::list(state.db(), &search, paging.per_page, paging.offset()).await?;
    let data = json!({
        "q": search,
        "users": found.users,
        "paging": paging.summary(found.total),
    });
    page.render("backoffice/users/index.html", "Users", data)
}

#[derive(Debug, Deserialize)]
struct IdQuery {
    id: i64,
}

async fn form_page(
    state: &AppState,
    page: &PageCtx,
    user: Option<&users::User>,
) -> AppResult<Response> {
    let groups = store::list(state.db(), Kind::Group).await?;
    let member_of = match user {
        Some(u) => store::linked(state.db(), Link::UserGroups, u.id).await?,
        None => Vec::new(),
    };
    let title = if user.is_some() {
        "Edit user"
    } else {
        "New user"
    };
    let data = json!({ "user": user, "groups": groups, "member_of": member_of });
    page.render("backoffice/users/form.html", title, data)
}

async fn create_form(
    State(state): State<AppState>,
    _: Granted,
    page: PageCtx,
) -> AppResult<Response> {
    form_page(&state, &page, None).await
}

async fn edit_form(
    State(state): State<AppState>,
    _: Granted,
    page: PageCtx,
    Params(q): Params<IdQuery>,
) -> AppResult<Response> {
    let user = users::get_visible(state.db(), q.id).await?;
    form_page(&state, &page, Some(&user)).await
}

#[derive(Debug, Deserialize)]
struct UserForm {
    #[serde(default)]
    id: Option<i64>,
    email: String,
    name: String,
    #[serde(default)]
    locale: Option<String>,
    /// Empty or absent on create: a password is generated and shown once.
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    groups: Vec<i64>,
    /// May assist customers on the storefront (agent assist); a form without the box: no.
    #[serde(default)]
    agent: bool,
}

struct CleanUser {
    email: String,
    name: String,
    locale: String,
}

fn clean(form: &UserForm) -> AppResult<CleanUser> {
    Ok(CleanUser {
        email: validate::email(&form.email)?,
        name: validate::text("Name", &form.name, NAME_MAX)?,
        locale: validate::locale(form.locale.as_deref().unwrap_or("en"))?,
    })
}

async fn create(
    State(state): State<AppState>,
    granted: Granted,
    page: PageCtx,
    Input(form): Input<UserForm>,
) -> AppResult<Response> {
    let user = clean(&form)?;
    let (plain, generated) = match form.password.as_deref().filter(|p| !p.is_empty()) {
        Some(p) => {
            password::check_policy(p)?;
            (p.to_owned(), false)
        }
        None => (password::generate(), true),
    };
    for group in &form.groups {
        store::get(state.db(), Kind::Group, *group).await?;
    }
    let permissions = granted.permissions();
    store::check_additions(
        state.db(),
        permissions,
        Link::UserGroups,
        None,
        &form.groups,
    )
    .await?;
    let hash = password::hash_off_thread(&plain).await?;
    let now = state.now();
    let new = NewUser {
        email: &user.email,
        name: &user.name,
        password_hash: &hash,
        locale: &user.locale,
    };
    let id = users::create(state.db(), &new, now).await?;
    store::set_links(state.db(), Link::UserGroups, id, &form.groups).await?;
    if form.agent {
        users::set_agent(state.db(), id, true, now).await?;
    }
    record(
        &state,
        &page,
        &granted,
        "user.created",
        &format!("user {id}"),
        &agent_detail(&user.email, form.agent),
    )
    .await?;
    if generated {
        return shown_once(&page, id, &user.email, &plain, "The user has been created.");
    }
    Ok(page.done(
        &format!("/admin/acl/users/edit?id={id}"),
        "The user has been created.",
        json!({ "id": id }),
    ))
}

/// The audit detail of a saved user: the email, and whether they are an agent.
fn agent_detail(email: &str, agent: bool) -> String {
    if agent {
        format!("{email} (agent)")
    } else {
        email.to_owned()
    }
}

/// A page (or JSON) showing a generated password; it is not stored in clear and cannot be shown again.
fn shown_once(
    page: &PageCtx,
    id: i64,
    email: &str,
    password: &str,
    message: &str,
) -> AppResult<Response> {
    let data = json!({ "id": id, "email": email, "password": password, "message": message });
    page.render("backoffice/users/password.html", "Password", data)
}

async fn edit(
    State(state): State<AppState>,
    granted: Granted,
    page: PageCtx,
    Input(form): Input<UserForm>,
) -> AppResult<Response> {
    let id = form
        .id
        .ok_or_else(|| AppError::invalid("The user id is missing."))?;
    let existing = users::get_visible(state.db(), id).await?;
    let user = clean(&form)?;
    store::check_exist(state.db(), Kind::Group, &form.groups).await?;
    if id == granted.principal().user.id {
        let mut current = store::linked(state.db(), Link::UserGroups, id).await?;
        let mut asked = form.groups.clone();
        current.sort_unstable();
        asked.sort_unstable();
        asked.dedup();
        if current != asked {
            return Err(AppError::Beyond(
                "You cannot change your own groups; another administrator can.".into(),
            ));
        }
    } else {
        check_target(&state, &granted, id).await?;
    }
    let permissions = granted.permissions();
    store::check_additions(
        state.db(),
        permissions,
        Link::UserGroups,
        Some(id),
        &form.groups,
    )
    .await?;
    users::update_profile(
        state.db(),
        existing.id,
        &user.email,
        &user.name,
        &user.locale,
        state.now(),
    )
    .await?;
    store::set_links(state.db(), Link::UserGroups, id, &form.groups).await?;
    if form.agent != existing.agent {
        users::set_agent(state.db(), id, form.agent, state.now()).await?;
        if !form.agent {
            super::agent::revoke(&state, id, &page.identity().ip).await?;
        }
    }
    record(
        &state,
        &page,
        &granted,
        "user.updated",
        &format!("user {id}"),
        &agent_detail(&user.email, form.agent),
    )
    .await?;
    Ok(page.done(
        &format!("/admin/acl/users/edit?id={id}"),
        "The user has been saved.",
        json!({ "id": id }),
    ))
}

#[derive(Debug, Deserialize)]
struct IdForm {
    id: i64,
}

/// Refuses acting on the account of user `id` when it holds a right the caller does not: its
/// password, email or status in the caller's hands would be a way to those rights.
async fn check_target(state: &AppState, granted: &Granted, id: i64) -> AppResult<()> {
    let theirs = store::permissions_for(state.db(), id).await?;
    granted
        .permissions()
        .check_covers(theirs.rules(), "change this user's account")?;
    Ok(())
}

/// Blocks, unblocks or deletes; blocking and deleting end the user's sessions at once.
async fn change_status(
    state: &AppState,
    granted: &Granted,
    page: &PageCtx,
    id: i64,
    status: Status,
) -> AppResult<Response> {
    let user = users::get_visible(state.db(), id).await?;
    if status != Status::Active && user.id == granted.principal().user.id {
        return Err(AppError::Conflict(
            "You cannot block or delete your own account.".into(),
        ));
    }
    if user.id != granted.principal().user.id {
        check_target(state, granted, id).await?;
    }
    users::set_status(state.db(), id, status, state.now()).await?;
    if status != Status::Active {
        session::delete_all_for(state.db().pool(), Realm::Admin, id).await?;
        super::agent::revoke(state, id, &page.identity().ip).await?;
    }
    let (action, message) = match status {
        Status::Active => ("user.unblocked", "The user has been unblocked."),
        Status::Blocked => ("user.blocked", "The user has been blocked and signed out."),
        Status::Deleted => ("user.deleted", "The user has been deleted."),
    };
    record(
        state,
        page,
        granted,
        action,
        &format!("user {id}"),
        &user.email,
    )
    .await?;
    Ok(page.done(
        "/admin/acl/users/index",
        message,
        json!({ "id": id, "status": status }),
    ))
}

async fn block(
    State(state): State<AppState>,
    granted: Granted,
    page: PageCtx,
    Input(form): Input<IdForm>,
) -> AppResult<Response> {
    change_status(&state, &granted, &page, form.id, Status::Blocked).await
}

async fn unblock(
    State(state): State<AppState>,
    granted: Granted,
    page: PageCtx,
    Input(form): Input<IdForm>,
) -> AppResult<Response> {
    change_status(&state, &granted, &page, form.id, Status::Active).await
}

async fn delete(
    State(state): State<AppState>,
    granted: Granted,
    page: PageCtx,
    Input(form): Input<IdForm>,
) -> AppResult<Response> {
    change_status(&state, &granted, &page, form.id, Status::Deleted).await
}

async fn reset_password(
    State(state): State<AppState>,
    granted: Granted,
    page: PageCtx,
    Input(form): Input<IdForm>,
) -> AppResult<Response> {
    let user = users::get_visible(state.db(), form.id).await?;
    if user.id != granted.principal().user.id {
        check_target(&state, &granted, user.id).await?;
    }
    let plain = password::generate();
    let hash = password::hash_off_thread(&plain).await?;
    users::set_password_hash(state.db(), user.id, &hash, state.now()).await?;
    session::delete_all_for(state.db().pool(), Realm::Admin, user.id).await?;
    super::agent::revoke(&state, user.id, &page.identity().ip).await?;
    tokens::revoke_all_for(state.db(), user.id, state.now()).await?;
    record(
        &state,
        &page,
        &granted,
        "user.password-reset",
        &format!("user {}", user.id),
        &user.email,
    )
    .await?;
    shown_once(
        &page,
        user.id,
        &user.email,
        &plain,
        "The password has been reset, the user signed out and their API tokens revoked.",
    )
}
