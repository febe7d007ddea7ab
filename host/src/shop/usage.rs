//! `host.usage`: the extension point through which the host asks the sections whether they
//! use something the host owns (a store, a currency, a tax set, a media file) before it is
//! deleted. The host knows no commerce, so it cannot look into a section's records itself;
//! each section that refers to host records provides this point and answers for its own data.
//!
//! Input: `{"kind": "store" | "locale" | "currency" | "country" | "tax-rate" | "tax-set" | …,
//! "code": "<the record's code or id>"}`. Output: `{"uses": [{"label": "…", "href": "…"}],
//! "total": n}`, where `uses` lists some of the uses (at most 20 are shown) and `total`
//! counts them all (default: the length of `uses`); `href` is optional. An empty `uses` means
//! "not used by me".

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::plugins::call::Caller;
use crate::plugins::calls::Calls;

/// The point's name.
pub const POINT: &str = "host.usage";

/// How long the sections have, together, to answer.
const DEADLINE: Duration = Duration::from_secs(4);

/// Most uses kept from one section's answer.
const SHOWN: usize = 20;

/// One use of a host record in a section.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Use {
    pub label: String,
    #[serde(default)]
    pub href: Option<String>,
}

/// A section's answer.
#[derive(Debug, Clone, Serialize)]
pub struct SectionUses {
    pub plugin: String,
    pub uses: Vec<Use>,
    pub total: u64,
}

#[derive(Debug, Deserialize)]
struct Answer {
    #[serde(default)]
    uses: Vec<Use>,
    total: Option<u64>,
}

/// A section that could not say whether it uses the record: deleting must wait, since a
/// missing answer is not a "no".
#[derive(Debug, thiserror::Error)]
#[error(
    "The section {plugin} could not say whether it uses {kind} {code} ({reason}); nothing was deleted. Try again, or check that section's state on the Plugins page."
)]
pub struct Unanswered {
    pub plugin: String,
    pub kind: String,
    pub code: String,
    pub reason: String,
}

/// Asks every provider of [`POINT`] about the record `code` of `kind`; the sections that use
/// it, with their uses.
pub async fn of(
    calls: &Calls,
    caller: &Caller,
    kind: &str,
    code: &str,
) -> Result<Vec<SectionUses>, Unanswered> {
    let input = json!({ "kind": kind, "code": code }).to_string();
    let answers = calls
        .invoke(POINT, &input, caller, Instant::now() + DEADLINE)
        .await;
    let mut sections = Vec::new();
    for (plugin, outcome) in answers {
        let unanswered = |reason: String| Unanswered {
            plugin: plugin.clone(),
            kind: kind.to_owned(),
            code: code.to_owned(),
            reason,
        };
        let json = outcome.map_err(unanswered)?;
        let answer: Answer = serde_json::from_str(&json)
            .map_err(|e| unanswered(format!("its answer is not as documented: {e}")))?;
        if answer.uses.is_empty() && answer.total.unwrap_or(0) == 0 {
            continue;
        }
        let total = answer.total.unwrap_or(answer.uses.len() as u64);
        let mut uses = answer.uses;
        uses.truncate(SHOWN);
        sections.push(SectionUses {
            plugin,
            uses,
            total,
        });
    }
    Ok(sections)
}

/// The uses as short phrases for a refusal: `catalog: Product A, Product B and 3 more`.
pub fn phrases(sections: &[SectionUses]) -> Vec<String> {
    sections
        .iter()
        .map(|s| {
            let shown: Vec<&str> = s.uses.iter().take(3).map(|u| u.label.as_str()).collect();
            let more = s.total.saturating_sub(shown.len() as u64);
            let mut phrase = format!("{}: {}", s.plugin, shown.join(", "));
            if shown.is_empty() {
                phrase = format!("{}: {} records", s.plugin, s.total);
            } else if more > 0 {
                phrase.push_str(&format!(" and {more} more"));
            }
            phrase
        })
        .collect()
}
