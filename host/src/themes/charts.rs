//! `bar_chart(items, …)`: a small bar chart as inline SVG, drawn on the server, for dashboard
//! widgets and reports.
//!
//! Why in the host, as a template function: every section's templates (whatever language the
//! plugin is written in) get the same chart without shipping JavaScript or a chart library, and
//! a theme restyles all of them through CSS variables (`--theme-chart-bar`, falling back to the
//! accent colour; see `.chart` in the default theme's `base.css`). The markup is built here and
//! marked safe, so every text that goes into it (labels, the title) is escaped here.

use std::fmt::Write as _;

use minijinja::value::{Kwargs, ValueKind};
use minijinja::{Error, ErrorKind, Value};

/// Most bars one chart draws: a dashboard chart beyond that is unreadable anyway, and the limit
/// keeps a template from building megabytes of markup.
const MAX_BARS: usize = 100;
/// Width of the drawing area in SVG units (the chart scales to its container).
const WIDTH: f64 = 320.0;
/// Height of a vertical chart's bars area, and of one row of a horizontal chart.
const HEIGHT: f64 = 120.0;
const ROW: f64 = 22.0;
/// Room under vertical bars for their labels, and left of horizontal bars for theirs.
const LABEL_BAND: f64 = 18.0;
const LABEL_COLUMN: f64 = 120.0;

/// `bar_chart(items, label="date", value="orders", title="Orders per day", horizontal=false,
/// link=none)`: one bar per item of `items` (a list of maps), its height (or length) the
/// item's `value` attribute, named by its `label` attribute. `link` names an attribute holding
/// an address the bar links to. Values that are not numbers count as 0; negative values are
/// drawn as 0.
pub fn bar_chart(items: Value, kwargs: Kwargs) -> Result<Value, Error> {
    let label_key: String = kwargs
        .get::<Option<String>>("label")?
        .unwrap_or("label".into());
    let value_key: String = kwargs
        .get::<Option<String>>("value")?
        .unwrap_or("value".into());
    let title: String = kwargs.get::<Option<String>>("title")?.unwrap_or_default();
    let horizontal = kwargs.get::<Option<bool>>("horizontal")?.unwrap_or(false);
    let link_key: Option<String> = kwargs.get("link")?;
    kwargs.assert_all_used()?;

    if items.kind() != ValueKind::Seq {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            "bar_chart expects a list of items",
        ));
    }
    let bars: Vec<Bar> = items
        .try_iter()?
        .take(MAX_BARS)
        .map(|item| Bar {
            label: text_of(&item, &label_key),
            value: number_of(&item, &value_key),
            link: link_key.as_deref().map(|k| text_of(&item, k)),
        })
        .collect();
    let svg = if horizontal {
        horizontal_svg(&title, &bars)
    } else {
        vertical_svg(&title, &bars)
    };
    Ok(Value::from_safe_string(svg))
}

struct Bar {
    label: String,
    value: f64,
    link: Option<String>,
}

fn text_of(item: &Value, key: &str) -> String {
    item.get_attr(key)
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_none())
        .map(|v| v.to_string())
        .unwrap_or_default()
}

fn number_of(item: &Value, key: &str) -> f64 {
    item.get_attr(key)
        .ok()
        .and_then(|v| f64::try_from(v).ok())
        .filter(|v| v.is_finite())
        .map_or(0.0, |v| v.max(0.0))
}

/// The tallest bar's value, at least 1 so that an all-zero chart draws empty bars, not NaN.
fn scale(bars: &[Bar]) -> f64 {
    bars.iter().map(|b| b.value).fold(1.0, f64::max)
}

/// A number as a chart shows it: whole numbers without decimals, others with two.
fn shown(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.2}")
    }
}

fn open_svg(out: &mut String, title: &str, height: f64, kind: &str) {
    let _ = write!(
        out,
        r#"<svg class="chart chart-{kind}" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{t}"><title>{t}</title>"#,
        t = escape(title)
    );
}

/// One bar: its rectangle with a tooltip (`<title>`), inside a link when it has one.
fn bar(out: &mut String, bar: &Bar, (x, y, w, h): (f64, f64, f64, f64)) {
    let tip = format!("{}: {}", bar.label, shown(bar.value));
    let rect = format!(
        r#"<rect class="chart-bar" x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}"><title>{}</title></rect>"#,
        escape(&tip)
    );
    match bar.link.as_deref().filter(|l| !l.is_empty()) {
        Some(link) => {
            let _ = write!(out, r#"<a href="{}">{rect}</a>"#, escape(link));
        }
        None => out.push_str(&rect),
    }
}

fn vertical_svg(title: &str, bars: &[Bar]) -> String {
    let mut out = String::new();
    open_svg(&mut out, title, HEIGHT + LABEL_BAND, "vertical");
    let top = scale(bars);
    let slot = WIDTH / bars.len().max(1) as f64;
    let width = slot * 0.7;
    for (i, b) in bars.iter().enumerate() {
        let h = (b.value / top * (HEIGHT - 14.0)).max(0.0);
        let x = i as f64 * slot + (slot - width) / 2.0;
        bar(&mut out, b, (x, HEIGHT - h, width, h));
        let middle = x + width / 2.0;
        let _ = write!(
            out,
            r#"<text class="chart-value" x="{middle:.1}" y="{:.1}" text-anchor="middle">{}</text><text class="chart-label" x="{middle:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            HEIGHT - h - 3.0,
            shown(b.value),
            HEIGHT + LABEL_BAND - 4.0,
            escape(&b.label)
        );
    }
    out.push_str("</svg>");
    out
}

fn horizontal_svg(title: &str, bars: &[Bar]) -> String {
    let mut out = String::new();
    let height = (bars.len().max(1) as f64) * ROW;
    open_svg(&mut out, title, height, "horizontal");
    let top = scale(bars);
    let room = WIDTH - LABEL_COLUMN - 40.0;
    for (i, b) in bars.iter().enumerate() {
        let y = i as f64 * ROW;
        let w = b.value / top * room;
        let _ = write!(
            out,
            r#"<text class="chart-label" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            LABEL_COLUMN - 6.0,
            y + ROW * 0.65,
            escape(&b.label)
        );
        bar(&mut out, b, (LABEL_COLUMN, y + 3.0, w, ROW - 6.0));
        let _ = write!(
            out,
            r#"<text class="chart-value" x="{:.1}" y="{:.1}">{}</text>"#,
            LABEL_COLUMN + w + 4.0,
            y + ROW * 0.65,
            shown(b.value)
        );
    }
    out.push_str("</svg>");
    out
}

/// Text for SVG markup: the five characters that could end an attribute or start markup.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use minijinja::Environment;
    use serde_json::json;

    fn render(template: &str, ctx: serde_json::Value) -> String {
        let mut env = Environment::new();
        env.add_function("bar_chart", super::bar_chart);
        env.render_str(template, ctx).unwrap()
    }

    #[test]
    fn draws_one_bar_per_item_scaled_to_the_largest() {
        let svg = render(
            r#"{{ bar_chart(days, label="date", value="orders", title="Orders") }}"#,
            json!({"days": [{"date": "12-01", "orders": 2}, {"date": "12-02", "orders": 4},
                            {"date": "12-03", "orders": 0}]}),
        );
        assert!(
            svg.starts_with("<svg class=\"chart chart-vertical\""),
            "{svg}"
        );
        assert_eq!(svg.matches("<rect").count(), 3);
        assert!(
            svg.contains(r#"height="106.0""#),
            "the largest fills the area: {svg}"
        );
        assert!(svg.contains(r#"height="53.0""#), "half of it: {svg}");
        assert!(svg.contains("<title>12-02: 4</title>"));
    }

    #[test]
    fn escapes_labels_and_links_and_survives_odd_values() {
        let svg = render(
            r#"{{ bar_chart(rows, label="name", value="n", horizontal=true, link="href") }}"#,
            json!({"rows": [
                {"name": "<script>alert(1)</script>", "n": "x", "href": "/a?x=\"1\""},
                {"name": "Mugs & cups", "n": -5},
                {"n": 1.5}
            ]}),
        );
        assert!(!svg.contains("<script>"), "{svg}");
        assert!(svg.contains("&lt;script&gt;"));
        assert!(svg.contains("Mugs &amp; cups"));
        assert!(svg.contains(r#"<a href="/a?x=&quot;1&quot;">"#), "{svg}");
        assert!(svg.contains(">1.50</text>"));
        assert_eq!(svg.matches("<rect").count(), 3);
    }

    #[test]
    fn an_empty_list_is_an_empty_chart_and_a_non_list_an_error() {
        let svg = render(r#"{{ bar_chart([], title="None") }}"#, json!({}));
        assert!(svg.contains("<title>None</title>") && !svg.contains("<rect"));
        let mut env = Environment::new();
        env.add_function("bar_chart", super::bar_chart);
        let err = env.render_str("{{ bar_chart(3) }}", json!({})).unwrap_err();
        assert!(err.to_string().contains("list of items"), "{err}");
    }
}
