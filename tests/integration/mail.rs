//! Outgoing mail (`host/src/mail`, WIT `mail`): messages queued in a request's or a plugin
//! call's transaction, sent after commit to a real SMTP server on loopback
//! (`backoffice_tests::smtp`), retried while the server is down and then shown as failed, and
//! kept readable on the *Outgoing mail* page when no server is configured.

use std::time::Duration;

use backoffice::mail::MailSettings;
use backoffice_tests::smtp::{Parsed, SmtpServer, closed_port_url};
use backoffice_tests::{ADMIN_EMAIL, ADMIN_PASSWORD, Browser, TestApp, logs, outbox};
use serde_json::{Value, json};

use super::catalog_stock::warehouse;
use super::sales::{guest_checkout, simple_product, trigger};

const WAIT: Duration = Duration::from_secs(10);

fn smtp(url: String) -> MailSettings {
    MailSettings {
        smtp_url: Some(url),
        from: "Shop <shop@example.com>".into(),
        public_url: "https://shop.example.com".into(),
    }
}

/// The Outgoing mail page as JSON: its messages, newest first.
async fn outbox(admin: &Browser) -> Vec<Value> {
    let reply = admin.get_json("/admin/mail/outbox/index").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["mails"].as_array().unwrap().clone()
}

/// Asks the `mailer` fixture to queue a note (and to fail afterwards when `fail`).
async fn send_note(admin: &Browser, to: &str, subject: &str, fail: bool) -> u16 {
    admin
        .submit_json(
            "/admin/mailer/mail/send",
            &json!({"to": to, "subject": subject, "context": {"note": "<hello>"}, "fail": fail}),
        )
        .await
        .status
}

#[tokio::test]
async fn the_order_confirmation_and_shipping_notice_reach_a_real_smtp_server_with_both_parts() {
    let server = SmtpServer::start().await;
    let app =
        TestApp::with_plugins_mailing(&["catalog", "sales", "shipping"], smtp(server.url())).await;
    let admin = app.admin().await;
    warehouse(&admin, "Main").await;
    backoffice_tests::shipping::ready_to_sell(&admin).await;
    simple_product(&admin, "MUG", "Mug", 1000, 5).await;

    let placed = guest_checkout(&app, &[("MUG", 2)], "guest@example.com").await;
    assert_eq!(placed.status, 200, "{}", placed.body);
    let placed = placed.json();
    let reference = placed["order"]["reference"]
        .as_str()
        .expect("a reference")
        .to_owned();
    let id = placed["order_id"].as_str().expect("an order id").to_owned();

    let received = server.wait_for(1).await;
    assert_eq!(received.len(), 1, "{received:?}");
    let mail = &received[0];
    assert_eq!(mail.rcpt_to, ["guest@example.com"]);
    assert_eq!(mail.mail_from, "shop@example.com");
    let parsed = Parsed::of(&mail.data);
    assert_eq!(
        parsed.header("subject").as_deref(),
        Some(format!("Your order {reference}").as_str())
    );
    assert!(
        parsed.content_type.starts_with("multipart/alternative"),
        "{}",
        parsed.content_type
    );
    let text = parsed.text.expect("a text part");
    let html = parsed.html.expect("an HTML part");
    for part in [&text, &html] {
        assert!(part.contains(&reference), "{part}");
        assert!(part.contains("Mug"), "{part}");
        // Links are absolute, to the configured public address (HTML escapes its `/`).
        assert!(part.contains("shop.example.com"), "{part}");
    }
    assert!(html.contains("<table"), "{html}");
    assert!(!text.contains('<'), "the text part is plain text: {text}");

    app.eventually(WAIT, "the page shows the message as sent", || async {
        outbox(&admin).await[0]["status"] == "sent"
    })
    .await;
    let listed = outbox(&admin).await;
    assert_eq!(listed[0]["source"], "sales");
    assert!(
        listed[0]["last_answer"]
            .as_str()
            .unwrap()
            .starts_with("250"),
        "the server's answer is kept: {}",
        listed[0]
    );

    for event in ["pay", "confirm", "ship"] {
        let reply = trigger(&admin, &id, event, &[]).await;
        assert_eq!(reply.status, 200, "{event}: {}", reply.body);
    }
    let received = server.wait_for(2).await;
    let notice = Parsed::of(&received[1].data);
    assert_eq!(received[1].rcpt_to, ["guest@example.com"]);
    assert_eq!(
        notice.header("subject").as_deref(),
        Some(format!("Your order {reference} has shipped").as_str())
    );
    assert!(notice.text.expect("a text part").contains("2 x Mug"));
    assert!(notice.html.is_some());
}

#[tokio::test]
async fn a_rolled_back_plugin_call_queues_and_sends_nothing() {
    let server = SmtpServer::start().await;
    let app = TestApp::with_plugins_mailing(&["mailer"], smtp(server.url())).await;
    let admin = app.admin().await;
    let plugins = admin.get_json("/admin/plugins/plugins/index").await.json();
    let mailer = plugins["plugins"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "mailer")
        .expect("the mailer fixture is loaded");
    assert_eq!(
        mailer["manifest"]["capabilities"],
        json!(["mail"]),
        "calling mail::send imports the capability, which the admin sees"
    );

    assert_eq!(
        send_note(&admin, "ann@example.com", "Rolled back", true).await,
        500
    );
    assert!(outbox(&admin).await.is_empty(), "nothing queued");
    assert_eq!(
        send_note(&admin, "bob@example.com", "Committed", false).await,
        200
    );

    // The committed message arrives; had the rolled-back one been queued, it would have been
    // sent first (the sender takes messages in order).
    let received = server.wait_for(1).await;
    assert_eq!(received.len(), 1, "{received:?}");
    assert_eq!(received[0].rcpt_to, ["bob@example.com"]);
    assert_eq!(
        Parsed::of(&received[0].data).header("subject").as_deref(),
        Some("Committed")
    );
    let listed = outbox(&admin).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["recipient"], "bob@example.com");
}

#[tokio::test]
async fn with_the_smtp_server_down_mail_is_retried_then_shown_as_failed_with_the_answer() {
    let app = TestApp::with_plugins_mailing(&["mailer"], smtp(closed_port_url().await)).await;
    let admin = app.admin().await;
    assert_eq!(
        send_note(&admin, "ann@example.com", "Down", false).await,
        200
    );

    let max = {
        let reply = admin.get_json("/admin/mail/outbox/index").await;
        reply.json()["max_attempts"].as_i64().unwrap()
    };
    for attempt in 1..=max {
        // A new session each round: the host clock moves hours, past the idle timeout.
        let admin = app.admin().await;
        app.eventually(WAIT, &format!("attempt {attempt}"), || async {
            outbox(&admin).await[0]["attempts"] == attempt
        })
        .await;
        let mail = outbox(&admin).await.remove(0);
        let expected = if attempt < max { "queued" } else { "failed" };
        assert_eq!(mail["status"], expected, "{mail}");
        assert!(
            !mail["last_answer"].as_str().unwrap().is_empty(),
            "the connection error is kept: {mail}"
        );
        // The retry is due after the backoff (at most two hours) on the host's clock.
        app.advance(2 * 3600);
    }
    let admin = app.admin().await;
    let page = admin.get("/admin/mail/outbox/index?status=failed").await;
    assert_eq!(page.status, 200);
    let text = page.text();
    assert!(
        text.contains("ann@example.com") && text.contains("failed"),
        "{text}"
    );
    let answer = outbox(&admin).await[0]["last_answer"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        text.contains(&answer) || page.body.contains(&answer),
        "the server's answer is on the page: {answer}"
    );

    // Sent again by hand (e.g. once the server is back): queued afresh, audited; only failed
    // messages can be.
    let id = outbox(&admin).await[0]["id"].clone();
    let view = admin.get(&format!("/admin/mail/outbox/view?id={id}")).await;
    assert!(view.text().contains("Send again"));
    let retried = admin
        .submit_json("/admin/mail/outbox/retry", &json!({ "id": id }))
        .await;
    assert_eq!(retried.status, 200, "{}", retried.body);
    let again = admin
        .submit_json("/admin/mail/outbox/retry", &json!({ "id": id }))
        .await;
    assert_eq!(again.status, 409, "it is queued now: {}", again.body);
    assert_eq!(outbox(&admin).await[0]["status"], "queued");
    let audited: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'mail.retry'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_eq!(audited, 1);
}

#[tokio::test]
async fn without_smtp_mail_is_kept_and_readable_on_the_page_with_its_html_sandboxed() {
    let app = TestApp::start().await;
    let customer = app.browser();
    let email = "<script>alert(1)</script>@example.com";
    let form = customer.get("/customer/register").await;
    let token = form.csrf_field().unwrap();
    let registered = customer
        .post_form(
            "/customer/register",
            &[
                ("_csrf", &token),
                ("email", email),
                ("password", "customer-password-01"),
                ("confirm_password", "customer-password-01"),
            ],
        )
        .await;
    assert_eq!(registered.status, 303, "{}", registered.body);

    let admin = app.admin().await;
    let listed = outbox(&admin).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["status"], "queued");
    assert_eq!(listed[0]["source"], "host");
    assert_eq!(listed[0]["attempts"], 0);
    let page = admin.get("/admin/mail/outbox/index").await;
    assert!(page.text().contains("No SMTP server is configured"));
    assert!(!page.body.contains("<script>alert(1)"), "{}", page.body);

    let path = format!("/admin/mail/outbox/view?id={}", listed[0]["id"]);
    let json = admin.get_json(&path).await.json();
    let mail = &json["mail"];
    assert!(
        mail["text_body"]
            .as_str()
            .unwrap()
            .contains("<script>alert(1)</script>@example.com has been created"),
        "the text part is plain text: {mail}"
    );
    assert!(
        mail["html_body"]
            .as_str()
            .unwrap()
            .contains("&lt;script&gt;alert(1)&lt;"),
        "the HTML part escapes what it was given: {mail}"
    );
    let view = admin.get(&path).await;
    assert_eq!(view.status, 200);
    assert!(view.body.contains("<iframe class=\"mail-preview\" sandbox"));
    assert!(!view.body.contains("<script>alert(1)"), "{}", view.body);
    assert!(view.text().contains("Welcome!"));

    let customer_browser = app.browser();
    let forbidden = customer_browser.get("/admin/mail/outbox/index").await;
    assert!(forbidden.redirects_to("/login"), "{forbidden:?}");
}

#[tokio::test]
async fn admin_forgot_password_answers_alike_for_any_address_and_its_link_works_once() {
    logs::capture();
    let app = TestApp::start().await;
    let browser = app.browser();
    let ask = |email: &'static str| {
        let browser = &browser;
        async move {
            let form = browser.get("/login/forgot").await;
            assert_eq!(form.status, 200, "{}", form.body);
            let token = form.csrf_field().expect("the form has a CSRF field");
            browser
                .post_form("/login/forgot", &[("_csrf", &token), ("email", email)])
                .await
        }
    };
    let unknown = ask("nobody@example.com").await;
    let known = ask(ADMIN_EMAIL).await;
    assert_eq!((unknown.status, known.status), (200, 200));
    assert_eq!(
        unknown.text().replace("nobody@example.com", "X"),
        known.text().replace(ADMIN_EMAIL, "X"),
        "the answer does not tell whether the account exists"
    );
    let reader = app.admin().await;
    assert!(
        outbox::mails_to(&reader, "nobody@example.com")
            .await
            .is_empty()
    );
    let mails = outbox::mails_to(&reader, ADMIN_EMAIL).await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0]["subject"], "Reset your Backoffice password");
    let token = outbox::link_token(&mails[0]);
    assert_eq!(token.len(), 64);
    assert!(logs::lines_with(&token).is_empty(), "never logged");
    let stored: String = sqlx::query_scalar("SELECT token_hash FROM user_password_resets")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_ne!(stored, token, "only a digest is stored");

    let form = browser.get(&format!("/login/reset?token={token}")).await;
    assert_eq!(form.status, 200, "{}", form.body);
    let csrf = form.csrf_field().unwrap();
    let new_password = "a-brand-new-admin-password-1";
    let reset = |token: String, password: &'static str| {
        let (browser, csrf) = (&browser, csrf.clone());
        async move {
            browser
                .post_form(
                    "/login/reset",
                    &[
                        ("_csrf", &csrf),
                        ("token", &token),
                        ("password", password),
                        ("confirm_password", password),
                    ],
                )
                .await
        }
    };
    let done = reset(token.clone(), new_password).await;
    assert!(done.redirects_to("/login"), "{done:?}");
    assert!(
        reader.get("/admin").await.redirects_to("/login"),
        "every session ends with the reset"
    );
    assert_eq!(
        app.browser()
            .sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)
            .await
            .status,
        422
    );
    let again = reset(token, "yet-another-admin-password-2").await;
    assert_eq!(again.status, 404, "a link works once");
    let admin = app.signed_in(ADMIN_EMAIL, new_password).await;

    // Throttled: five requests for one address in fifteen minutes mail (one above, four here),
    // the sixth answers the same and mails nothing.
    for _ in 0..5 {
        assert_eq!(ask(ADMIN_EMAIL).await.status, 200);
    }
    assert_eq!(outbox::mails_to(&admin, ADMIN_EMAIL).await.len(), 5);
}
