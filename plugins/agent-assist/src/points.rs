//! The answers to the host's agent-assist points (the host owns them and documents their JSON in
//! `host/src/web/agent.rs`): which customers an agent finds (`host.agent-customers`) and
//! whether an agent may assist one (`host.agent-assist`). Providers are read-only; both read the
//! customers section's collection and this section's assignments.

use backoffice_sdk::prelude::*;
use serde::Deserialize;
use serde_json::json;

use crate::customers::{self, Customer};
use crate::model::assignments;

pub const SEARCH: &str = "host.agent-customers";
pub const ASSIST: &str = "host.agent-assist";

#[derive(Debug, Deserialize)]
struct Agent {
    id: i64,
}

#[derive(Debug, Deserialize)]
struct SearchInput {
    agent: Agent,
    q: String,
}

#[derive(Debug, Deserialize)]
struct AssistInput {
    agent: Agent,
    customer_id: i64,
}

/// The customer accounts assigned to agent `agent_id`; empty: the agent may assist anyone.
pub fn assigned_to(agent_id: i64) -> Result<Vec<i64>, Failure> {
    let all = assignments().query().eq("agent_id", agent_id).fetch_all()?;
    Ok(all.into_iter().map(|a| a.data.customer_id).collect())
}

fn failed(f: Failure) -> String {
    f.message
}

/// `host.agent-customers`: the assistable matches of `q`, only the assigned ones when the agent
/// has assignments.
pub fn search(input: &str) -> Result<String, String> {
    let ask: SearchInput = serde_json::from_str(input).map_err(|e| e.to_string())?;
    let assigned = assigned_to(ask.agent.id).map_err(failed)?;
    let found: Vec<Customer> = customers::search(&ask.q)
        .map_err(failed)?
        .into_iter()
        .filter(|c| c.assistable)
        .filter(|c| assigned.is_empty() || assigned.contains(&c.customer_id))
        .collect();
    Ok(json!({ "customers": found }).to_string())
}

/// `host.agent-assist`: allowed for an assistable customer, and, when the agent has
/// assignments, only for an assigned one.
pub fn assist(input: &str) -> Result<String, String> {
    let ask: AssistInput = serde_json::from_str(input).map_err(|e| e.to_string())?;
    let refuse = |reason: &str| Ok(json!({ "allowed": false, "reason": reason }).to_string());
    let Some(customer) = customers::by_account(ask.customer_id).map_err(failed)? else {
        return refuse("The customers section has no such customer.");
    };
    if !customer.assistable {
        return refuse("This customer is blocked or anonymised and cannot be assisted.");
    }
    let assigned = assigned_to(ask.agent.id).map_err(failed)?;
    if !assigned.is_empty() && !assigned.contains(&ask.customer_id) {
        return refuse(
            "This customer is not assigned to you: you may assist only the customers assigned to you.",
        );
    }
    Ok(json!({ "allowed": true, "customer": customer }).to_string())
}
