//! The host's own templates, compiled into the binary so the host renders its pages with no files
//! beside it. Autoescape is HTML for every template whatever its name.

use minijinja::{AutoEscape, Environment, Value};

/// (name, source) of every built-in template.
const BUILT_IN: &[(&str, &str)] = &[
    ("layout.html", include_str!("../templates/layout.html")),
    ("macros.html", include_str!("../templates/macros.html")),
    ("error.html", include_str!("../templates/error.html")),
    ("login.html", include_str!("../templates/login.html")),
    (
        "dashboard.html",
        include_str!("../templates/dashboard.html"),
    ),
    ("account.html", include_str!("../templates/account.html")),
    (
        "users/index.html",
        include_str!("../templates/users/index.html"),
    ),
    (
        "users/form.html",
        include_str!("../templates/users/form.html"),
    ),
    (
        "users/password.html",
        include_str!("../templates/users/password.html"),
    ),
    (
        "named/index.html",
        include_str!("../templates/named/index.html"),
    ),
    (
        "named/form.html",
        include_str!("../templates/named/form.html"),
    ),
    (
        "audit/index.html",
        include_str!("../templates/audit/index.html"),
    ),
];

pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    pub fn new() -> anyhow::Result<Templates> {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|_| AutoEscape::Html);
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
        env.add_filter("datetime", |unix: i64| crate::clock::format_utc(unix));
        // minijinja's own `urlencode` needs a cargo feature the host does not enable.
        env.add_filter("urlencode", |value: String| {
            form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>()
        });
        for (name, source) in BUILT_IN {
            env.add_template(name, source)?;
        }
        Ok(Templates { env })
    }

    pub fn render(&self, name: &str, context: Value) -> Result<String, minijinja::Error> {
        self.env.get_template(name)?.render(context)
    }
}
