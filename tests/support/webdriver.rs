//! A minimal W3C WebDriver client over `reqwest` for the one browser test: start `chromedriver`,
//! open a headless Chromium session, navigate, fill and click, run a script, take a screenshot.
//!
//! It fails loudly: a missing browser is a test failure with the install command, never a skip.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// The key W3C WebDriver uses for element references.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Panics with the fix when Chromium or its driver is not installed.
pub fn require_browser() {
    for binary in [CHROMIUM, CHROMEDRIVER] {
        assert!(
            Path::new(binary).exists(),
            "{binary} is missing: the browser test needs Chromium and its driver. \
             Install them with `.ci/install-browser` (apt-get install -y chromium chromium-driver)."
        );
    }
}

/// A running chromedriver; killed on drop.
pub struct Driver {
    child: Child,
    base: String,
    http: reqwest::Client,
    _profile: tempfile::TempDir,
    session: Option<String>,
}

impl Driver {
    /// Starts chromedriver and a headless Chromium session with a fresh profile.
    pub async fn start() -> Driver {
        require_browser();
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("finding a free port")
            .port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting chromedriver");
        let profile = tempfile::tempdir().expect("creating a browser profile directory");
        let mut driver = Driver {
            child,
            base: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::new(),
            _profile: profile,
            session: None,
        };
        driver.wait_ready().await;
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=1280,900",
            &format!("--user-data-dir={}", driver._profile.path().display()),
        ];
        let reply = driver
            .call(
                reqwest::Method::POST,
                "/session",
                Some(json!({
                    "capabilities": { "alwaysMatch": {
                        "browserName": "chrome",
                        "goog:chromeOptions": { "binary": CHROMIUM, "args": args },
                    }}
                })),
            )
            .await;
        let id = reply["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("chromedriver did not open a session: {reply}"))
            .to_owned();
        driver.session = Some(id);
        driver
    }

    async fn wait_ready(&self) {
        let this = self;
        crate::poll(
            Duration::from_secs(30),
            "chromedriver ready",
            || async move {
                let reply = this
                    .http
                    .get(format!("{}/status", this.base))
                    .send()
                    .await
                    .ok()?;
                let body = reply.json::<Value>().await.ok()?;
                (body["value"]["ready"] == json!(true)).then_some(())
            },
        )
        .await
    }

    /// One WebDriver command; panics on a WebDriver error. Returns `value`.
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let reply = request.send().await.expect("talking to chromedriver");
        let status = reply.status();
        let body: Value = reply.json().await.expect("chromedriver answers JSON");
        assert!(
            status.is_success(),
            "WebDriver {path} failed ({status}): {body}"
        );
        body["value"].clone()
    }

    fn session_path(&self, rest: &str) -> String {
        format!(
            "/session/{}{rest}",
            self.session.as_deref().expect("a session")
        )
    }

    pub async fn goto(&self, url: &str) {
        self.call(
            reqwest::Method::POST,
            &self.session_path("/url"),
            Some(json!({ "url": url })),
        )
        .await;
    }

    pub async fn current_url(&self) -> String {
        self.call(reqwest::Method::GET, &self.session_path("/url"), None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Waits (with a deadline) until the page's URL ends with `suffix`: a click that submits a
    /// form returns before the next page has loaded.
    pub async fn wait_for_url(&self, suffix: &str) {
        let this = self;
        let what = format!("a loaded page at …{suffix}");
        crate::poll(Duration::from_secs(20), &what, || async move {
            let url = this.current_url().await;
            let ready = this.script("return document.readyState").await;
            (url.ends_with(suffix) && ready == "complete").then_some(())
        })
        .await
    }

    /// Waits (with a deadline) until the page's visible text contains `text`.
    pub async fn wait_for_text(&self, text: &str) {
        let this = self;
        let what = format!("{text:?} on the page");
        crate::poll(Duration::from_secs(20), &what, || async move {
            let body = this
                .script("return document.body ? document.body.innerText : ''")
                .await;
            body.as_str()
                .is_some_and(|b| b.contains(text))
                .then_some(())
        })
        .await
    }

    /// The element matching a CSS selector; panics when there is none.
    pub async fn find(&self, css: &str) -> String {
        let value = self
            .call(
                reqwest::Method::POST,
                &self.session_path("/element"),
                Some(json!({ "using": "css selector", "value": css })),
            )
            .await;
        value[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css:?}: {value}"))
            .to_owned()
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let element = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &self.session_path(&format!("/element/{element}/value")),
            Some(json!({ "text": text })),
        )
        .await;
    }

    pub async fn click(&self, css: &str) {
        let element = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &self.session_path(&format!("/element/{element}/click")),
            Some(json!({})),
        )
        .await;
    }

    /// Runs a script in the page and returns its result.
    pub async fn script(&self, source: &str) -> Value {
        self.call(
            reqwest::Method::POST,
            &self.session_path("/execute/sync"),
            Some(json!({ "script": source, "args": [] })),
        )
        .await
    }

    /// Saves a PNG screenshot of the viewport.
    pub async fn screenshot(&self, path: &Path) {
        let encoded = self
            .call(
                reqwest::Method::GET,
                &self.session_path("/screenshot"),
                None,
            )
            .await;
        let bytes = decode_base64(encoded.as_str().expect("a base64 screenshot"));
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("creating the artifacts directory");
        }
        std::fs::write(path, bytes).expect("writing the screenshot");
    }
}

impl Drop for Driver {
    /// Ends the session (which closes Chromium) with a plain blocking request, then stops the
    /// driver: this runs on panics too, so no browser outlives its test.
    fn drop(&mut self) {
        if let Some(session) = self.session.take() {
            let address = self.base.trim_start_matches("http://").to_owned();
            if let Ok(mut stream) = std::net::TcpStream::connect(&address) {
                use std::io::{Read, Write};
                let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                let request = format!(
                    "DELETE /session/{session} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
                );
                if stream.write_all(request.as_bytes()).is_ok() {
                    let mut reply = Vec::new();
                    let _ = stream.read_to_end(&mut reply);
                }
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Where tests keep what they produce for people to look at: `<target>/test-artifacts/`.
pub fn artifacts_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let target = exe
        .parent()
        .and_then(Path::parent)
        .and_then(Path::parent)
        .expect("the target directory");
    target.join("test-artifacts")
}

fn decode_base64(text: &str) -> Vec<u8> {
    let value = |c: u8| -> Option<u32> {
        match c {
            b'A'..=b'Z' => Some(u32::from(c - b'A')),
            b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        }
    };
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for c in text.bytes().filter_map(value) {
        acc = (acc << 6) | c;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}
