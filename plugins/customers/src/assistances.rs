//! Agent assist as the customers section sees it: the assistance history on a customer's Back
//! Office page (read from the agent-assist section's shared `assistances`, granted under
//! `reads`), and the storefront acts refused while an agent acts for the customer.

use backoffice_sdk::prelude::*;
use serde::{Deserialize, Serialize};

/// The grant this section asks for in its manifest.
pub const READS: (&str, &str) = ("agent-assist", "assistances");

/// How many assistances the customer page shows.
const SHOWN: u32 = 20;

/// One assistance as the customer page shows it; decoded loosely (the agent-assist section owns
/// the record).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Assistance {
    pub agent_email: String,
    pub started_at: i64,
    pub ended_at: Option<i64>,
    pub how: String,
    pub acts: i64,
    pub status: String,
}

/// The newest assistances of host account `customer_id`; none when the agent-assist section
/// is not installed (its collection does not exist) or the account is unknown (0).
pub fn of(customer_id: i64) -> Result<Vec<Assistance>, Failure> {
    if customer_id <= 0 {
        return Ok(Vec::new());
    }
    let found = Collection::<Assistance>::new(format!("{}/{}", READS.0, READS.1))
        .query()
        .eq("customer_id", customer_id)
        .sort_desc("started_at")
        .limit(SHOWN)
        .fetch();
    match found {
        Ok(page) => Ok(page.records.into_iter().map(|r| r.data).collect()),
        Err(StorageError::Invalid(_) | StorageError::Forbidden(_)) => Ok(Vec::new()),
        Err(e) => Err(e.into()),
    }
}

/// Refuses `what` while an agent acts for the customer: a data export or a deletion request is
/// the customer's own decision, never one an agent takes for them.
pub fn customer_only(what: &str) -> Result<(), Failure> {
    match services::acting_agent() {
        Some(_) => Err(Failure::forbidden(format!(
            "{what} is for the customer alone: an agent acting for them cannot do it"
        ))),
        None => Ok(()),
    }
}
