//! The trait a plugin implements, and its bridge to the generated `Guest` export trait.
//!
//! The bridge is a blanket impl, so a plugin never touches wit-bindgen's trait: it implements
//! [`Plugin`] and calls [`crate::export!`]. Functions are associated (no `self`) because the host
//! gives every call a fresh instance: there is no state to keep between calls, and a plugin
//! must not try (use storage or settings instead).

use crate::bindings::exports::backoffice::plugin::plugin as wit;

pub use crate::bindings::backoffice::plugin::types::{Method, Surface};
pub use wit::Event;

use crate::manifest::Manifest;
use crate::request::Request;
use crate::response::{Response, View};

impl Event {
    /// `Ok` when the event comes from the owner of its topic: the plugin whose id is the
    /// topic's first segment, or the host for `host.…`. The host refuses to publish any other
    /// topic, so this holds for every delivered event; checking it first in `on_event` keeps a
    /// section safe even if an event reached it another way.
    pub fn check_source(&self) -> Result<(), String> {
        let owner = self.topic.split('.').next().unwrap_or_default();
        if self.source == owner {
            Ok(())
        } else {
            Err(format!(
                "event {} of topic {} came from {:?}, not from its owner {owner}",
                self.id, self.topic, self.source
            ))
        }
    }
}

/// A Backoffice section. Only `manifest` and `handle` are required.
pub trait Plugin {
    /// Describes the plugin; called once at load. Must not use storage or other host calls
    /// that need a request (there is none).
    fn manifest() -> Manifest;

    /// Answers one request routed to this plugin (usually `routes().dispatch(&req)`).
    fn handle(req: Request) -> Response;

    /// Handles an event of a topic listed in `subscribes`. `Err` (like a trap) rolls back this
    /// call's writes and makes the host retry later, so only fail when a retry can help.
    fn on_event(event: Event) -> Result<(), String> {
        Err(format!("no handler for event topic `{}`", event.topic))
    }

    /// Renders the dashboard widget `name` declared in the manifest. Read-only: a write is
    /// refused.
    fn widget(name: String) -> Result<View, String> {
        Err(format!("no widget named `{name}`"))
    }

    /// Answers extension point `point` (listed with [`Manifest::provides`]) for `input`, both
    /// JSON as the point's owner documents. Read-only and on committed data: a write is refused,
    /// and the invoker's own uncommitted writes are not visible. An `Err` reaches the invoker as
    /// this provider's failure.
    fn provide(point: String, input: String) -> Result<String, String> {
        let _ = input;
        Err(format!("extension point `{point}` is not provided"))
    }
}

impl<T: Plugin> wit::Guest for T {
    fn manifest() -> Manifest {
        T::manifest()
    }

    fn handle(req: Request) -> Response {
        T::handle(req)
    }

    fn on_event(ev: Event) -> Result<(), String> {
        T::on_event(ev)
    }

    fn widget(name: String) -> Result<View, String> {
        T::widget(name)
    }

    fn provide(point: String, input: String) -> Result<String, String> {
        T::provide(point, input)
    }
}
