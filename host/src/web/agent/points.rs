//! The two points the host owns for agent assist and asks the sections through (see the
//! module above for their input and output): `host.agent-customers` finds customers for an
//! agent, `host.agent-assist` decides whom an agent may assist. Owns asking them and merging
//! the answers; never decides on its own (deny by default).

use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::auth::{AgentPrincipal, AuthError};
use crate::plugins::call::Caller;
use crate::state::AppState;
use crate::web::error::{AppError, AppResult};

/// The point the host asks to find customers for an agent.
pub const SEARCH_POINT: &str = "host.agent-customers";
/// The point the host asks whether an agent may assist a customer.
pub const ASSIST_POINT: &str = "host.agent-assist";

/// How long the providers of a point have, together.
const DEADLINE: Duration = Duration::from_secs(2);
/// The most customers a search shows.
const MAX_FOUND: usize = 50;

/// A customer as the providers of the points answer them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Found {
    pub customer_id: i64,
    #[serde(default)]
    pub reference: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
}

/// Asks every provider of `point` about `agent` (with `fields` added to the question); each
/// provider's answer decoded as `A`, with a failing provider skipped and logged.
async fn ask<A: DeserializeOwned>(
    state: &AppState,
    point: &str,
    agent: &AgentPrincipal,
    ip: &str,
    fields: serde_json::Value,
) -> Vec<A> {
    let mut input = json!({ "agent": { "id": agent.user.id, "email": agent.user.email } });
    if let (Some(question), serde_json::Value::Object(more)) = (input.as_object_mut(), fields) {
        question.extend(more);
    }
    // Nobody is signed in on the storefront's behalf: the agent acts.
    let caller = Caller {
        agent: Some(agent.user.clone()),
        locale: crate::web::storefront::LOCALE.into(),
        ip: ip.to_owned(),
        ..Caller::default()
    };
    let answers = state
        .plugins()
        .calls()
        .invoke(
            point,
            &input.to_string(),
            &caller,
            Instant::now() + DEADLINE,
        )
        .await;
    let mut out = Vec::new();
    for (plugin, outcome) in answers {
        match outcome.and_then(|a| serde_json::from_str::<A>(&a).map_err(|e| e.to_string())) {
            Ok(answer) => out.push(answer),
            Err(reason) => {
                tracing::warn!(plugin = %plugin, %reason, "a {point} provider failed; skipped");
            }
        }
    }
    out
}

/// Every provider's matches for `q`, merged by account (first answer wins), at most
/// [`MAX_FOUND`].
pub(super) async fn search(
    state: &AppState,
    agent: &AgentPrincipal,
    ip: &str,
    q: &str,
) -> Vec<Found> {
    #[derive(Deserialize)]
    struct Answer {
        customers: Vec<Found>,
    }
    let answers: Vec<Answer> = ask(state, SEARCH_POINT, agent, ip, json!({ "q": q })).await;
    let mut found: Vec<Found> = Vec::new();
    for c in answers.into_iter().flat_map(|a| a.customers) {
        if !found.iter().any(|f| f.customer_id == c.customer_id) {
            found.push(c);
        }
    }
    found.truncate(MAX_FOUND);
    found
}

/// Whom the providers of [`ASSIST_POINT`] let `agent` assist: any refusal wins; without an
/// allowing answer, nobody.
pub(super) async fn decide(
    state: &AppState,
    agent: &AgentPrincipal,
    ip: &str,
    customer_id: i64,
) -> AppResult<Found> {
    #[derive(Deserialize)]
    struct Answer {
        allowed: bool,
        #[serde(default)]
        reason: String,
        customer: Option<Found>,
    }
    let question = json!({ "customer_id": customer_id });
    let answers: Vec<Answer> = ask(state, ASSIST_POINT, agent, ip, question).await;
    if let Some(refusal) = answers.iter().find(|a| !a.allowed) {
        return Err(AuthError::MayNotAssist(refusal.reason.clone()).into());
    }
    answers
        .into_iter()
        .find_map(|a| a.customer.filter(|c| c.customer_id == customer_id))
        .ok_or_else(|| {
            AppError::Beyond(
                "No section lets you assist this customer (is the agent-assist section enabled?)."
                    .into(),
            )
        })
}
