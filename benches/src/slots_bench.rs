//! Layout slots: what filling the storefront's slots costs a page, and what the slot cache
//! saves. The storefront home page (`GET /`, anonymous) on a host with no slot providers, on a
//! host with the content section filling all three slots (one block each) while the cached
//! answers are good, and on the same host with the cache emptied before every request (each
//! page asks the provider three times: one read-only sandbox per slot).
//!
//! ```sh
//! plugins/build.sh && cargo run --release -p backoffice-benches --bin slots-bench -- 500
//! ```

use std::time::{Duration, Instant};

use backoffice::AppState;
use backoffice_benches as harness;
use harness::percentile;

async fn get(client: &reqwest::Client, url: &str) -> String {
    let reply = client.get(url).send().await.expect("request");
    assert_eq!(reply.status(), 200, "{url}");
    reply.text().await.expect("body")
}

/// `GET base/` `requests` times after a warm-up, `before` run ahead of each; median and p99.
async fn measure(base: &str, label: &str, requests: usize, before: impl Fn()) -> Duration {
    let client = reqwest::Client::new();
    let url = format!("{base}/");
    for _ in 0..20 {
        before();
        get(&client, &url).await;
    }
    let mut times = Vec::with_capacity(requests);
    for _ in 0..requests {
        before();
        let started = Instant::now();
        get(&client, &url).await;
        times.push(started.elapsed());
    }
    times.sort();
    let (p50, p99) = (percentile(&times, 0.5), percentile(&times, 0.99));
    println!(
        "{label:<52} p50 {:>6.2} ms   p99 {:>6.2} ms",
        p50.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3
    );
    p50
}

/// Places one text block into each storefront slot through the content section's JSON API.
async fn blocks(served: &harness::Served) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    for slot in ["header", "footer", "home"] {
        let block = serde_json::json!({
            "key": format!("{slot}-text"), "name": format!("{slot} text"), "template": "text",
            "active": true, "slot": slot,
            "locales": {"en_US": {"placeholders": {"content": format!("<p>The {slot} block</p>")}}},
        });
        let reply = client
            .post(format!("{}/admin/content/blocks/create", served.base))
            .header("cookie", &served.cookie)
            .header("x-csrf-token", &served.csrf)
            .header("accept", "application/json")
            .json(&block)
            .send()
            .await?;
        anyhow::ensure!(
            reply.status() == 200,
            "creating a block: {}",
            reply.text().await?
        );
    }
    Ok(())
}

async fn host(with_content: bool) -> anyhow::Result<(tempfile::TempDir, AppState)> {
    let plugins: &[&str] = if with_content { &["content"] } else { &[] };
    let (dir, state) = harness::host_with(plugins).await?;
    state.plugins().load_all(0).await;
    harness::ensure_loaded(&state, plugins)?;
    Ok((dir, state))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let requests: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(500);

    let (_bare_dir, bare) = host(false).await?;
    let bare_served = harness::serve(&bare).await?;
    let baseline = measure(
        &bare_served.base,
        "home, no slot providers",
        requests,
        || {},
    )
    .await;

    let (_dir, state) = host(true).await?;
    let served = harness::serve(&state).await?;
    blocks(&served).await?;
    let page = get(&reqwest::Client::new(), &format!("{}/", served.base)).await;
    anyhow::ensure!(
        page.contains("The footer block"),
        "the footer block is not on the page"
    );
    let cached = measure(
        &served.base,
        "home, content fills 3 slots, cached",
        requests,
        || {},
    )
    .await;
    let asked = measure(
        &served.base,
        "home, content fills 3 slots, asked every time",
        requests,
        || state.slot_cache().clear(),
    )
    .await;
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "medians: the cache saves {:.2} ms per page; a cached page costs {:.2} ms over no providers",
        ms(asked.saturating_sub(cached)),
        ms(cached.saturating_sub(baseline))
    );
    Ok(())
}
