//! The look the host has when no theme folder is installed: the host's own templates
//! (`host/templates`, see `crate::templates`) with the default theme's variables and stylesheet,
//! compiled in from `themes/default`. The default theme is written once: its folder holds the
//! variables (`theme.toml`) and the stylesheet (`static/css/base.css`), the host holds every
//! template, and this fallback reuses both.
//!
//! Must never read a theme folder at run time: what is compiled in is all it has.

use std::sync::LazyLock;

use super::assets::vars_css;
use super::folder::Manifest;
use super::vars::{self, Definition};

const MANIFEST: &str = include_str!("../../../themes/default/theme.toml");
const BASE_CSS: &str = include_str!("../../../themes/default/static/css/base.css");

static VARIABLES: LazyLock<Vec<Definition>> = LazyLock::new(|| {
    toml::from_str::<Manifest>(MANIFEST)
        .expect("themes/default/theme.toml compiled into the host reads as a theme manifest")
        .variables
});

static STYLESHEET: LazyLock<String> = LazyLock::new(|| {
    let defaults: Vec<(Definition, String)> = VARIABLES
        .iter()
        .map(|def| (def.clone(), vars::default_text(def)))
        .collect();
    format!("{}\n{BASE_CSS}", vars_css(&defaults).0)
});

/// The default theme's variables, with their defaults as values.
pub fn variables() -> &'static [Definition] {
    &VARIABLES
}

/// The stylesheet served at `/assets/backoffice.css`: the variables' defaults as custom
/// properties, then the default theme's `base.css`.
pub fn stylesheet() -> &'static str {
    &STYLESHEET
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fallback_styles_with_the_default_themes_defaults() {
        assert!(variables().iter().any(|def| def.name == "shop_name"));
        let css = stylesheet();
        assert!(css.contains("--theme-accent: #1f5fbf;"), "{css}");
        assert!(css.ends_with(BASE_CSS));
    }
}
