//! Layout slots: named places in a surface's layout that plugins fill with small views — menus
//! in the storefront header, CMS blocks in the footer or on the home page, widgets on the
//! dashboard. A filled slot is a list of [`SlotItem`]s; the layout includes each item's template
//! (so a theme can override it like any plugin template) with the item's context as `slot`.
//!
//! The host fills no slot itself. Plugins will declare the slots they fill in their manifest;
//! until then every slot is empty and layouts render nothing there.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::themes::Surface;

/// Slots of the storefront layout.
pub const STOREFRONT: &[&str] = &["header", "footer", "home"];
/// Slots of the Back Office layout.
pub const BACKOFFICE: &[&str] = &["dashboard"];

/// One view a plugin puts into a slot.
#[derive(Debug, Clone, Serialize)]
pub struct SlotItem {
    pub plugin: String,
    /// `<plugin-id>/<name>`, resolved through the theme like any plugin template.
    pub template: String,
    /// The data the template sees as `slot`.
    pub context: serde_json::Value,
}

/// Every slot of `surface`, each with its items (none yet).
pub fn for_surface(surface: Surface) -> BTreeMap<&'static str, Vec<SlotItem>> {
    let names = match surface {
        Surface::Storefront => STOREFRONT,
        Surface::Backoffice => BACKOFFICE,
    };
    names.iter().map(|name| (*name, Vec::new())).collect()
}
