//! The customers section (first-party plugin `plugins/customers`) through HTTP: customer
//! accounts with their host credentials, addresses, groups, B2B companies, data protection, the
//! dashboard widget and the storefront's "my account" pages, as scripts (JSON) and as browsers
//! (forms), with the IDOR and ACL checks.

use std::time::Duration;

use backoffice_tests::{Browser, Reply, TestApp, browser::hidden_field};
use serde_json::{Value, json};

const PASSWORD: &str = "customer-password-01";

async fn app() -> (TestApp, Browser) {
    let app = TestApp::with_plugins(&["customers"]).await;
    let admin = app.admin().await;
    (app, admin)
}

/// Creates a customer as a script; returns the answer's JSON (`customer`, `set_password_link`).
async fn create(admin: &Browser, email: &str, first: &str, last: &str) -> Value {
    let reply = admin
        .submit_json(
            "/admin/customers/customers/create",
            &json!({"email": email, "first_name": first, "last_name": last, "salutation": "Ms"}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()
}

fn error(reply: &Reply) -> String {
    reply.json()["error"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn refs(list: &Value) -> Vec<String> {
    list["customers"]
        .as_array()
        .expect("a customers list")
        .iter()
        .map(|c| c["last_name"].as_str().unwrap().to_owned())
        .collect()
}

/// Percent-encodes a query value.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Chooses a password through a set-password link (the host's reset form).
async fn set_password(app: &TestApp, link: &str) -> Browser {
    let browser = app.browser();
    let form = browser.get(link).await;
    assert_eq!(form.status, 200, "{}", form.body);
    let token = hidden_field(&form.body, "token").expect("the form carries the token");
    let done = browser
        .post_form(
            "/customer/password-reset/confirm",
            &[
                ("_csrf", &form.csrf_field().unwrap()),
                ("token", &token),
                ("password", PASSWORD),
                ("confirm_password", PASSWORD),
            ],
        )
        .await;
    assert!(done.redirects_to("/customer/login"), "{done:?}");
    browser
}

/// Signs a storefront customer in; true when it worked.
async fn customer_sign_in(browser: &Browser, email: &str) -> bool {
    let form = browser.get("/customer/login").await;
    let reply = browser
        .post_form(
            "/customer/login",
            &[
                ("_csrf", &form.csrf_field().unwrap()),
                ("email", email),
                ("password", PASSWORD),
            ],
        )
        .await;
    reply.status == 303
}

/// Registers on the storefront (going on to the section's account page) and loads the
/// customer session's CSRF token from it.
async fn register(app: &TestApp, email: &str) -> Browser {
    let browser = app.browser();
    let form = browser.get("/customer/register?next=/my-account").await;
    assert_eq!(form.status, 200, "{}", form.body);
    let reply = browser
        .post_form(
            "/customer/register",
            &[
                ("_csrf", &form.csrf_field().unwrap()),
                ("email", email),
                ("password", PASSWORD),
                ("confirm_password", PASSWORD),
                ("next", "/my-account"),
            ],
        )
        .await;
    assert!(reply.redirects_to("/my-account"), "{reply:?}");
    let page = browser.get("/my-account").await;
    assert_eq!(page.status, 200, "{}", page.body);
    browser.set_csrf(&page.csrf_field().expect("the account page has forms"));
    browser
}

fn address(first: &str, street: &str) -> Value {
    json!({"first_name": first, "last_name": "Doe", "street": street, "house_number": "1",
           "zip": "10115", "city": "Berlin", "country": "de"})
}

#[tokio::test]
async fn a_created_customer_gets_a_host_account_and_a_set_password_link_that_works_once() {
    let (app, admin) = app().await;
    let created = create(&admin, "Ann@Example.com", "Ann", "Lee").await;
    let customer = &created["customer"];
    let reference = customer["reference"].as_str().unwrap();
    assert!(
        reference.starts_with("CU-") && reference.len() == 11,
        "{reference}"
    );
    assert_eq!(customer["id"], reference, "the reference is the record id");
    assert_eq!(customer["email"], "ann@example.com");
    assert_eq!(customer["status"], "active");
    let account: i64 =
        sqlx::query_scalar("SELECT id FROM customers_auth WHERE email = 'ann@example.com'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_eq!(customer["customer_id"], account);
    let link = created["set_password_link"].as_str().unwrap();
    assert!(
        link.starts_with("/customer/password-reset/confirm?token="),
        "{link}"
    );
    assert_eq!(app.audit_of("customers.customer.create").await.len(), 1);
    // The host audits the capability's use itself, naming the plugin.
    let host_audit = app.audit_of("customer-accounts.created").await;
    assert_eq!(host_audit.len(), 1);
    assert_eq!(host_audit[0].target, format!("customer {account}"));
    assert!(
        host_audit[0].detail.contains("plugin customers"),
        "{:?}",
        host_audit[0]
    );

    let browser = app.browser();
    assert!(
        !customer_sign_in(&browser, "ann@example.com").await,
        "no password yet"
    );
    set_password(&app, link).await;
    assert!(customer_sign_in(&browser, "ann@example.com").await);
    assert_eq!(browser.get(link).await.status, 404, "the link works once");

    // A new link can be issued; it is answered, never stored in the section.
    let again = admin
        .submit_json(
            "/admin/customers/customers/password-link",
            &json!({"id": reference}),
        )
        .await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_ne!(again.json()["set_password_link"], link);
    assert_eq!(
        app.audit_of("customer-accounts.set-password-link")
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn creating_refuses_duplicate_emails_invalid_dates_and_missing_fields_and_writes_nothing() {
    let (app, admin) = app().await;
    create(&admin, "ann@example.com", "Ann", "Lee").await;
    let taken = admin
        .submit_json(
            "/admin/customers/customers/create",
            &json!({"email": "ANN@example.com", "first_name": "A", "last_name": "B"}),
        )
        .await;
    assert_eq!(taken.status, 409);
    assert_eq!(
        error(&taken),
        "the email ann@example.com is already used by another customer"
    );

    let bad_date = admin
        .submit_json(
            "/admin/customers/customers/create",
            &json!({"email": "bob@example.com", "first_name": "Bob", "last_name": "Ray",
                    "date_of_birth": "1990-02-30"}),
        )
        .await;
    assert_eq!(bad_date.status, 422);
    assert_eq!(
        error(&bad_date),
        "date_of_birth must be a real date written YYYY-MM-DD"
    );
    let future = admin
        .submit_json(
            "/admin/customers/customers/create",
            &json!({"email": "bob@example.com", "first_name": "Bob", "last_name": "Ray",
                    "date_of_birth": "2999-01-01"}),
        )
        .await;
    assert_eq!(error(&future), "date_of_birth must not be in the future");

    let missing = admin
        .submit_json(
            "/admin/customers/customers/create",
            &json!({"email": "not-an-email", "gender": "robot"}),
        )
        .await;
    assert_eq!(missing.status, 422);
    assert_eq!(
        error(&missing),
        "email must be an email address such as ann@example.com; first_name is required; last_name is required; gender must be one of male, female, diverse"
    );
    assert_eq!(
        app.count("customers_auth").await,
        1,
        "no account was left behind"
    );
    let list = admin
        .get_json("/admin/customers/customers/index")
        .await
        .json();
    assert_eq!(list["total"], 1);
}

#[tokio::test]
async fn the_list_searches_filters_sorts_pages_and_exports_csv() {
    let (app, admin) = app().await;
    let ann = create(&admin, "ann@example.com", "Ann", "Lee").await["customer"].clone();
    create(&admin, "bob@example.com", "Bob", "Adams").await;
    app.advance(3 * 86_400);
    let admin = app.admin().await; // the idle session timed out meanwhile
    create(&admin, "cy@example.com", "Cy", "Kent").await;
    create(&admin, "dee@shop.test", "Dee", "Zhu").await;
    let block = admin
        .submit_json(
            "/admin/customers/customers/block",
            &json!({"id": ann["id"]}),
        )
        .await;
    assert_eq!(block.status, 200, "{}", block.body);

    let all = admin
        .get_json("/admin/customers/customers/index")
        .await
        .json();
    assert_eq!(all["total"], 4);
    let mut newest = refs(&all);
    newest[..2].sort();
    newest[2..].sort();
    assert_eq!(
        newest,
        ["Kent", "Zhu", "Adams", "Lee"],
        "newest first by default"
    );
    let by_name = admin
        .get_json("/admin/customers/customers/index?sort=last_name&dir=asc")
        .await
        .json();
    assert_eq!(refs(&by_name), ["Adams", "Kent", "Lee", "Zhu"]);
    let search = admin
        .get_json("/admin/customers/customers/index?q=kent")
        .await
        .json();
    assert_eq!(refs(&search), ["Kent"]);
    let by_email = admin
        .get_json("/admin/customers/customers/index?q=shop.test")
        .await
        .json();
    assert_eq!(refs(&by_email), ["Zhu"]);
    let blocked = admin
        .get_json("/admin/customers/customers/index?status=blocked")
        .await
        .json();
    assert_eq!(refs(&blocked), ["Lee"]);
    let active = admin
        .get_json("/admin/customers/customers/index?status=active&sort=last_name&dir=asc")
        .await
        .json();
    assert_eq!(refs(&active), ["Adams", "Kent", "Zhu"]);
    let day = |offset: i64| {
        let days = (backoffice_tests::START + offset) / 86_400;
        // Civil date from days since 1970 (the test clock starts on 2025-01-01).
        format!("2025-01-{:02}", days - 20_089 + 1)
    };
    let recent = admin
        .get_json(&format!(
            "/admin/customers/customers/index?created_from={}&sort=last_name&dir=asc",
            day(3 * 86_400)
        ))
        .await
        .json();
    assert_eq!(refs(&recent), ["Kent", "Zhu"]);
    let early = admin
        .get_json(&format!(
            "/admin/customers/customers/index?created_to={}&sort=last_name&dir=asc",
            day(0)
        ))
        .await
        .json();
    assert_eq!(refs(&early), ["Adams", "Lee"]);

    let first = admin
        .get_json("/admin/customers/customers/index?sort=last_name&dir=asc&limit=3")
        .await
        .json();
    assert_eq!(refs(&first), ["Adams", "Kent", "Lee"]);
    assert_eq!(first["total"], 4);
    let next = first["next"].as_str().expect("a next cursor");
    let second = admin
        .get_json(&format!(
            "/admin/customers/customers/index?sort=last_name&dir=asc&limit=3&after={}",
            encode(next)
        ))
        .await
        .json();
    assert_eq!(refs(&second), ["Zhu"]);
    assert!(second["next"].is_null());

    for (query, message) in [
        (
            "status=gone",
            "status must be one of active, blocked, anonymised",
        ),
        (
            "sort=age",
            "sort must be one of created, last_name, email, reference",
        ),
        (
            "created_from=2025-02-30",
            "created_from must be a date written YYYY-MM-DD",
        ),
        ("limit=0", "limit must be between 1 and 200"),
    ] {
        let bad = admin
            .get_json(&format!("/admin/customers/customers/index?{query}"))
            .await;
        assert_eq!(bad.status, 400, "{query}");
        assert_eq!(error(&bad), message);
    }

    let page = admin.get("/admin/customers/customers/index?q=kent").await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("cy@example.com"), "{}", page.body);
    assert!(page.text().contains("Export CSV"));

    let csv = admin
        .get("/admin/customers/customers/csv?status=active&sort=last_name&dir=asc")
        .await;
    assert_eq!(csv.status, 200, "{}", csv.body);
    assert!(
        csv.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(
        csv.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("customers.csv")
    );
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(
        lines[0],
        "reference,email,salutation,first_name,last_name,gender,date_of_birth,phone,locale,status,created"
    );
    assert_eq!(lines.len(), 4);
    assert!(
        lines[1].contains(",bob@example.com,Ms,Bob,Adams,"),
        "{}",
        lines[1]
    );
    assert_eq!(app.audit_of("customers.customer.csv-export").await.len(), 1);
}

#[tokio::test]
async fn customers_are_edited_blocked_and_unblocked_with_their_host_account() {
    let (app, admin) = app().await;
    let created = create(&admin, "ann@example.com", "Ann", "Lee").await;
    let id = created["customer"]["id"].as_str().unwrap().to_owned();
    set_password(&app, created["set_password_link"].as_str().unwrap()).await;
    create(&admin, "bob@example.com", "Bob", "Ray").await;

    let edited = admin
        .submit_json(
            "/admin/customers/customers/edit",
            &json!({"id": id, "version": 1, "email": "ann.lee@example.com", "phone": "+49 30 1234567",
                    "date_of_birth": "1990-05-17", "gender": "female", "notes": "VIP"}),
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    let c = &edited.json()["customer"];
    assert_eq!(c["email"], "ann.lee@example.com");
    assert_eq!(c["first_name"], "Ann", "fields not sent are kept");
    assert_eq!(c["version"], 2);
    let browser = app.browser();
    assert!(
        customer_sign_in(&browser, "ann.lee@example.com").await,
        "the host account follows"
    );

    let stale = admin
        .submit_json(
            "/admin/customers/customers/edit",
            &json!({"id": id, "version": 1, "first_name": "Anne"}),
        )
        .await;
    assert_eq!(stale.status, 409);
    assert!(
        error(&stale).contains("changed by someone else"),
        "{}",
        stale.body
    );
    let taken = admin
        .submit_json(
            "/admin/customers/customers/edit",
            &json!({"id": id, "email": "bob@example.com"}),
        )
        .await;
    assert_eq!(taken.status, 409);
    assert_eq!(
        error(&taken),
        "the email bob@example.com is already used by another customer"
    );
    let bad_date = admin
        .submit_json(
            "/admin/customers/customers/edit",
            &json!({"id": id, "date_of_birth": "17.05.1990"}),
        )
        .await;
    assert_eq!(bad_date.status, 422);

    // Block ends the customer's session and refuses sign-in; unblock allows it again.
    assert!(browser.get("/customer/account").await.status == 200);
    let page = admin
        .get(&format!("/admin/customers/customers/show?id={id}"))
        .await;
    assert!(page.text().contains(">Block</button>"), "{}", page.body);
    let blocked = admin
        .submit("/admin/customers/customers/block", &[("id", &id)])
        .await;
    assert!(
        blocked.redirects_to("/admin/customers/customers/show"),
        "{blocked:?}"
    );
    assert_eq!(
        browser.get("/customer/account").await.status,
        303,
        "signed out"
    );
    assert!(!customer_sign_in(&browser, "ann.lee@example.com").await);
    let shown = admin
        .get_json(&format!("/admin/customers/customers/show?id={id}"))
        .await
        .json();
    assert_eq!(shown["customer"]["status"], "blocked");
    admin
        .submit("/admin/customers/customers/unblock", &[("id", &id)])
        .await;
    assert!(customer_sign_in(&browser, "ann.lee@example.com").await);
    assert_eq!(app.audit_of("customers.customer.block").await.len(), 1);
    assert_eq!(app.audit_of("customers.customer.unblock").await.len(), 1);
    assert_eq!(app.audit_of("customer-accounts.blocked").await.len(), 1);
    assert_eq!(app.audit_of("customer-accounts.unblocked").await.len(), 1);

    let missing = admin
        .get_json("/admin/customers/customers/show?id=CU-NOPE")
        .await;
    assert_eq!(missing.status, 404);
    assert_eq!(error(&missing), "customer CU-NOPE not found");
}

#[tokio::test]
async fn customers_are_created_and_edited_through_the_html_forms() {
    let (_app, admin) = app().await;
    let form = admin.get("/admin/customers/customers/create").await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("name=\"date_of_birth\""));
    let created = admin
        .submit(
            "/admin/customers/customers/create",
            &[
                ("email", "eve@example.com"),
                ("salutation", "Dr"),
                ("first_name", "Eve"),
                ("last_name", "Stone"),
                ("gender", ""),
                ("date_of_birth", "1985-12-01"),
                ("phone", ""),
                ("locale", "de_DE"),
                ("notes", ""),
            ],
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    let text = created.text();
    assert!(
        text.contains("/customer/password-reset/confirm?token="),
        "the link is shown once: {text}"
    );
    let id = hidden_field(&created.body, "id")
        .or_else(|| {
            text.split("show?id=")
                .nth(1)
                .map(|rest| rest.split('"').next().unwrap().to_owned())
        })
        .unwrap();
    let edit = admin
        .get(&format!("/admin/customers/customers/edit?id={id}"))
        .await;
    assert_eq!(edit.status, 200);
    let version = hidden_field(&edit.body, "version").unwrap();
    let saved = admin
        .submit(
            "/admin/customers/customers/edit",
            &[
                ("id", &id),
                ("version", &version),
                ("email", "eve@example.com"),
                ("salutation", "Dr"),
                ("first_name", "Evelyn"),
                ("last_name", "Stone"),
                ("gender", "female"),
                ("date_of_birth", "1985-12-01"),
                ("phone", ""),
                ("locale", "de_DE"),
                ("notes", "called on Monday"),
            ],
        )
        .await;
    assert!(
        saved.redirects_to("/admin/customers/customers/show"),
        "{saved:?}"
    );
    let page = admin.get(saved.location().unwrap()).await;
    assert!(page.text().contains("Evelyn"), "{}", page.body);
    assert!(page.text().contains("called on Monday"));
    let invalid = admin
        .submit(
            "/admin/customers/customers/edit",
            &[("id", &id), ("date_of_birth", "1985-02-29")],
        )
        .await;
    assert_eq!(invalid.status, 422);
    assert!(
        invalid.text().contains("date_of_birth must be a real date"),
        "{}",
        invalid.body
    );
}

#[tokio::test]
async fn addresses_are_validated_per_field_and_keep_one_default_each() {
    let (_app, admin) = app().await;
    let id = create(&admin, "ann@example.com", "Ann", "Lee").await["customer"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut body = address("Ann", "Main St");
    body["customer"] = json!(id);
    let first = admin
        .submit_json("/admin/customers/addresses/create", &body)
        .await;
    assert_eq!(first.status, 200, "{}", first.body);
    let first = first.json()["address"].clone();
    assert_eq!(first["country"], "DE");
    assert_eq!(first["customer_ref"], id);
    assert_eq!(
        first["default_billing"], true,
        "the first address is the default"
    );
    assert_eq!(first["default_shipping"], true);

    let mut second = address("Ann", "Side St");
    second["customer"] = json!(id);
    second["default_billing"] = json!(true);
    let second = admin
        .submit_json("/admin/customers/addresses/create", &second)
        .await;
    assert_eq!(second.status, 200, "{}", second.body);
    let list = admin
        .get_json(&format!("/admin/customers/addresses/index?customer={id}"))
        .await
        .json();
    let addresses = list["addresses"].as_array().unwrap();
    assert_eq!(addresses.len(), 2);
    let billing: Vec<&Value> = addresses
        .iter()
        .filter(|a| a["default_billing"] == true)
        .collect();
    assert_eq!(billing.len(), 1);
    assert_eq!(billing[0]["street"], "Side St");
    let shipping: Vec<&Value> = addresses
        .iter()
        .filter(|a| a["default_shipping"] == true)
        .collect();
    assert_eq!(
        shipping[0]["street"], "Main St",
        "only the flag that was set moved"
    );

    let bad = admin
        .submit_json(
            "/admin/customers/addresses/create",
            &json!({"customer": id, "first_name": "", "last_name": "Doe", "street": "X",
                    "zip": "1", "city": "Berlin", "country": "Germany", "phone": "call me"}),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(
        error(&bad),
        "first_name is required; zip must be 2 to 10 letters, digits, spaces or -; country must be a two-letter ISO code such as DE; phone must be a phone number: 5 to 20 digits, spaces and + - / ( ) ."
    );

    // The form: a checkbox left unchecked sends the hidden `false`.
    let form = admin
        .get(&format!(
            "/admin/customers/addresses/edit?id={}",
            first["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(form.status, 200, "{}", form.body);
    let saved = admin
        .submit(
            "/admin/customers/addresses/edit",
            &[
                ("id", first["id"].as_str().unwrap()),
                ("first_name", "Ann"),
                ("last_name", "Lee"),
                ("street", "Main St"),
                ("house_number", "5a"),
                ("zip", "10115"),
                ("city", "Berlin"),
                ("country", "DE"),
                ("default_billing", "false"),
                ("default_billing", "true"),
                ("default_shipping", "false"),
            ],
        )
        .await;
    assert!(
        saved.redirects_to("/admin/customers/customers/show"),
        "{saved:?}"
    );
    let list = admin
        .get_json(&format!("/admin/customers/addresses/index?customer={id}"))
        .await
        .json();
    let main = list["addresses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["street"] == "Main St")
        .unwrap()
        .clone();
    assert_eq!(main["house_number"], "5a");
    assert_eq!(main["default_billing"], true);
    assert_eq!(main["default_shipping"], false);
    let side = list["addresses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["street"] == "Side St")
        .unwrap()
        .clone();
    assert_eq!(
        side["default_billing"], false,
        "the billing default moved back"
    );

    let deleted = admin
        .submit_json(
            "/admin/customers/addresses/delete",
            &json!({"id": side["id"]}),
        )
        .await;
    assert_eq!(deleted.status, 200);
    let list = admin
        .get_json(&format!("/admin/customers/addresses/index?customer={id}"))
        .await
        .json();
    assert_eq!(list["addresses"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn groups_are_managed_and_their_members_filter_the_list() {
    let (_app, admin) = app().await;
    let ann = create(&admin, "ann@example.com", "Ann", "Lee").await["customer"]["id"].clone();
    create(&admin, "bob@example.com", "Bob", "Ray").await;
    let group = admin
        .submit_json(
            "/admin/customers/groups/create",
            &json!({"name": "Wholesale"}),
        )
        .await;
    assert_eq!(group.status, 200, "{}", group.body);
    let group_id = group.json()["group"]["id"].clone();
    let dup = admin
        .submit_json(
            "/admin/customers/groups/create",
            &json!({"name": "Wholesale"}),
        )
        .await;
    assert_eq!(dup.status, 409);
    assert_eq!(error(&dup), "a group named Wholesale already exists");
    let empty = admin
        .submit_json("/admin/customers/groups/create", &json!({"name": " "}))
        .await;
    assert_eq!(error(&empty), "name is required");

    let added = admin
        .submit_json(
            "/admin/customers/groups/add-member",
            &json!({"id": group_id, "customer": ann}),
        )
        .await;
    assert_eq!(added.status, 200, "{}", added.body);
    assert_eq!(added.json()["customer"]["group_ids"], json!([group_id]));
    let members = admin
        .get_json(&format!(
            "/admin/customers/customers/index?group={}",
            group_id.as_str().unwrap()
        ))
        .await
        .json();
    assert_eq!(refs(&members), ["Lee"]);
    let show = admin
        .get_json(&format!(
            "/admin/customers/groups/show?id={}",
            group_id.as_str().unwrap()
        ))
        .await
        .json();
    assert_eq!(show["total"], 1);
    let renamed = admin
        .submit_json(
            "/admin/customers/groups/edit",
            &json!({"id": group_id, "name": "B2B buyers"}),
        )
        .await;
    assert_eq!(renamed.json()["group"]["name"], "B2B buyers");
    let page = admin.get("/admin/customers/groups/index").await;
    assert!(page.text().contains("B2B buyers"));

    let deleted = admin
        .submit_json("/admin/customers/groups/delete", &json!({"id": group_id}))
        .await;
    assert_eq!(deleted.status, 200, "{}", deleted.body);
    assert_eq!(deleted.json()["members_removed"], 1);
    let customer = admin
        .get_json(&format!(
            "/admin/customers/customers/show?id={}",
            ann.as_str().unwrap()
        ))
        .await
        .json();
    assert_eq!(customer["customer"]["group_ids"], json!([]));
    assert_eq!(customer["customer"]["groups"], "");
}

async fn company(admin: &Browser, name: &str) -> String {
    let reply = admin
        .submit_json("/admin/customers/companies/create", &json!({"name": name}))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let company = reply.json()["company"].clone();
    assert_eq!(company["status"], "pending");
    assert_eq!(company["active"], true);
    company["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn companies_change_status_only_along_the_allowed_transitions() {
    let (app, admin) = app().await;
    let id = company(&admin, "ACME").await;
    let dup = admin
        .submit_json(
            "/admin/customers/companies/create",
            &json!({"name": "ACME"}),
        )
        .await;
    assert_eq!(dup.status, 409);

    let step = |action: &'static str| {
        let admin = &admin;
        let id = id.clone();
        async move {
            admin
                .submit_json(
                    &format!("/admin/customers/companies/{action}"),
                    &json!({"id": id}),
                )
                .await
        }
    };
    let approved = step("approve").await;
    assert_eq!(approved.status, 200, "{}", approved.body);
    assert_eq!(approved.json()["company"]["status"], "approved");
    let again = step("approve").await;
    assert_eq!(again.status, 409);
    assert_eq!(
        error(&again),
        "a company cannot go from approved to approved"
    );
    assert_eq!(step("deny").await.json()["company"]["status"], "denied");
    assert_eq!(
        step("approve").await.json()["company"]["status"],
        "approved"
    );

    let other = company(&admin, "Globex").await;
    let denied = admin
        .submit_json("/admin/customers/companies/deny", &json!({"id": other}))
        .await;
    assert_eq!(denied.json()["company"]["status"], "denied");
    let deny_twice = admin
        .submit_json("/admin/customers/companies/deny", &json!({"id": other}))
        .await;
    assert_eq!(
        error(&deny_twice),
        "a company cannot go from denied to denied"
    );

    let off = step("deactivate").await;
    assert_eq!(off.json()["company"]["active"], false);
    let pending = admin
        .get_json("/admin/customers/companies/index?status=denied")
        .await
        .json();
    assert_eq!(pending["companies"].as_array().unwrap().len(), 1);
    assert_eq!(pending["companies"][0]["name"], "Globex");

    // Browsers see only the transitions allowed from the current status.
    let page = admin
        .get(&format!("/admin/customers/companies/show?id={other}"))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("/admin/customers/companies/approve"));
    assert!(!page.body.contains("/admin/customers/companies/deny"));
    let form = admin
        .submit("/admin/customers/companies/approve", &[("id", &other)])
        .await;
    assert!(
        form.redirects_to("/admin/customers/companies/show"),
        "{form:?}"
    );
    assert_eq!(app.audit_of("customers.company.approved").await.len(), 3);
}

#[tokio::test]
async fn business_units_form_a_tree_with_addresses() {
    let (_app, admin) = app().await;
    let acme = company(&admin, "ACME").await;
    let globex = company(&admin, "Globex").await;
    let unit = |body: Value| {
        let admin = &admin;
        async move {
            admin
                .submit_json("/admin/customers/units/create", &body)
                .await
        }
    };
    let hq = unit(json!({"company_id": acme, "name": "HQ"})).await;
    assert_eq!(hq.status, 200, "{}", hq.body);
    let hq = hq.json()["unit"]["id"].as_str().unwrap().to_owned();
    let sales = unit(json!({"company_id": acme, "name": "Sales", "parent_id": hq})).await;
    let sales = sales.json()["unit"]["id"].as_str().unwrap().to_owned();
    let foreign = unit(json!({"company_id": globex, "name": "X", "parent_id": hq})).await;
    assert_eq!(foreign.status, 422);
    assert_eq!(
        error(&foreign),
        "parent_id must be a unit of the same company"
    );
    let cycle = admin
        .submit_json(
            "/admin/customers/units/edit",
            &json!({"id": hq, "parent_id": sales}),
        )
        .await;
    assert_eq!(cycle.status, 422);
    assert_eq!(
        error(&cycle),
        "parent_id must not be the unit itself or one of its sub-units"
    );

    let mut a = address("Ann", "Dock 1");
    a["id"] = json!(sales);
    let with_address = admin
        .submit_json("/admin/customers/units/add-address", &a)
        .await;
    assert_eq!(with_address.status, 200, "{}", with_address.body);
    assert_eq!(
        with_address.json()["unit"]["addresses"][0]["city"],
        "Berlin"
    );
    let bad = admin
        .submit_json(
            "/admin/customers/units/add-address",
            &json!({"id": sales, "street": "x"}),
        )
        .await;
    assert_eq!(bad.status, 422);

    let show = admin
        .get_json(&format!("/admin/customers/companies/show?id={acme}"))
        .await
        .json();
    let units: Vec<(String, u64)> = show["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["name"].as_str().unwrap().to_owned(),
                u["depth"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(units, [("HQ".to_owned(), 0), ("Sales".to_owned(), 1)]);
    let page = admin
        .get(&format!("/admin/customers/companies/show?id={acme}"))
        .await;
    assert!(page.text().contains("Dock 1"), "{}", page.body);

    let busy = admin
        .submit_json("/admin/customers/units/delete", &json!({"id": hq}))
        .await;
    assert_eq!(busy.status, 409);
    assert_eq!(
        error(&busy),
        "the business unit has sub-units: move or delete them first"
    );
    let gone = admin
        .submit_json("/admin/customers/units/delete", &json!({"id": sales}))
        .await;
    assert_eq!(gone.status, 200);
}

#[tokio::test]
async fn a_company_keeps_exactly_one_default_role_and_its_users_get_it() {
    let (_app, admin) = app().await;
    let acme = company(&admin, "ACME").await;
    let unit = admin
        .submit_json(
            "/admin/customers/units/create",
            &json!({"company_id": acme, "name": "HQ"}),
        )
        .await
        .json()["unit"]["id"]
        .clone();
    let role = |name: &str, is_default: bool| {
        let admin = &admin;
        let body = json!({"company_id": acme, "name": name, "is_default": is_default});
        async move {
            let reply = admin
                .submit_json("/admin/customers/roles/create", &body)
                .await;
            assert_eq!(reply.status, 200, "{}", reply.body);
            reply.json()["role"].clone()
        }
    };
    let buyer = role("Buyer", false).await;
    assert_eq!(buyer["is_default"], true, "the first role is the default");
    let admin_role = role("Admin", true).await;
    let defaults = |show: &Value| -> Vec<String> {
        show["roles"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["is_default"] == true)
            .map(|r| r["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let show = admin
        .get_json(&format!("/admin/customers/companies/show?id={acme}"))
        .await
        .json();
    assert_eq!(defaults(&show), ["Admin"]);
    let undefault = admin
        .submit_json(
            "/admin/customers/roles/edit",
            &json!({"id": admin_role["id"], "is_default": false}),
        )
        .await;
    assert_eq!(undefault.status, 409);
    assert_eq!(
        error(&undefault),
        "a company has exactly one default role: make another role the default instead"
    );
    let delete_default = admin
        .submit_json(
            "/admin/customers/roles/delete",
            &json!({"id": admin_role["id"]}),
        )
        .await;
    assert_eq!(delete_default.status, 409);

    let ann = create(&admin, "ann@example.com", "Ann", "Lee").await["customer"]["id"].clone();
    let user = admin
        .submit_json(
            "/admin/customers/company-users/create",
            &json!({"company_id": acme, "unit_id": unit, "customer_ref": ann}),
        )
        .await;
    assert_eq!(user.status, 200, "{}", user.body);
    let user = user.json()["company_user"].clone();
    assert_eq!(
        user["role_ids"],
        json!([admin_role["id"]]),
        "the default role"
    );
    assert_eq!(user["active"], true);
    let twice = admin
        .submit_json(
            "/admin/customers/company-users/create",
            &json!({"company_id": acme, "unit_id": unit, "customer_ref": ann}),
        )
        .await;
    assert_eq!(twice.status, 409);
    let foreign_role = admin
        .submit_json(
            "/admin/customers/company-users/edit",
            &json!({"id": user["id"], "role_ids": ["nope"]}),
        )
        .await;
    assert_eq!(foreign_role.status, 422);
    let edited = admin
        .submit_json(
            "/admin/customers/company-users/edit",
            &json!({"id": user["id"], "role_ids": [buyer["id"]], "active": false}),
        )
        .await;
    assert_eq!(edited.json()["company_user"]["active"], false);
    let moved = admin
        .submit_json(
            "/admin/customers/roles/edit",
            &json!({"id": buyer["id"], "is_default": true}),
        )
        .await;
    assert_eq!(moved.status, 200);
    let show = admin
        .get_json(&format!("/admin/customers/companies/show?id={acme}"))
        .await
        .json();
    assert_eq!(defaults(&show), ["Buyer"]);
    let customer = admin
        .get_json(&format!(
            "/admin/customers/customers/show?id={}",
            ann.as_str().unwrap()
        ))
        .await
        .json();
    assert_eq!(customer["company"]["company"], "ACME");
    assert_eq!(customer["company"]["roles"], json!(["Buyer"]));
    let busy_unit = admin
        .submit_json("/admin/customers/units/delete", &json!({"id": unit}))
        .await;
    assert_eq!(busy_unit.status, 409);
}

/// Every record of every collection of the customers section, as JSON text (lower-cased).
async fn stored_texts(app: &TestApp) -> Vec<String> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM plugin_collections WHERE plugin_id = 'customers' AND retired_at IS NULL",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    assert_eq!(ids.len(), 8, "every collection is scanned");
    let mut out = Vec::new();
    for id in ids {
        let rows: Vec<String> = sqlx::query_scalar(&format!("SELECT json(data) FROM pcol_{id}"))
            .fetch_all(app.db.pool())
            .await
            .unwrap();
        out.extend(rows.into_iter().map(|r| r.to_lowercase()));
    }
    out
}

/// Full-text matches of `word` in the customers collection's search index.
async fn search_hits(app: &TestApp, word: &str) -> i64 {
    let id: i64 = sqlx::query_scalar(
        "SELECT id FROM plugin_collections WHERE plugin_id = 'customers' AND name = 'customers'",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM pcol_{id}_fts WHERE pcol_{id}_fts MATCH $1"
    ))
    .bind(word)
    .fetch_one(app.db.pool())
    .await
    .unwrap()
}

#[tokio::test]
async fn anonymisation_leaves_no_personal_data_publishes_its_event_and_is_audited() {
    let (app, admin) = app().await;
    let created = admin
        .submit_json(
            "/admin/customers/customers/create",
            &json!({"email": "zelda@example.com", "first_name": "Zelda", "last_name": "Quartermain",
                    "phone": "+49 30 555123", "date_of_birth": "1970-01-02", "notes": "likes tea",
                    "locale": "de_DE", "gender": "female"}),
        )
        .await
        .json();
    let id = created["customer"]["id"].as_str().unwrap().to_owned();
    let account = created["customer"]["customer_id"].as_i64().unwrap();
    let mut a = address("Zelda", "Quartermain Lane");
    a["customer"] = json!(id);
    a["phone"] = json!("0171 9876543");
    assert_eq!(
        admin
            .submit_json("/admin/customers/addresses/create", &a)
            .await
            .status,
        200
    );
    let group = admin
        .submit_json(
            "/admin/customers/groups/create",
            &json!({"name": "Regulars"}),
        )
        .await
        .json()["group"]["id"]
        .clone();
    admin
        .submit_json(
            "/admin/customers/groups/add-member",
            &json!({"id": group, "customer": id}),
        )
        .await;
    let acme = company(&admin, "ACME").await;
    let unit = admin
        .submit_json(
            "/admin/customers/units/create",
            &json!({"company_id": acme, "name": "HQ"}),
        )
        .await
        .json()["unit"]["id"]
        .clone();
    let joined = admin
        .submit_json(
            "/admin/customers/company-users/create",
            &json!({"company_id": acme, "unit_id": unit, "customer_ref": id}),
        )
        .await;
    assert_eq!(joined.status, 200, "{}", joined.body);

    // The customer asks for deletion on the storefront.
    let shopper = set_password(&app, created["set_password_link"].as_str().unwrap()).await;
    assert!(customer_sign_in(&shopper, "zelda@example.com").await);
    let privacy = shopper.get("/my-account/privacy").await;
    assert_eq!(privacy.status, 200, "{}", privacy.body);
    shopper.set_csrf(&privacy.csrf_field().unwrap());
    let asked = shopper.submit("/my-account/privacy/delete", &[]).await;
    assert!(asked.redirects_to("/my-account/privacy"), "{asked:?}");
    let open = admin
        .get_json("/admin/customers/privacy/index")
        .await
        .json();
    assert_eq!(open["requests"][0]["customer_ref"], id);
    assert_eq!(open["requests"][0]["kind"], "deletion");

    // One click exports everything the section holds about the customer.
    let export = admin
        .get(&format!("/admin/customers/customers/export?id={id}"))
        .await;
    assert_eq!(export.status, 200, "{}", export.body);
    assert_eq!(export.headers["content-type"], "application/json");
    assert!(
        export.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains(&format!("customer-{id}.json"))
    );
    let data = export.json();
    assert_eq!(data["customer"]["last_name"], "Quartermain");
    assert_eq!(data["addresses"][0]["street"], "Quartermain Lane");
    assert_eq!(data["groups"][0]["name"], "Regulars");
    assert_eq!(data["company"]["company"], "ACME");
    assert_eq!(data["data_requests"][0]["kind"], "deletion");

    let before = stored_texts(&app).await.join("\n");
    assert!(before.contains("quartermain") && before.contains("likes tea"));
    assert_eq!(search_hits(&app, "quartermain").await, 1);

    let anonymised = admin
        .submit_json("/admin/customers/customers/anonymise", &json!({"id": id}))
        .await;
    assert_eq!(anonymised.status, 200, "{}", anonymised.body);
    let c = anonymised.json()["customer"].clone();
    assert_eq!(c["status"], "anonymised");
    assert_eq!(c["reference"], id);
    let email = c["email"].as_str().unwrap().to_owned();
    assert!(
        email.starts_with("anonymised-") && email.ends_with("@anonymised.invalid"),
        "{email}"
    );

    let after = stored_texts(&app).await;
    for personal in [
        "zelda",
        "quartermain",
        "555123",
        "9876543",
        "1970-01-02",
        "likes tea",
        "de_de",
        "female",
    ] {
        assert!(
            after.iter().all(|r| !r.contains(personal)),
            "{personal} is still stored: {after:#?}"
        );
    }
    assert_eq!(
        search_hits(&app, "quartermain").await,
        0,
        "nor in the search index"
    );
    let (host_email, status): (String, String) =
        sqlx::query_as("SELECT email, status FROM customers_auth WHERE id = $1")
            .bind(account)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_eq!(
        host_email, email,
        "the host account's email is randomised too"
    );
    assert_eq!(status, "blocked");
    assert_eq!(shopper.get("/my-account").await.status, 303, "signed out");

    let events: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT topic, source, payload FROM events WHERE topic = 'customers.anonymised'",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].1, "customers");
    let payload: Value = serde_json::from_str(&events[0].2).unwrap();
    assert_eq!(payload, json!({"reference": id, "customer_id": account}));
    let audit = app.audit_of("customers.customer.anonymise").await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].target, id);
    assert_eq!(audit[0].actor, backoffice_tests::ADMIN_EMAIL);

    let again = admin
        .submit_json("/admin/customers/customers/anonymise", &json!({"id": id}))
        .await;
    assert_eq!(again.status, 409);
    let edit = admin
        .submit_json(
            "/admin/customers/customers/edit",
            &json!({"id": id, "first_name": "Z"}),
        )
        .await;
    assert_eq!(edit.status, 409);
    let open = admin
        .get_json("/admin/customers/privacy/index")
        .await
        .json();
    assert_eq!(open["requests"], json!([]), "the deletion request is done");
    let listed = admin
        .get_json("/admin/customers/customers/index?status=anonymised")
        .await
        .json();
    assert_eq!(listed["total"], 1);
}

#[tokio::test]
async fn registration_creates_the_profile_and_my_account_completes_it() {
    let (app, admin) = app().await;
    let shopper = register(&app, "Kim@Example.com").await;
    let page = shopper.get("/my-account").await;
    assert!(page.text().contains("kim@example.com"), "{}", page.body);
    assert!(page.text().contains("Please complete your profile"));
    // The host's event and the first visit both create the profile: only one exists.
    let delivered = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM event_deliveries WHERE subscriber = 'customers' AND delivered_at IS NOT NULL",
        )
        .fetch_one(app.db.pool())
        .await
        .unwrap_or(0)
            == 1
    };
    app.eventually(
        Duration::from_secs(10),
        "the registration event is delivered",
        delivered,
    )
    .await;
    let list = admin
        .get_json("/admin/customers/customers/index?q=kim%40example.com")
        .await
        .json();
    assert_eq!(list["total"], 1, "{list}");
    let profile = list["customers"][0].clone();
    assert_eq!(profile["email"], "kim@example.com");
    assert!(profile["customer_id"].as_i64().unwrap() > 0);

    let saved = shopper
        .submit(
            "/my-account",
            &[
                ("salutation", "Mr"),
                ("first_name", "Kim"),
                ("last_name", "Park"),
                ("gender", "male"),
                ("date_of_birth", "1992-07-01"),
                ("phone", "030 1234567"),
            ],
        )
        .await;
    assert!(saved.redirects_to("/my-account"), "{saved:?}");
    let bad = shopper
        .submit_json(
            "/my-account",
            &json!({"first_name": "Kim", "last_name": "Park", "date_of_birth": "1992-13-01"}),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(
        error(&bad),
        "date_of_birth must be a real date written YYYY-MM-DD"
    );
    let shown = admin
        .get_json(&format!(
            "/admin/customers/customers/show?id={}",
            profile["id"].as_str().unwrap()
        ))
        .await
        .json();
    assert_eq!(shown["customer"]["last_name"], "Park");
    assert_eq!(shown["customer"]["date_of_birth"], "1992-07-01");

    // Addresses on the storefront, and the customer's own data export.
    let added = shopper
        .submit_json("/my-account/addresses", &address("Kim", "Elm Road"))
        .await;
    assert_eq!(added.status, 200, "{}", added.body);
    assert_eq!(added.json()["address"]["customer_ref"], profile["id"]);
    let page = shopper.get("/my-account/addresses").await;
    assert!(page.text().contains("Elm Road"), "{}", page.body);
    let export = shopper.submit("/my-account/privacy/export", &[]).await;
    assert_eq!(export.status, 200, "{}", export.body);
    let data = export.json();
    assert_eq!(data["customer"]["last_name"], "Park");
    assert_eq!(data["addresses"][0]["street"], "Elm Road");

    let anonymous = app.browser().get("/my-account").await;
    assert_eq!(anonymous.status, 303);
    assert_eq!(
        anonymous.location(),
        Some("/customer/login?next=%2Fmy-account")
    );
}

#[tokio::test]
async fn a_customer_cannot_read_or_change_another_customers_account_or_addresses() {
    let (app, admin) = app().await;
    let mallory = register(&app, "mallory@example.com").await;
    let victim = register(&app, "victim@example.com").await;
    let saved = victim
        .submit_json(
            "/my-account",
            &json!({"first_name": "Vic", "last_name": "Tim"}),
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    let victim_ref = saved.json()["customer"]["id"].as_str().unwrap().to_owned();
    let victim_address = victim
        .submit_json("/my-account/addresses", &address("Vic", "Secret Street"))
        .await
        .json()["address"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Ids in bodies and URLs never reach another customer's address.
    let mut change = address("Mal", "Evil Street");
    change["id"] = json!(victim_address);
    let edit = mallory
        .submit_json("/my-account/addresses/edit", &change)
        .await;
    assert_eq!(edit.status, 404);
    assert_eq!(error(&edit), format!("address {victim_address} not found"));
    let delete = mallory
        .submit_json(
            &format!("/my-account/addresses/delete?id={victim_address}"),
            &json!({}),
        )
        .await;
    assert_eq!(delete.status, 404);
    let list = mallory
        .get_json(&format!("/my-account/addresses?customer={victim_ref}"))
        .await;
    assert_eq!(
        list.json()["addresses"],
        json!([]),
        "only the own addresses, whatever the query says"
    );

    // A new address naming the victim as owner still belongs to Mallory.
    let mut planted = address("Mal", "Planted Street");
    planted["customer_ref"] = json!(victim_ref);
    planted["customer"] = json!(victim_ref);
    let planted = mallory.submit_json("/my-account/addresses", &planted).await;
    assert_ne!(planted.json()["address"]["customer_ref"], victim_ref);

    // The profile form ignores ids, email, account and Back Office fields in the body.
    let hijack = mallory
        .submit_json(
            "/my-account",
            &json!({"id": victim_ref, "reference": victim_ref, "customer_id": 1,
                    "email": "victim@example.com", "first_name": "Mal", "last_name": "Lory",
                    "notes": "trusted", "blocked": false, "group_ids": ["x"]}),
        )
        .await;
    assert_eq!(hijack.status, 200, "{}", hijack.body);
    let mine = hijack.json()["customer"].clone();
    assert_ne!(mine["id"], victim_ref);
    assert_eq!(mine["email"], "mallory@example.com");
    assert_eq!(mine["notes"], "");
    assert_eq!(mine["group_ids"], json!([]));
    let export = mallory
        .submit(&format!("/my-account/privacy/export?id={victim_ref}"), &[])
        .await;
    assert_eq!(export.json()["customer"]["email"], "mallory@example.com");

    let victim_now = admin
        .get_json(&format!("/admin/customers/customers/show?id={victim_ref}"))
        .await
        .json();
    assert_eq!(victim_now["customer"]["first_name"], "Vic");
    assert_eq!(victim_now["addresses"].as_array().unwrap().len(), 1);
    assert_eq!(victim_now["addresses"][0]["street"], "Secret Street");

    // And the Back Office is not a customer's.
    let admin_page = mallory
        .get_json(&format!("/admin/customers/customers/show?id={victim_ref}"))
        .await;
    assert!(
        matches!(admin_page.status, 401 | 403),
        "{}",
        admin_page.status
    );
}

#[tokio::test]
async fn the_dashboard_widget_counts_new_customers_of_the_last_seven_days() {
    let (app, admin) = app().await;
    create(&admin, "old@example.com", "Old", "Timer").await;
    app.advance(8 * 86_400);
    let admin = app.admin().await; // the idle session timed out meanwhile
    create(&admin, "new@example.com", "New", "Comer").await;
    create(&admin, "newer@example.com", "Newer", "Comer").await;
    let dashboard = admin.get_json("/admin").await.json();
    let widget = dashboard["widgets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["plugin"] == "customers")
        .expect("the customers widget")
        .clone();
    assert_eq!(widget["failed"], false, "{widget}");
    let page = admin.get("/admin").await;
    assert!(
        page.text().contains("New customers (last 7 days)"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("<strong class=\"count\">2</strong>"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn acl_limits_each_action_and_hides_links_to_refused_ones() {
    let (app, admin) = app().await;
    let id = create(&admin, "ann@example.com", "Ann", "Lee").await["customer"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let email = "support@example.com";
    let password = "support-password-0001";
    app.user_with_rules(
        email,
        password,
        &[
            ("customers", "customers", "index", "allow"),
            ("customers", "customers", "show", "allow"),
        ],
    )
    .await;
    let support = app.signed_in(email, password).await;
    let list = support.get("/admin/customers/customers/index").await;
    assert_eq!(list.status, 200);
    assert!(!list.text().contains("New customer"));
    assert!(!list.text().contains("Export CSV"));
    let page = support
        .get(&format!("/admin/customers/customers/show?id={id}"))
        .await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("/admin/customers/customers/anonymise"));
    assert!(!page.body.contains("/admin/customers/customers/block"));
    let refused = support
        .submit_json("/admin/customers/customers/anonymise", &json!({"id": id}))
        .await;
    assert_eq!(refused.status, 403);
    assert_eq!(
        support.get("/admin/customers/customers/csv").await.status,
        403
    );
    let still = admin
        .get_json(&format!("/admin/customers/customers/show?id={id}"))
        .await
        .json();
    assert_eq!(still["customer"]["status"], "active");
}

#[tokio::test]
async fn the_plugins_page_lists_the_customer_accounts_capability_of_the_section_that_uses_it() {
    let app = TestApp::with_plugins(&["customers", "catalog"]).await;
    let admin = app.admin().await;
    let plugins = admin.get_json("/admin/plugins/plugins/index").await.json();
    let capabilities = |id: &str| {
        plugins["plugins"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == id)
            .unwrap_or_else(|| panic!("{id} is loaded: {plugins}"))["manifest"]["capabilities"]
            .clone()
    };
    assert_eq!(capabilities("customers"), json!(["customer-accounts"]));
    assert_eq!(
        capabilities("catalog"),
        json!([]),
        "built with the same SDK, it never calls it"
    );
    let page = admin.get("/admin/plugins/plugins/index").await;
    assert!(
        page.text()
            .contains("creates, re-emails and blocks storefront customer accounts"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn groups_companies_units_and_roles_work_through_the_html_forms() {
    let (_app, admin) = app().await;
    let group = admin
        .submit(
            "/admin/customers/groups/create",
            &[("name", "Newsletter"), ("description", "")],
        )
        .await;
    assert!(
        group.redirects_to("/admin/customers/groups/show"),
        "{group:?}"
    );
    let company = admin
        .submit(
            "/admin/customers/companies/create",
            &[("name", "Initech"), ("active", "false")],
        )
        .await;
    assert!(
        company.redirects_to("/admin/customers/companies/show"),
        "{company:?}"
    );
    let page = admin.get(company.location().unwrap()).await;
    assert!(
        page.text().contains("inactive"),
        "the unchecked box: {}",
        page.body
    );
    let id = hidden_field(&page.body, "company_id").expect("the unit form names the company");
    let unit = admin
        .submit(
            "/admin/customers/units/create",
            &[
                ("company_id", &id),
                ("name", "Basement"),
                ("parent_id", ""),
                ("email", ""),
            ],
        )
        .await;
    assert!(
        unit.redirects_to("/admin/customers/companies/show"),
        "{unit:?}"
    );
    let role = admin
        .submit(
            "/admin/customers/roles/create",
            &[
                ("company_id", &id),
                ("name", "Staff"),
                ("is_default", "false"),
            ],
        )
        .await;
    assert!(
        role.redirects_to("/admin/customers/companies/show"),
        "{role:?}"
    );
    let bad = admin
        .submit(
            "/admin/customers/roles/create",
            &[("company_id", &id), ("name", ""), ("is_default", "maybe")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.text()
            .contains("name is required; is_default must be true or false"),
        "{}",
        bad.body
    );
    let page = admin.get(company.location().unwrap()).await;
    let text = page.text();
    assert!(
        text.contains("Basement") && text.contains("Staff"),
        "{text}"
    );
    assert!(
        text.contains("(default)"),
        "the first role is the default: {text}"
    );
}
