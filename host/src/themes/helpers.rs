//! The functions and filters every template gets, whatever theme it comes from: `t(key)`,
//! `url_for(name, …)`, `csrf_field()`, `asset(path)` (per theme), `bar_chart(…)` (see
//! [`super::charts`]), and the filters `datetime`, `major` (amounts for form fields),
//! `urlencode`, a `safe` that only keeps what the host already marked safe, and `rich_text`,
//! which runs HTML through the host's allow-list sanitizer and marks only that result safe.
//!
//! Request data (the CSRF token, the user, permissions) is never captured here: functions read
//! it from the render's context, which `web::view` builds.

use std::collections::BTreeMap;
use std::sync::Arc;

use minijinja::value::Kwargs;
use minijinja::{Environment, Error, ErrorKind, State, Value};

use super::paths;

/// Named addresses for `url_for`. `{x}` placeholders are filled from keyword arguments; the
/// remaining keyword arguments become the query string.
const ROUTES: &[(&str, &str)] = &[
    ("home", "/"),
    ("login", "/login"),
    ("logout", "/logout"),
    ("account", "/account"),
    ("admin", "/admin"),
    ("admin.page", "/admin/{section}/{controller}/{action}"),
    ("themes", "/admin/themes/themes/index"),
    ("customer.login", "/customer/login"),
    ("customer.register", "/customer/register"),
    ("customer.logout", "/customer/logout"),
    ("customer.password_reset", "/customer/password-reset"),
    ("customer.account", "/customer/account"),
];

/// Registers the helpers shared by all environments.
pub fn register(env: &mut Environment<'static>) {
    env.add_filter("datetime", |unix: i64| crate::clock::format_utc(unix));
    // minijinja's own `urlencode` needs a cargo feature the host does not enable.
    env.add_filter("urlencode", |value: String| encode(&value));
    // A template cannot vouch for data: `safe` keeps host-marked HTML as it is and leaves
    // everything else to autoescaping.
    env.add_filter("safe", |value: Value| value);
    env.add_filter("rich_text", rich_text);
    env.add_filter("major", major);
    env.add_function("t", translate);
    env.add_function("url_for", url_for);
    env.add_function("csrf_field", csrf_field);
    env.add_function("bar_chart", super::charts::bar_chart);
}

/// Rich text (e.g. a CMS placeholder) as HTML: only what the allow-list keeps (`ammonia`'s
/// defaults: no `script`, `style`, `iframe`, `object` or `form`, no event handler or `style`
/// attribute, links and images only with safe schemes — never `javascript:` or `data:` —, and
/// `rel="noopener noreferrer"` on links), marked safe. The only way a template shows HTML from
/// data: the host vouches for what it cleaned, never for what a template says.
fn rich_text(html: String) -> Value {
    let clean = ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer"))
        .clean(&html)
        .to_string();
    Value::from_safe_string(clean)
}

/// `{{ amount | major }}`: minor units as major units for a form field (`1999` → `19.99`;
/// `major(0)` for a currency without decimals). Nothing (no price yet) is empty, and text
/// stays as it is, so a form re-shown with what the user typed keeps it.
fn major(amount: Value, digits: Option<u8>) -> String {
    match i64::try_from(amount.clone()) {
        Ok(minor) => crate::shop::major(minor, digits.unwrap_or(2)),
        Err(_) if amount.is_none() || amount.is_undefined() => String::new(),
        Err(_) => amount.to_string(),
    }
}

/// Registers `asset(path)` for a theme: `path` is looked up in `assets` (relative path →
/// versioned URL).
pub fn register_assets(env: &mut Environment<'static>, assets: Arc<BTreeMap<String, String>>) {
    env.add_function("asset", move |path: String| -> Result<String, Error> {
        paths::check_relative(&path)
            .map_err(|e| Error::new(ErrorKind::InvalidOperation, e.to_string()))?;
        assets.get(&path).cloned().ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidOperation,
                format!("asset({path:?}): the theme has no such static file"),
            )
        })
    })
}

/// `t(key)`: the translation of `key`; for now the key itself.
fn translate(key: String, _kwargs: Kwargs) -> String {
    key
}

fn url_for(name: String, kwargs: Kwargs) -> Result<String, Error> {
    let Some((_, pattern)) = ROUTES.iter().find(|(n, _)| *n == name) else {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            format!("url_for: there is no address named {name:?}"),
        ));
    };
    let mut path = (*pattern).to_owned();
    let mut used = Vec::new();
    while let Some(start) = path.find('{') {
        let end = path[start..]
            .find('}')
            .map(|e| e + start)
            .unwrap_or(path.len());
        let key = path[start + 1..end].to_owned();
        let value: String = kwargs.get(key.as_str())?;
        path.replace_range(start..=end, &encode_segment(&value));
        used.push(key);
    }
    let mut query = Vec::new();
    for key in kwargs.args() {
        if used.iter().any(|u| u == key) {
            continue;
        }
        let value: Value = kwargs.get(key)?;
        query.push(format!("{}={}", encode(key), encode(&value.to_string())));
    }
    kwargs.assert_all_used()?;
    if !query.is_empty() {
        path.push('?');
        path.push_str(&query.join("&"));
    }
    Ok(path)
}

/// `csrf_field()`: the hidden input carrying this page's CSRF token.
fn csrf_field(state: &State) -> Value {
    let token = state
        .lookup("csrf")
        .filter(|v| !v.is_none() && !v.is_undefined())
        .map(|v| v.to_string())
        .unwrap_or_default();
    let token: String = token.chars().filter(char::is_ascii_alphanumeric).collect();
    Value::from_safe_string(format!(
        r#"<input type="hidden" name="_csrf" value="{token}">"#
    ))
}

fn encode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// A path segment: the form encoding, with a space as `%20` (in a path, `+` is a plus; a `+` of
/// the value itself is already `%2B`).
fn encode_segment(value: &str) -> String {
    encode(value).replace('+', "%20")
}

#[cfg(test)]
mod tests {
    use super::*;
    use minijinja::context;

    fn env() -> Environment<'static> {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
        register(&mut env);
        env
    }

    fn plain() -> Environment<'static> {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
        register(&mut env);
        env
    }

    #[test]
    fn url_for_fills_placeholders_and_query() {
        let out = plain()
            .render_str(
                "{{ url_for('admin.page', section='catalog', controller='products', action='edit', id=5) }}",
                context! {},
            )
            .unwrap();
        assert_eq!(out, "/admin/catalog/products/edit?id=5");
        assert!(
            env()
                .render_str("{{ url_for('nope') }}", context! {})
                .is_err()
        );
        let odd = plain()
            .render_str(
                "{{ url_for('admin.page', section='../x', controller='a b', action='i') }}",
                context! {},
            )
            .unwrap();
        assert_eq!(odd, "/admin/..%2Fx/a%20b/i");
    }

    #[test]
    fn safe_does_not_unescape_data() {
        let out = env()
            .render_str(
                "{{ x|safe }}{{ csrf_field() }}",
                context! { x => "<b>", csrf => "ab12" },
            )
            .unwrap();
        assert_eq!(
            out,
            r#"&lt;b&gt;<input type="hidden" name="_csrf" value="ab12">"#
        );
    }

    #[test]
    fn rich_text_keeps_markup_and_drops_what_could_run() {
        let out = env()
            .render_str(
                "{{ x|rich_text }}",
                context! { x => r#"<p onclick="a()">Hi <a href="javascript:b()">l</a><script>c()</script><em>!</em></p>"# },
            )
            .unwrap();
        assert_eq!(
            out,
            r#"<p>Hi <a rel="noopener noreferrer">l</a><em>!</em></p>"#
        );
    }
}
