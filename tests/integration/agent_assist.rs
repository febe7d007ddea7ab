//! Agent assist (issue #24): a Back Office user with the agent flag signs in at `/agent/login`,
//! finds a customer through the agent-assist section (which reads the customers section),
//! assists them — the host reports the customer to every plugin call with the agent as
//! `acting-agent` — and ends. Real plugins: customers, agent-assist, and for orders catalog,
//! sales and shipping. The last test drives a real Chromium through the same flow.

use backoffice::cli::{self, Cli, Command, UserCommand};
use backoffice_tests::webdriver::Driver;
use backoffice_tests::{ADMIN_EMAIL, ADMIN_PASSWORD, Browser, Reply, TestApp};
use serde_json::{Value, json};

use super::sales::{WAIT, app_with, ok, simple_product};

const AGENT_EMAIL: &str = "agent@example.com";
const AGENT_PASSWORD: &str = "agent-password-0001";
const CUSTOMER_PASSWORD: &str = "customer-password-01";

/// The plugins every test loads (sales adds shipping and makes the shop ready to sell).
const PLUGINS: &[&str] = &["catalog", "sales", "customers", "agent-assist"];

/// A customer the tests act for.
struct Customer {
    /// The host account id (`current-customer`).
    account: i64,
    /// The customers section's reference.
    reference: String,
    browser: Browser,
}

/// Creates the agent on the Users page (the agent flag set there); their user id.
async fn create_agent(admin: &Browser, email: &str) -> i64 {
    let created = ok(
        admin,
        "/admin/acl/users/create",
        json!({"email": email, "name": "Alex Agent", "password": AGENT_PASSWORD, "agent": true}),
    )
    .await;
    created["id"].as_i64().expect("a user id")
}

/// Registers a customer on the storefront and gives them a name on their profile page.
async fn register(app: &TestApp, email: &str, first: &str, last: &str) -> Customer {
    let browser = app.browser();
    let form = browser.get("/customer/register").await;
    let token = form.csrf_field().expect("the form has a token");
    let reply = browser
        .post_form(
            "/customer/register",
            &[
                ("_csrf", &token),
                ("email", email),
                ("password", CUSTOMER_PASSWORD),
                ("confirm_password", CUSTOMER_PASSWORD),
            ],
        )
        .await;
    assert_eq!(reply.status, 303, "{}", reply.body);
    let page = browser.get("/my-account").await;
    browser.set_csrf(&page.csrf_field().expect("the profile has a form"));
    let saved = browser
        .submit_json(
            "/my-account",
            &json!({"first_name": first, "last_name": last}),
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    let profile = &saved.json()["customer"];
    Customer {
        account: profile["customer_id"].as_i64().expect("an account"),
        reference: profile["id"].as_str().expect("a reference").to_owned(),
        browser,
    }
}

/// A browser signed in at `/agent/login`, holding the agent session's CSRF token.
async fn agent_signed_in(app: &TestApp, email: &str) -> Browser {
    let agent = app.browser();
    let reply = agent_login(&agent, email, AGENT_PASSWORD).await;
    assert!(reply.redirects_to("/agent"), "{reply:?}");
    let home = agent.get("/agent").await;
    assert_eq!(home.status, 200, "{}", home.body);
    agent.set_csrf(&home.csrf_field().expect("the agent page has forms"));
    agent
}

async fn agent_login(browser: &Browser, email: &str, password: &str) -> Reply {
    let form = browser.get("/agent/login").await;
    assert_eq!(form.status, 200, "{}", form.body);
    let token = form.csrf_field().expect("the sign-in form has a token");
    browser
        .post_form(
            "/agent/login",
            &[("_csrf", &token), ("email", email), ("password", password)],
        )
        .await
}

/// The customer ids the agent's search for `q` finds.
async fn search(agent: &Browser, q: &str) -> Vec<i64> {
    let found = agent.get_json(&format!("/agent?q={q}")).await;
    assert_eq!(found.status, 200, "{}", found.body);
    found.json()["customers"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|c| c["customer_id"].as_i64().unwrap())
        .collect()
}

async fn assist(agent: &Browser, customer: i64) -> Reply {
    agent
        .submit("/agent/assist", &[("customer_id", &customer.to_string())])
        .await
}

/// The checkout form's fields (a German address, the flat rate, prepayment).
const CHECKOUT: &[(&str, &str)] = &[
    ("billing_first_name", "Jane"),
    ("billing_last_name", "Doe"),
    ("billing_street", "Main St"),
    ("billing_zip", "10115"),
    ("billing_city", "Berlin"),
    ("billing_country", "DE"),
    ("shipping_same", "on"),
    ("shipment", "flat"),
    ("payment", "prepayment"),
];

#[tokio::test]
async fn a_non_agent_admin_is_refused_at_the_agent_sign_in() {
    let (app, _admin) = app_with(PLUGINS).await;
    let browser = app.browser();
    let reply = agent_login(&browser, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(reply.status, 403, "{}", reply.body);
    assert!(
        reply.text().contains("may not assist customers"),
        "{}",
        reply.body
    );
    assert!(browser.cookie("bo_agent").is_none(), "no agent session");
    let refused = app.audit_of("agent.sign-in-refused").await;
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].actor, ADMIN_EMAIL);
    // Wrong credentials are the sign-in's usual 422, and the agent page wants a sign-in.
    let wrong = agent_login(&browser, AGENT_EMAIL, "not-the-password-1").await;
    assert_eq!(wrong.status, 422);
    assert!(browser.get("/agent").await.redirects_to("/agent/login"));
    // An admin session is no agent session either.
    let admin = app.admin().await;
    assert!(admin.get("/agent").await.redirects_to("/agent/login"));
}

#[tokio::test]
async fn an_agent_assists_a_customer_places_an_order_for_them_and_every_act_is_audited() {
    let (app, admin) = app_with(PLUGINS).await;
    simple_product(&admin, "MUG", "Mug", 1000, 5).await;
    let agent_id = create_agent(&admin, AGENT_EMAIL).await;
    let jane = register(&app, "jane@example.com", "Jane", "Doe").await;
    let agent = agent_signed_in(&app, AGENT_EMAIL).await;

    assert_eq!(search(&agent, "Jane").await, [jane.account]);
    let started = assist(&agent, jane.account).await;
    assert!(started.redirects_to("/"), "{started:?}");
    let home = agent.get("/").await.text();
    assert!(
        home.contains("Assisting <strong class=\"agent-customer\">Jane Doe</strong>"),
        "{home}"
    );

    // Acting as Jane: her cart, her checkout; the order names the agent.
    let added = agent
        .submit("/cart/add", &[("sku", "MUG"), ("quantity", "2")])
        .await;
    assert_eq!(added.status, 303, "{}", added.body);
    let cart = agent.get("/cart").await.text();
    assert!(cart.contains("Mug") && cart.contains("Assisting"), "{cart}");
    let placed = agent.submit("/checkout", CHECKOUT).await;
    assert_eq!(placed.status, 303, "{}", placed.body);
    let order_id = placed
        .location()
        .unwrap()
        .rsplit('=')
        .next()
        .unwrap()
        .to_owned();
    let order = admin
        .get_json(&format!("/admin/sales/orders/show?id={order_id}"))
        .await
        .json();
    assert_eq!(order["order"]["placed_by"], AGENT_EMAIL);
    assert_eq!(order["order"]["customer_id"], jane.account);
    assert_eq!(order["order"]["email"], "jane@example.com");
    let shown = admin
        .get(&format!("/admin/sales/orders/show?id={order_id}"))
        .await
        .text();
    assert!(shown.contains(&format!("by {AGENT_EMAIL}")), "{shown}");
    // Jane sees the order as hers.
    let mine = jane.browser.get_json("/my-orders").await.json();
    assert_eq!(mine["orders"][0]["reference"], "SO-000001");
    // Her profile is the agent's to fix (not her email: the section never changes that here).
    let fixed = agent
        .submit_json(
            "/my-account",
            &json!({"salutation": "Ms", "email": "agent-owned@example.com"}),
        )
        .await;
    assert_eq!(fixed.status, 200, "{}", fixed.body);
    assert_eq!(fixed.json()["customer"]["email"], "jane@example.com");

    // The customer's credentials are out of the agent's reach: the password form, reset, sign
    // out; the customers section refuses a data export for her.
    let form = agent.get("/customer/account/password").await;
    assert_eq!(form.status, 403, "{}", form.body);
    let change = agent
        .submit(
            "/customer/account/password",
            &[
                ("current_password", CUSTOMER_PASSWORD),
                ("new_password", "taken-over-password-1"),
                ("confirm_password", "taken-over-password-1"),
            ],
        )
        .await;
    assert_eq!(change.status, 403, "{}", change.body);
    assert_eq!(agent.submit("/customer/logout", &[]).await.status, 403);
    assert_eq!(
        agent.get("/customer/password-reset").await.status,
        403,
        "no reset for her email either"
    );
    let export = agent.submit("/my-account/privacy/export", &[]).await;
    assert_eq!(export.status, 403, "{}", export.body);
    assert!(
        export.text().contains("an agent acting for them"),
        "{}",
        export.body
    );
    // Her password is unchanged and her own form works for her.
    let theirs = jane.browser.get("/customer/account/password").await;
    assert_eq!(theirs.status, 200, "{}", theirs.body);
    let own = jane
        .browser
        .submit(
            "/customer/account/password",
            &[
                ("current_password", CUSTOMER_PASSWORD),
                ("new_password", "janes-new-password-1"),
                ("confirm_password", "janes-new-password-1"),
            ],
        )
        .await;
    assert_eq!(own.status, 303, "{}", own.body);

    let ended = agent.submit("/agent/end", &[]).await;
    assert!(ended.redirects_to("/agent"), "{ended:?}");
    let after = agent.get("/").await.text();
    assert!(!after.contains("Assisting"), "{after}");
    assert!(after.contains("Signed in as agent"), "{after}");
    let gone = agent.get("/my-orders").await;
    assert!(
        gone.location()
            .is_some_and(|l| l.starts_with("/customer/login")),
        "Jane's orders are out of reach again: {gone:?}"
    );

    // Audit: start, each change (the refused ones too) and the end, by the agent, for Jane.
    let target = format!("customer {} jane@example.com", jane.account);
    let start = app.audit_of("agent.assist-start").await;
    assert_eq!(start.len(), 1);
    assert_eq!(
        (start[0].actor_id, &start[0].target),
        (Some(agent_id), &target)
    );
    let acts: Vec<String> = app
        .audit_of("agent.act")
        .await
        .into_iter()
        .inspect(|r| assert_eq!((r.actor.as_str(), &r.target), (AGENT_EMAIL, &target)))
        .map(|r| r.detail)
        .collect();
    assert_eq!(
        acts,
        [
            "POST /cart/add",
            "POST /checkout",
            "POST /my-account",
            "POST /customer/account/password",
            "POST /customer/logout",
            "POST /my-account/privacy/export",
        ]
    );
    let end = app.audit_of("agent.assist-end").await;
    assert_eq!(end.len(), 1);
    assert_eq!(end[0].target, target);
    assert!(end[0].detail.contains("ended after 6 change(s)"), "{end:?}");
    // A section's own audit row written while the agent acted names the agent and the customer.
    let profile = app.audit_of("customers.customer.profile").await;
    let actors: Vec<_> = profile
        .iter()
        .map(|r| (r.actor_id, r.actor.as_str()))
        .collect();
    let by_agent = format!("agent {AGENT_EMAIL} for customer jane@example.com");
    assert_eq!(
        actors,
        [
            (None, "customer jane@example.com"),
            (Some(agent_id), by_agent.as_str())
        ],
        "Jane's own save, then the agent's"
    );

    // The customer page in the Back Office shows the assistance history (delivered by event).
    let path = format!("/admin/customers/customers/show?id={}", jane.reference);
    app.eventually(WAIT, "the assistance reaches the customer page", || async {
        let page = admin.get_json(&path).await.json();
        page["assistances"][0]["status"] == "ended"
    })
    .await;
    let page = admin.get_json(&path).await.json();
    assert_eq!(page["assistances"][0]["agent_email"], AGENT_EMAIL);
    assert_eq!(page["assistances"][0]["acts"], 6);
    let html = admin.get(&path).await.text();
    assert!(html.contains("Assistance history"), "{html}");
}

#[tokio::test]
async fn assignments_restrict_an_agent_and_switching_customers_needs_an_end_first() {
    let (app, admin) = app_with(PLUGINS).await;
    let agent_id = create_agent(&admin, AGENT_EMAIL).await;
    let jane = register(&app, "jane@example.com", "Jane", "Doe").await;
    let max = register(&app, "max@example.com", "Max", "Muster").await;
    let agent = agent_signed_in(&app, AGENT_EMAIL).await;
    assert_eq!(
        search(&agent, "Jane").await,
        [jane.account],
        "no assignments: anyone"
    );
    assert_eq!(search(&agent, "Max").await, [max.account]);

    let assigned = ok(
        &admin,
        "/admin/agent-assist/assignments/create",
        json!({"agent_id": agent_id, "reference": jane.reference}),
    )
    .await;
    assert_eq!(assigned["assignment"]["customer_id"], jane.account);
    let unknown = admin
        .submit_json(
            "/admin/agent-assist/assignments/create",
            &json!({"agent_id": agent_id, "reference": "CU-NOBODY1"}),
        )
        .await;
    assert_eq!(unknown.status, 422, "{}", unknown.body);

    assert_eq!(search(&agent, "Jane").await, [jane.account]);
    assert_eq!(
        search(&agent, "Max").await,
        Vec::<i64>::new(),
        "not assigned"
    );
    let refused = assist(&agent, max.account).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(
        refused.text().contains("not assigned to you"),
        "{}",
        refused.body
    );
    assert!(app.audit_of("agent.assist-start").await.is_empty());

    assert!(assist(&agent, jane.account).await.redirects_to("/"));
    // The dashboard widget lists the assistance going on (once the host's event arrived).
    app.eventually(WAIT, "the widget shows the active assistance", || async {
        let dashboard = admin.get("/admin").await.text();
        dashboard.contains("Active assistances")
            && dashboard.contains(&format!("{AGENT_EMAIL} assists Jane Doe"))
    })
    .await;
    // One customer at a time: switching needs an end first.
    let switch = assist(&agent, max.account).await;
    assert_eq!(switch.status, 409, "{}", switch.body);

    // Max's own session cookie in the agent's browser reaches nothing of his: the agent realm
    // never looks a customer session up.
    let max_session = max.browser.cookie("bo_customer").expect("Max is signed in");
    agent.set_cookie("bo_customer", &max_session);
    let profile = agent.get_json("/my-account").await.json();
    assert_eq!(profile["customer"]["email"], "jane@example.com");
    assert!(assist(&agent, jane.account).await.status == 409);
    agent.submit("/agent/end", &[]).await;
    assert_eq!(agent.get_json("/my-account").await.status, 401);
    // Max's own browser still works: his session was never touched.
    let his = max.browser.get_json("/my-account").await.json();
    assert_eq!(his["customer"]["email"], "max@example.com");

    // The assignment list and the history pages are the section's.
    let list = admin
        .get_json("/admin/agent-assist/assignments/index")
        .await
        .json();
    assert_eq!(list["assignments"].as_array().unwrap().len(), 1);
    app.eventually(WAIT, "the history shows the ended assistance", || async {
        let history = admin
            .get_json(&format!(
                "/admin/agent-assist/assistances/index?customer={}",
                jane.account
            ))
            .await
            .json();
        history["assistances"][0]["status"] == "ended"
    })
    .await;
}

#[tokio::test]
async fn every_agent_form_needs_its_csrf_token() {
    let (app, admin) = app_with(PLUGINS).await;
    simple_product(&admin, "MUG", "Mug", 1000, 5).await;
    create_agent(&admin, AGENT_EMAIL).await;
    let jane = register(&app, "jane@example.com", "Jane", "Doe").await;

    // The sign-in form: no token, a made-up one.
    let browser = app.browser();
    browser.get("/agent/login").await;
    for token in [None, Some("forged")] {
        let mut fields = vec![("email", AGENT_EMAIL), ("password", AGENT_PASSWORD)];
        if let Some(t) = token {
            fields.push(("_csrf", t));
        }
        let reply = browser.post_form("/agent/login", &fields).await;
        assert_eq!(reply.status, 403, "{}", reply.body);
    }
    assert!(browser.cookie("bo_agent").is_none());

    let agent = agent_signed_in(&app, AGENT_EMAIL).await;
    let id = jane.account.to_string();
    // Signed in, every form wants the agent session's token: not none, nor a double-submit
    // pair of the anonymous forms.
    agent.set_cookie("bo_form", "anonymous-token");
    for (path, fields) in [
        ("/agent/assist", vec![("customer_id", id.as_str())]),
        ("/agent/end", vec![]),
        ("/agent/logout", vec![]),
    ] {
        assert_eq!(agent.post_form(path, &fields).await.status, 403, "{path}");
        let mut with = fields.clone();
        with.push(("_csrf", "anonymous-token"));
        assert_eq!(agent.post_form(path, &with).await.status, 403, "{path}");
    }
    assert!(app.audit_of("agent.assist-start").await.is_empty());
    assert!(assist(&agent, jane.account).await.redirects_to("/"));
    // A change while assisting: Jane's own token does not do either.
    let jane_token = jane.browser.csrf();
    let forged = agent
        .post_form(
            "/cart/add",
            &[("_csrf", &jane_token), ("sku", "MUG"), ("quantity", "1")],
        )
        .await;
    assert_eq!(forged.status, 403);
    assert!(
        app.audit_of("agent.act").await.is_empty(),
        "a refused request changed nothing"
    );
    assert_eq!(agent.post_form("/agent/end", &[]).await.status, 403);
    assert!(agent.submit("/agent/end", &[]).await.redirects_to("/agent"));
    let out = agent.submit("/agent/logout", &[]).await;
    assert!(out.redirects_to("/agent/login"), "{out:?}");
    assert_eq!(app.audit_of("agent.sign-out").await.len(), 1);
}

#[tokio::test]
async fn an_agent_session_times_out_like_an_admin_session_and_ends_the_assistance() {
    let (app, admin) = app_with(PLUGINS).await;
    let agent_id = create_agent(&admin, AGENT_EMAIL).await;
    let jane = register(&app, "jane@example.com", "Jane", "Doe").await;
    let agent = agent_signed_in(&app, AGENT_EMAIL).await;
    assert!(assist(&agent, jane.account).await.redirects_to("/"));
    app.advance(30 * 60 + 1);
    let page = agent.get("/").await;
    assert!(!page.text().contains("Assisting"), "{}", page.body);
    assert!(agent.get("/agent").await.redirects_to("/agent/login"));
    let end = app.audit_of("agent.assist-end").await;
    assert_eq!(end.len(), 1);
    assert!(end[0].detail.contains("timed-out"), "{end:?}");

    // Taking the flag away ends a new assistance at once.
    let admin = app.admin().await;
    let agent = agent_signed_in(&app, AGENT_EMAIL).await;
    assert!(assist(&agent, jane.account).await.redirects_to("/"));
    let edited = admin
        .submit_json(
            "/admin/acl/users/edit",
            &json!({"id": agent_id, "email": AGENT_EMAIL, "name": "Alex Agent", "agent": false}),
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    assert!(!agent.get("/").await.text().contains("Assisting"));
    let end = app.audit_of("agent.assist-end").await;
    assert!(end[1].detail.contains("revoked"), "{end:?}");
    let refused = agent_login(&app.browser(), AGENT_EMAIL, AGENT_PASSWORD).await;
    assert_eq!(refused.status, 403);
}

/// `backoffice user …` in-process, on `app`'s data directory.
async fn cli(app: &TestApp, command: UserCommand) {
    let cli = Cli {
        data: app.data_dir().to_owned(),
        database: None,
        log_format: Default::default(),
        command: Command::User(command),
    };
    cli::run(cli).await.expect("the command succeeds");
}

#[tokio::test]
async fn the_command_line_makes_and_unmakes_agents() {
    let (app, _admin) = app_with(PLUGINS).await;
    cli(
        &app,
        UserCommand::Add {
            email: AGENT_EMAIL.into(),
            name: String::new(),
            password: Some(AGENT_PASSWORD.into()),
            groups: Vec::new(),
            agent: true,
        },
    )
    .await;
    let agent = agent_signed_in(&app, AGENT_EMAIL).await;
    cli(
        &app,
        UserCommand::Agent {
            email: AGENT_EMAIL.into(),
            off: true,
        },
    )
    .await;
    assert!(
        agent.get("/agent").await.redirects_to("/agent/login"),
        "the agent session ended"
    );
    let refused = agent_login(&app.browser(), AGENT_EMAIL, AGENT_PASSWORD).await;
    assert_eq!(refused.status, 403);
    cli(
        &app,
        UserCommand::Agent {
            email: AGENT_EMAIL.into(),
            off: false,
        },
    )
    .await;
    agent_signed_in(&app, AGENT_EMAIL).await;
}

/// The storefront pages the Chromium test checks the banner on.
const PAGES: &[&str] = &[
    "/",
    "/cart",
    "/my-account",
    "/my-orders",
    "/customer/account",
];

#[tokio::test]
async fn in_chromium_an_agent_signs_in_assists_sees_the_banner_on_every_page_and_ends() {
    let (app, admin) = app_with(PLUGINS).await;
    create_agent(&admin, AGENT_EMAIL).await;
    register(&app, "jane@example.com", "Jane", "Doe").await;
    let base = app.base_url();
    let browser = Driver::start().await;

    browser.goto(&format!("{base}/agent/login")).await;
    browser.type_into("input[name=email]", AGENT_EMAIL).await;
    browser
        .type_into("input[name=password]", AGENT_PASSWORD)
        .await;
    browser.click("button[type=submit]").await;
    browser.wait_for_url("/agent").await;
    browser.type_into("input[name=q]", "Jane").await;
    browser.click("form[role=search] button[type=submit]").await;
    browser.wait_for_text("jane@example.com").await;
    browser
        .click("table.agent-customers button[type=submit]")
        .await;
    browser.wait_for_text("You are assisting Jane Doe.").await;

    for page in PAGES {
        browser.goto(&format!("{base}{page}")).await;
        let banner = browser
            .script(
                "const b = document.querySelector('.agent-banner'); return b ? b.innerText : ''",
            )
            .await;
        let banner = banner.as_str().unwrap_or_default().to_owned();
        assert!(
            banner.contains("Assisting Jane Doe"),
            "{page}: banner {banner:?}"
        );
    }
    browser.click(".agent-banner button[type=submit]").await;
    browser
        .wait_for_text("You no longer assist Jane Doe.")
        .await;
    browser.goto(&format!("{base}/")).await;
    let banner: Value = browser
        .script("return document.querySelector('.agent-banner').innerText")
        .await;
    let banner = banner.as_str().unwrap_or_default();
    assert!(banner.contains("Signed in as agent"), "{banner}");
    assert!(!banner.contains("Assisting"), "{banner}");
    assert_eq!(app.audit_of("agent.assist-end").await.len(), 1);
}
