//! The template environment: the host's own templates (compiled into the binary) plus the
//! templates plugins bundle, registered as `<plugin-id>/<name>`. Autoescape is HTML for every
//! template whatever its name.
//!
//! Plugin templates change at runtime (hot reload), so the environment is rebuilt and swapped
//! as a whole; a render clones the current `Arc` and never holds the lock while rendering.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, RwLock};

use minijinja::{AutoEscape, Environment, Value};

/// (name, source) of every built-in template.
const BUILT_IN: &[(&str, &str)] = &[
    ("layout.html", include_str!("../templates/layout.html")),
    ("macros.html", include_str!("../templates/macros.html")),
    ("error.html", include_str!("../templates/error.html")),
    ("login.html", include_str!("../templates/login.html")),
    (
        "dashboard.html",
        include_str!("../templates/dashboard.html"),
    ),
    ("account.html", include_str!("../templates/account.html")),
    (
        "users/index.html",
        include_str!("../templates/users/index.html"),
    ),
    (
        "users/form.html",
        include_str!("../templates/users/form.html"),
    ),
    (
        "users/password.html",
        include_str!("../templates/users/password.html"),
    ),
    (
        "named/index.html",
        include_str!("../templates/named/index.html"),
    ),
    (
        "named/form.html",
        include_str!("../templates/named/form.html"),
    ),
    (
        "audit/index.html",
        include_str!("../templates/audit/index.html"),
    ),
    (
        "plugins/index.html",
        include_str!("../templates/plugins/index.html"),
    ),
    (
        "plugin_page.html",
        include_str!("../templates/plugin_page.html"),
    ),
];

/// Bundled templates of one plugin: (name, source).
type PluginTemplates = Vec<(String, String)>;

pub struct Templates {
    current: RwLock<Arc<Environment<'static>>>,
    plugins: Mutex<BTreeMap<String, PluginTemplates>>,
}

fn base_environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
    env.add_filter("datetime", |unix: i64| crate::clock::format_utc(unix));
    // minijinja's own `urlencode` needs a cargo feature the host does not enable.
    env.add_filter("urlencode", |value: String| {
        form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>()
    });
    env
}

fn build(
    plugins: &BTreeMap<String, PluginTemplates>,
) -> Result<Environment<'static>, minijinja::Error> {
    let mut env = base_environment();
    for (name, source) in BUILT_IN {
        env.add_template(name, source)?;
    }
    for (plugin, templates) in plugins {
        for (name, source) in templates {
            env.add_template_owned(format!("{plugin}/{name}"), source.clone())?;
        }
    }
    Ok(env)
}

impl Templates {
    pub fn new() -> anyhow::Result<Templates> {
        Ok(Templates {
            current: RwLock::new(Arc::new(build(&BTreeMap::new())?)),
            plugins: Mutex::new(BTreeMap::new()),
        })
    }

    pub fn render(&self, name: &str, context: Value) -> Result<String, minijinja::Error> {
        let env = self
            .current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        env.get_template(name)?.render(context)
    }

    /// True when a template of that name exists.
    pub fn exists(&self, name: &str) -> bool {
        let env = self
            .current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        env.get_template(name).is_ok()
    }

    /// Parses a plugin's templates without installing them; the error names the template, line
    /// and problem.
    pub fn check_plugin_templates(
        &self,
        plugin: &str,
        templates: &[(String, String)],
    ) -> Result<(), minijinja::Error> {
        let mut env = base_environment();
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
        let mut plugins = self.plugins.lock().unwrap_or_else(|p| p.into_inner());
        plugins.insert(plugin.to_owned(), templates.to_vec());
        let env = build(&plugins)?;
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(env);
        Ok(())
    }
}
