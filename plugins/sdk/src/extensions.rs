//! Asking other sections synchronously: [`invoke`] an extension point listed with
//! [`crate::manifest::Manifest::invokes`] and get every provider's answer, in the order the host
//! asked them (ascending priority, then plugin id). A provider's failure is one of the answers,
//! never an error of the invoker: decide what a missing answer means for your section.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::bindings::backoffice::plugin::extensions as wit;

/// One provider's answer, decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer<T> {
    /// The providing plugin's id.
    pub plugin: String,
    /// Its answer, or why there is none (its error, a trap, its deadline, an answer that does
    /// not decode as `T`).
    pub outcome: Result<T, String>,
}

/// Asks every provider of `point` with `input`; `Err` only when the host refused the
/// invocation itself (the point is not in the manifest's `invokes`, or this call is a
/// provider's).
pub fn invoke<I: Serialize, T: DeserializeOwned>(
    point: &str,
    input: &I,
) -> Result<Vec<Answer<T>>, String> {
    let input = serde_json::to_string(input).map_err(|e| format!("encoding the input: {e}"))?;
    let answers = wit::invoke(point, &input)?;
    Ok(answers
        .into_iter()
        .map(|a| Answer {
            plugin: a.plugin,
            outcome: a.outcome.and_then(|json| {
                serde_json::from_str(&json).map_err(|e| format!("the answer does not decode: {e}"))
            }),
        })
        .collect())
}
