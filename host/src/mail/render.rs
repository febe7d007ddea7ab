//! Rendering a message: the text part and the HTML part from a template pair, with the active
//! theme's environment and in the recipient's locale.
//!
//! A message is rendered when it is queued, not when it is sent: the caller learns at once that
//! a template is missing or broken (and its call rolls back), the Outgoing mail page shows
//! exactly what was sent, and a theme change cannot alter a message already promised.

use minijinja::ErrorKind;

use super::error::{MailError, MailResult};
use crate::templates::Templates;

/// The rendered parts of a message.
#[derive(Debug, Clone)]
pub struct Parts {
    pub text: String,
    pub html: String,
}

/// True for a template base name such as `mail/order-confirmation` or
/// `sales/mail/order-confirmation`: lower-case segments of letters, digits, `-` and `_`.
pub fn is_template_name(name: &str) -> bool {
    name.len() <= 200
        && name.split('/').all(|segment| {
            !segment.is_empty()
                && segment
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        })
}

/// True for a locale that may name a template (`de_DE`, `en`, `pt-BR`).
pub fn is_locale(locale: &str) -> bool {
    !locale.is_empty()
        && locale.len() <= 20
        && locale
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Renders `<base>.txt` and `<base>.html` with `theme`. For each part a template named for the
/// locale (`<base>.<locale>.html`) wins over the general one, so a shop translates a message by
/// adding a file, without any code knowing its locales.
pub fn render(
    templates: &Templates,
    theme: &str,
    base: &str,
    locale: &str,
    context: &serde_json::Value,
) -> MailResult<Parts> {
    let context = minijinja::Value::from_serialize(context);
    Ok(Parts {
        text: part(templates, theme, base, locale, "txt", &context)?,
        html: part(templates, theme, base, locale, "html", &context)?,
    })
}

fn part(
    templates: &Templates,
    theme: &str,
    base: &str,
    locale: &str,
    extension: &str,
    context: &minijinja::Value,
) -> MailResult<String> {
    let localized = format!("{base}.{locale}.{extension}");
    let has_localized = templates
        .snapshot()
        .env(theme)
        .env
        .get_template(&localized)
        .is_ok();
    let name = if has_localized {
        localized
    } else {
        format!("{base}.{extension}")
    };
    templates
        .render(theme, &name, context.clone())
        .map_err(|e| failed(&name, &e))
}

fn failed(template: &str, err: &minijinja::Error) -> MailError {
    let message = match err.kind() {
        ErrorKind::TemplateNotFound => "there is no such template".to_owned(),
        _ => err.to_string(),
    };
    MailError::Render {
        template: template.to_owned(),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::{is_template_name, render};
    use crate::templates::Templates;

    fn templates() -> Templates {
        let templates = Templates::new().unwrap();
        let sources = [
            ("mail/note.txt", "Hello & {{ name }}"),
            ("mail/note.html", "<p>Hello {{ name }}</p>"),
            ("mail/note.de_DE.html", "<p>Hallo {{ name }}</p>"),
        ];
        let sources: Vec<(String, String)> = sources
            .iter()
            .map(|(n, s)| (n.to_string(), s.to_string()))
            .collect();
        templates.set_plugin_templates("p", &sources).unwrap();
        templates
    }

    #[test]
    fn a_template_for_the_locale_wins_and_only_html_is_escaped() {
        let templates = templates();
        let context = serde_json::json!({ "name": "<Ann>" });
        let de = render(&templates, "default", "p/mail/note", "de_DE", &context).unwrap();
        assert_eq!(de.html, "<p>Hallo &lt;Ann&gt;</p>");
        assert_eq!(
            de.text, "Hello & <Ann>",
            "no text template for de_DE: the general one"
        );
        let en = render(&templates, "default", "p/mail/note", "en", &context).unwrap();
        assert_eq!(en.html, "<p>Hello &lt;Ann&gt;</p>");
        let missing = render(&templates, "default", "p/mail/none", "en", &context).unwrap_err();
        assert!(missing.to_string().contains("p/mail/none.txt"), "{missing}");
    }

    #[test]
    fn template_names_are_lower_case_paths() {
        assert!(is_template_name("sales/mail/order-confirmation"));
        for bad in ["", "a//b", "../x", "Mail/x", "a/b.html", "a b"] {
            assert!(!is_template_name(bad), "{bad}");
        }
    }
}
