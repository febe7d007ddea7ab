//! Agent assist: what acting for a customer costs a storefront request. The customer's account
//! page (`GET /customer/account`, a host page: no plugin in the way) requested with the
//! customer's own session cookie, then with an agent's session assisting the same customer (the
//! host looks up the agent session, the agent, the assistance and the customer account, and
//! renders the banner). Both in the same run, so the ratio is what counts.
//!
//! ```sh
//! cargo run --release -p backoffice-benches --bin agent-bench -- 2000   # requests per case
//! ```

use std::time::{Duration, Instant};

use backoffice::auth::agent::{self, Start};
use backoffice::auth::customers;
use backoffice::auth::session::{self, Realm};
use backoffice::users;
use backoffice_benches as harness;
use harness::percentile;

/// `GET base/customer/account` with `cookie`, `requests` times after a warm-up; the median.
async fn measure(base: &str, cookie: &str, label: &str, requests: usize) -> Duration {
    let client = reqwest::Client::new();
    let url = format!("{base}/customer/account");
    let get = || async {
        let reply = client
            .get(&url)
            .header("cookie", cookie)
            .send()
            .await
            .expect("request");
        assert_eq!(reply.status(), 200, "{label}");
        reply.text().await.expect("body")
    };
    let page = get().await;
    assert!(
        page.contains("jane@example.com"),
        "{label}: not Jane's page"
    );
    for _ in 0..50 {
        get().await;
    }
    let mut times = Vec::with_capacity(requests);
    for _ in 0..requests {
        let started = Instant::now();
        get().await;
        times.push(started.elapsed());
    }
    times.sort();
    let (p50, p99) = (percentile(&times, 0.5), percentile(&times, 0.99));
    println!(
        "{label:<44} p50 {:>6.3} ms   p99 {:>6.3} ms",
        p50.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3
    );
    p50
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let requests: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(2000);
    let dir = tempfile::tempdir()?;
    let state = harness::state(dir.path(), Vec::new(), false).await?;
    let served = harness::serve(&state).await?;
    let now = backoffice::clock::Clock::now(&backoffice::clock::SystemClock);
    let db = state.db();

    // Fixtures straight into the store (not measured): a customer, an agent, their sessions,
    // and the agent's session assisting the customer.
    let customer =
        customers::create(db.pool(), "jane@example.com", customers::NO_PASSWORD, now).await?;
    let (customer_token, _) =
        session::create(db, Realm::Customer, customer, "127.0.0.1", "bench", now).await?;
    let new = users::NewUser {
        email: "agent@example.com",
        name: "Agent",
        password_hash: customers::NO_PASSWORD,
        locale: "en",
    };
    let agent_id = users::create(db, &new, now).await?;
    users::set_agent(db, agent_id, true, now).await?;
    let (agent_token, agent_session) =
        session::create(db, Realm::Agent, agent_id, "127.0.0.1", "bench", now).await?;
    let start = Start {
        agent_id,
        session_hash: &agent_session.token_hash,
        customer_id: customer,
        customer_email: "jane@example.com",
        customer_name: "Jane Doe",
    };
    agent::start(db.pool(), &start, now).await?;

    let own = measure(
        &served.base,
        &format!("bo_customer={customer_token}"),
        "account page, the customer's own session",
        requests,
    )
    .await;
    let assisted = measure(
        &served.base,
        &format!("bo_agent={agent_token}"),
        "account page, an agent assisting",
        requests,
    )
    .await;
    println!(
        "medians: assisted / own = {:.2} ({:+.3} ms per request)",
        assisted.as_secs_f64() / own.as_secs_f64(),
        (assisted.as_secs_f64() - own.as_secs_f64()) * 1e3
    );
    Ok(())
}
