//! Sign-in, sign-out, session rotation, idle and absolute expiry, sign-in throttling, cookies.

use backoffice::state::WebSettings;
use backoffice_tests::{ADMIN_EMAIL, ADMIN_PASSWORD, Browser, Reply, TestApp};

const WRONG: &str = "not-the-password-42";
const BAD_CREDENTIALS: &str = "The email or password is not correct.";
const LOCKED: &str = "Too many failed sign-in attempts";

/// The error paragraph of the sign-in page.
fn login_error(reply: &Reply) -> String {
    let start = reply
        .body
        .find("role=\"alert\">")
        .map(|i| i + "role=\"alert\">".len())
        .unwrap_or_else(|| panic!("no error on the page: {}", reply.body));
    let end = reply.body[start..].find("</p>").unwrap() + start;
    reply.body[start..end].to_owned()
}

/// True when the browser is not signed in: `/admin` sends it to the sign-in page.
async fn is_signed_out(browser: &Browser) -> bool {
    browser.get("/admin").await.redirects_to("/login")
}

/// A browser that presents `token` as its session cookie.
fn browser_with_session(app: &TestApp, token: &str) -> Browser {
    let browser = app.browser();
    browser.set_cookie("bo_session", token);
    browser
}

#[tokio::test]
async fn sign_in_opens_the_back_office_and_sign_out_closes_it() {
    let app = TestApp::start().await;
    let browser = app.browser();
    let anonymous = browser.get("/admin/acl/users/index").await;
    assert_eq!(anonymous.status, 303);
    assert_eq!(
        anonymous.location(),
        Some("/login?next=%2Fadmin%2Facl%2Fusers%2Findex")
    );

    let reply = browser.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(reply.status, 303, "{}", reply.body);
    assert_eq!(reply.location(), Some("/admin"));
    let dashboard = browser.get("/admin").await;
    assert_eq!(dashboard.status, 200);
    assert!(dashboard.body.contains("<h1>Dashboard</h1>"));
    assert_eq!(app.sessions_of(app.admin_id).await, 1);

    let out = browser.submit("/logout", &[]).await;
    assert!(out.redirects_to("/login"), "{out:?}");
    assert_eq!(browser.session(), None, "the cookie is cleared");
    assert_eq!(app.sessions_of(app.admin_id).await, 0);
    let login = browser.get("/login").await;
    assert!(
        login.body.contains("You have signed out."),
        "{}",
        login.body
    );
    assert!(is_signed_out(&browser).await);
}

#[tokio::test]
async fn wrong_password_is_refused_without_a_session() {
    let app = TestApp::start().await;
    let browser = app.browser();
    let reply = browser.sign_in(ADMIN_EMAIL, WRONG).await;
    assert_eq!(reply.status, 422);
    assert_eq!(login_error(&reply), BAD_CREDENTIALS);
    assert_eq!(browser.session(), None);
    assert_eq!(app.count("sessions").await, 0);
    assert!(is_signed_out(&browser).await);
}

#[tokio::test]
async fn sign_in_follows_only_local_next_addresses() {
    let app = TestApp::start().await;
    let cases = [
        ("/admin/acl/roles/index", "/admin/acl/roles/index"),
        ("//evil.example/", "/admin"),
        ("https://evil.example/", "/admin"),
        ("/\\evil.example", "/admin"),
        ("/admin\r\nSet-Cookie: x=1", "/admin"),
    ];
    for (next, expected) in cases {
        let browser = app.browser();
        let page = browser.get("/login").await;
        let token = page.csrf_field().unwrap();
        let reply = browser
            .post_form(
                "/login",
                &[
                    ("_csrf", &token),
                    ("email", ADMIN_EMAIL),
                    ("password", ADMIN_PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(reply.status, 303, "next={next:?}: {}", reply.body);
        assert_eq!(reply.location(), Some(expected), "next={next:?}");
        // A signed-in visitor of the sign-in page is sent on the same way.
        let query: String = reqwest::Url::parse_with_params("http://x/login", &[("next", next)])
            .unwrap()
            .query()
            .unwrap()
            .to_owned();
        let again = browser.get(&format!("/login?{query}")).await;
        assert_eq!(again.status, 303, "GET next={next:?}: {}", again.body);
        assert_eq!(again.location(), Some(expected), "GET next={next:?}");
    }
}

#[tokio::test]
async fn sign_in_rotates_session_token() {
    let app = TestApp::start().await;
    let browser = app.admin().await;
    let first = browser.session().expect("a session cookie");
    assert_eq!(first.len(), 64);

    // Signing in again from the same browser replaces the session.
    let reply = browser.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(reply.status, 303);
    let second = browser.session().expect("a session cookie");
    assert_ne!(first, second);
    assert!(is_signed_out(&browser_with_session(&app, &first)).await);
    assert_eq!(browser.get("/admin").await.status, 200);

    // Another browser gets a session of its own.
    let other = app.admin().await;
    let third = other.session().unwrap();
    assert_ne!(third, second);
    assert_eq!(app.sessions_of(app.admin_id).await, 2);
}

#[tokio::test]
async fn cookie_from_before_sign_in_is_never_promoted() {
    let app = TestApp::start().await;
    // A value an attacker planted in the victim's browser.
    let planted = "ab".repeat(32);
    let victim = app.browser();
    victim.set_cookie("bo_session", &planted);
    assert_eq!(
        victim.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await.status,
        303
    );
    let issued = victim.session().unwrap();
    assert_ne!(issued, planted);
    assert!(is_signed_out(&browser_with_session(&app, &planted)).await);

    // A real session of the attacker's own account, planted in the victim's browser, is ended
    // by the victim's sign-in rather than upgraded to the victim's identity.
    app.create_user("mallory@example.com", "mallory-password-1", &[])
        .await;
    let attacker = app
        .signed_in("mallory@example.com", "mallory-password-1")
        .await;
    let fixed = attacker.session().unwrap();
    let victim = browser_with_session(&app, &fixed);
    victim.set_csrf(&attacker.csrf());
    assert_eq!(
        victim.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await.status,
        303
    );
    assert_ne!(victim.session().unwrap(), fixed);
    assert!(is_signed_out(&attacker).await);
    let mallory = app.user_id("mallory@example.com").await.unwrap();
    assert_eq!(app.sessions_of(mallory).await, 0);
}

#[tokio::test]
async fn old_session_token_is_dead_after_sign_out() {
    let app = TestApp::start().await;
    let browser = app.admin().await;
    let token = browser.session().unwrap();
    assert_eq!(browser.submit("/logout", &[]).await.status, 303);
    let replay = browser_with_session(&app, &token);
    assert!(is_signed_out(&replay).await);
    assert_eq!(replay.get_json("/admin").await.status, 401);
}

#[tokio::test]
async fn password_change_rotates_session_and_ends_other_sessions() {
    let app = TestApp::start().await;
    let here = app.admin().await;
    let elsewhere = app.admin().await;
    let before = here.session().unwrap();
    let new_password = "a-brand-new-password-7";
    let reply = here
        .submit(
            "/account/password",
            &[
                ("current_password", ADMIN_PASSWORD),
                ("new_password", new_password),
                ("confirm_password", new_password),
            ],
        )
        .await;
    assert!(reply.redirects_to("/account"), "{reply:?}");
    let after = here.session().expect("a new session cookie");
    assert_ne!(before, after);
    assert_eq!(
        here.get("/admin").await.status,
        200,
        "this browser stays in"
    );
    assert!(is_signed_out(&elsewhere).await, "other sessions end");
    assert!(is_signed_out(&browser_with_session(&app, &before)).await);
    assert_eq!(app.sessions_of(app.admin_id).await, 1);

    assert_eq!(
        app.browser()
            .sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)
            .await
            .status,
        422
    );
    assert_eq!(
        app.browser()
            .sign_in(ADMIN_EMAIL, new_password)
            .await
            .status,
        303
    );
}

#[tokio::test]
async fn idle_session_expires_after_thirty_minutes() {
    let app = TestApp::start().await;
    let browser = app.admin().await;
    // Activity keeps the session alive well past 30 minutes in total.
    for _ in 0..3 {
        app.advance(29 * 60);
        assert_eq!(browser.get("/admin").await.status, 200);
    }
    app.advance(31 * 60);
    let reply = browser.get("/admin/acl/users/index").await;
    assert_eq!(reply.status, 303);
    assert_eq!(
        reply.location(),
        Some("/login?next=%2Fadmin%2Facl%2Fusers%2Findex")
    );
    assert_eq!(browser.session(), None, "the dead cookie is cleared");
    let login = browser.get(reply.location().unwrap()).await;
    assert_eq!(login.status, 200);
    assert!(
        login
            .body
            .contains("Your session has expired. Please sign in again."),
        "{}",
        login.body
    );
    assert_eq!(app.sessions_of(app.admin_id).await, 0);
}

#[tokio::test]
async fn expired_session_answers_json_clients_with_401() {
    let app = TestApp::start().await;
    let browser = app.admin().await;
    app.advance(31 * 60);
    let reply = browser.get_json("/admin").await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.json()["status"], 401);
}

#[tokio::test]
async fn absolute_session_lifetime_is_twelve_hours_despite_activity() {
    let app = TestApp::start().await;
    let browser = app.admin().await;
    // A request every 10 minutes for exactly 12 hours: still signed in.
    for step in 1..=72 {
        app.advance(10 * 60);
        let reply = browser.get("/admin").await;
        assert_eq!(reply.status, 200, "after {} minutes", step * 10);
    }
    app.advance(10 * 60);
    let reply = browser.get("/admin").await;
    assert!(reply.redirects_to("/login"), "{reply:?}");
    let login = browser.get(reply.location().unwrap()).await;
    assert!(login.body.contains("Your session has expired."));
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_account_from_that_address_even_for_the_right_password() {
    let app = TestApp::start().await;
    for attempt in 1..=5 {
        let reply = app.browser().sign_in(ADMIN_EMAIL, WRONG).await;
        assert_eq!(reply.status, 422, "attempt {attempt}");
    }
    let browser = app.browser();
    let reply = browser.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(reply.status, 429);
    assert!(login_error(&reply).starts_with(LOCKED));
    assert_eq!(browser.session(), None);
    assert_eq!(app.count("sessions").await, 0);
    // The email is matched case-insensitively, as sign-in matches it.
    let shouted = app
        .browser()
        .sign_in("ADMIN@example.com", ADMIN_PASSWORD)
        .await;
    assert_eq!(shouted.status, 429);
}

#[tokio::test]
async fn unknown_email_is_refused_exactly_like_a_wrong_password() {
    let app = TestApp::start().await;
    let unknown = "nobody@example.com";
    for attempt in 1..=6 {
        let known = app.browser().sign_in(ADMIN_EMAIL, WRONG).await;
        let stranger = app.browser().sign_in(unknown, WRONG).await;
        assert_eq!(known.status, stranger.status, "attempt {attempt}");
        assert_eq!(
            login_error(&known),
            login_error(&stranger),
            "attempt {attempt}"
        );
        let expected = if attempt <= 5 { 422 } else { 429 };
        assert_eq!(known.status, expected, "attempt {attempt}");
    }
    // Scripts see identical JSON bodies too.
    let json = |email: &'static str| {
        let app = &app;
        async move {
            let browser = app.browser();
            let token = browser.get("/login").await.csrf_field().unwrap();
            browser
                .send(
                    browser
                        .request(reqwest::Method::POST, "/login")
                        .header("accept", "application/json")
                        .form(&[
                            ("_csrf", token.as_str()),
                            ("email", email),
                            ("password", WRONG),
                        ]),
                )
                .await
        }
    };
    let (known, stranger) = (json(ADMIN_EMAIL).await, json(unknown).await);
    assert_eq!(known.status, 429);
    assert_eq!(known.body, stranger.body);
}

#[tokio::test]
async fn account_lock_lifts_after_the_window() {
    let app = TestApp::start().await;
    for _ in 0..5 {
        app.browser().sign_in(ADMIN_EMAIL, WRONG).await;
    }
    assert_eq!(
        app.browser()
            .sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)
            .await
            .status,
        429
    );
    app.advance(14 * 60);
    assert_eq!(
        app.browser()
            .sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)
            .await
            .status,
        429
    );
    app.advance(60 + 1);
    let reply = app.browser().sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(reply.status, 303, "{}", reply.body);
}

#[tokio::test]
async fn twenty_failures_from_one_address_lock_every_account() {
    let app = TestApp::start().await;
    let other = "clerk@example.com";
    let other_password = "clerk-password-123";
    app.create_user(other, other_password, &[]).await;
    for i in 0..19 {
        let reply = app
            .browser()
            .sign_in(&format!("guess{i}@example.com"), WRONG)
            .await;
        assert_eq!(reply.status, 422, "failure {i}");
    }
    // 19 failures from this address: still open.
    assert_eq!(
        app.browser().sign_in(other, other_password).await.status,
        303
    );
    assert_eq!(
        app.browser()
            .sign_in("guess19@example.com", WRONG)
            .await
            .status,
        422
    );
    // The 20th failure closed the address for every account, with the lock message.
    for (email, password) in [(ADMIN_EMAIL, ADMIN_PASSWORD), (other, other_password)] {
        let reply = app.browser().sign_in(email, password).await;
        assert_eq!(reply.status, 429, "{email}");
        assert!(login_error(&reply).starts_with(LOCKED));
    }
    app.advance(15 * 60 + 1);
    assert_eq!(
        app.browser()
            .sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)
            .await
            .status,
        303
    );
}

#[tokio::test]
async fn session_cookie_is_http_only_and_same_site() {
    let app = TestApp::start().await;
    let browser = app.browser();
    let reply = browser.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let cookie = reply
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("bo_session="))
        .expect("a session cookie");
    assert!(cookie.contains("; HttpOnly"), "{cookie}");
    assert!(cookie.contains("; SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("; Path=/"), "{cookie}");
    assert!(
        !cookie.contains("Max-Age"),
        "a browser-session cookie: {cookie}"
    );
}

#[tokio::test]
async fn behind_tls_cookies_are_secure_and_host_prefixed() {
    let settings = WebSettings {
        behind_tls: true,
        ..WebSettings::default()
    };
    let app = TestApp::start_with(settings).await;
    let page = app.browser().get("/login").await;
    let cookie = page
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("__Host-bo_form="))
        .expect("the sign-in form cookie");
    assert!(cookie.contains("; Secure"), "{cookie}");
    assert!(cookie.contains("; Path=/"), "{cookie}");
}

#[tokio::test]
async fn every_response_carries_security_headers() {
    let app = TestApp::start().await;
    for path in ["/login", "/healthz", "/admin", "/nowhere"] {
        let reply = app.browser().get(path).await;
        let header = |name: &str| {
            reply
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned()
        };
        assert_eq!(header("x-frame-options"), "DENY", "{path}");
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert!(
            header("content-security-policy").contains("default-src 'self'"),
            "{path}"
        );
        assert_eq!(header("cache-control"), "no-store", "{path}");
    }
}

/// Scripts run only with the response's own nonce: not from the origin at large (a plugin's
/// answer), not inline, and the nonce of one response is useless for the next.
#[tokio::test]
async fn scripts_need_a_nonce_new_for_every_response() {
    let app = TestApp::start().await;
    let nonce = |reply: &backoffice_tests::Reply| {
        let csp = reply.headers["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        let script_src = csp
            .split(';')
            .map(str::trim)
            .find(|d| d.starts_with("script-src"))
            .unwrap_or_else(|| panic!("{csp}"))
            .to_owned();
        assert!(!script_src.contains("'self'"), "{script_src}");
        let nonce = script_src
            .strip_prefix("script-src 'nonce-")
            .and_then(|s| s.strip_suffix('\''))
            .unwrap_or_else(|| panic!("{script_src}"))
            .to_owned();
        assert_eq!(nonce.len(), 32, "{nonce}");
        nonce
    };
    let first = nonce(&app.browser().get("/login").await);
    let second = nonce(&app.browser().get("/login").await);
    assert_ne!(first, second);
}

/// A sign-in attempt from a client without a cookie jar that claims to be `forwarded_for`
/// (`X-Forwarded-For`), carrying the form cookie by hand (behind TLS it is `Secure`, which a
/// jar would not send over plain HTTP).
async fn sign_in_via_proxy(
    app: &TestApp,
    forwarded_for: &str,
    email: &str,
    password: &str,
) -> Reply {
    let browser = app.browser();
    let page = browser.get("/login").await;
    let token = page.csrf_field().unwrap();
    let cookie = page
        .set_cookies()
        .into_iter()
        .find(|c| c.contains("bo_form="))
        .and_then(|c| c.split(';').next().map(str::to_owned))
        .expect("the sign-in form cookie");
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = client
        .post(browser.url("/login"))
        .header("cookie", cookie)
        .header("x-forwarded-for", forwarded_for)
        .form(&[
            ("_csrf", token.as_str()),
            ("email", email),
            ("password", password),
        ])
        .send()
        .await
        .unwrap();
    Reply {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body: response.text().await.unwrap(),
    }
}

#[tokio::test]
async fn behind_a_proxy_the_client_address_comes_from_x_forwarded_for() {
    // The test client connects from 127.0.0.1: it plays the trusted proxy.
    let settings = WebSettings {
        behind_tls: true,
        trusted_proxies: "127.0.0.1, 10.0.0.0/8".parse().unwrap(),
        ..WebSettings::default()
    };
    let app = TestApp::start_with(settings).await;
    let attacker = "203.0.113.7";
    // The attacker wrote a first hop of its own; the proxies appended the real ones.
    let spoofed = format!("198.51.100.2, {attacker}, 10.0.0.1");
    let reply = sign_in_via_proxy(&app, &spoofed, ADMIN_EMAIL, WRONG).await;
    assert_eq!(reply.status, 422);
    assert_eq!(app.audit().await[0].ip, attacker);
    for i in 1..20 {
        let email = format!("guess{i}@example.com");
        assert_eq!(
            sign_in_via_proxy(&app, attacker, &email, WRONG)
                .await
                .status,
            422
        );
    }
    // The attacker's address is locked; the shop owner's is not.
    let locked = sign_in_via_proxy(&app, attacker, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(locked.status, 429);
    let owner = sign_in_via_proxy(&app, "198.51.100.2", ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(owner.status, 303, "{}", owner.body);
    assert!(
        owner
            .set_cookies()
            .iter()
            .any(|c| c.starts_with("__Host-bo_session=") && c.contains("; Secure"))
    );
    let row = app.audit_of("auth.sign-in").await.pop().unwrap();
    assert_eq!(row.ip, "198.51.100.2");
}

/// Without trusted proxies `X-Forwarded-For` is ignored, also behind TLS (the two are separate
/// settings).
#[tokio::test]
async fn without_a_proxy_x_forwarded_for_is_ignored() {
    let settings = WebSettings {
        behind_tls: true,
        ..WebSettings::default()
    };
    let app = TestApp::start_with(settings).await;
    // Rotating the claimed address does not escape the per-address limit.
    for i in 0..20 {
        let forged = format!("192.0.2.{i}");
        let email = format!("guess{i}@example.com");
        assert_eq!(
            sign_in_via_proxy(&app, &forged, &email, WRONG).await.status,
            422
        );
    }
    let reply = sign_in_via_proxy(&app, "192.0.2.200", ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(reply.status, 429);
    assert!(app.audit().await.iter().all(|r| r.ip == "127.0.0.1"));
}

#[tokio::test]
async fn parallel_wrong_passwords_get_no_more_guesses_than_the_limit() {
    let app = TestApp::start().await;
    // Each attacker has its form token ready, then all submit at once.
    let mut attackers = Vec::new();
    for i in 0..12 {
        let browser = app.browser();
        let token = browser.get("/login").await.csrf_field().unwrap();
        attackers.push((i, browser, token));
    }
    let mut attempts = tokio::task::JoinSet::new();
    for (i, browser, token) in attackers {
        attempts.spawn(async move {
            let password = format!("guess-number-{i}");
            let fields = [
                ("_csrf", token.as_str()),
                ("email", ADMIN_EMAIL),
                ("password", password.as_str()),
            ];
            browser.post_form("/login", &fields).await.status
        });
    }
    let statuses = attempts.join_all().await;
    let checked = statuses.iter().filter(|s| **s == 422).count();
    let locked = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!((checked, locked), (5, 7), "{statuses:?}");
    assert_eq!(
        app.browser()
            .sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)
            .await
            .status,
        429
    );
}

/// Lockout cannot be used to keep someone out: an attacker's wrong passwords lock the account
/// from the attacker's address, not from the owner's (docs/security.md, *Lockout policy*).
#[tokio::test]
async fn someone_elses_failures_do_not_lock_the_owner_out() {
    let settings = WebSettings {
        trusted_proxies: "127.0.0.1".parse().unwrap(),
        ..WebSettings::default()
    };
    let app = TestApp::start_with(settings).await;
    let attacker = "203.0.113.9";
    for _ in 0..5 {
        let reply = sign_in_via_proxy(&app, attacker, ADMIN_EMAIL, WRONG).await;
        assert_eq!(reply.status, 422);
    }
    let locked = sign_in_via_proxy(&app, attacker, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(locked.status, 429, "the attacker's address is slowed down");
    let owner = sign_in_via_proxy(&app, "198.51.100.20", ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(owner.status, 303, "{}", owner.body);
}

/// A client that dribbles its headers (slowloris) is cut off after the header timeout instead
/// of holding the connection for as long as it likes.
#[tokio::test]
async fn a_client_too_slow_with_its_headers_is_cut_off() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let settings = WebSettings {
        timeouts: backoffice::server::Timeouts {
            headers: std::time::Duration::from_millis(500),
            ..Default::default()
        },
        ..WebSettings::default()
    };
    let app = TestApp::start_with(settings).await;
    let mut slow = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    // Headers begun, never finished.
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: shop\r\nX-Slow: 1")
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        slow.read_to_end(&mut rest),
    )
    .await;
    assert!(closed.is_ok(), "the connection was still open after 10 s");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "cut off after {:?}",
        started.elapsed()
    );
    // Everyone else is served as usual.
    assert_eq!(app.browser().get("/healthz").await.status, 200);
}
