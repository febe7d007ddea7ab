//! The order matrix (states × processes, counts by age of the order: placed today, in the six
//! days before, or earlier; each count links to the filtered list) and the dashboard widgets.
//! Both read the counters of `stats.rs` only: a handful of records whatever the number of
//! orders.

use backoffice_sdk::prelude::*;
use serde::Serialize;

use crate::orders::range_query;
use crate::process;
use crate::stats::{daily, matrix, top_products};
use backoffice_sdk::dates::{day_of, now, ymd};

#[derive(Debug, Serialize)]
struct Cell {
    count: i64,
    link: String,
}

#[derive(Debug, Serialize)]
struct MatrixRow {
    state: &'static str,
    label: &'static str,
    day: Cell,
    week: Cell,
    older: Cell,
    total: Cell,
}

#[derive(Debug, Serialize)]
struct ProcessMatrix {
    process: &'static str,
    rows: Vec<MatrixRow>,
}

/// The counts of every process × state: (today, six days before, earlier, total).
fn counts(today: i64) -> Result<Vec<(String, String, [i64; 4])>, Failure> {
    let page = matrix()
        .query()
        .eq("day", 0)
        .or()
        .filter("day", Op::Gte, today - 6)
        .limit(1000)
        .fetch()?;
    let mut out: Vec<(String, String, [i64; 4])> = Vec::new();
    for cell in page.records.into_iter().map(|r| r.data) {
        let at = match out
            .iter()
            .position(|(p, s, _)| *p == cell.process && *s == cell.state)
        {
            Some(at) => at,
            None => {
                out.push((cell.process.clone(), cell.state.clone(), [0; 4]));
                out.len() - 1
            }
        };
        let c = &mut out[at].2;
        match cell.day {
            0 => c[3] += cell.count,
            d if d == today => c[0] += cell.count,
            _ => c[1] += cell.count,
        }
    }
    for (_, _, c) in &mut out {
        c[2] = c[3] - c[0] - c[1];
    }
    Ok(out)
}

pub fn index(req: &Request) -> Reply {
    let today = day_of(now());
    let counts = counts(today)?;
    let processes: Vec<ProcessMatrix> = process::all()
        .into_iter()
        .map(|p| {
            let rows = p
                .states
                .iter()
                .map(|s| {
                    let c = counts
                        .iter()
                        .find(|(pr, st, _)| pr == p.name && st == s.name)
                        .map_or([0; 4], |x| x.2);
                    let base = format!(
                        "/admin/sales/orders/index?process={}&state={}",
                        p.name, s.name
                    );
                    let cell = |count, from, to| Cell {
                        count,
                        link: format!("{base}{}", range_query(from, to)),
                    };
                    MatrixRow {
                        state: s.name,
                        label: s.label,
                        day: cell(c[0], Some(today), Some(today)),
                        week: cell(c[1], Some(today - 6), Some(today - 1)),
                        older: cell(c[2], None, Some(today - 7)),
                        total: cell(c[3], None, None),
                    }
                })
                .collect();
            ProcessMatrix {
                process: p.name,
                rows,
            }
        })
        .collect();
    Ok(view_or_json(
        req,
        "orders/matrix.html",
        "Order matrix",
        &serde_json::json!({ "processes": processes, "today": ymd(today) }),
    ))
}

/// The dashboard widgets sales declares (ACL `sales/widgets/<name>`).
pub const WIDGETS: &[(&str, &str)] = &[
    ("orders-per-day", "Orders per day"),
    ("orders-by-state", "Orders by state"),
    ("top-products", "Top products"),
];

pub fn widget(name: &str) -> Result<View, String> {
    let today = day_of(now());
    let err = |e: Failure| e.message;
    let ctx = match name {
        "orders-per-day" => {
            let page = daily()
                .query()
                .filter("day", Op::Gte, today - 6)
                .limit(7)
                .fetch()
                .map_err(|e| err(e.into()))?;
            let days: Vec<serde_json::Value> = (today - 6..=today)
                .map(|d| {
                    let rec = page.records.iter().find(|r| r.data.day == d);
                    let date = ymd(d);
                    serde_json::json!({
                        // Month and day: what fits under a bar of a week's chart.
                        "day": date.get(5..).unwrap_or(&date),
                        "date": date,
                        "orders": rec.map_or(0, |r| r.data.orders),
                        "revenue": rec.map_or(0, |r| r.data.revenue),
                    })
                })
                .collect();
            serde_json::json!({ "days": days })
        }
        "orders-by-state" => {
            let counts = counts(today).map_err(err)?;
            let states: Vec<serde_json::Value> = process::all_states()
                .iter()
                .map(|s| {
                    let total: i64 = counts
                        .iter()
                        .filter(|c| c.1 == s.name)
                        .map(|c| c.2[3])
                        .sum();
                    serde_json::json!({
                        "state": s.name, "label": s.label, "count": total,
                        "href": url::with_param("/admin/sales/orders/index", "state", s.name),
                    })
                })
                .collect();
            serde_json::json!({ "states": states })
        }
        "top-products" => {
            let page = top_products()
                .query()
                .sort_desc("quantity")
                .limit(5)
                .fetch()
                .map_err(|e| err(e.into()))?;
            let products: Vec<_> = page.records.into_iter().map(|r| r.data).collect();
            serde_json::json!({ "products": products })
        }
        other => return Err(format!("no widget named `{other}`")),
    };
    let title = WIDGETS.iter().find(|w| w.0 == name).map_or(name, |w| w.1);
    Ok(View {
        template: format!("widgets/{name}.html"),
        title: title.into(),
        context: ctx.to_string(),
    })
}
