//! The Themes page: `/admin/themes/themes/<action>`. Lists the installed themes with the
//! problems of their files, previews any theme on either surface without activating it,
//! activates a theme per surface, and edits (or resets) a theme's variables (a logo may be
//! picked from the media library by id). Every change is audited; every page also answers JSON.
//!
//! The theme studio's pages are beside it: `studio` (duplicate, the file editor), `publishing`
//! (publish, roll back, versions) and `transfer` (import and export archives).

mod publishing;
mod studio;
mod transfer;

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::error::{AppError, AppResult};
use super::input::{Input, Params};
use super::look::PREVIEW_PARAM;
use super::record;
use super::view::{PageCtx, see_other};
use crate::acl::Granted;
use crate::state::AppState;
use crate::themes::store::{self, Settings};
use crate::themes::{Surface, vars};

const INDEX: &str = "/admin/themes/themes/index";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(INDEX, get(index))
        .route("/admin/themes/themes/edit", get(edit))
        .route("/admin/themes/themes/preview", get(preview))
        .route("/admin/themes/themes/activate", post(activate))
        .route("/admin/themes/themes/variables", post(save_variables))
        .route("/admin/themes/themes/reset", post(reset))
        .route("/admin/themes/themes/reload", post(reload))
        .merge(studio::router())
        .merge(publishing::router())
        .merge(transfer::router())
}

/// Who a studio version names as its author.
fn author(granted: &Granted) -> String {
    granted.principal().label()
}

/// Who changes a studio theme, from where: what a change needs to be shown and audited.
struct Change<'a> {
    state: &'a AppState,
    page: &'a PageCtx,
    granted: &'a Granted,
}

impl<'a> Change<'a> {
    fn new(state: &'a AppState, page: &'a PageCtx, granted: &'a Granted) -> Change<'a> {
        Change {
            state,
            page,
            granted,
        }
    }

    /// After a change: shows it on this host now and audits it (target `theme <name>`).
    async fn made(&self, action: &str, theme: &str, detail: &str) -> AppResult<()> {
        refresh(self.state).await?;
        let target = format!("theme {theme}");
        record(self.state, self.page, self.granted, action, &target, detail).await
    }
}

/// Makes a change to the studio show on this host now (other hosts follow within the
/// settings' refresh time, `themes::studio::sync`).
async fn refresh(state: &AppState) -> AppResult<()> {
    let settings = state.templates().settings().reload(state.db()).await?;
    crate::themes::studio::sync::sync(state.templates(), state.db(), settings.studio_revision)
        .await?;
    Ok(())
}

/// `name` when it is a studio theme; a shipped or disk theme is read-only (409), anything else
/// unknown (404).
async fn studio_theme(state: &AppState, name: &str) -> AppResult<String> {
    if crate::themes::paths::is_theme_name(name)
        && !state.templates().is_disk_theme(name)
        && crate::themes::studio::store::find(state.db(), name)
            .await?
            .is_some()
    {
        return Ok(name.to_owned());
    }
    if state.templates().has_theme(name) {
        return Err(crate::themes::studio::StudioError::ReadOnly(name.to_owned()).into());
    }
    Err(crate::themes::studio::StudioError::NotFound(name.to_owned()).into())
}

/// One row of the list.
#[derive(Debug, Serialize)]
struct Row {
    name: String,
    version: String,
    description: String,
    extends: Option<String>,
    chain: Vec<String>,
    usable: bool,
    studio: bool,
    active_for: Vec<&'static str>,
}

async fn index(State(state): State<AppState>, _: Granted, page: PageCtx) -> AppResult<Response> {
    let settings = state.templates().settings().get(state.db()).await?;
    let snapshot = state.templates().snapshot();
    let rows: Vec<Row> = snapshot
        .themes
        .iter()
        .map(|t| Row {
            name: t.name.clone(),
            version: t.version.clone(),
            description: t.description.clone(),
            extends: t.extends.clone(),
            chain: t.chain.clone(),
            usable: t.usable,
            studio: t.studio,
            active_for: Surface::ALL
                .into_iter()
                .filter(|s| settings.active(*s) == t.name)
                .map(Surface::as_str)
                .collect(),
        })
        .collect();
    let active: BTreeMap<&str, &str> = Surface::ALL
        .into_iter()
        .map(|s| (s.as_str(), settings.active(s)))
        .collect();
    let data = json!({
        "themes": rows,
        "active": active,
        "problems": snapshot.problems,
        "dir": state.templates().themes_dir().map(|d| d.display().to_string()),
        "previewing": page.look().preview.then(|| page.look().theme.clone()),
    });
    page.render("backoffice/themes/index.html", "Themes", data)
}

#[derive(Debug, Deserialize)]
struct ThemeQuery {
    theme: Option<String>,
    surface: Option<String>,
}

fn known_theme(state: &AppState, name: Option<&str>) -> AppResult<String> {
    let name = name.unwrap_or_default();
    if state.templates().has_theme(name) {
        Ok(name.to_owned())
    } else {
        Err(AppError::not_found(format!(
            "There is no usable theme named {name:?}."
        )))
    }
}

/// One variable on the edit form.
#[derive(Debug, Serialize)]
struct Field {
    name: String,
    kind: vars::Kind,
    input: &'static str,
    label: String,
    description: String,
    default: String,
    value: String,
    error: Option<String>,
}

fn fields(
    state: &AppState,
    theme: &str,
    settings: &Settings,
    submitted: &BTreeMap<String, String>,
    errors: &BTreeMap<String, String>,
) -> Vec<Field> {
    state
        .templates()
        .variable_values(theme, settings.values.get(theme))
        .into_iter()
        .map(|(def, value)| Field {
            value: submitted.get(&def.name).cloned().unwrap_or(value),
            error: errors.get(&def.name).cloned(),
            input: def.kind.input(),
            default: vars::default_text(&def),
            label: if def.label.is_empty() {
                def.name.clone()
            } else {
                def.label.clone()
            },
            description: def.description,
            kind: def.kind,
            name: def.name,
        })
        .collect()
}

async fn edit_page(
    state: &AppState,
    page: &PageCtx,
    theme: &str,
    settings: &Settings,
    submitted: &BTreeMap<String, String>,
    errors: &BTreeMap<String, String>,
) -> AppResult<Response> {
    // The images a logo may be picked from.
    let (media, _) = crate::media::list(state.db(), "", 200, 0).await?;
    let media: Vec<serde_json::Value> = media
        .iter()
        .map(|f| json!({ "id": f.id, "name": f.name, "url": f.url() }))
        .collect();
    let data = json!({
        "theme": theme,
        "fields": fields(state, theme, settings, submitted, errors),
        "errors": errors,
        "media": media,
    });
    page.render(
        "backoffice/themes/edit.html",
        &format!("Theme {theme}: variables"),
        data,
    )
}

async fn edit(
    State(state): State<AppState>,
    _: Granted,
    page: PageCtx,
    Params(q): Params<ThemeQuery>,
) -> AppResult<Response> {
    let theme = known_theme(&state, q.theme.as_deref())?;
    let settings = state.templates().settings().get(state.db()).await?;
    edit_page(
        &state,
        &page,
        &theme,
        &settings,
        &BTreeMap::new(),
        &BTreeMap::new(),
    )
    .await
}

/// Sends an allowed user to a page of the surface with the theme previewed (the preview then
/// follows them around until they stop it with an empty `preview_theme`).
async fn preview(
    State(state): State<AppState>,
    _: Granted,
    Params(q): Params<ThemeQuery>,
) -> AppResult<Response> {
    let theme = known_theme(&state, q.theme.as_deref())?;
    let target = match q.surface.as_deref().and_then(Surface::parse) {
        Some(Surface::Backoffice) => "/admin",
        _ => "/",
    };
    Ok(see_other(
        &format!("{target}?{PREVIEW_PARAM}={theme}"),
        None,
    ))
}

#[derive(Debug, Deserialize)]
struct ActivateForm {
    theme: String,
    surface: String,
}

async fn activate(
    State(state): State<AppState>,
    granted: Granted,
    page: PageCtx,
    Input(form): Input<ActivateForm>,
) -> AppResult<Response> {
    let surface = Surface::parse(&form.surface)
        .ok_or_else(|| AppError::invalid("Surface must be backoffice or storefront."))?;
    let theme = known_theme(&state, Some(&form.theme))?;
    store::activate(state.db(), surface, &theme, state.now()).await?;
    state.templates().settings().reload(state.db()).await?;
    record(
        &state,
        &page,
        &granted,
        "theme.activated",
        &format!("surface {}", surface.as_str()),
        &theme,
    )
    .await?;
    Ok(page.done(
        INDEX,
        &format!("The {} now uses the theme {theme}.", label(surface)),
        json!({ "surface": surface.as_str(), "theme": theme }),
    ))
}

fn label(surface: Surface) -> &'static str {
    match surface {
        Surface::Backoffice => "Back Office",
        Surface::Storefront => "storefront",
    }
}

/// The submitted value of each variable: form fields `v.<name>`, or in JSON either those keys or
/// a `values` object.
fn submitted_values(form: &BTreeMap<String, serde_json::Value>) -> BTreeMap<String, String> {
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut out: BTreeMap<String, String> = form
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("v.").map(|name| (name.to_owned(), text(v))))
        .collect();
    if let Some(serde_json::Value::Object(values)) = form.get("values") {
        out.extend(values.iter().map(|(k, v)| (k.clone(), text(v))));
    }
    out
}

/// Images picked from the media library for a variable (a logo): form fields `media.<name>`
/// (an empty one picks nothing), or in JSON a `media` object of ids.
fn media_picks(form: &BTreeMap<String, serde_json::Value>) -> Vec<(String, String)> {
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut out: Vec<(String, String)> = form
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("media.")
                .map(|name| (name.to_owned(), text(v)))
        })
        .collect();
    if let Some(serde_json::Value::Object(ids)) = form.get("media") {
        out.extend(ids.iter().map(|(k, v)| (k.clone(), text(v))));
    }
    out.retain(|(_, id)| !id.trim().is_empty());
    out
}

async fn save_variables(
    State(state): State<AppState>,
    granted: Granted,
    page: PageCtx,
    Input(form): Input<BTreeMap<String, serde_json::Value>>,
) -> AppResult<Response> {
    let theme_name = form.get("theme").and_then(|v| v.as_str());
    let theme = known_theme(&state, theme_name)?;
    let mut submitted = submitted_values(&form);
    for (name, id) in media_picks(&form) {
        let id: i64 = id.trim().parse().map_err(|_| {
            AppError::invalid(format!("{name}: a media library image is chosen by its id"))
        })?;
        let file = crate::media::get(state.db(), id).await?;
        submitted.insert(name, file.url());
    }
    let settings = state.templates().settings().get(state.db()).await?;
    let definitions = state
        .templates()
        .variable_values(&theme, settings.values.get(&theme));
    let mut errors = BTreeMap::new();
    let mut values = BTreeMap::new();
    for name in submitted.keys() {
        if !definitions.iter().any(|(d, _)| &d.name == name) {
            errors.insert(
                name.clone(),
                format!("{name}: the theme has no such variable"),
            );
        }
    }
    for (def, current) in &definitions {
        let raw = submitted.get(&def.name).unwrap_or(current);
        match vars::check(def.kind, raw) {
            Ok(clean) => {
                values.insert(def.name.clone(), clean);
            }
            Err(problem) => {
                let label = if def.label.is_empty() {
                    &def.name
                } else {
                    &def.label
                };
                errors.insert(def.name.clone(), format!("{label} {problem}."));
            }
        }
    }
    if !errors.is_empty() {
        let message = errors.values().cloned().collect::<Vec<_>>().join(" ");
        if page.wants_json() {
            return Err(AppError::Invalid(message));
        }
        let mut response = edit_page(&state, &page, &theme, &settings, &submitted, &errors).await?;
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(response);
    }
    store::set_values(state.db(), &theme, &values, state.now()).await?;
    state.templates().settings().reload(state.db()).await?;
    let changed: Vec<&str> = definitions
        .iter()
        .filter(|(d, old)| values.get(&d.name) != Some(old))
        .map(|(d, _)| d.name.as_str())
        .collect();
    record(
        &state,
        &page,
        &granted,
        "theme.variables-changed",
        &format!("theme {theme}"),
        &changed.join(", "),
    )
    .await?;
    Ok(page.done(
        &format!("/admin/themes/themes/edit?theme={theme}"),
        &format!("The variables of {theme} have been saved."),
        json!({ "theme": theme, "values": values }),
    ))
}

#[derive(Debug, Deserialize)]
struct ThemeForm {
    theme: String,
}

async fn reset(
    State(state): State<AppState>,
    granted: Granted,
    page: PageCtx,
    Input(form): Input<ThemeForm>,
) -> AppResult<Response> {
    let theme = known_theme(&state, Some(&form.theme))?;
    store::set_values(state.db(), &theme, &BTreeMap::new(), state.now()).await?;
    state.templates().settings().reload(state.db()).await?;
    record(
        &state,
        &page,
        &granted,
        "theme.variables-reset",
        &format!("theme {theme}"),
        "",
    )
    .await?;
    Ok(page.done(
        &format!("/admin/themes/themes/edit?theme={theme}"),
        &format!("The variables of {theme} are back to their defaults."),
        json!({ "theme": theme }),
    ))
}

/// Re-reads the theme folders now (hot reload does it on its own when it is on).
async fn reload(
    State(state): State<AppState>,
    granted: Granted,
    page: PageCtx,
) -> AppResult<Response> {
    state.templates().reload_themes();
    record(&state, &page, &granted, "theme.reloaded", "themes", "").await?;
    let problems = state.templates().snapshot().problems.len();
    Ok(page.done(
        INDEX,
        &format!("The themes have been re-read ({problems} problems)."),
        json!({ "problems": problems }),
    ))
}
