//! Rich text: HTML from the editors, kept only through an allow-list sanitizer (`ammonia`,
//! compiled into this plugin): no `<script>`, `<style>`, `<iframe>`, no event handler or
//! `style` attribute, no `javascript:` (or any other scheme outside the list) in a link or
//! image, comments dropped. Text is sanitised when it is saved and again when it is shown, so
//! nothing stored another way reaches a page unsanitised.
//!
//! A rich text can place a content item with the marker `{{ content_item("key") }}` in its
//! text (never inside an attribute: the sanitizer writes quotes in attributes as `&quot;`, so
//! the marker cannot match there). [`parts`] splits a text into HTML parts and items.

use serde::Serialize;
use serde_json::Value;

/// Most characters of one rich text.
pub const MAX_LEN: usize = 100_000;

/// `html` through the allow-list.
pub fn sanitize(html: &str) -> String {
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer"))
        .clean(html)
        .to_string()
}

/// A piece of a rich text as templates see it: sanitised HTML, or a content item's view.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Part {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<Value>,
}

/// `html`, sanitised, split at its content item markers; `resolve` turns a key into the item's
/// view (none: the marker is dropped).
pub fn parts(html: &str, resolve: &mut dyn FnMut(&str) -> Option<Value>) -> Vec<Part> {
    let clean = sanitize(html);
    let mut out = Vec::new();
    let mut rest = clean.as_str();
    let mut text = String::new();
    while let Some(open) = rest.find("{{") {
        text.push_str(&rest[..open]);
        match marker(&rest[open..]) {
            Some((key, len)) => {
                if let Some(item) = resolve(key) {
                    if !text.is_empty() {
                        out.push(html_part(std::mem::take(&mut text)));
                    }
                    out.push(Part {
                        html: None,
                        item: Some(item),
                    });
                }
                rest = &rest[open + len..];
            }
            None => {
                text.push_str("{{");
                rest = &rest[open + 2..];
            }
        }
    }
    text.push_str(rest);
    if !text.is_empty() {
        out.push(html_part(text));
    }
    out
}

fn html_part(html: String) -> Part {
    Part {
        html: Some(html),
        item: None,
    }
}

/// The key of a marker at the start of `s` and the marker's length.
fn marker(s: &str) -> Option<(&str, usize)> {
    let inner = s.strip_prefix("{{")?;
    let after_space = inner.trim_start();
    let body = after_space.strip_prefix("content_item(\"")?;
    let end = body.find("\")")?;
    let key = &body[..end];
    if key.is_empty() || !key.chars().all(is_key_char) {
        return None;
    }
    let tail = body[end + 2..].trim_start();
    let tail = tail.strip_prefix("}}")?;
    Some((key, s.len() - tail.len()))
}

/// Characters of block and item keys: lower-case letters, digits, `-` and `_`.
pub fn is_key_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_handlers_and_javascript_urls_are_removed() {
        let clean = sanitize(
            r#"<p onclick="x()">Hi<script>alert(1)</script><a href="javascript:alert(1)">a</a><img src=x onerror=alert(1)></p>"#,
        );
        assert!(!clean.contains("script"), "{clean}");
        assert!(!clean.contains("onclick"), "{clean}");
        assert!(!clean.contains("onerror"), "{clean}");
        assert!(!clean.contains("javascript"), "{clean}");
        assert!(clean.contains("<p>Hi"), "{clean}");
    }

    #[test]
    fn markers_become_items_in_text_only() {
        let mut resolve = |key: &str| (key == "sale").then(|| serde_json::json!({"key": key}));
        let parts = parts(
            r#"<p>Before {{ content_item("sale") }} after {{ other }}</p><a title='{{ content_item("sale") }}'>x</a>"#,
            &mut resolve,
        );
        assert_eq!(parts.len(), 3, "{parts:?}");
        assert_eq!(parts[0].html.as_deref(), Some("<p>Before "));
        assert_eq!(parts[1].item, Some(serde_json::json!({"key": "sale"})));
        let last = parts[2].html.as_deref().unwrap_or_default();
        assert!(last.starts_with(" after {{ other }}</p>"), "{last}");
        assert!(last.contains("content_item(&quot;sale&quot;)"), "{last}");
    }
}
