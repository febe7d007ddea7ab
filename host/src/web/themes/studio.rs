//! The theme studio's editor: duplicate a theme into an editable copy, then browse its files
//! (its own, and read-only what it inherits: the parents', the plugins' `<plugin>/<template>`
//! and the built-in templates) and save or remove files of its draft. A save is checked first
//! (`themes::studio::files`): a template that does not compile is refused with its line, and
//! the draft keeps its last good version. Routes live under `edit/` so the ACL resource of every
//! change here is `themes/themes/edit`; duplicating is `themes/themes/duplicate`.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::super::error::{AppError, AppResult};
use super::super::input::{Input, Params};
use super::super::view::PageCtx;
use super::{Change, author, studio_theme};
use crate::acl::Granted;
use crate::state::AppState;
use crate::themes::studio::files::{self, Kind};
use crate::themes::studio::{self, Files, StudioError, store};
use crate::themes::{assets, paths};

pub const EDITOR: &str = "/admin/themes/themes/edit/files";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/themes/themes/duplicate", post(duplicate))
        .route(EDITOR, get(editor))
        .route(
            "/admin/themes/themes/edit/save",
            post(save).layer(axum::extract::DefaultBodyLimit::max(files::MAX_TEXT * 4)),
        )
        .route("/admin/themes/themes/edit/remove", post(remove))
        .route("/assets/theme-editor.js", get(script))
        .route("/assets/theme-editor.css", get(stylesheet))
}

fn editor_url(theme: &str, path: &str) -> String {
    let query: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("theme", theme)
        .append_pair("path", path)
        .finish();
    format!("{EDITOR}?{query}")
}

#[derive(Debug, Deserialize)]
struct DuplicateForm {
    theme: String,
    name: String,
}

/// Copies a theme into a new studio theme that extends it (and so overrides nothing yet).
async fn duplicate(
    State(state): State<AppState>,
    granted: Granted,
    page: PageCtx,
    Input(form): Input<DuplicateForm>,
) -> AppResult<Response> {
    let source = form.theme.trim();
    let name = form.name.trim();
    if !state.templates().has_theme(source) {
        return Err(AppError::not_found(format!(
            "There is no usable theme named {source:?} to duplicate."
        )));
    }
    if !paths::is_theme_name(name) {
        return Err(AppError::invalid(
            "Name: use lower-case letters, digits and '-', starting with a letter (at most 40).",
        ));
    }
    if state.templates().is_disk_theme(name) || state.templates().has_theme(name) {
        return Err(StudioError::Exists(name.to_owned()).into());
    }
    let files: Files = [(
        "theme.toml".to_owned(),
        files::manifest_of_copy(name, source).into_bytes(),
    )]
    .into();
    store::create(
        state.db(),
        name,
        &files,
        &author(&granted),
        &format!("duplicated from {source}"),
        state.now(),
    )
    .await?;
    let detail = &format!("from {source}");
    Change::new(&state, &page, &granted)
        .made("theme.duplicated", name, detail)
        .await?;
    Ok(page.done(
        &editor_url(name, "templates/storefront/header.html"),
        &format!("{name} is a copy of {source}: edit its files, preview and publish."),
        json!({ "theme": name, "extends": source, "version": 1 }),
    ))
}

#[derive(Debug, Deserialize)]
struct FileQuery {
    theme: Option<String>,
    path: Option<String>,
}

/// One entry of the file tree.
#[derive(Debug, Serialize)]
struct Entry {
    path: String,
    /// Where an inherited file comes from (`default/templates/…`, `plugin x: …`, `built-in …`).
    origin: String,
    own: bool,
}

/// The file being edited.
#[derive(Debug, Serialize)]
struct Open {
    path: String,
    text: Option<String>,
    size: usize,
    own: bool,
    origin: String,
    lines: usize,
}

/// A refused save, shown in the editor.
#[derive(Debug, Serialize)]
struct Refusal {
    message: String,
    line: Option<usize>,
}

async fn editor(
    State(state): State<AppState>,
    _: Granted,
    page: PageCtx,
    Params(q): Params<FileQuery>,
) -> AppResult<Response> {
    let theme = studio_theme(&state, q.theme.as_deref().unwrap_or_default()).await?;
    let path = q.path.unwrap_or_else(|| "theme.toml".into());
    files::kind(&path).map_err(AppError::Invalid)?;
    let draft = store::draft_files(state.db(), &theme).await?;
    editor_page(&state, &page, &theme, &draft, &path, None, None).await
}

async fn editor_page(
    state: &AppState,
    page: &PageCtx,
    theme: &str,
    draft: &Files,
    path: &str,
    submitted: Option<&str>,
    refusal: Option<Refusal>,
) -> AppResult<Response> {
    let snapshot = state.templates().snapshot();
    let env = snapshot
        .envs
        .get(&studio::draft_name(theme))
        .ok_or_else(|| {
            AppError::Conflict(format!(
                "The draft of {theme} cannot be built (see the problems on the Themes page)."
            ))
        })?;
    let own_prefix = format!("{theme}/templates/");
    let mut tree: Vec<Entry> = draft
        .keys()
        .map(|p| Entry {
            path: p.clone(),
            origin: theme.to_owned(),
            own: true,
        })
        .collect();
    for (name, source) in &env.sources {
        let p = format!("templates/{name}");
        if !draft.contains_key(&p) && !source.origin.starts_with(&own_prefix) {
            tree.push(Entry {
                path: p,
                origin: source.origin.clone(),
                own: false,
            });
        }
    }
    // Which parent provides a static file is not recorded; its chain is.
    let parents = env.chain.get(1..).unwrap_or_default().join(" → ");
    for (rel, (owner, _)) in env.assets.iter() {
        let p = format!("static/{rel}");
        if !draft.contains_key(&p) && files::kind(&p).is_ok() {
            tree.push(Entry {
                path: p,
                origin: if owner == crate::themes::env::BUILTIN {
                    "built-in".to_owned()
                } else {
                    parents.clone()
                },
                own: false,
            });
        }
    }
    tree.sort_by(|a, b| (!a.own, &a.path).cmp(&(!b.own, &b.path)));

    let (bytes, own, origin) = match draft.get(path) {
        Some(bytes) => (Some(bytes.clone()), true, theme.to_owned()),
        None => match path.strip_prefix("templates/") {
            Some(name) => match env.sources.get(name) {
                Some(source) => (
                    Some(source.text.clone().into_bytes()),
                    false,
                    source.origin.clone(),
                ),
                None => (None, false, String::new()),
            },
            None => match path
                .strip_prefix("static/")
                .map(|rel| assets::find(env, rel))
            {
                Some(Ok(file)) => (Some(file.bytes), false, "inherited".to_owned()),
                _ => (None, false, String::new()),
            },
        },
    };
    let kind = files::kind(path).map_err(AppError::Invalid)?;
    let text = match submitted {
        Some(text) => Some(text.to_owned()),
        None if kind.is_text() => Some(
            bytes
                .as_deref()
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .unwrap_or_default(),
        ),
        None => None,
    };
    let open = Open {
        path: path.to_owned(),
        lines: text
            .as_deref()
            .map(|t| t.lines().count().max(1))
            .unwrap_or(0)
            + 1,
        size: bytes.as_ref().map(Vec::len).unwrap_or(0),
        text,
        own,
        origin,
    };
    let published = store::find(state.db(), theme).await?.flatten();
    let live = match published {
        Some(version) => store::version_files(state.db(), theme, version).await?,
        None => Files::new(),
    };
    let status = if refusal.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let data = json!({
        "theme": theme,
        "tree": tree,
        "file": open,
        "kind": format!("{kind:?}").to_lowercase(),
        "refusal": refusal,
        "published": published,
        "unpublished": live != *draft,
    });
    let mut response = page.render(
        "backoffice/themes/studio.html",
        &format!("Theme {theme}: {path}"),
        data,
    )?;
    *response.status_mut() = status;
    Ok(response)
}

#[derive(Debug, Deserialize)]
struct SaveForm {
    theme: String,
    path: String,
    body: String,
}

/// Stores one text file in the draft once it passes every check; else the editor shows why
/// (with the line for a template) and the draft is unchanged.
async fn save(
    State(state): State<AppState>,
    granted: Granted,
    page: PageCtx,
    Input(form): Input<SaveForm>,
) -> AppResult<Response> {
    let theme = studio_theme(&state, &form.theme).await?;
    // Browsers send a textarea's line ends as CRLF.
    let body = form.body.replace("\r\n", "\n");
    let checked = files::check_file(&form.path, body.as_bytes()).and_then(|kind| {
        if kind == Kind::Manifest {
            let manifest = files::manifest(&theme, body.as_bytes())?;
            if let Some(parent) = &manifest.extends {
                // A parent that extends this theme would make a cycle: the draft would no
                // longer build, and the editor could not open it to undo the change.
                let snapshot = state.templates().snapshot();
                match snapshot.envs.get(parent) {
                    Some(env) if !env.chain.iter().any(|t| t == &theme) => {}
                    Some(_) => {
                        return Err(format!(
                            "theme.toml: extends {parent:?}, which extends {theme:?}"
                        ));
                    }
                    None => {
                        return Err(format!(
                            "theme.toml: extends {parent:?}, which is not an installed theme"
                        ));
                    }
                }
            }
        }
        if !kind.is_text() {
            return Err(format!(
                "{}: fonts and images are added by importing an archive",
                form.path
            ));
        }
        Ok(kind)
    });
    if let Err(message) = checked {
        if page.wants_json() {
            return Err(AppError::Invalid(message));
        }
        let line = line_of(&message);
        let draft = store::draft_files(state.db(), &theme).await?;
        return editor_page(
            &state,
            &page,
            &theme,
            &draft,
            &form.path,
            Some(&body),
            Some(Refusal { message, line }),
        )
        .await;
    }
    store::put_draft_file(
        state.db(),
        &theme,
        &form.path,
        Some(body.as_bytes()),
        state.now(),
    )
    .await?;
    let detail = &form.path;
    Change::new(&state, &page, &granted)
        .made("theme.file-saved", &theme, detail)
        .await?;
    Ok(page.done(
        &editor_url(&theme, &form.path),
        &format!(
            "{} is saved in the draft of {theme}: preview it, then publish.",
            form.path
        ),
        json!({ "theme": theme, "path": form.path }),
    ))
}

/// The line a check's message names (`path, line N: …`).
fn line_of(message: &str) -> Option<usize> {
    let rest = message.split_once(", line ")?.1;
    rest.split(':').next()?.parse().ok()
}

#[derive(Debug, Deserialize)]
struct RemoveForm {
    theme: String,
    path: String,
}

/// Removes a file from the draft: the theme inherits it again.
async fn remove(
    State(state): State<AppState>,
    granted: Granted,
    page: PageCtx,
    Input(form): Input<RemoveForm>,
) -> AppResult<Response> {
    let theme = studio_theme(&state, &form.theme).await?;
    if form.path == "theme.toml" {
        return Err(AppError::invalid("theme.toml cannot be removed."));
    }
    let draft = store::draft_files(state.db(), &theme).await?;
    if !draft.contains_key(&form.path) {
        return Err(AppError::not_found(format!(
            "The draft of {theme} has no file {:?}.",
            form.path
        )));
    }
    store::put_draft_file(state.db(), &theme, &form.path, None, state.now()).await?;
    let detail = &form.path;
    Change::new(&state, &page, &granted)
        .made("theme.file-removed", &theme, detail)
        .await?;
    Ok(page.done(
        &editor_url(&theme, &form.path),
        &format!(
            "{} is removed from the draft of {theme}: it is inherited again.",
            form.path
        ),
        json!({ "theme": theme, "path": form.path }),
    ))
}

/// The editor's optional script (line numbers that follow typing, Tab, Ctrl+S).
async fn script() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("../../../assets/theme-editor.js"),
    )
}

/// The editor's stylesheet (the host's pages allow no inline style).
async fn stylesheet() -> Response {
    asset(
        "text/css; charset=utf-8",
        include_str!("../../../assets/theme-editor.css"),
    )
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}
