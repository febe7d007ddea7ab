//! The customer realm: registration, sign-in, throttling, sign-out, password reset, and the
//! separation of customer and admin sessions.

use backoffice_tests::{ADMIN_EMAIL, ADMIN_PASSWORD, Browser, Reply, TestApp, logs, outbox};

const PASSWORD: &str = "customer-password-01";

/// Opens a storefront form page and returns its CSRF token.
async fn form_token(browser: &Browser, path: &str) -> String {
    let page = browser.get(path).await;
    assert_eq!(page.status, 200, "GET {path}: {}", page.body);
    page.csrf_field()
        .unwrap_or_else(|| panic!("{path} has no CSRF field"))
}

async fn register(browser: &Browser, email: &str, password: &str) -> Reply {
    let token = form_token(browser, "/customer/register").await;
    browser
        .post_form(
            "/customer/register",
            &[
                ("_csrf", &token),
                ("email", email),
                ("password", password),
                ("confirm_password", password),
            ],
        )
        .await
}

async fn sign_in(browser: &Browser, email: &str, password: &str) -> Reply {
    let token = form_token(browser, "/customer/login").await;
    browser
        .post_form(
            "/customer/login",
            &[("_csrf", &token), ("email", email), ("password", password)],
        )
        .await
}

async fn is_customer(browser: &Browser) -> bool {
    browser.get("/customer/account").await.status == 200
}

#[tokio::test]
async fn register_opens_the_account_and_sign_out_closes_it() {
    let app = TestApp::start().await;
    let browser = app.browser();
    let anonymous = browser.get("/customer/account").await;
    assert_eq!(anonymous.status, 303);
    assert_eq!(
        anonymous.location(),
        Some("/customer/login?next=%2Fcustomer%2Faccount")
    );

    let reply = register(&browser, "Ann@Example.com", PASSWORD).await;
    assert!(reply.redirects_to("/customer/account"), "{reply:?}");
    assert!(browser.cookie("bo_customer").is_some());
    assert_eq!(browser.session(), None, "no admin session");
    let account = browser.get("/customer/account").await;
    assert_eq!(account.status, 200);
    assert!(
        account.text().contains("ann@example.com"),
        "{}",
        account.body
    );
    assert!(account.text().contains("Your account has been created"));

    let hash: String = sqlx::query_scalar(
        "SELECT password_hash FROM customers_auth WHERE email = 'ann@example.com'",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );

    let token = account.csrf_field().unwrap();
    let out = browser
        .post_form("/customer/logout", &[("_csrf", &token)])
        .await;
    assert!(out.redirects_to("/"), "{out:?}");
    assert_eq!(browser.cookie("bo_customer"), None);
    assert!(!is_customer(&browser).await);

    let again = sign_in(&browser, "ann@example.com", PASSWORD).await;
    assert!(again.redirects_to("/customer/account"), "{again:?}");
    assert!(is_customer(&browser).await);
}

#[tokio::test]
async fn registration_checks_email_password_and_duplicates() {
    let app = TestApp::start().await;
    let browser = app.browser();
    let short = register(&browser, "bob@example.com", "short").await;
    assert_eq!(short.status, 422);
    assert!(
        short.text().contains("at least 12 characters"),
        "{}",
        short.body
    );
    let token = form_token(&browser, "/customer/register").await;
    let mismatch = browser
        .post_form(
            "/customer/register",
            &[
                ("_csrf", &token),
                ("email", "bob@example.com"),
                ("password", PASSWORD),
                ("confirm_password", "something-else-000"),
            ],
        )
        .await;
    assert_eq!(mismatch.status, 422);
    assert_eq!(app.count("customers_auth").await, 0);

    assert_eq!(
        register(&browser, "bob@example.com", PASSWORD).await.status,
        303
    );
    let other = app.browser();
    let duplicate = register(&other, "BOB@example.com", PASSWORD).await;
    assert_eq!(duplicate.status, 409);
    assert!(duplicate.text().contains("already exists"));
    assert_eq!(app.count("customers_auth").await, 1);
}

#[tokio::test]
async fn customer_forms_need_their_csrf_token() {
    let app = TestApp::start().await;
    let browser = app.browser();
    let reply = browser
        .post_form(
            "/customer/register",
            &[
                ("email", "eve@example.com"),
                ("password", PASSWORD),
                ("confirm_password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(reply.status, 403);
    assert_eq!(app.count("customers_auth").await, 0);
}

#[tokio::test]
async fn wrong_passwords_lock_the_customer_account_but_not_the_admin_realm() {
    let app = TestApp::start().await;
    register(&app.browser(), ADMIN_EMAIL, PASSWORD).await;
    let browser = app.browser();
    for _ in 0..5 {
        let reply = sign_in(&browser, ADMIN_EMAIL, "wrong-password-000").await;
        assert_eq!(reply.status, 422, "{}", reply.body);
        assert!(
            reply
                .text()
                .contains("The email or password is not correct.")
        );
    }
    let locked = sign_in(&browser, ADMIN_EMAIL, PASSWORD).await;
    assert_eq!(
        locked.status, 429,
        "the right password is refused while locked"
    );
    assert!(locked.text().contains("Too many failed sign-in attempts"));
    assert!(!is_customer(&browser).await);
    // The same email in the admin realm has its own counters.
    let admin = app.browser();
    assert_eq!(admin.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await.status, 303);
    // After the window the customer may try again.
    app.advance(15 * 60 + 1);
    assert_eq!(sign_in(&browser, ADMIN_EMAIL, PASSWORD).await.status, 303);
}

#[tokio::test]
async fn admin_and_customer_sessions_never_stand_in_for_each_other() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    assert!(
        !is_customer(&admin).await,
        "an admin session is not a customer"
    );
    assert!(
        admin
            .get("/customer/account")
            .await
            .redirects_to("/customer/login")
    );

    let customer = app.browser();
    register(&customer, "carol@example.com", PASSWORD).await;
    assert!(customer.get("/admin").await.redirects_to("/login"));
    assert!(customer.get("/account").await.redirects_to("/login"));

    // A customer token presented as the admin cookie, and the other way round.
    let token = customer.cookie("bo_customer").unwrap();
    let forged = app.browser();
    forged.set_cookie("bo_session", &token);
    assert!(forged.get("/admin").await.redirects_to("/login"));
    let admin_token = admin.session().unwrap();
    let forged = app.browser();
    forged.set_cookie("bo_customer", &admin_token);
    assert!(!is_customer(&forged).await);

    // Both at once in one browser: each area sees its own.
    admin.set_cookie("bo_customer", &token);
    assert_eq!(admin.get("/admin").await.status, 200);
    let account = admin.get("/customer/account").await;
    assert_eq!(account.status, 200);
    assert!(account.text().contains("carol@example.com"));
}

/// The token of the newest reset link mailed to `email` (read on the Outgoing mail page).
async fn mailed_reset_token(app: &TestApp, email: &str) -> String {
    let mails = outbox::mails_to(&app.admin().await, email).await;
    let mail = mails
        .iter()
        .find(|m| m["template"] == "mail/password-reset")
        .unwrap_or_else(|| panic!("no reset link mailed to {email}"));
    outbox::link_token(mail)
}

async fn request_reset(browser: &Browser, email: &str) -> Reply {
    let token = form_token(browser, "/customer/password-reset").await;
    browser
        .post_form(
            "/customer/password-reset",
            &[("_csrf", &token), ("email", email)],
        )
        .await
}

async fn confirm_reset(browser: &Browser, token: &str, password: &str) -> Reply {
    let csrf = form_token(browser, "/customer/password-reset").await;
    browser
        .post_form(
            "/customer/password-reset/confirm",
            &[
                ("_csrf", &csrf),
                ("token", token),
                ("password", password),
                ("confirm_password", password),
            ],
        )
        .await
}

#[tokio::test]
async fn password_reset_works_once_within_an_hour() {
    logs::capture();
    let app = TestApp::start().await;
    let email = "dave-reset@example.com";
    let signed_in = app.browser();
    register(&signed_in, email, PASSWORD).await;

    let browser = app.browser();
    let unknown = request_reset(&browser, "nobody-reset@example.com").await;
    let known = request_reset(&browser, email).await;
    assert_eq!(unknown.status, 200);
    assert_eq!(known.status, 200);
    assert_eq!(
        unknown.text().replace("nobody-reset@example.com", "X"),
        known.text().replace(email, "X"),
        "the reply does not tell whether the account exists"
    );
    assert!(
        outbox::mails_to(&app.admin().await, "nobody-reset@example.com")
            .await
            .is_empty()
    );
    let token = mailed_reset_token(&app, email).await;
    assert_eq!(token.len(), 64);
    assert!(
        logs::lines_with(&token).is_empty(),
        "the reset link is mailed, never logged"
    );
    let stored: String = sqlx::query_scalar("SELECT token_hash FROM customer_password_resets")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_ne!(stored, token, "only a digest is stored");

    let form = browser
        .get(&format!("/customer/password-reset/confirm?token={token}"))
        .await;
    assert_eq!(form.status, 200, "{}", form.body);
    let new_password = "brand-new-password-02";
    let done = confirm_reset(&browser, &token, new_password).await;
    assert!(done.redirects_to("/customer/login"), "{done:?}");
    assert!(
        !is_customer(&signed_in).await,
        "sessions end with the reset"
    );
    assert_eq!(sign_in(&app.browser(), email, PASSWORD).await.status, 422);
    assert_eq!(
        sign_in(&app.browser(), email, new_password).await.status,
        303
    );

    let reused = confirm_reset(&browser, &token, "another-password-003").await;
    assert_eq!(reused.status, 404, "a token works once");

    request_reset(&browser, email).await;
    let late = mailed_reset_token(&app, email).await;
    assert_ne!(late, token);
    app.advance(60 * 60 + 1);
    let expired = confirm_reset(&browser, &late, "another-password-003").await;
    assert_eq!(expired.status, 404, "a token expires after an hour");
    assert_eq!(
        sign_in(&app.browser(), email, new_password).await.status,
        303
    );
}

#[tokio::test]
async fn customer_data_is_escaped_on_pages() {
    let app = TestApp::start().await;
    let browser = app.browser();
    let email = "<script>alert(1)</script>@example.com";
    assert_eq!(register(&browser, email, PASSWORD).await.status, 303);
    let account = browser.get("/customer/account").await;
    assert!(
        !account.body.contains("<script>alert(1)"),
        "{}",
        account.body
    );
    assert!(account.body.contains("&lt;script&gt;alert(1)"));
}

#[tokio::test]
async fn registrations_from_one_address_are_throttled_before_any_password_is_hashed() {
    let app = TestApp::start().await;
    for n in 0..20 {
        let email = format!("flood-{n}@example.com");
        let reply = register(&app.browser(), &email, PASSWORD).await;
        assert_eq!(reply.status, 303, "registration {n}: {reply:?}");
    }
    let refused = register(&app.browser(), "flood-20@example.com", PASSWORD).await;
    assert_eq!(refused.status, 429, "{refused:?}");
    assert!(
        refused.text().contains("Too many accounts"),
        "{}",
        refused.body
    );
    let accounts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM customers_auth")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(accounts, 20, "the refused registration created nothing");
}

#[tokio::test]
async fn a_flood_of_reset_requests_mails_a_customer_at_most_five_times() {
    let app = TestApp::start().await;
    let email = "erin-flood@example.com";
    register(&app.browser(), email, PASSWORD).await;
    let browser = app.browser();
    for _ in 0..8 {
        let reply = request_reset(&browser, email).await;
        assert_eq!(reply.status, 200, "the reply never tells: {reply:?}");
    }
    let resets = outbox::mails_to(&app.admin().await, email)
        .await
        .into_iter()
        .filter(|m| m["template"] == "mail/password-reset")
        .count();
    assert_eq!(resets, 5);
}
