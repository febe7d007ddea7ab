//! Amounts written the way readers of a locale expect (`12,34 €` in Germany, `€12.34` in the
//! US). A small table of conventions by language, not CLDR: enough for the shop's locales and
//! written so that an unknown language falls back to the English way rather than failing.

use super::records::Currency;

/// How a language writes amounts.
struct Style {
    decimal: char,
    group: char,
    /// Symbol after the number (`12,34 €`) rather than before it (`€12.34`).
    symbol_after: bool,
}

fn style(locale: &str) -> Style {
    let language = locale.split(['_', '-']).next().unwrap_or_default();
    match language {
        "de" | "es" | "it" | "nl" | "pt" | "da" | "tr" | "id" | "ro" | "hr" | "sl" => Style {
            decimal: ',',
            group: '.',
            symbol_after: true,
        },
        "fr" | "pl" | "cs" | "sk" | "sv" | "fi" | "nb" | "no" | "ru" | "uk" | "hu" | "bg" => {
            Style {
                decimal: ',',
                group: '\u{202f}',
                symbol_after: true,
            }
        }
        _ => Style {
            decimal: '.',
            group: ',',
            symbol_after: false,
        },
    }
}

/// `amount` minor units of `currency` for readers of `locale`.
pub fn format_money(amount: i64, currency: &Currency, locale: &str) -> String {
    let style = style(locale);
    let scale = 10u64.pow(u32::from(currency.minor_units));
    let magnitude = amount.unsigned_abs();
    let (whole, fraction) = (magnitude / scale, magnitude % scale);
    let digits = whole.to_string();
    let mut number = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            number.push(style.group);
        }
        number.push(digit);
    }
    if currency.minor_units > 0 {
        number.push(style.decimal);
        number.push_str(&format!(
            "{fraction:0width$}",
            width = usize::from(currency.minor_units)
        ));
    }
    let sign = if amount < 0 { "-" } else { "" };
    // A symbol of letters (CHF) is set apart by a space on both sides.
    let spaced = currency.symbol.chars().any(char::is_alphabetic);
    match (style.symbol_after, spaced) {
        (true, _) => format!("{sign}{number}\u{a0}{}", currency.symbol),
        (false, true) => format!("{sign}{}\u{a0}{number}", currency.symbol),
        (false, false) => format!("{sign}{}{number}", currency.symbol),
    }
}

/// `amount` minor units as plain major units with `digits` decimals, for a form field's value
/// (`1999` → `19.99`): no symbol and no grouping, so it reads back as typed. The template
/// filter `major` (`{{ price | major }}`, `{{ price | major(0) }}`; 2 decimals by default).
pub fn major(amount: i64, digits: u8) -> String {
    let scale = 10u64.pow(u32::from(digits.min(18)));
    let sign = if amount < 0 { "-" } else { "" };
    let magnitude = amount.unsigned_abs();
    match digits {
        0 => format!("{sign}{magnitude}"),
        d => format!(
            "{sign}{}.{:0width$}",
            magnitude / scale,
            magnitude % scale,
            width = usize::from(d.min(18))
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn currency(code: &str, symbol: &str, minor_units: u8) -> Currency {
        Currency {
            code: code.into(),
            name: code.into(),
            symbol: symbol.into(),
            minor_units,
        }
    }

    #[test]
    fn amounts_follow_the_locale() {
        let eur = currency("EUR", "€", 2);
        assert_eq!(format_money(1234, &eur, "de_DE"), "12,34\u{a0}€");
        assert_eq!(
            format_money(123_456_789, &eur, "de_DE"),
            "1.234.567,89\u{a0}€"
        );
        assert_eq!(format_money(1234, &eur, "en_US"), "€12.34");
        assert_eq!(format_money(-5, &eur, "en_US"), "-€0.05");
        assert_eq!(
            format_money(100_000, &eur, "fr_FR"),
            "1\u{202f}000,00\u{a0}€"
        );
        let chf = currency("CHF", "CHF", 2);
        assert_eq!(format_money(1250, &chf, "en_US"), "CHF\u{a0}12.50");
        let jpy = currency("JPY", "¥", 0);
        assert_eq!(format_money(1500, &jpy, "ja_JP"), "¥1,500");
        // An unknown language is written the English way.
        assert_eq!(format_money(1234, &eur, "xx_XX"), "€12.34");
    }

    #[test]
    fn major_units_for_form_fields() {
        assert_eq!(major(1999, 2), "19.99");
        assert_eq!(major(5, 2), "0.05");
        assert_eq!(major(-120, 2), "-1.20");
        assert_eq!(major(1500, 0), "1500");
    }
}
