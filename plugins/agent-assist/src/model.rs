//! The section's records: assignments (whom an agent may assist) and its copy of the host's
//! assistance history (from the host's events), shared so the customers section can show a
//! customer's assistances on their page.

use backoffice_sdk::prelude::*;
use serde::{Deserialize, Serialize};

/// An agent (a back-office user, by id) may assist this customer. Record id
/// `<agent_id>-<customer_id>`, so an assignment exists once.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Assignment {
    pub agent_id: i64,
    pub customer_id: i64,
    pub reference: String,
    pub customer_name: String,
    pub customer_email: String,
    pub created: i64,
}

pub fn assignment_id(agent_id: i64, customer_id: i64) -> String {
    format!("{agent_id}-{customer_id}")
}

pub fn assignments() -> Resource<Assignment> {
    Resource::new("assignments", "assignment").describe("agent {agent_id} → {reference}")
}

pub fn assignments_collection() -> CollectionDef {
    CollectionDef::new("assignments")
        .field(Field::integer("agent_id").indexed())
        .field(Field::integer("customer_id").indexed())
}

/// One assistance as the host announced it (`host.agent-assist-started` / `-ended`). Record id
/// = the host's assistance id.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Assistance {
    pub assistance_id: i64,
    pub agent_id: i64,
    pub agent_email: String,
    pub agent_name: String,
    pub customer_id: i64,
    pub customer_email: String,
    pub customer_name: String,
    pub reference: String,
    pub started_at: i64,
    pub ended_at: Option<i64>,
    /// How it ended: `ended`, `signed-out`, `timed-out`, `revoked`.
    pub how: String,
    /// State-changing requests the agent made while assisting.
    pub acts: i64,
    /// `active` or `ended`.
    pub status: String,
}

pub fn assistances() -> Collection<Assistance> {
    Collection::new("assistances")
}

pub fn assistances_collection() -> CollectionDef {
    CollectionDef::new("assistances")
        .field(Field::integer("customer_id").indexed())
        .field(Field::integer("agent_id").indexed())
        .field(Field::text("status").indexed())
        .field(Field::integer("started_at").indexed())
        .shared()
}
