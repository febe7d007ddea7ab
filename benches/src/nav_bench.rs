//! Navigation: what a 500-node main menu adds to a storefront page. One host with the real
//! catalog, content and navigation components; a `main` navigation of 500 nodes (10 category
//! nodes at the top, 70 links below them, 420 category and link nodes below those) built
//! through the section's JSON API. `GET /` (anonymous) is measured through real HTTP, one client,
//! in interleaved rounds: with the navigation deactivated (the same page without the menu: the
//! baseline) and active (the menu rendered into the header with the slot answer cached, as
//! shoppers get it). A third case empties the slot cache before each request: what the first
//! page after an edit pays, when the provider is asked (one read-only sandbox that reads the
//! 500 nodes and their categories).
//!
//! ```sh
//! plugins/build.sh && cargo run --release -p backoffice-benches --bin nav-bench -- 2000 4
//! ```
//! (requests per case and round, rounds)

use std::time::{Duration, Instant};

use backoffice::AppState;
use backoffice_benches as harness;
use harness::{Latency, Served};
use serde_json::{Value, json};

async fn get(client: &reqwest::Client, url: &str) -> anyhow::Result<String> {
    let reply = client.get(url).send().await?;
    anyhow::ensure!(reply.status() == 200, "{url}: {}", reply.status());
    Ok(reply.text().await?)
}

async fn post(served: &Served, path: &str, body: &Value) -> anyhow::Result<Value> {
    let reply = reqwest::Client::new()
        .post(format!("{}{path}", served.base))
        .header("cookie", &served.cookie)
        .header("x-csrf-token", &served.csrf)
        .header("accept", "application/json")
        .json(body)
        .send()
        .await?;
    let status = reply.status();
    let text = reply.text().await?;
    anyhow::ensure!(status == 200, "{path}: {status} {text}");
    Ok(serde_json::from_str(&text)?)
}

fn id(answer: &Value, what: &str) -> anyhow::Result<String> {
    answer[what]["id"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| anyhow::anyhow!("no {what} id in {answer}"))
}

/// Categories and the 500-node `main` navigation; answers the navigation's id.
async fn menu(served: &Served) -> anyhow::Result<String> {
    let mut categories = Vec::new();
    for i in 0..20 {
        let made = post(
            served,
            "/admin/catalog/categories/create",
            &json!({"name": format!("Category {i}"), "slug": format!("category-{i}")}),
        )
        .await?;
        categories.push(id(&made, "category")?);
    }
    let nav = post(
        served,
        "/admin/navigation/navigations/create",
        &json!({"key": "main", "name": "Main menu"}),
    )
    .await?;
    let nav = id(&nav, "navigation")?;
    let node = |parent: Option<String>, kind: &str, title: String, target: String| {
        json!({"navigation_id": nav, "parent_id": parent, "kind": kind,
               "locales": {"en_US": {"title": title, "target": target}}})
    };
    let mut count = 0;
    for top in 0..10 {
        let made = post(
            served,
            "/admin/navigation/nodes/create",
            &node(
                None,
                "category",
                format!("Department {top}"),
                categories[top].clone(),
            ),
        )
        .await?;
        let top_id = id(&made, "node")?;
        count += 1;
        for second in 0..7 {
            let made = post(
                served,
                "/admin/navigation/nodes/create",
                &node(
                    Some(top_id.clone()),
                    "link",
                    format!("Group {top}.{second}"),
                    format!("/group-{top}-{second}"),
                ),
            )
            .await?;
            let second_id = id(&made, "node")?;
            count += 1;
            for third in 0..6 {
                let body = if third % 2 == 0 {
                    node(
                        Some(second_id.clone()),
                        "category",
                        format!("Item {top}.{second}.{third}"),
                        categories[(top + second + third) % categories.len()].clone(),
                    )
                } else {
                    node(
                        Some(second_id.clone()),
                        "link",
                        format!("Item {top}.{second}.{third}"),
                        format!("/item-{top}-{second}-{third}"),
                    )
                };
                post(served, "/admin/navigation/nodes/create", &body).await?;
                count += 1;
            }
        }
    }
    anyhow::ensure!(count == 500, "built {count} nodes");
    Ok(nav)
}

async fn set_active(served: &Served, nav: &str, active: bool) -> anyhow::Result<()> {
    post(
        served,
        "/admin/navigation/navigations/update",
        &json!({"id": nav, "active": active}),
    )
    .await?;
    Ok(())
}

/// `requests` timed `GET /` after 50 untimed ones, `before` run ahead of each.
async fn measure(
    base: &str,
    requests: usize,
    times: &mut Vec<Duration>,
    before: impl Fn(),
) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    let url = format!("{base}/");
    for _ in 0..50 {
        before();
        get(&client, &url).await?;
    }
    for _ in 0..requests {
        before();
        let started = Instant::now();
        get(&client, &url).await?;
        times.push(started.elapsed());
    }
    Ok(())
}

async fn host() -> anyhow::Result<(tempfile::TempDir, AppState)> {
    let dir = tempfile::tempdir()?;
    let plugin_dir = dir.path().join("plugins");
    std::fs::create_dir_all(&plugin_dir)?;
    for name in ["catalog", "content", "navigation"] {
        let file = harness::target_dir().join(format!("plugins/{name}.wasm"));
        anyhow::ensure!(
            file.exists(),
            "{} is missing: run plugins/build.sh",
            file.display()
        );
        std::fs::copy(&file, plugin_dir.join(format!("{name}.wasm")))?;
    }
    let state = harness::state(dir.path(), vec![plugin_dir], true).await?;
    state.plugins().load_all(0).await;
    anyhow::ensure!(
        state.plugins().registry().get("navigation").is_some(),
        "the navigation plugin did not load"
    );
    Ok((dir, state))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn line(label: &str, l: &Latency) {
    println!(
        "{label:<48} {:>6} requests   p50 {:>6.3} ms   p99 {:>6.3} ms",
        l.requests,
        ms(l.p50),
        ms(l.p99)
    );
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let requests: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(1000);
    let rounds: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(4);

    let (_dir, state) = host().await?;
    let served = harness::serve(&state).await?;
    let started = Instant::now();
    let nav = menu(&served).await?;
    println!(
        "built 20 categories and a 500-node main menu in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let page = get(&reqwest::Client::new(), &format!("{}/", served.base)).await?;
    let entries = page.matches("<li class=\"menu-item").count();
    anyhow::ensure!(
        entries == 500,
        "the home page shows {entries} menu entries, not 500"
    );

    let (mut without, mut with, mut asked) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        set_active(&served, &nav, false).await?;
        let bare = get(&reqwest::Client::new(), &format!("{}/", served.base)).await?;
        anyhow::ensure!(!bare.contains("menu-item"), "the menu is still shown");
        measure(&served.base, requests, &mut without, || {}).await?;
        set_active(&served, &nav, true).await?;
        measure(&served.base, requests, &mut with, || {}).await?;
        measure(&served.base, requests / 10, &mut asked, || {
            state.slot_cache().clear()
        })
        .await?;
        println!("round {} of {rounds} done", round + 1);
    }
    let (without, with, asked) = (Latency::of(without), Latency::of(with), Latency::of(asked));
    line("home, main menu inactive (baseline)", &without);
    line("home, 500-node main menu, slot answer cached", &with);
    line("home, 500-node main menu, provider asked", &asked);
    println!(
        "the menu adds {:.3} ms at p50 and {:.3} ms at p99 (target: ≤ 2 ms at p99)",
        ms(with.p50.saturating_sub(without.p50)),
        ms(with.p99.saturating_sub(without.p99))
    );
    Ok(())
}
