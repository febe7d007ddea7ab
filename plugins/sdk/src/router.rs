//! Dispatching a request to a handler by controller and action (admin) or by path (storefront).
//!
//! The host has already decided *whether* the user may reach `controller/action` (ACL) before
//! the plugin runs; the router only decides *which function* answers. It also knows every
//! controller/action it serves, so the manifest's ACL list can be derived from it
//! ([`crate::manifest::Manifest::acl_from`]) instead of being kept in sync by hand.

use crate::bindings::backoffice::plugin::types::{Method, Surface};
use crate::manifest::AclResource;
use crate::request::Request;
use crate::response::{Failure, Reply, Response};

/// A request handler. Plain functions (or closures that capture nothing) keep the router cheap
/// to build on every call, which is what a fresh-instance-per-request plugin does.
pub type Handler = fn(&Request) -> Reply;

#[derive(Clone)]
enum Target {
    /// Admin: `/admin/<plugin>/<controller>/<action>`.
    Action { controller: String, action: String },
    /// Storefront: a declared path pattern such as `/p/{slug}`.
    Path(String),
}

#[derive(Clone)]
struct Route {
    method: Method,
    target: Target,
    handler: Handler,
}

/// Routes by method and controller/action; see the module docs.
#[derive(Clone, Default)]
pub struct Router {
    routes: Vec<Route>,
}

impl Router {
    /// An empty router: every request is a 404.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an admin route for `method` on `controller/action`.
    pub fn route(mut self, method: Method, controller: &str, action: &str, h: Handler) -> Self {
        self.routes.push(Route {
            method,
            target: Target::Action {
                controller: controller.into(),
                action: action.into(),
            },
            handler: h,
        });
        self
    }

    /// `GET controller/action`: pages and forms.
    pub fn get(self, controller: &str, action: &str, h: Handler) -> Self {
        self.route(Method::Get, controller, action, h)
    }

    /// `POST controller/action`: form submissions and script writes.
    pub fn post(self, controller: &str, action: &str, h: Handler) -> Self {
        self.route(Method::Post, controller, action, h)
    }

    /// `PUT controller/action`.
    pub fn put(self, controller: &str, action: &str, h: Handler) -> Self {
        self.route(Method::Put, controller, action, h)
    }

    /// `PATCH controller/action`.
    pub fn patch(self, controller: &str, action: &str, h: Handler) -> Self {
        self.route(Method::Patch, controller, action, h)
    }

    /// `DELETE controller/action`.
    pub fn delete(self, controller: &str, action: &str, h: Handler) -> Self {
        self.route(Method::Delete, controller, action, h)
    }

    /// A storefront route: `path` as declared in the manifest (`/p/{slug}`); `{name}` segments
    /// match any one segment and arrive as query pairs.
    pub fn storefront(mut self, method: Method, path: &str, h: Handler) -> Self {
        self.routes.push(Route {
            method,
            target: Target::Path(path.into()),
            handler: h,
        });
        self
    }

    /// Runs the matching handler. No route for the controller/action (or path) → 404; a route
    /// exists but not for this method → 405. A handler's `Err` becomes a failure response.
    pub fn dispatch(&self, req: &Request) -> Response {
        let mut known_target = false;
        for route in self.routes.iter().filter(|r| r.matches(req)) {
            known_target = true;
            if route.method == req.method {
                return (route.handler)(req).unwrap_or_else(Response::Failure);
            }
        }
        if known_target {
            Failure::new(405, "method not allowed").into()
        } else {
            Failure::not_found("not found").into()
        }
    }

    /// The controllers and actions this router serves, in the order first added, for the
    /// manifest's `acl` list.
    pub fn acl_resources(&self) -> Vec<AclResource> {
        let mut out: Vec<AclResource> = Vec::new();
        for route in &self.routes {
            let Target::Action { controller, action } = &route.target else {
                continue;
            };
            match out.iter_mut().find(|r| &r.controller == controller) {
                Some(r) if r.actions.contains(action) => {}
                Some(r) => r.actions.push(action.clone()),
                None => out.push(AclResource {
                    controller: controller.clone(),
                    actions: vec![action.clone()],
                }),
            }
        }
        out
    }

    /// The storefront routes, for the manifest's `storefront-routes` list.
    pub fn storefront_routes(&self) -> Vec<(Method, String)> {
        self.routes
            .iter()
            .filter_map(|r| match &r.target {
                Target::Path(p) => Some((r.method, p.clone())),
                Target::Action { .. } => None,
            })
            .collect()
    }
}

impl Route {
    fn matches(&self, req: &Request) -> bool {
        match (&self.target, req.surface) {
            (Target::Action { controller, action }, Surface::Admin) => {
                *controller == req.controller && *action == req.action
            }
            (Target::Path(pattern), Surface::Storefront) => path_matches(pattern, &req.path),
            _ => false,
        }
    }
}

/// `/p/{slug}` matches `/p/shoe` but not `/p` or `/p/shoe/red`.
fn path_matches(pattern: &str, path: &str) -> bool {
    let mut pat = pattern.trim_matches('/').split('/');
    let mut got = path.trim_matches('/').split('/');
    loop {
        match (pat.next(), got.next()) {
            (None, None) => return true,
            (Some(p), Some(g)) if p.starts_with('{') && p.ends_with('}') && !g.is_empty() => {}
            (Some(p), Some(g)) if p == g => {}
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::tests::request;
    use crate::response::{json, not_found};

    fn ok(_: &Request) -> Reply {
        Ok(json(&"ok"))
    }

    fn fails(_: &Request) -> Reply {
        Err(Failure::unprocessable("title is required"))
    }

    fn router() -> Router {
        Router::new()
            .get("notes", "index", ok)
            .get("notes", "create", ok)
            .post("notes", "create", fails)
            .get("tags", "index", |_| Ok(not_found()))
    }

    #[test]
    fn dispatches_by_method_controller_and_action() {
        let r = router();
        assert_eq!(
            r.dispatch(&request(Method::Get, "notes", "index")),
            Response::Json("\"ok\"".into())
        );
        assert_eq!(
            r.dispatch(&request(Method::Post, "notes", "create")),
            Response::Failure(Failure::new(422, "title is required"))
        );
    }

    #[test]
    fn unknown_action_is_404_and_wrong_method_is_405() {
        let r = router();
        let missing = r.dispatch(&request(Method::Get, "notes", "nope"));
        assert!(matches!(missing, Response::Failure(f) if f.status == 404));
        let wrong = r.dispatch(&request(Method::Delete, "notes", "index"));
        assert!(matches!(wrong, Response::Failure(f) if f.status == 405));
    }

    #[test]
    fn acl_resources_group_actions_by_controller() {
        let acl = router().acl_resources();
        assert_eq!(acl.len(), 2);
        assert_eq!(acl[0].controller, "notes");
        assert_eq!(acl[0].actions, ["index", "create"]);
        assert_eq!(acl[1].actions, ["index"]);
    }

    #[test]
    fn storefront_paths_match_placeholders() {
        assert!(path_matches("/p/{slug}", "/p/shoe"));
        assert!(!path_matches("/p/{slug}", "/p"));
        assert!(!path_matches("/p/{slug}", "/p/shoe/red"));
        let r = Router::new().storefront(Method::Get, "/p/{slug}", ok);
        let mut req = request(Method::Get, "", "");
        req.surface = Surface::Storefront;
        req.path = "/p/shoe".into();
        assert_eq!(r.dispatch(&req), Response::Json("\"ok\"".into()));
        assert!(r.acl_resources().is_empty());
    }
}
