//! One minijinja environment per theme, built from an overlay of template layers: the theme,
//! then its parents, then the plugins' bundled templates, then the host's built-in templates.
//! The first layer that has a name wins.
//!
//! Every environment escapes HTML in every template whatever its name, has a fuel budget and a
//! recursion limit (a looping template ends in an error, never a hung request), and refuses
//! `{% autoescape %}` blocks. A template that does not compile keeps its last good version from
//! the previous build (or falls through to the next layer) and is reported as a [`Problem`].

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use minijinja::{AutoEscape, Environment, UndefinedBehavior};

use super::folder::Problem;
use super::helpers;
use super::vars::Definition;

/// Instructions one render may execute. A rich page takes a few thousand; a template stuck in
/// a loop is stopped after a few milliseconds.
pub const FUEL: u64 = 2_000_000;
/// Nesting depth of includes, macros, blocks and loops.
pub const RECURSION_LIMIT: usize = 200;

/// The name of the environment made of the built-in templates alone (not a valid theme name).
pub const BUILTIN: &str = "(built-in)";

/// Where a template's source came from.
#[derive(Debug, Clone)]
pub struct Source {
    pub text: String,
    /// A file relative to the themes directory, `plugin <id>`, or `built-in`.
    pub origin: String,
}

/// Where a theme's static files are.
#[derive(Debug, Clone)]
pub enum StaticRoot {
    /// A `static/` folder on disk (read through `paths::resolve`).
    Dir(PathBuf),
    /// Files held in memory, by path under `static/` (a studio theme).
    Memory(Arc<BTreeMap<String, Vec<u8>>>),
}

/// One layer of the overlay: where its files are reported from, and its templates.
#[derive(Debug, Clone)]
pub struct Layer {
    /// Prepended to a template name to name its file in problems (e.g. `midnight/templates/`).
    pub origin_prefix: String,
    pub templates: BTreeMap<String, String>,
}

/// A ready-to-render theme.
pub struct ThemeEnv {
    pub name: String,
    /// This theme and its ancestors, nearest first.
    pub chain: Vec<String>,
    pub env: Environment<'static>,
    /// The source every template name resolved to.
    pub sources: BTreeMap<String, Source>,
    /// Variables of the whole chain (a child's declaration replaces its parent's).
    pub variables: Vec<Definition>,
    /// Static roots to serve from, nearest theme first.
    pub static_roots: Vec<StaticRoot>,
    /// Static path → the theme that provides it and its hash.
    pub assets: Arc<BTreeMap<String, (String, String)>>,
}

impl std::fmt::Debug for ThemeEnv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ThemeEnv")
            .field("name", &self.name)
            .field("chain", &self.chain)
            .finish_non_exhaustive()
    }
}

/// An environment with the host's settings and helpers, and no templates yet.
pub fn base(
    assets: &BTreeMap<String, (String, String)>,
    url_of: &dyn Fn(&str, &str, &str) -> String,
) -> Environment<'static> {
    let mut env = Environment::new();
    // HTML is always escaped; only a `.txt` template (the text part of a mail, sent as
    // `text/plain` and never read as HTML) is not, where `&amp;` would just garble a name.
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".txt") {
            AutoEscape::None
        } else {
            AutoEscape::Html
        }
    });
    env.set_undefined_behavior(UndefinedBehavior::Chainable);
    env.set_fuel(Some(FUEL));
    env.set_recursion_limit(RECURSION_LIMIT);
    helpers::register(&mut env);
    let urls: BTreeMap<String, String> = assets
        .iter()
        .map(|(path, (theme, hash))| (path.clone(), url_of(theme, path, hash)))
        .collect();
    helpers::register_assets(&mut env, Arc::new(urls));
    env
}

/// What a build needs besides the layers.
pub struct Spec<'a> {
    pub name: String,
    pub chain: Vec<String>,
    pub variables: Vec<Definition>,
    pub static_roots: Vec<StaticRoot>,
    pub assets: BTreeMap<String, (String, String)>,
    /// Highest priority first.
    pub layers: Vec<Layer>,
    pub previous: Option<&'a ThemeEnv>,
    /// Maps (theme, path, hash) to the URL `asset()` returns.
    pub url_of: &'a dyn Fn(&str, &str, &str) -> String,
}

/// Builds an environment; problems name the file and line of each template that did not compile.
pub fn build(spec: Spec<'_>) -> (ThemeEnv, Vec<Problem>) {
    let mut env = base(&spec.assets, spec.url_of);
    let mut problems = Vec::new();
    let mut names: Vec<&String> = spec
        .layers
        .iter()
        .flat_map(|l| l.templates.keys())
        .collect();
    names.sort();
    names.dedup();
    let mut sources = BTreeMap::new();
    for name in names {
        let mut chosen = None;
        let mut candidates = spec
            .layers
            .iter()
            .filter_map(|l| l.templates.get(name).map(|t| (l, t)));
        // The nearest layer's version, if it compiles.
        if let Some((layer, text)) = candidates.next() {
            let origin = format!("{}{name}", layer.origin_prefix);
            match compile(&mut env, name, text) {
                Ok(()) => {
                    chosen = Some(Source {
                        text: text.clone(),
                        origin,
                    })
                }
                Err((line, message)) => {
                    problems.push(Problem::new(&spec.name, origin, line, message));
                }
            }
        }
        // Else the last good version, else the next layers.
        if chosen.is_none()
            && let Some(old) = spec.previous.and_then(|p| p.sources.get(name))
            && compile(&mut env, name, &old.text).is_ok()
        {
            chosen = Some(old.clone());
        }
        if chosen.is_none() {
            for (layer, text) in candidates {
                if compile(&mut env, name, text).is_ok() {
                    chosen = Some(Source {
                        text: text.clone(),
                        origin: format!("{}{name}", layer.origin_prefix),
                    });
                    break;
                }
            }
        }
        if let Some(source) = chosen {
            sources.insert(name.clone(), source);
        }
    }
    let theme = ThemeEnv {
        name: spec.name,
        chain: spec.chain,
        env,
        sources,
        variables: spec.variables,
        static_roots: spec.static_roots,
        assets: Arc::new(spec.assets),
    };
    (theme, problems)
}

/// Whether `text` compiles as the template `name` in an environment like a theme's (autoescape
/// blocks refused too); the error is `(line, message)`. The theme studio checks every template
/// with it before it stores one.
pub fn check(name: &str, text: &str) -> Result<(), (Option<usize>, String)> {
    let mut env = base(&BTreeMap::new(), &|_, p, _| p.to_owned());
    compile(&mut env, name, text)
}

/// Adds one template; the error is `(line, message)`.
fn compile(
    env: &mut Environment<'static>,
    name: &str,
    text: &str,
) -> Result<(), (Option<usize>, String)> {
    if let Some(line) = autoescape_block(text) {
        return Err((
            Some(line),
            "autoescape blocks are not allowed: every template escapes HTML".into(),
        ));
    }
    env.add_template_owned(name.to_owned(), text.to_owned())
        .map_err(|e| {
            let message = match e.detail() {
                Some(detail) => format!("{}: {detail}", e.kind()),
                None => e.kind().to_string(),
            };
            (e.line(), message)
        })
}

/// Why a render failed, looking through the includes it happened in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    OutOfFuel,
    TooDeep,
    Other,
}

pub fn failure(err: &minijinja::Error) -> Failure {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = current {
        if let Some(mj) = e.downcast_ref::<minijinja::Error>() {
            if mj.kind() == minijinja::ErrorKind::OutOfFuel {
                return Failure::OutOfFuel;
            }
            if mj.detail().is_some_and(|d| d.contains("recursion limit")) {
                return Failure::TooDeep;
            }
        }
        current = e.source();
    }
    Failure::Other
}

/// The line of the first `{% autoescape … %}` tag, if any.
fn autoescape_block(text: &str) -> Option<usize> {
    let mut rest = text;
    let mut offset = 0;
    while let Some(start) = rest.find("{%") {
        let after = rest[start + 2..]
            .trim_start_matches(['-', '+', '~'])
            .trim_start();
        if after.starts_with("autoescape") {
            let at = offset + start;
            return Some(text[..at].matches('\n').count() + 1);
        }
        offset += start + 2;
        rest = &rest[start + 2..];
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(prefix: &str, templates: &[(&str, &str)]) -> Layer {
        Layer {
            origin_prefix: prefix.into(),
            templates: templates
                .iter()
                .map(|(n, t)| ((*n).to_owned(), (*t).to_owned()))
                .collect(),
        }
    }

    fn spec<'a>(layers: Vec<Layer>, previous: Option<&'a ThemeEnv>) -> Spec<'a> {
        Spec {
            name: "t".into(),
            chain: vec!["t".into()],
            variables: Vec::new(),
            static_roots: Vec::new(),
            assets: BTreeMap::new(),
            layers,
            previous,
            url_of: &|_, p, _| format!("/{p}"),
        }
    }

    #[test]
    fn nearest_layer_wins_and_broken_falls_back() {
        let (first, problems) = build(spec(
            vec![
                layer("t/", &[("a", "theme")]),
                layer("host/", &[("a", "host"), ("b", "host b")]),
            ],
            None,
        ));
        assert!(problems.is_empty());
        assert_eq!(
            first.env.get_template("a").unwrap().render(()).unwrap(),
            "theme"
        );
        assert_eq!(
            first.env.get_template("b").unwrap().render(()).unwrap(),
            "host b"
        );

        let (second, problems) = build(spec(
            vec![
                layer("t/", &[("a", "{% if %}")]),
                layer("host/", &[("a", "host")]),
            ],
            Some(&first),
        ));
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].file, "t/a");
        assert_eq!(problems[0].line, Some(1));
        assert_eq!(
            second.env.get_template("a").unwrap().render(()).unwrap(),
            "theme",
            "last good version kept"
        );

        let (third, _) = build(spec(
            vec![
                layer("t/", &[("a", "{% if %}")]),
                layer("host/", &[("a", "host")]),
            ],
            None,
        ));
        assert_eq!(
            third.env.get_template("a").unwrap().render(()).unwrap(),
            "host",
            "next layer"
        );
    }

    #[test]
    fn autoescape_blocks_are_refused() {
        let (_, problems) = build(spec(
            vec![layer(
                "t/",
                &[("x", "ok\n{%- autoescape false %}{{ x }}{% endautoescape %}")],
            )],
            None,
        ));
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, Some(2));
    }

    #[test]
    fn loops_run_out_of_fuel() {
        let (env, _) = build(spec(
            vec![layer(
                "t/",
                &[
                    (
                        "loop",
                        "{% for a in range(10000) %}{% for b in range(10000) %}{{ a }}{% endfor %}{% endfor %}",
                    ),
                    ("self", "{% include 'self' %}"),
                ],
            )],
            None,
        ));
        let err = env
            .env
            .get_template("loop")
            .unwrap()
            .render(())
            .unwrap_err();
        assert_eq!(failure(&err), Failure::OutOfFuel);
        let err = env
            .env
            .get_template("self")
            .unwrap()
            .render(())
            .unwrap_err();
        assert_eq!(failure(&err), Failure::TooDeep, "{err:#}");
    }
}
