//! The themes known to this host and their environments, as one immutable [`Snapshot`] that is
//! rebuilt whole and swapped (a render holds its own `Arc`, so a swap never disturbs it).
//!
//! Building resolves each theme's `extends` chain (a missing parent or a cycle makes the theme
//! unusable and is reported), then overlays: theme → parents → plugin templates → built-in.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use serde::Serialize;

use super::env::{self, BUILTIN, Layer, Spec, ThemeEnv};
use super::folder::{Folder, Problem};
use super::vars::Definition;

/// What the Themes page lists about a theme.
#[derive(Debug, Clone, Serialize)]
pub struct ThemeInfo {
    pub name: String,
    pub version: String,
    pub description: String,
    pub extends: Option<String>,
    /// This theme and its ancestors, nearest first.
    pub chain: Vec<String>,
    /// False when the theme cannot be used (broken `theme.toml`, missing parent, cycle).
    pub usable: bool,
    /// True for a theme made in the theme studio (kept in the database, edited in the Back
    /// Office); false for a folder on disk.
    pub studio: bool,
}

/// Everything renders need, built at once.
pub struct Snapshot {
    pub envs: BTreeMap<String, Arc<ThemeEnv>>,
    pub builtin: Arc<ThemeEnv>,
    pub themes: Vec<ThemeInfo>,
    pub problems: Vec<Problem>,
}

impl Snapshot {
    /// The environment of `theme`, or the built-in one when there is no such usable theme.
    pub fn env(&self, theme: &str) -> &Arc<ThemeEnv> {
        self.envs.get(theme).unwrap_or(&self.builtin)
    }
}

/// The inputs of a build.
pub struct Inputs<'a> {
    pub builtin: &'a [(&'static str, &'static str)],
    /// Plugin id → its bundled templates.
    pub plugins: &'a BTreeMap<String, Vec<(String, String)>>,
    /// The last readable version of every theme folder.
    pub folders: &'a BTreeMap<String, Folder>,
    /// Problems found while reading the folders.
    pub read_problems: Vec<Problem>,
    pub previous: Option<&'a Snapshot>,
}

/// The URL `asset()` gives a static file of a theme.
pub fn asset_url(theme: &str, path: &str, hash: &str) -> String {
    if theme == BUILTIN {
        format!("/assets/{path}?v={hash}")
    } else {
        format!("/themes/{theme}/static/{path}?v={hash}")
    }
}

/// The static files of the built-in environment (served by the host under `/assets/`).
pub fn builtin_assets() -> BTreeMap<String, (String, String)> {
    let css = super::builtin::stylesheet();
    BTreeMap::from([(
        "backoffice.css".to_owned(),
        (
            BUILTIN.to_owned(),
            super::folder::short_hash(css.as_bytes()),
        ),
    )])
}

pub fn build(inputs: Inputs<'_>) -> Snapshot {
    let host_layer = Layer {
        origin_prefix: "built-in ".into(),
        templates: inputs
            .builtin
            .iter()
            .map(|(n, t)| ((*n).to_owned(), (*t).to_owned()))
            .collect(),
    };
    let plugin_layers: Vec<Layer> = inputs
        .plugins
        .iter()
        .map(|(id, templates)| Layer {
            origin_prefix: format!("plugin {id}: "),
            templates: templates
                .iter()
                .map(|(n, t)| (format!("{id}/{n}"), t.clone()))
                .collect(),
        })
        .collect();
    let mut problems = inputs.read_problems;
    let previous_env = |name: &str| {
        inputs
            .previous
            .and_then(|p| p.envs.get(name).map(Arc::as_ref))
    };

    let mut lower = plugin_layers.clone();
    lower.push(host_layer.clone());
    let (builtin, builtin_problems) = env::build(Spec {
        name: BUILTIN.into(),
        chain: Vec::new(),
        variables: super::builtin::variables().to_vec(),
        static_roots: Vec::new(),
        assets: builtin_assets(),
        layers: lower.clone(),
        previous: inputs.previous.map(|p| p.builtin.as_ref()),
        url_of: &asset_url,
    });
    problems.extend(builtin_problems);

    let mut envs = BTreeMap::new();
    let mut themes = Vec::new();
    for (name, folder) in inputs.folders {
        let chain = match chain_of(name, inputs.folders) {
            Ok(chain) => chain,
            Err(message) => {
                problems.push(Problem::new(
                    name,
                    format!("{name}/theme.toml"),
                    None,
                    message,
                ));
                if !name.ends_with(super::studio::DRAFT_SUFFIX) {
                    themes.push(info(folder, Vec::new(), false));
                }
                continue;
            }
        };
        let members: Vec<&Folder> = chain.iter().map(|n| &inputs.folders[n]).collect();
        let mut layers: Vec<Layer> = members
            .iter()
            .map(|f| Layer {
                origin_prefix: format!("{}/templates/", f.manifest.name),
                templates: f.templates.clone(),
            })
            .collect();
        layers.extend(lower.iter().cloned());
        // The built-in stylesheet stays reachable for built-in templates a theme does not
        // override; the theme's own files overlay it.
        let mut assets = builtin_assets();
        for member in members.iter().rev() {
            for (path, hash) in &member.statics {
                assets.insert(path.clone(), (name.clone(), hash.clone()));
            }
        }
        let (theme_env, theme_problems) = env::build(Spec {
            name: name.clone(),
            chain: chain.clone(),
            variables: merged_variables(&members),
            static_roots: members.iter().map(|f| f.static_root()).collect(),
            assets,
            layers,
            previous: previous_env(name),
            url_of: &asset_url,
        });
        problems.extend(theme_problems);
        // A studio theme's draft is an environment for previews, not a theme of its own.
        if !name.ends_with(super::studio::DRAFT_SUFFIX) {
            themes.push(info(folder, chain, true));
        }
        envs.insert(name.clone(), Arc::new(theme_env));
    }
    // A parent's broken template shows up in every child's build: report it once, under the
    // theme whose file it is.
    let mut seen = HashSet::new();
    problems.retain(|p| seen.insert((p.file.clone(), p.line, p.message.clone())));
    for problem in &mut problems {
        if let Some(owner) = problem.file.split('/').next()
            && inputs.folders.contains_key(owner)
        {
            problem.theme = owner.to_owned();
        }
    }
    Snapshot {
        envs,
        builtin: Arc::new(builtin),
        themes,
        problems,
    }
}

fn info(folder: &Folder, chain: Vec<String>, usable: bool) -> ThemeInfo {
    ThemeInfo {
        name: folder.manifest.name.clone(),
        version: folder.manifest.version.clone(),
        description: folder.manifest.description.clone(),
        extends: folder.manifest.extends.clone(),
        chain,
        usable,
        studio: folder.memory.is_some(),
    }
}

/// `name` and its ancestors, nearest first.
fn chain_of(name: &str, folders: &BTreeMap<String, Folder>) -> Result<Vec<String>, String> {
    let mut chain = vec![name.to_owned()];
    let mut seen = HashSet::from([name.to_owned()]);
    let mut current = &folders[name];
    while let Some(parent) = &current.manifest.extends {
        let Some(next) = folders.get(parent) else {
            return Err(format!(
                "extends {parent:?}, which is not an installed theme"
            ));
        };
        if !seen.insert(parent.clone()) {
            return Err(format!("extends {parent:?}, which leads back to itself"));
        }
        chain.push(parent.clone());
        current = next;
    }
    Ok(chain)
}

/// The root's variables in order, each replaced by the nearest theme's declaration, then the
/// variables only descendants declare.
fn merged_variables(members: &[&Folder]) -> Vec<Definition> {
    let mut merged: Vec<Definition> = Vec::new();
    for member in members.iter().rev() {
        for def in &member.manifest.variables {
            match merged.iter_mut().find(|d| d.name == def.name) {
                Some(existing) => *existing = def.clone(),
                None => merged.push(def.clone()),
            }
        }
    }
    merged
}
