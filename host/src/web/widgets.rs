//! Dashboard widgets: each enabled plugin's declared widgets, rendered by the plugin (`widget`
//! export) into the Back Office dashboard. A widget is shown to users allowed
//! `<plugin>/widgets/<name>`; one that fails shows a short notice and never breaks the page.

use minijinja::{Value, context};

use super::view::PageCtx;
use crate::acl::Granted;
use crate::state::AppState;

/// The rendered widgets, in plugin and declaration order.
pub async fn dashboard(state: &AppState, granted: &Granted, page: &PageCtx) -> Vec<Value> {
    let runtime = state.plugins();
    let registry = runtime.registry();
    let mut widgets = Vec::new();
    for plugin in registry.all() {
        let id = &plugin.manifest.id;
        if registry.is_disabled(id) {
            continue;
        }
        for widget in &plugin.manifest.widgets {
            if !granted.permissions().can(id, "widgets", &widget.name) {
                continue;
            }
            let caller = super::dispatch::admin_caller(granted, page);
            let body = match runtime.calls().widget(&plugin, caller, &widget.name).await {
                Ok(Ok(view)) => serde_json::from_str(&view.context).ok().and_then(|ctx| {
                    page.render_widget(&format!("{id}/{}", view.template), &ctx)
                        .ok()
                }),
                _ => None,
            };
            let failed = body.is_none();
            widgets.push(context! {
                plugin => id,
                name => widget.name,
                title => widget.title,
                body => body.unwrap_or_else(|| Value::from("This widget is unavailable right now.")),
                failed,
            });
        }
    }
    widgets
}
