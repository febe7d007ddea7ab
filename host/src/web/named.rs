//! Groups and roles pages: `/admin/acl/groups/<action>` and `/admin/acl/roles/<action>`.
//!
//! Both are named, described sets, so they share handlers, parameterised by [`Section`]. A group
//! edit page also picks the group's roles; a role edit page also edits the role's rules.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;

use super::error::{AppError, AppResult};
use super::input::{Input, Params};
use super::record;
use super::view::PageCtx;
use crate::acl::store::{self, Kind, Link};
use crate::acl::{Effect, Granted, Rule};
use crate::state::AppState;
use crate::validate;

/// Which of the two pages a handler serves.
trait Section: Send + Sync + 'static {
    const KIND: Kind;
    const BASE: &'static str;
    const TITLE: &'static str;
}

struct Groups;
impl Section for Groups {
    const KIND: Kind = Kind::Group;
    const BASE: &'static str = "/admin/acl/groups";
    const TITLE: &'static str = "Groups";
}

struct Roles;
impl Section for Roles {
    const KIND: Kind = Kind::Role;
    const BASE: &'static str = "/admin/acl/roles";
    const TITLE: &'static str = "Roles";
}

pub fn router() -> Router<AppState> {
    section::<Groups>()
        .merge(section::<Roles>())
        .route("/admin/acl/roles/add-rule", post(add_rule))
        .route("/admin/acl/roles/delete-rule", post(delete_rule))
}

fn section<S: Section>() -> Router<AppState> {
    Router::new()
        .route(&format!("{}/index", S::BASE), get(index::<S>))
        .route(
            &format!("{}/create", S::BASE),
            get(create_form::<S>).post(create::<S>),
        )
        .route(
            &format!("{}/edit", S::BASE),
            get(edit_form::<S>).post(edit::<S>),
        )
        .route(&format!("{}/delete", S::BASE), post(delete::<S>))
}

async fn index<S: Section>(
    State(state): State<AppState>,
    _: Granted,
    page: PageCtx,
) -> AppResult<Response> {
    let items = store::list(state.db(), S::KIND).await?;
    let data = json!({ "kind": S::KIND.label(), "base": S::BASE, "items": items });
    page.render("backoffice/named/index.html", S::TITLE, data)
}

async fn form_page<S: Section>(
    state: &AppState,
    page: &PageCtx,
    item: Option<store::Named>,
) -> AppResult<Response> {
    let mut data = json!({ "kind": S::KIND.label(), "base": S::BASE, "item": item });
    match (S::KIND, &item) {
        (Kind::Group, _) => {
            data["roles"] = json!(store::list(state.db(), Kind::Role).await?);
            data["has_roles"] = json!(match &item {
                Some(g) => store::linked(state.db(), Link::GroupRoles, g.id).await?,
                None => Vec::new(),
            });
        }
        (Kind::Role, Some(role)) => {
            data["rules"] = json!(store::rules_of_role(state.db(), role.id).await?);
        }
        (Kind::Role, None) => {}
    }
    let title = format!(
        "{} {}",
        if item.is_some() { "Edit" } else { "New" },
        S::KIND.label()
    );
    page.render("backoffice/named/form.html", &title, data)
}

async fn create_form<S: Section>(
    State(state): State<AppState>,
    _: Granted,
    page: PageCtx,
) -> AppResult<Response> {
    form_page::<S>(&state, &page, None).await
}

#[derive(Debug, Deserialize)]
struct IdQuery {
    id: i64,
}

async fn edit_form<S: Section>(
    State(state): State<AppState>,
    _: Granted,
    page: PageCtx,
    Params(q): Params<IdQuery>,
) -> AppResult<Response> {
    let item = store::get(state.db(), S::KIND, q.id).await?;
    form_page::<S>(&state, &page, Some(item)).await
}

#[derive(Debug, Deserialize)]
struct NamedForm {
    #[serde(default)]
    id: Option<i64>,
    name: String,
    #[serde(default)]
    description: String,
    /// For groups: the roles the group has.
    #[serde(default)]
    roles: Vec<i64>,
}

fn clean(form: &NamedForm) -> AppResult<(String, String)> {
    Ok((
        validate::text("Name", &form.name, 100)?,
        validate::optional_text("Description", &form.description, 500)?,
    ))
}

async fn create<S: Section>(
    State(state): State<AppState>,
    granted: Granted,
    page: PageCtx,
    Input(form): Input<NamedForm>,
) -> AppResult<Response> {
    let (name, description) = clean(&form)?;
    if let Kind::Group = S::KIND {
        store::check_exist(state.db(), Kind::Role, &form.roles).await?;
        let permissions = granted.permissions();
        store::check_additions(state.db(), permissions, Link::GroupRoles, None, &form.roles)
            .await?;
    }
    let id = store::create(state.db(), S::KIND, &name, &description, state.now()).await?;
    if let Kind::Group = S::KIND {
        store::set_links(state.db(), Link::GroupRoles, id, &form.roles).await?;
    }
    let label = S::KIND.label();
    record(
        &state,
        &page,
        &granted,
        &format!("{label}.created"),
        &format!("{label} {id}"),
        &name,
    )
    .await?;
    Ok(page.done(
        &format!("{}/edit?id={id}", S::BASE),
        &format!("The {label} has been created."),
        json!({ "id": id }),
    ))
}

async fn edit<S: Section>(
    State(state): State<AppState>,
    granted: Granted,
    page: PageCtx,
    Input(form): Input<NamedForm>,
) -> AppResult<Response> {
    let label = S::KIND.label();
    let id = form
        .id
        .ok_or_else(|| AppError::invalid(format!("The {label} id is missing.")))?;
    store::get(state.db(), S::KIND, id).await?;
    let (name, description) = clean(&form)?;
    if let Kind::Group = S::KIND {
        store::check_exist(state.db(), Kind::Role, &form.roles).await?;
        let permissions = granted.permissions();
        store::check_additions(
            state.db(),
            permissions,
            Link::GroupRoles,
            Some(id),
            &form.roles,
        )
        .await?;
    }
    store::update(state.db(), S::KIND, id, &name, &description).await?;
    if let Kind::Group = S::KIND {
        store::set_links(state.db(), Link::GroupRoles, id, &form.roles).await?;
    }
    record(
        &state,
        &page,
        &granted,
        &format!("{label}.updated"),
        &format!("{label} {id}"),
        &name,
    )
    .await?;
    Ok(page.done(
        &format!("{}/edit?id={id}", S::BASE),
        &format!("The {label} has been saved."),
        json!({ "id": id }),
    ))
}

#[derive(Debug, Deserialize)]
struct IdForm {
    id: i64,
}

async fn delete<S: Section>(
    State(state): State<AppState>,
    granted: Granted,
    page: PageCtx,
    Input(form): Input<IdForm>,
) -> AppResult<Response> {
    let item = store::get(state.db(), S::KIND, form.id).await?;
    store::delete(state.db(), S::KIND, item.id).await?;
    let label = S::KIND.label();
    record(
        &state,
        &page,
        &granted,
        &format!("{label}.deleted"),
        &format!("{label} {}", item.id),
        &item.name,
    )
    .await?;
    Ok(page.done(
        &format!("{}/index", S::BASE),
        &format!("The {label} has been deleted."),
        json!({ "id": item.id }),
    ))
}

#[derive(Debug, Deserialize)]
struct RuleForm {
    role_id: i64,
    section: String,
    controller: String,
    action: String,
    effect: String,
}

async fn add_rule(
    State(state): State<AppState>,
    granted: Granted,
    page: PageCtx,
    Input(form): Input<RuleForm>,
) -> AppResult<Response> {
    let role = store::get(state.db(), Kind::Role, form.role_id).await?;
    let rule = Rule {
        section: validate::ident("Section", &form.section)?,
        controller: validate::ident("Controller", &form.controller)?,
        action: validate::ident("Action", &form.action)?,
        effect: Effect::parse(form.effect.trim())
            .ok_or_else(|| AppError::invalid("Effect must be \"allow\" or \"deny\"."))?,
    };
    granted
        .permissions()
        .check_covers(std::slice::from_ref(&rule), "add this rule")?;
    let id = store::add_rule(state.db(), role.id, &rule).await?;
    let detail = format!(
        "{} {}/{}/{}",
        rule.effect.as_str(),
        rule.section,
        rule.controller,
        rule.action
    );
    record(
        &state,
        &page,
        &granted,
        "role.rule-added",
        &format!("role {}", role.id),
        &detail,
    )
    .await?;
    Ok(page.done(
        &format!("/admin/acl/roles/edit?id={}", role.id),
        "The rule has been added.",
        json!({ "id": id }),
    ))
}

#[derive(Debug, Deserialize)]
struct DeleteRuleForm {
    role_id: i64,
    rule_id: i64,
}

async fn delete_rule(
    State(state): State<AppState>,
    granted: Granted,
    page: PageCtx,
    Input(form): Input<DeleteRuleForm>,
) -> AppResult<Response> {
    let role = store::get(state.db(), Kind::Role, form.role_id).await?;
    if !store::delete_rule(state.db(), role.id, form.rule_id).await? {
        return Err(AppError::not_found(format!(
            "Role {} has no rule with id {}.",
            role.id, form.rule_id
        )));
    }
    record(
        &state,
        &page,
        &granted,
        "role.rule-deleted",
        &format!("role {}", role.id),
        &format!("rule {}", form.rule_id),
    )
    .await?;
    Ok(page.done(
        &format!("/admin/acl/roles/edit?id={}", role.id),
        "The rule has been removed.",
        json!({ "id": form.rule_id }),
    ))
}
