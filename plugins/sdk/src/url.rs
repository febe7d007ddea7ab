//! Links a plugin builds: percent-encoding of path segments and query values, and query
//! strings from optional parts. A record id or a search text put into a link unencoded breaks
//! the link (`&`, `#`, spaces) or changes its meaning, so every link with data goes through
//! here.

use std::fmt::Write as _;

/// Percent-encodes `text` for a path segment or a query value: everything but ASCII letters,
/// digits and `-` `_` `.` `~` (RFC 3986 "unreserved") becomes `%XX` of its UTF-8 bytes.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// `path?name=value` with the value encoded: the usual link to one record's page.
pub fn with_param(path: &str, name: &str, value: &str) -> String {
    format!("{path}?{name}={}", encode(value))
}

/// A query string built from parts, some of them optional (a list's filters); without the
/// leading `?`.
///
/// ```
/// use backoffice_sdk::url::Query;
/// let q = Query::new().add("q", "red & blue").add_some("page", None::<&str>).add("limit", 50);
/// assert_eq!(q.to_string(), "q=red%20%26%20blue&limit=50");
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Query {
    text: String,
}

impl Query {
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends `name=value`, the value encoded.
    pub fn add(mut self, name: &str, value: impl std::fmt::Display) -> Self {
        if !self.text.is_empty() {
            self.text.push('&');
        }
        self.text.push_str(&encode(name));
        self.text.push('=');
        self.text.push_str(&encode(&value.to_string()));
        self
    }

    /// Appends `name=value` when there is a value.
    pub fn add_some(self, name: &str, value: Option<impl std::fmt::Display>) -> Self {
        match value {
            Some(v) => self.add(name, v),
            None => self,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
}

impl std::fmt::Display for Query {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_everything_but_unreserved_characters() {
        assert_eq!(encode("SKU-1_a.b~"), "SKU-1_a.b~");
        assert_eq!(encode("a b&c=d/e?f#g'h"), "a%20b%26c%3Dd%2Fe%3Ff%23g%27h");
        assert_eq!(encode("Grün"), "Gr%C3%BCn");
    }

    #[test]
    fn builds_links_and_query_strings() {
        assert_eq!(
            with_param("/admin/x/y/show", "id", "a/b"),
            "/admin/x/y/show?id=a%2Fb"
        );
        let q = Query::new()
            .add("sort", "name")
            .add_some("q", Some("x y"))
            .add_some("status", None::<String>)
            .add("f.color", "red");
        assert_eq!(q.to_string(), "sort=name&q=x%20y&f.color=red");
        assert!(Query::new().is_empty());
    }
}
