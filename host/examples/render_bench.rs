//! Render benchmark for themes: median and p99 time of rendering the Back Office dashboard and
//! the storefront home page with the shipped themes (template render alone, context built once
//! by `web::view::layout_context`), next to a trivial template as the baseline.
//!
//! Run from the repository root:
//!   cargo run --release -p backoffice --example render_bench [-- ITERATIONS]
//! See docs/benchmarks.md.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use backoffice::clock::SystemClock;
use backoffice::db::Db;
use backoffice::themes::store::Settings;
use backoffice::themes::{Surface, ThemeSettings};
use backoffice::web::look::Look;
use backoffice::web::nav::NavLink;
use backoffice::web::view::{Layout, layout_context};
use backoffice::{AppState, WebSettings};
use minijinja::Value;

struct Case {
    label: &'static str,
    theme: &'static str,
    template: &'static str,
    surface: Surface,
    page: serde_json::Value,
}

fn stats(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    let median = samples[samples.len() / 2];
    let p99 = samples[(samples.len() * 99 / 100).min(samples.len() - 1)];
    (median, p99)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let iterations: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5000);
    let themes = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../themes");
    let db = Db::connect("sqlite::memory:").await?;
    db.migrate().await?;
    let settings = WebSettings {
        themes: ThemeSettings {
            dir: Some(themes),
            watch: false,
        },
        ..WebSettings::default()
    };
    let state = AppState::new(db, Arc::new(SystemClock), settings)?;
    state.templates().set_plugin_templates(
        "bench",
        &[("trivial.html".into(), "<p>{{ title }}</p>".into())],
    )?;
    let user = backoffice::users::User {
        id: 1,
        email: "admin@example.com".into(),
        name: "Administrator".into(),
        status: backoffice::users::Status::Active,
        locale: "en".into(),
        agent: false,
        created_at: 0,
        updated_at: 0,
    };
    let nav: Vec<NavLink> = [
        "Dashboard",
        "Users",
        "Groups",
        "Roles",
        "Themes",
        "Audit log",
    ]
    .iter()
    .map(|l| NavLink {
        label: (*l).into(),
        href: format!("/admin/{}", l.to_lowercase()),
    })
    .collect();
    let dashboard = serde_json::json!({ "greeting": "Administrator", "users": 12, "widgets": [] });
    let cases = [
        Case {
            label: "baseline: trivial template",
            theme: "default",
            template: "bench/trivial.html",
            surface: Surface::Backoffice,
            page: dashboard.clone(),
        },
        Case {
            label: "Back Office dashboard (default)",
            theme: "default",
            template: "backoffice/dashboard.html",
            surface: Surface::Backoffice,
            page: dashboard.clone(),
        },
        Case {
            label: "Back Office dashboard (midnight)",
            theme: "midnight",
            template: "backoffice/dashboard.html",
            surface: Surface::Backoffice,
            page: dashboard.clone(),
        },
        Case {
            label: "storefront home (default)",
            theme: "default",
            template: "storefront/home.html",
            surface: Surface::Storefront,
            page: serde_json::json!({}),
        },
        Case {
            label: "storefront home (midnight)",
            theme: "midnight",
            template: "storefront/home.html",
            surface: Surface::Storefront,
            page: serde_json::json!({}),
        },
    ];
    println!(
        "{iterations} renders per case (after {} warm-up renders)\n",
        iterations / 10
    );
    println!(
        "{:<36} {:>12} {:>12} {:>10}",
        "case", "median", "p99", "× baseline"
    );
    let mut baseline = None;
    for case in &cases {
        let look = Look {
            surface: case.surface,
            theme: case.theme.into(),
            preview: false,
            settings: Arc::new(Settings::default()),
        };
        let ctx: Value = layout_context(
            &state,
            &Layout {
                title: "Dashboard",
                page: Value::from_serialize(&case.page),
                user: (case.surface == Surface::Backoffice).then_some(&user),
                customer: None,
                agent: None,
                csrf: Some("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
                nav: if case.surface == Surface::Backoffice {
                    nav.clone()
                } else {
                    Vec::new()
                },
                flash: None,
                permissions: Arc::default(),
                look: &look,
                path: "/admin",
                csp_nonce: "0123456789abcdef0123456789abcdef",
                slots: &backoffice::web::slots::empty(case.surface),
            },
        );
        let templates = state.templates();
        for _ in 0..iterations / 10 {
            templates.render(case.theme, case.template, ctx.clone())?;
        }
        let mut samples = Vec::with_capacity(iterations);
        for _ in 0..iterations {
            let start = Instant::now();
            let html = templates.render(case.theme, case.template, ctx.clone())?;
            samples.push(start.elapsed());
            std::hint::black_box(html);
        }
        let (median, p99) = stats(samples);
        let base = *baseline.get_or_insert(median);
        println!(
            "{:<36} {:>9.1} µs {:>9.1} µs {:>9.1}×",
            case.label,
            median.as_secs_f64() * 1e6,
            p99.as_secs_f64() * 1e6,
            median.as_secs_f64() / base.as_secs_f64()
        );
    }
    Ok(())
}
