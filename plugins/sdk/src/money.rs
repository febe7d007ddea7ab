//! Amounts as people type them and as the shop stores them.
//!
//! The shop stores and sends amounts as integers of the currency's minor unit (cents for `EUR`,
//! yen for `JPY`: the currency's `minor-units`, see `context`), so sums are exact. People type
//! and read major units: `19.99`. So a Back Office **form** takes major units
//! ([`parse_major`], [`crate::input::Fields::money`]) and shows them ([`major`], or the host's
//! template filter `major`), while the **JSON** API keeps integers of minor units, unchanged —
//! scripts written against it keep working.

use crate::context;

/// Decimals of `currency` (its `minor-units` in the shop's settings); 2 when the shop does not
/// know it, the most common case, so an amount is never refused for a missing setting.
pub fn minor_units(currency: &str) -> u8 {
    context::currencies()
        .into_iter()
        .find(|c| c.code == currency)
        .map_or(2, |c| c.minor_units)
}

/// Decimals of every currency of the shop, for templates that show amounts of several
/// (`{{ p.gross | major(digits[p.currency]) }}`).
pub fn digits_by_currency() -> std::collections::BTreeMap<String, u8> {
    context::currencies()
        .into_iter()
        .map(|c| (c.code, c.minor_units))
        .collect()
}

/// The message of a JSON amount that is not minor units: `<field> must be a non-negative
/// integer of minor units (cents)`.
pub fn minor_units_message(field: &str) -> String {
    format!("{field} must be a non-negative integer of minor units (cents)")
}

/// Why a typed amount was refused, for the field's error message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MoneyError {
    /// Not a number such as `19.99`.
    NotANumber,
    /// More decimals than the currency has.
    TooManyDecimals(u8),
    /// Below zero.
    Negative,
    /// Beyond what an amount can hold.
    TooLarge,
}

impl MoneyError {
    /// The message for `field`, e.g. `price must be an amount such as 19.99`.
    pub fn message(&self, field: &str) -> String {
        match self {
            MoneyError::NotANumber => format!("{field} must be an amount such as 19.99"),
            MoneyError::TooManyDecimals(0) => format!("{field} takes no decimals in this currency"),
            MoneyError::TooManyDecimals(d) => format!("{field} takes at most {d} decimals"),
            MoneyError::Negative => format!("{field} must not be negative"),
            MoneyError::TooLarge => format!("{field} is too large"),
        }
    }
}

/// Minor units from typed major units with at most `digits` decimals: `19.99` → 1999 (for 2),
/// `19` → 1900, `19.9` → 1990; a decimal comma is read like a point (`19,99`), as German
/// keyboards type it. `None` when blank. No thousands separators, no sign but an error for `-`.
pub fn parse_major(text: &str, digits: u8) -> Result<Option<i64>, MoneyError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.starts_with('-') {
        return Err(MoneyError::Negative);
    }
    let (whole, fraction) = match text.split_once(['.', ',']) {
        Some((w, f)) => (w, f),
        None => (text, ""),
    };
    let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty())
        || !digits_only(whole)
        || !digits_only(fraction)
        || (text.contains(['.', ',']) && fraction.is_empty())
    {
        return Err(MoneyError::NotANumber);
    }
    if fraction.len() > usize::from(digits) {
        return Err(MoneyError::TooManyDecimals(digits));
    }
    let scale = 10_i64
        .checked_pow(u32::from(digits))
        .ok_or(MoneyError::TooLarge)?;
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| MoneyError::TooLarge)?
    };
    let padded = format!("{fraction:0<width$}", width = usize::from(digits));
    let fraction: i64 = if padded.is_empty() {
        0
    } else {
        padded.parse().map_err(|_| MoneyError::NotANumber)?
    };
    whole
        .checked_mul(scale)
        .and_then(|w| w.checked_add(fraction))
        .map(Some)
        .ok_or(MoneyError::TooLarge)
}

/// Minor units as major units with `digits` decimals, as a form field shows them: 1999 →
/// `19.99`, -5 → `-0.05`, 7 with 0 digits → `7`.
pub fn major(amount: i64, digits: u8) -> String {
    let Some(scale) = 10_u64.checked_pow(u32::from(digits)) else {
        return amount.to_string();
    };
    let sign = if amount < 0 { "-" } else { "" };
    let magnitude = amount.unsigned_abs();
    if digits == 0 {
        return format!("{sign}{magnitude}");
    }
    format!(
        "{sign}{}.{:0width$}",
        magnitude / scale,
        magnitude % scale,
        width = usize::from(digits)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_amounts_become_minor_units() {
        for (text, digits, cents) in [
            ("19.99", 2, 1999),
            ("19", 2, 1900),
            ("19.9", 2, 1990),
            (" 0.05 ", 2, 5),
            ("19,99", 2, 1999),
            (".5", 2, 50),
            ("1500", 0, 1500),
            ("1.234", 3, 1234),
            ("0", 2, 0),
        ] {
            assert_eq!(parse_major(text, digits), Ok(Some(cents)), "{text}");
        }
        assert_eq!(parse_major("  ", 2), Ok(None));
    }

    #[test]
    fn bad_amounts_are_refused_with_the_reason() {
        assert_eq!(
            parse_major("19.999", 2),
            Err(MoneyError::TooManyDecimals(2))
        );
        assert_eq!(parse_major("19.5", 0), Err(MoneyError::TooManyDecimals(0)));
        for bad in [
            "abc", "19.", "1.2.3", "1 000", "1e3", "€5", ".", "19,99.1", "+1",
        ] {
            assert_eq!(parse_major(bad, 2), Err(MoneyError::NotANumber), "{bad}");
        }
        assert_eq!(parse_major("-1", 2), Err(MoneyError::Negative));
        assert_eq!(
            parse_major("99999999999999999999", 2),
            Err(MoneyError::TooLarge)
        );
        assert_eq!(
            MoneyError::TooManyDecimals(2).message("price"),
            "price takes at most 2 decimals"
        );
    }

    #[test]
    fn minor_units_show_as_major_units_and_read_back() {
        assert_eq!(major(1999, 2), "19.99");
        assert_eq!(major(5, 2), "0.05");
        assert_eq!(major(-5, 2), "-0.05");
        assert_eq!(major(7, 0), "7");
        for cents in [0, 1, 99, 100, 123_456_789] {
            assert_eq!(parse_major(&major(cents, 2), 2), Ok(Some(cents)));
        }
    }
}
