//! A scripted browser: a cookie jar, no redirect following (tests look at every 303), and the
//! CSRF token of the current page remembered the way a real form would carry it.

use std::sync::{Arc, Mutex};

use reqwest::cookie::{CookieStore, Jar};
use reqwest::header::{self, HeaderMap};
use reqwest::{Method, RequestBuilder, Url};

use crate::multipart::Multipart;

/// What came back from one request, read completely.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    /// The `Location` header of a redirect.
    pub fn location(&self) -> Option<&str> {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
    }

    /// Every `Set-Cookie` header, as sent.
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect()
    }

    /// The body as JSON; panics with the body when it is not.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| {
            panic!(
                "expected JSON ({e}), got {}: {}",
                self.status,
                excerpt(&self.body)
            )
        })
    }

    /// The body with minijinja's HTML escapes decoded, for matching visible text and hrefs.
    pub fn text(&self) -> String {
        unescape(&self.body)
    }

    /// The `_csrf` hidden field of the page, if it has a form.
    pub fn csrf_field(&self) -> Option<String> {
        hidden_field(&self.body, "_csrf")
    }

    /// True for a 3xx whose `Location` is `path` (ignoring the query).
    pub fn redirects_to(&self, path: &str) -> bool {
        (300..400).contains(&self.status)
            && self
                .location()
                .is_some_and(|l| l.split('?').next() == Some(path))
    }
}

/// The value of `<input type="hidden" name="NAME" value="...">` in an HTML page.
pub fn hidden_field(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}

/// Decodes the entities minijinja's HTML escaping produces.
pub fn unescape(html: &str) -> String {
    html.replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The first 600 characters of a body, for assertion messages.
pub fn excerpt(body: &str) -> String {
    body.chars().take(600).collect()
}

pub struct Browser {
    client: reqwest::Client,
    jar: Arc<Jar>,
    base: String,
    csrf: Mutex<Option<String>>,
}

impl Browser {
    pub fn new(base: String) -> Browser {
        let jar = Arc::new(Jar::default());
        let client = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("building the HTTP client");
        Browser {
            client,
            jar,
            base,
            csrf: Mutex::new(None),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A request builder for `path`; finish it with [`send`](Self::send).
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, self.url(path))
    }

    pub async fn send(&self, request: RequestBuilder) -> Reply {
        let response = request.send().await.expect("sending a request");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.text().await.expect("reading a response body");
        Reply {
            status,
            headers,
            body,
        }
    }

    /// GET as a browser would (asking for HTML).
    pub async fn get(&self, path: &str) -> Reply {
        self.send(
            self.request(Method::GET, path)
                .header(header::ACCEPT, "text/html"),
        )
        .await
    }

    /// GET asking for JSON.
    pub async fn get_json(&self, path: &str) -> Reply {
        self.send(
            self.request(Method::GET, path)
                .header(header::ACCEPT, "application/json"),
        )
        .await
    }

    /// POST a urlencoded form exactly as given (no CSRF token added).
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Reply {
        self.send(
            self.request(Method::POST, path)
                .header(header::ACCEPT, "text/html")
                .form(fields),
        )
        .await
    }

    /// POST a urlencoded form with the remembered CSRF token, as the page's form would.
    pub async fn submit(&self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let token = self.csrf();
        let mut all: Vec<(&str, &str)> = vec![("_csrf", &token)];
        all.extend_from_slice(fields);
        self.post_form(path, &all).await
    }

    /// POST a JSON body asking for JSON, with the CSRF token in the header (a page's script).
    pub async fn submit_json(&self, path: &str, body: &serde_json::Value) -> Reply {
        self.send(
            self.request(Method::POST, path)
                .header(header::ACCEPT, "application/json")
                .header("x-csrf-token", self.csrf())
                .json(body),
        )
        .await
    }

    /// POST raw bytes with a content type, the CSRF header, asking for JSON.
    pub async fn submit_raw(&self, path: &str, content_type: &str, body: Vec<u8>) -> Reply {
        self.submit_raw_as("application/json", path, content_type, body)
            .await
    }

    /// POST raw bytes with a content type and the CSRF header, asking for `accept`.
    pub async fn submit_raw_as(
        &self,
        accept: &str,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Reply {
        self.send(
            self.request(Method::POST, path)
                .header(header::ACCEPT, accept)
                .header(header::CONTENT_TYPE, content_type)
                .header("x-csrf-token", self.csrf())
                .body(body),
        )
        .await
    }

    /// Uploads a file as the Plugins page's form does: multipart body, CSRF token in the action
    /// URL, asking for `accept`.
    pub async fn upload(
        &self,
        path: &str,
        field: &str,
        filename: &str,
        bytes: &[u8],
        accept: &str,
    ) -> Reply {
        let form = Multipart::new().file(field, filename, "application/wasm", bytes);
        let separator = if path.contains('?') { '&' } else { '?' };
        let url = format!("{path}{separator}_csrf={}", self.csrf());
        self.post_multipart(&url, form, accept).await
    }

    /// POST a multipart form exactly as given (no CSRF token added), asking for `accept`.
    pub async fn post_multipart(&self, path: &str, form: Multipart, accept: &str) -> Reply {
        self.send(
            self.request(Method::POST, path)
                .header(header::ACCEPT, accept)
                .header(header::CONTENT_TYPE, Multipart::content_type())
                .body(form.finish()),
        )
        .await
    }

    /// Opens the sign-in page, submits the form, and on success loads the new session's CSRF
    /// token. Returns the reply to the form submission.
    pub async fn sign_in(&self, email: &str, password: &str) -> Reply {
        let page = self.get("/login").await;
        let token = match page.status {
            200 => page
                .csrf_field()
                .expect("the sign-in page has a CSRF field"),
            // Already signed in: the form posts with the session's token.
            303 => self.csrf(),
            other => panic!("GET /login answered {other}: {}", excerpt(&page.body)),
        };
        let reply = self
            .post_form(
                "/login",
                &[("_csrf", &token), ("email", email), ("password", password)],
            )
            .await;
        if reply.status == 303 {
            self.refresh_csrf().await;
        }
        reply
    }

    /// Reads the current session's CSRF token from the account page and remembers it.
    pub async fn refresh_csrf(&self) -> String {
        let page = self.get("/account").await;
        assert_eq!(page.status, 200, "GET /account: {}", excerpt(&page.body));
        let token = page.csrf_field().expect("the account page has forms");
        *self.csrf.lock().unwrap() = Some(token.clone());
        token
    }

    /// The remembered CSRF token (empty when none was loaded).
    pub fn csrf(&self) -> String {
        self.csrf.lock().unwrap().clone().unwrap_or_default()
    }

    pub fn set_csrf(&self, token: &str) {
        *self.csrf.lock().unwrap() = Some(token.to_owned());
    }

    /// The value of a cookie the jar would send.
    pub fn cookie(&self, name: &str) -> Option<String> {
        let url: Url = self.base.parse().expect("base URL");
        let header = self.jar.cookies(&url)?;
        header
            .to_str()
            .ok()?
            .split(';')
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_owned())
    }

    /// The session cookie the jar holds.
    pub fn session(&self) -> Option<String> {
        self.cookie("bo_session")
    }

    /// Puts a cookie in the jar, as if the server (or an attacker) had set it.
    pub fn set_cookie(&self, name: &str, value: &str) {
        let url: Url = self.base.parse().expect("base URL");
        self.jar
            .add_cookie_str(&format!("{name}={value}; Path=/"), &url);
    }
}
