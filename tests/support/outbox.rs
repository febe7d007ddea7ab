//! The host's outgoing mail as a test reads it: through the *Outgoing mail* page's JSON, as the
//! signed-in admin, exactly as an operator without an SMTP server reads it.

use serde_json::Value;

use crate::Browser;

/// Every message to `to`, newest first, each with its text and HTML parts, as `admin` (a
/// browser signed in with access to the page) reads them.
pub async fn mails_to(admin: &Browser, to: &str) -> Vec<Value> {
    let list = admin.get_json("/admin/mail/outbox/index").await;
    assert_eq!(list.status, 200, "{}", list.body);
    let mut found = Vec::new();
    for mail in list.json()["mails"].as_array().unwrap() {
        if mail["recipient"] != to {
            continue;
        }
        let one = admin
            .get_json(&format!("/admin/mail/outbox/view?id={}", mail["id"]))
            .await;
        assert_eq!(one.status, 200, "{}", one.body);
        found.push(one.json()["mail"].clone());
    }
    found
}

/// The token of the first `token=` link in a message's text part.
pub fn link_token(mail: &Value) -> String {
    let text = mail["text_body"].as_str().expect("a text part");
    let start = text
        .find("token=")
        .expect("the message has a link with a token")
        + 6;
    text[start..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect()
}
