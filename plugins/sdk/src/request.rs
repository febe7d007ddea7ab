//! Reading a request: query string, form fields and JSON body.
//!
//! `Request` is the generated WIT record itself (`backoffice:plugin/plugin.request`); this module
//! only adds accessors. Parsing failures become a [`Failure`] with status 400, so a handler can
//! use `?` and the user sees why their input was refused. Nothing here talks to the host.

use serde::de::DeserializeOwned;

use crate::bindings::backoffice::plugin::types::{Method, Pair};
use crate::response::Failure;

pub use crate::bindings::exports::backoffice::plugin::plugin::Request;

fn first<'a>(pairs: &'a [Pair], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|p| p.name == name)
        .map(|p| p.value.as_str())
}

impl Request {
    /// The first query-string value named `name` (`?page=2` → `req.query("page")`).
    pub fn query(&self, name: &str) -> Option<&str> {
        first(&self.query, name)
    }

    /// Every query-string value named `name`, in order (`?tag=a&tag=b`).
    pub fn query_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.query
            .iter()
            .filter(move |p| p.name == name)
            .map(|p| p.value.as_str())
    }

    /// The first urlencoded form field named `name`. The host has already checked and removed
    /// the CSRF field.
    pub fn form(&self, name: &str) -> Option<&str> {
        first(&self.form, name)
    }

    /// Every form value named `name`, in order (checkbox groups, multi-selects).
    pub fn form_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.form
            .iter()
            .filter(move |p| p.name == name)
            .map(|p| p.value.as_str())
    }

    /// A parameter wherever the client put it: the query string, then the form, then a
    /// top-level string or number of the JSON body. Handy for ids that a link sends as
    /// `?id=…`, a form as a hidden field and a script in its JSON.
    pub fn param(&self, name: &str) -> Option<String> {
        if let Some(v) = self.query(name).or_else(|| self.form(name)) {
            return Some(v.to_owned());
        }
        let body: serde_json::Value = serde_json::from_str(self.body.as_deref()?).ok()?;
        match body.get(name)? {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    /// The JSON body decoded as `T`. 400 when there is no body or it does not fit `T`.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Failure> {
        let body = self
            .body
            .as_deref()
            .ok_or_else(|| Failure::bad_request("a JSON body is required"))?;
        serde_json::from_str(body)
            .map_err(|e| Failure::bad_request(format!("invalid JSON body: {e}")))
    }

    /// The form fields decoded as `T` (through `serde_urlencoded`, so numbers and booleans are
    /// parsed from their text). 400 when they do not fit `T`.
    pub fn form_as<T: DeserializeOwned>(&self) -> Result<T, Failure> {
        let pairs: Vec<(&str, &str)> = self
            .form
            .iter()
            .map(|p| (p.name.as_str(), p.value.as_str()))
            .collect();
        let encoded = serde_urlencoded::to_string(pairs)
            .map_err(|e| Failure::bad_request(format!("invalid form: {e}")))?;
        serde_urlencoded::from_str(&encoded)
            .map_err(|e| Failure::bad_request(format!("invalid form: {e}")))
    }

    /// The input of a write action as `T`: the JSON body when the client sent one, else the
    /// form. Lets one handler serve both the HTML form and scripts.
    pub fn input<T: DeserializeOwned>(&self) -> Result<T, Failure> {
        if self.body.is_some() {
            self.json()
        } else {
            self.form_as()
        }
    }

    /// True for `GET` (the read-only method: show a page or a form).
    pub fn is_get(&self) -> bool {
        self.method == Method::Get
    }

    /// True for `POST`, `PUT`, `PATCH` and `DELETE`: the methods that may write.
    pub fn is_write(&self) -> bool {
        !self.is_get()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::bindings::backoffice::plugin::types::Surface;

    pub(crate) fn request(method: Method, controller: &str, action: &str) -> Request {
        Request {
            surface: Surface::Admin,
            method,
            path: format!("/{controller}/{action}"),
            controller: controller.into(),
            action: action.into(),
            query: vec![],
            form: vec![],
            body: None,
            wants_json: false,
        }
    }

    fn pair(name: &str, value: &str) -> Pair {
        Pair {
            name: name.into(),
            value: value.into(),
        }
    }

    #[test]
    fn query_and_form_return_the_first_value() {
        let mut req = request(Method::Post, "notes", "create");
        req.query = vec![pair("page", "2"), pair("page", "3")];
        req.form = vec![pair("title", "a"), pair("tag", "x"), pair("tag", "y")];
        assert_eq!(req.query("page"), Some("2"));
        assert_eq!(req.query("missing"), None);
        assert_eq!(req.form("title"), Some("a"));
        assert_eq!(req.form_all("tag").collect::<Vec<_>>(), ["x", "y"]);
    }

    #[test]
    fn param_looks_in_query_then_form_then_json() {
        let mut req = request(Method::Post, "notes", "edit");
        req.body = Some(r#"{"id": "j", "n": 7}"#.into());
        assert_eq!(req.param("id").as_deref(), Some("j"));
        assert_eq!(req.param("n").as_deref(), Some("7"));
        req.form = vec![pair("id", "f")];
        assert_eq!(req.param("id").as_deref(), Some("f"));
        req.query = vec![pair("id", "q")];
        assert_eq!(req.param("id").as_deref(), Some("q"));
    }

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Input {
        title: String,
        #[serde(default)]
        pinned: bool,
    }

    #[test]
    fn input_reads_json_or_form() {
        let mut req = request(Method::Post, "notes", "create");
        req.form = vec![pair("title", "from form"), pair("pinned", "true")];
        let form: Input = req.input().unwrap();
        assert_eq!(
            form,
            Input {
                title: "from form".into(),
                pinned: true
            }
        );
        req.body = Some(r#"{"title": "from json"}"#.into());
        let body: Input = req.input().unwrap();
        assert_eq!(body.title, "from json");
    }

    #[test]
    fn bad_json_is_a_400() {
        let mut req = request(Method::Post, "notes", "create");
        assert_eq!(req.json::<Input>().unwrap_err().status, 400);
        req.body = Some("{".into());
        let err = req.json::<Input>().unwrap_err();
        assert_eq!(err.status, 400);
        assert!(err.message.starts_with("invalid JSON body"));
    }
}
