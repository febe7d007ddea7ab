//! The template facade: the host's built-in templates (compiled into the binary, the final
//! fallback), the templates plugins bundle (registered as `<plugin-id>/<name>`) and the theme
//! folders, combined into one environment per theme (see `crate::themes`).
//!
//! Plugins and themes change at runtime (hot reload), so all environments are rebuilt together
//! and swapped as one `Arc`; a render clones the current `Arc` and never holds a lock while
//! rendering.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use minijinja::Value;

use crate::themes::env::BUILTIN;
use crate::themes::folder::{self, Folder, Problem};
use crate::themes::registry::{self, Inputs, Snapshot};
use crate::themes::store::SettingsCache;
use crate::themes::{paths, studio, vars};

macro_rules! built_in {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../templates/", $name)))),*]
    };
}

/// (name, source) of every built-in template.
pub const BUILT_IN: &[(&str, &str)] = built_in![
    "stylesheets.html",
    "backoffice/head.html",
    "backoffice/header.html",
    "backoffice/layout.html",
    "backoffice/card.html",
    "backoffice/macros.html",
    "backoffice/error.html",
    "backoffice/login.html",
    "backoffice/forgot.html",
    "backoffice/reset.html",
    "backoffice/dashboard.html",
    "backoffice/account.html",
    "backoffice/plugin.html",
    "backoffice/preview.html",
    "backoffice/users/index.html",
    "backoffice/users/form.html",
    "backoffice/users/password.html",
    "backoffice/named/index.html",
    "backoffice/named/form.html",
    "backoffice/settings/tabs.html",
    "backoffice/settings/index.html",
    "backoffice/settings/form.html",
    "backoffice/audit/index.html",
    "backoffice/plugins/index.html",
    "backoffice/themes/index.html",
    "backoffice/themes/edit.html",
    "backoffice/themes/studio.html",
    "backoffice/themes/versions.html",
    "backoffice/themes/import.html",
    "backoffice/mail/index.html",
    "backoffice/mail/view.html",
    "backoffice/media/index.html",
    "backoffice/media/edit.html",
    "storefront/head.html",
    "storefront/header.html",
    "storefront/account_menu.html",
    "storefront/footer.html",
    "storefront/layout.html",
    "storefront/macros.html",
    "storefront/error.html",
    "storefront/home.html",
    "storefront/plugin.html",
    "storefront/customer/login.html",
    "storefront/customer/register.html",
    "storefront/customer/account.html",
    "storefront/customer/reset_request.html",
    "storefront/customer/reset_confirm.html",
    "storefront/customer/password.html",
    "storefront/agent_banner.html",
    "storefront/agent/login.html",
    "storefront/agent/home.html",
    "mail/layout.html",
    "mail/customer-welcome.html",
    "mail/customer-welcome.txt",
    "mail/password-reset.html",
    "mail/password-reset.txt",
];

/// What environments are built from.
#[derive(Default)]
struct Sources {
    dir: Option<PathBuf>,
    plugins: BTreeMap<String, Vec<(String, String)>>,
    folders: BTreeMap<String, Folder>,
    read_problems: Vec<Problem>,
    /// Studio themes from the database, by environment name (`<name>` and `<name>@draft`).
    studio: BTreeMap<String, Folder>,
    studio_problems: Vec<Problem>,
}

pub struct Templates {
    current: RwLock<Arc<Snapshot>>,
    /// The studio revision the studio themes were read at (-1: not read yet); checked on every
    /// request, so it is an atomic rather than behind the sources' lock.
    studio_revision: AtomicI64,
    sources: Mutex<Sources>,
    settings: SettingsCache,
}

impl Templates {
    /// The built-in templates only.
    pub fn new() -> anyhow::Result<Templates> {
        Ok(Templates::with_themes(None))
    }

    /// Built-in templates plus the themes in `dir` (read now; a missing directory means none).
    pub fn with_themes(dir: Option<PathBuf>) -> Templates {
        let templates = Templates {
            current: RwLock::new(Arc::new(registry::build(Inputs {
                builtin: BUILT_IN,
                plugins: &BTreeMap::new(),
                folders: &BTreeMap::new(),
                read_problems: Vec::new(),
                previous: None,
            }))),
            studio_revision: AtomicI64::new(-1),
            sources: Mutex::new(Sources {
                dir,
                ..Sources::default()
            }),
            settings: SettingsCache::default(),
        };
        templates.reload_themes();
        templates
    }

    /// The current environments.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The theme settings stored in the database.
    pub fn settings(&self) -> &SettingsCache {
        &self.settings
    }

    pub fn themes_dir(&self) -> Option<PathBuf> {
        self.lock_sources().dir.clone()
    }

    /// Renders `name` with the environment of `theme` (the built-in one when there is no such
    /// theme).
    pub fn render(
        &self,
        theme: &str,
        name: &str,
        context: Value,
    ) -> Result<String, minijinja::Error> {
        let snapshot = self.snapshot();
        let env = snapshot.env(theme);
        env.env.get_template(name)?.render(context)
    }

    /// True when a template of that name exists (plugin and built-in templates exist in every
    /// theme).
    pub fn exists(&self, name: &str) -> bool {
        self.snapshot().builtin.env.get_template(name).is_ok()
    }

    /// Parses a plugin's templates without installing them; the error names the template, line
    /// and problem.
    pub fn check_plugin_templates(
        &self,
        plugin: &str,
        templates: &[(String, String)],
    ) -> Result<(), minijinja::Error> {
        let mut env = crate::themes::env::base(&BTreeMap::new(), &registry::asset_url);
        for (name, source) in templates {
            env.add_template_owned(format!("{plugin}/{name}"), source.clone())?;
        }
        Ok(())
    }

    /// Installs (or replaces) a plugin's templates.
    pub fn set_plugin_templates(
        &self,
        plugin: &str,
        templates: &[(String, String)],
    ) -> Result<(), minijinja::Error> {
        self.check_plugin_templates(plugin, templates)?;
        let mut sources = self.lock_sources();
        sources
            .plugins
            .insert(plugin.to_owned(), templates.to_vec());
        self.rebuild(&sources);
        Ok(())
    }

    /// Re-reads every theme folder and rebuilds. A folder whose `theme.toml` no longer reads
    /// keeps its last readable version.
    pub fn reload_themes(&self) {
        let mut sources = self.lock_sources();
        let mut problems = Vec::new();
        let mut folders = BTreeMap::new();
        if let Some(dir) = sources.dir.clone() {
            for path in theme_dirs(&dir, &mut problems) {
                let name = path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or_default()
                    .to_owned();
                match folder::read(&path) {
                    Ok((folder, file_problems)) => {
                        problems.extend(file_problems);
                        folders.insert(name, folder);
                    }
                    Err(mut problem) => {
                        if let Some(old) = sources.folders.remove(&name) {
                            problem
                                .message
                                .push_str(" (the last good version keeps serving)");
                            folders.insert(name, old);
                        }
                        problems.push(problem);
                    }
                }
            }
        }
        sources.folders = folders;
        sources.read_problems = problems;
        self.rebuild(&sources);
    }

    /// Replaces the studio themes (read at `revision`) and rebuilds, unless themes of a later
    /// revision are already in place.
    pub fn set_studio(
        &self,
        revision: i64,
        folders: BTreeMap<String, Folder>,
        problems: Vec<Problem>,
    ) {
        let mut sources = self.lock_sources();
        if self.studio_revision.load(Ordering::Acquire) > revision {
            return;
        }
        sources.studio = folders;
        sources.studio_problems = problems;
        self.rebuild(&sources);
        self.studio_revision.store(revision, Ordering::Release);
    }

    /// The studio revision the templates were built at (`None`: not read yet).
    pub fn studio_revision(&self) -> Option<i64> {
        let revision = self.studio_revision.load(Ordering::Acquire);
        (revision >= 0).then_some(revision)
    }

    /// Whether `name` is a theme folder on the server's disk.
    pub fn is_disk_theme(&self, name: &str) -> bool {
        self.lock_sources().folders.contains_key(name)
    }

    /// The disk folder of a theme, for exporting it.
    pub fn disk_folder(&self, name: &str) -> Option<Folder> {
        self.lock_sources().folders.get(name).cloned()
    }

    /// The environment a preview of `name` renders with: a studio theme's draft, else the
    /// theme itself; `None` when there is no such theme.
    pub fn preview_env(&self, name: &str) -> Option<String> {
        let snapshot = self.snapshot();
        let draft = studio::draft_name(name);
        if snapshot.envs.contains_key(&draft) {
            Some(draft)
        } else if name != BUILTIN && snapshot.envs.contains_key(name) {
            Some(name.to_owned())
        } else {
            None
        }
    }

    fn rebuild(&self, sources: &Sources) {
        let previous = self.snapshot();
        let mut folders = sources.folders.clone();
        let mut problems = sources.read_problems.clone();
        problems.extend(sources.studio_problems.iter().cloned());
        for (env_name, folder) in &sources.studio {
            let name = studio::published_name(env_name);
            if sources.folders.contains_key(name) {
                if env_name == name {
                    problems.push(Problem::new(
                        name,
                        format!("{name}/theme.toml"),
                        None,
                        "a theme folder of this name is on the disk and is served instead of the studio's".into(),
                    ));
                }
                continue;
            }
            folders.insert(env_name.clone(), folder.clone());
        }
        let snapshot = registry::build(Inputs {
            builtin: BUILT_IN,
            plugins: &sources.plugins,
            folders: &folders,
            read_problems: problems,
            previous: Some(&previous),
        });
        for problem in &snapshot.problems {
            tracing::warn!(theme = %problem.theme, file = %problem.file, line = ?problem.line, "theme problem: {}", problem.message);
        }
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(snapshot);
    }

    fn lock_sources(&self) -> std::sync::MutexGuard<'_, Sources> {
        self.sources.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The variables of `theme` as templates see them: every declared variable, with the stored
    /// value when it is still valid for its kind, else the default.
    pub fn variable_values(
        &self,
        theme: &str,
        stored: Option<&BTreeMap<String, String>>,
    ) -> Vec<(vars::Definition, String)> {
        let snapshot = self.snapshot();
        let env = snapshot.env(theme);
        env.variables
            .iter()
            .map(|def| {
                let value = stored
                    .and_then(|s| s.get(&def.name))
                    .and_then(|v| vars::check(def.kind, v).ok())
                    .unwrap_or_else(|| vars::default_text(def));
                (def.clone(), value)
            })
            .collect()
    }

    /// True when `theme` names a usable theme (not the built-in fallback).
    pub fn has_theme(&self, theme: &str) -> bool {
        theme != BUILTIN && self.snapshot().envs.contains_key(theme)
    }
}

/// The theme folders in `dir`, sorted; odd names are reported and skipped.
fn theme_dirs(dir: &Path, problems: &mut Vec<Problem>) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut dirs: Vec<PathBuf> = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || !path.is_dir() {
            continue;
        }
        if !paths::is_theme_name(&name) {
            problems.push(Problem::new(
                &name,
                name.clone(),
                None,
                "a theme folder name has lower-case letters, digits and '-'; ignored".into(),
            ));
            continue;
        }
        dirs.push(path);
    }
    dirs.sort();
    dirs
}
