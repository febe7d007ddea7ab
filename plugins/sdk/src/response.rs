//! Building answers: views, redirects, JSON, downloads and failures.
//!
//! The types are the generated WIT ones (`response`, `view`, `failure`, …). A handler returns a
//! [`Reply`] so it can use `?` on anything that converts into a [`Failure`] (bad input, storage
//! errors); the router turns the `Err` into a `failure` response. Remember that a failure is
//! not only an error page: the host rolls back every write of the call and drops its events.

use serde::Serialize;

use crate::request::Request;

pub use crate::bindings::exports::backoffice::plugin::plugin::{
    Download, Failure, Redirect, Response, View,
};

/// What a handler returns: `Err` becomes a `failure` response (and a rollback).
pub type Reply = Result<Response, Failure>;

fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String, Failure> {
    serde_json::to_string(value).map_err(|e| Failure::internal(format!("cannot encode JSON: {e}")))
}

/// Render `template` (one the plugin bundles, or a theme's `<plugin-id>/<template>` override)
/// with `context`, which must serialize to a JSON object. With `Accept: application/json` the
/// host answers the context itself.
pub fn view<T: Serialize + ?Sized>(template: &str, title: &str, context: &T) -> Response {
    match to_json(context) {
        Ok(context) => Response::View(View {
            template: template.into(),
            title: title.into(),
            context,
        }),
        Err(f) => Response::Failure(f),
    }
}

/// Like [`view`], but answers `json(context)` itself when the client asked for JSON, so the
/// JSON a script sees is decided by the plugin, not by how a host treats views.
pub fn view_or_json<T: Serialize + ?Sized>(
    req: &Request,
    template: &str,
    title: &str,
    context: &T,
) -> Response {
    if req.wants_json {
        json(context)
    } else {
        view(template, title, context)
    }
}

/// The answer to a write that succeeded: `body` as JSON when the client asked for JSON, else a
/// redirect to `location` with `flash` (post/redirect/get).
///
/// Why: every Back Office form is also an API, so each write action answers twice: a script
/// wants what was written (`{"company": {…}}`), a browser the page to go on to, with a message
/// and without a form that re-posts on reload. One function keeps that choice the same in every
/// section.
pub fn json_or_redirect<T: Serialize + ?Sized>(
    req: &Request,
    body: &T,
    location: impl Into<String>,
    flash: &str,
) -> Response {
    if req.wants_json {
        json(body)
    } else {
        redirect(location).flash(flash)
    }
}

/// A JSON body, sent as-is.
pub fn json<T: Serialize + ?Sized>(value: &T) -> Response {
    match to_json(value) {
        Ok(text) => Response::Json(text),
        Err(f) => Response::Failure(f),
    }
}

/// A redirect to a local path (`/admin/<plugin-id>/...`); add a message with
/// [`Response::flash`]. Browsers follow it after a form post (post/redirect/get).
pub fn redirect(location: impl Into<String>) -> Response {
    Response::Redirect(Redirect {
        location: location.into(),
        flash: None,
    })
}

/// A file to download.
pub fn download(
    filename: impl Into<String>,
    content_type: impl Into<String>,
    bytes: Vec<u8>,
) -> Response {
    Response::Download(Download {
        filename: filename.into(),
        content_type: content_type.into(),
        bytes,
    })
}

/// An error page (or JSON error) with `status` (400–599) and a message for the user. Every
/// write of this call is rolled back.
pub fn failure(status: u16, message: impl Into<String>) -> Response {
    Response::Failure(Failure::new(status, message))
}

/// 404 "not found".
pub fn not_found() -> Response {
    Response::Failure(Failure::not_found("not found"))
}

impl Response {
    /// Adds a one-shot message shown on the next page. Only redirects carry one: on any other
    /// response this does nothing (a view can show its message in its own context).
    pub fn flash(mut self, message: impl Into<String>) -> Self {
        if let Response::Redirect(r) = &mut self {
            r.flash = Some(message.into());
        }
        self
    }
}

impl Failure {
    /// A failure with any status; the host expects 400–599.
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        Failure {
            status,
            message: message.into(),
        }
    }

    /// 400: the request cannot be understood (malformed JSON, a bad parameter).
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, message)
    }

    /// 403: understood, but this user or plugin may not do it.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(403, message)
    }

    /// 404: the thing asked for does not exist.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(404, message)
    }

    /// 409: the write clashes with the stored state (duplicate, stale version).
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(409, message)
    }

    /// 422: well-formed input that fails validation ("title is required").
    pub fn unprocessable(message: impl Into<String>) -> Self {
        Self::new(422, message)
    }

    /// 500: the plugin or the host failed; say little, log the details.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(500, message)
    }
}

impl From<Failure> for Response {
    fn from(f: Failure) -> Self {
        Response::Failure(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::backoffice::plugin::types::Method;
    use crate::request::tests::request;

    #[test]
    fn flash_only_applies_to_redirects() {
        let r = redirect("/admin/notes/notes/index").flash("Saved");
        assert_eq!(
            r,
            Response::Redirect(Redirect {
                location: "/admin/notes/notes/index".into(),
                flash: Some("Saved".into()),
            })
        );
        assert_eq!(not_found().flash("x"), not_found());
    }

    #[test]
    fn json_or_redirect_answers_scripts_with_the_body_and_browsers_with_the_page() {
        let mut req = request(Method::Post, "notes", "create");
        let body = serde_json::json!({"note": {"id": "n1"}});
        assert_eq!(
            json_or_redirect(&req, &body, "/admin/notes/notes/index", "Note created"),
            redirect("/admin/notes/notes/index").flash("Note created")
        );
        req.wants_json = true;
        assert_eq!(
            json_or_redirect(&req, &body, "/admin/notes/notes/index", "Note created"),
            Response::Json(r#"{"note":{"id":"n1"}}"#.into())
        );
    }

    #[test]
    fn view_or_json_follows_wants_json() {
        let mut req = request(Method::Get, "notes", "index");
        let ctx = serde_json::json!({"notes": []});
        assert!(matches!(
            view_or_json(&req, "index.html", "Notes", &ctx),
            Response::View(_)
        ));
        req.wants_json = true;
        assert_eq!(
            view_or_json(&req, "index.html", "Notes", &ctx),
            Response::Json(r#"{"notes":[]}"#.into())
        );
    }
}
