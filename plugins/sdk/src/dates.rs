//! Days and dates in UTC, for every section: day numbers (days since 1970-01-01) for buckets
//! and filters, `YYYY-MM-DD` for pages, CSV and validity dates. Civil-calendar conversion after
//! Howard Hinnant's algorithms; `now` is the host's clock (WASI's wall clock is the host's).

pub const DAY: i64 = 86_400;

/// Now, in UTC seconds (the host's clock: WASI's wall clock is the host's).
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0))
}

/// The day number of a time.
pub fn day_of(secs: i64) -> i64 {
    secs.div_euclid(DAY)
}

/// `YYYY-MM-DD` (UTC) of a time.
pub fn date_of(secs: i64) -> String {
    ymd(day_of(secs))
}

/// `YYYY-MM-DD` of a day number.
pub fn ymd(day: i64) -> String {
    let z = day + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The day number of `YYYY-MM-DD`, if it is a real date.
pub fn parse_ymd(text: &str) -> Option<i64> {
    let mut parts = text.splitn(3, '-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let d: i64 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || !(1..=9999).contains(&y) {
        return None;
    }
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let day = era * 146_097 + doe - 719_468;
    (ymd(day) == text).then_some(day)
}

/// `YYYY-MM-DD HH:MM` UTC of a time, for pages and CSV.
pub fn stamp(secs: i64) -> String {
    let rest = secs.rem_euclid(DAY);
    format!(
        "{} {:02}:{:02}",
        ymd(day_of(secs)),
        rest / 3600,
        rest % 3600 / 60
    )
}

/// Whether `day` lies within `from`..=`to` (`YYYY-MM-DD`, empty: open on that side).
pub fn day_in_window(day: i64, from: &str, to: &str) -> bool {
    let after = parse_ymd(from).is_none_or(|d| day >= d);
    let before = parse_ymd(to).is_none_or(|d| day <= d);
    after && before
}

/// Whether today (host clock) lies within the validity window `from`..=`to` (`YYYY-MM-DD`,
/// both days included, empty: open). The storefront shows a record with a window only then.
pub fn in_window(from: &str, to: &str) -> bool {
    day_in_window(day_of(now()), from, to)
}

/// Checks a validity window as forms send it (`valid_from`, `valid_to`): real dates or empty,
/// `from` not after `to`; each problem is recorded beside its field.
pub fn check_window(from: &str, to: &str, errors: &mut crate::input::Errors) {
    for (field, value) in [("valid_from", from), ("valid_to", to)] {
        if !value.is_empty() && parse_ymd(value).is_none() {
            errors.add(field, format!("{field} must be a date like 2026-12-31"));
        }
    }
    if let (Some(a), Some(b)) = (parse_ymd(from), parse_ymd(to))
        && a > b
    {
        errors.add("valid_to", "valid_to must not be before valid_from");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        assert_eq!(ymd(0), "1970-01-01");
        assert_eq!(ymd(day_of(1_735_689_600)), "2025-01-01");
        assert_eq!(
            parse_ymd("2024-02-29").map(ymd).as_deref(),
            Some("2024-02-29")
        );
        assert_eq!(parse_ymd("2023-02-29"), None);
        assert_eq!(parse_ymd("2025-1-01"), None);
        assert_eq!(stamp(1_735_689_600 + 3_723), "2025-01-01 01:02");
    }

    #[test]
    fn windows_include_both_days_and_open_ends() {
        let day = parse_ymd("2025-01-02").unwrap();
        assert!(day_in_window(day, "2025-01-02", "2025-01-02"));
        assert!(day_in_window(day, "", ""));
        assert!(day_in_window(day, "2025-01-01", ""));
        assert!(!day_in_window(day, "2025-01-03", ""));
        assert!(!day_in_window(day, "", "2025-01-01"));
    }
}
