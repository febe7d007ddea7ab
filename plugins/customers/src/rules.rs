//! Field rules shared by customers, addresses and companies: what a valid email, name, date of
//! birth, phone, postcode or country looks like, plus the clock and the random source. Pure
//! functions (no host calls except the clock and randomness), unit-tested here; the messages
//! are the contract in README.md.

use std::hash::{BuildHasher, RandomState};

use backoffice_sdk::input::{Errors, Text};

/// A name: of a person, a city, a group or a role.
pub const NAME: Text = Text::line(100);
/// A line of other text: a street, a company or a business unit.
pub const TEXT: Text = Text::line(200);
/// Notes and descriptions, which may span lines.
pub const NOTES: Text = Text::lines(2000);
pub const SALUTATIONS: &[&str] = &["", "Mr", "Ms", "Mrs", "Dr"];
pub const GENDERS: &[&str] = &["", "male", "female", "diverse"];

/// Now, in UTC unix seconds (the WASI wall clock is the host's clock).
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// 64 random bits. The standard library seeds `RandomState` from WASI's random source, and
/// every call gets a fresh instance, so this differs per call; good for references and
/// throw-away addresses, not for secrets (the host makes those).
pub fn random() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    RandomState::new().hash_one(nanos)
}

/// `len` characters of an alphabet without look-alikes (no 0/O, 1/I/L).
pub fn random_code(len: usize) -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    let mut bits = random();
    let mut out = String::with_capacity(len);
    for i in 0..len {
        if i > 0 && i % 12 == 0 {
            bits = random();
        }
        out.push(ALPHABET[(bits % ALPHABET.len() as u64) as usize] as char);
        bits /= ALPHABET.len() as u64;
    }
    out
}

/// One of `allowed` (`""` included when the field is optional).
pub fn one_of(errors: &mut Errors, field: &str, value: &str, allowed: &[&str]) {
    if !allowed.contains(&value) {
        let shown: Vec<&str> = allowed.iter().copied().filter(|a| !a.is_empty()).collect();
        errors.add(
            field,
            format!("{field} must be one of {}", shown.join(", ")),
        );
    }
}

/// Lower-cases and checks an email: one `@`, something on both sides, a dot in the domain,
/// no spaces, at most 254 characters.
pub fn email(errors: &mut Errors, value: &str) -> String {
    let value = value.trim().to_lowercase();
    let ok = match value.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
        }
        None => false,
    };
    if value.is_empty() {
        errors.add("email", "email is required");
    } else if !ok || value.len() > 254 || value.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        errors.add(
            "email",
            "email must be an email address such as ann@example.com",
        );
    }
    value
}

/// Days from 1970-01-01 to the civil date (proleptic Gregorian); Howard Hinnant's algorithm.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `(year, month, day)` of a real calendar day written `YYYY-MM-DD`.
fn parse_date(value: &str) -> Option<(i64, i64, i64)> {
    if !value.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
        return None;
    }
    let parts: Vec<&str> = value.split('-').collect();
    match parts.as_slice() {
        [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2 => {
            match (y.parse::<i64>(), m.parse::<i64>(), d.parse::<i64>()) {
                (Ok(y), Ok(m), Ok(d)) if (1..=12).contains(&m) && d >= 1 => {
                    (d <= days_in_month(y, m)).then_some((y, m, d))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// UTC unix seconds of the start of a `YYYY-MM-DD` day; `None` when it is not a real date.
pub fn day_start(value: &str) -> Option<i64> {
    parse_date(value).map(|(y, m, d)| days_from_civil(y, m, d) * 86_400)
}

/// A date of birth `YYYY-MM-DD` (or empty): a real calendar day, from 1900 on, not after
/// `today` (unix seconds).
pub fn date_of_birth(errors: &mut Errors, value: &str, today: i64) {
    if value.is_empty() {
        return;
    }
    match parse_date(value) {
        None => errors.add(
            "date_of_birth",
            "date_of_birth must be a real date written YYYY-MM-DD",
        ),
        Some((y, _, _)) if y < 1900 => {
            errors.add("date_of_birth", "date_of_birth must be in 1900 or later")
        }
        Some((y, m, d)) if days_from_civil(y, m, d) > today.div_euclid(86_400) => {
            errors.add("date_of_birth", "date_of_birth must not be in the future")
        }
        Some(_) => {}
    }
}

/// A phone number (or empty): digits, spaces and `+ - / ( ) .`, with 5 to 20 digits.
pub fn phone(errors: &mut Errors, field: &str, value: &str) {
    if value.is_empty() {
        return;
    }
    let digits = value.chars().filter(char::is_ascii_digit).count();
    let ok = value.len() <= 30
        && (5..=20).contains(&digits)
        && value
            .chars()
            .all(|c| c.is_ascii_digit() || " +-/().".contains(c));
    if !ok {
        errors.add(
            field,
            format!("{field} must be a phone number: 5 to 20 digits, spaces and + - / ( ) ."),
        );
    }
}

/// A locale such as `en` or `de_DE` (or empty).
pub fn locale(errors: &mut Errors, value: &str) {
    let ok = value.is_empty()
        || ((2..=16).contains(&value.len())
            && value.starts_with(|c: char| c.is_ascii_alphabetic())
            && value
                .chars()
                .all(|c| c.is_ascii_alphabetic() || c == '-' || c == '_'));
    if !ok {
        errors.add("locale", "locale must look like en or de_DE");
    }
}

/// A postcode: 2 to 10 letters, digits, spaces or `-`.
pub fn zip(errors: &mut Errors, value: &str) {
    if value.is_empty() {
        errors.add("zip", "zip is required");
    } else if !((2..=10).contains(&value.len())
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-'))
    {
        errors.add("zip", "zip must be 2 to 10 letters, digits, spaces or -");
    }
}

/// An ISO 3166-1 alpha-2 country code, upper-cased.
pub fn country(errors: &mut Errors, value: &str) -> String {
    let value = value.to_ascii_uppercase();
    if value.is_empty() {
        errors.add("country", "country is required");
    } else if value.len() != 2 || !value.chars().all(|c| c.is_ascii_uppercase()) {
        errors.add(
            "country",
            "country must be a two-letter ISO code such as DE",
        );
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(check: impl FnOnce(&mut Errors)) -> Option<String> {
        let mut errors = Errors::default();
        check(&mut errors);
        errors.finish().err().map(|f| f.message)
    }

    const NOV_2026: i64 = 1_795_600_000; // 2026-11-25

    #[test]
    fn dates_of_birth_must_be_real_past_days() {
        for ok in ["", "1990-02-28", "2000-02-29", "1900-01-01", "2026-11-25"] {
            assert_eq!(problems(|e| date_of_birth(e, ok, NOV_2026)), None, "{ok}");
        }
        for bad in [
            "1990-02-30",
            "1999-02-29",
            "1990-13-01",
            "90-01-01",
            "1990/01/01",
            "x",
        ] {
            assert_eq!(
                problems(|e| date_of_birth(e, bad, NOV_2026)).as_deref(),
                Some("date_of_birth must be a real date written YYYY-MM-DD"),
                "{bad}"
            );
        }
        assert!(problems(|e| date_of_birth(e, "2026-11-26", NOV_2026)).is_some());
        assert!(problems(|e| date_of_birth(e, "1899-12-31", NOV_2026)).is_some());
    }

    #[test]
    fn emails_are_lower_cased_and_checked() {
        let mut errors = Errors::default();
        assert_eq!(email(&mut errors, " Ann@Example.COM "), "ann@example.com");
        assert!(errors.finish().is_ok());
        for bad in ["ann", "ann@", "@x.de", "a b@x.de", "ann@localhost"] {
            assert!(
                problems(|e| {
                    email(e, bad);
                })
                .is_some()
            );
        }
    }

    #[test]
    fn address_fields() {
        assert!(problems(|e| zip(e, "10115")).is_none());
        assert!(problems(|e| zip(e, "SW1A 1AA")).is_none());
        assert!(problems(|e| zip(e, "1")).is_some());
        let mut errors = Errors::default();
        assert_eq!(country(&mut errors, "de"), "DE");
        assert!(errors.finish().is_ok());
        assert!(
            problems(|e| {
                country(e, "DEU");
            })
            .is_some()
        );
        assert!(problems(|e| phone(e, "phone", "+49 (30) 1234-567")).is_none());
        assert!(problems(|e| phone(e, "phone", "call me")).is_some());
    }

    #[test]
    fn random_codes_use_the_alphabet() {
        let code = random_code(16);
        assert_eq!(code.len(), 16);
        assert!(
            code.chars()
                .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
        );
        assert!(!code.contains('0') && !code.contains('O'));
    }
}
