//! Answering the host's `host.usage` extension point: before an admin deletes something the
//! host owns (a store, a currency, a tax set, a media file…), the host asks every section that
//! provides this point whether it still uses it, and refuses the delete while one does. A
//! section that stores host codes or ids should provide it (`Manifest::provides(usage::POINT,
//! 0)`) and answer from its own records with [`answer`].
//!
//! The JSON contract: input `{"kind", "code"}`; output `{"uses": [{"label", "href"?}],
//! "total"}` — a few uses to show (the host shows at most 20) and how many there are.

use serde::{Deserialize, Serialize};

use crate::response::Failure;
use crate::storage::{Page, Record};

/// The point's name.
pub const POINT: &str = "host.usage";

/// What the host asks about: `kind` is `store`, `locale`, `currency`, `country`, `tax-rate`,
/// `tax-set` or `media`; `code` the record's code (a media file's id, as text).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Question {
    pub kind: String,
    pub code: String,
}

/// One use, as the admin sees it in the refusal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Use {
    /// E.g. `product SHOE-1`.
    pub label: String,
    /// A Back Office link to the using record, if it has a page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
}

/// A section's uses of one host record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Uses {
    pub uses: Vec<Use>,
    pub total: u64,
}

impl Uses {
    /// Adds the records of `page` (fetched with `count_total`), each labelled and linked by
    /// `describe`.
    pub fn add<T>(&mut self, page: Page<T>, describe: impl Fn(&Record<T>) -> Use) {
        self.total += page.total.unwrap_or(page.records.len() as u64);
        self.uses.extend(page.records.iter().map(describe));
    }
}

/// Decodes the host's question, lets `uses` answer it and encodes the answer. A kind the
/// section does not store is answered with no uses by `uses` itself (return
/// `Ok(Uses::default())`).
pub fn answer(
    input: &str,
    uses: impl FnOnce(&Question) -> Result<Uses, Failure>,
) -> Result<String, String> {
    let question: Question =
        serde_json::from_str(input).map_err(|e| format!("not a usage question: {e}"))?;
    let answer = uses(&question).map_err(|f| f.message)?;
    serde_json::to_string(&answer).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_question_is_answered_with_the_uses() {
        let json = answer(r#"{"kind":"store","code":"DE"}"#, |q| {
            assert_eq!(q.kind, "store");
            let mut uses = Uses::default();
            uses.add(
                Page {
                    records: vec![Record {
                        id: "1".into(),
                        data: "SHOE".to_owned(),
                        version: 1,
                        created_at: 0,
                        updated_at: 0,
                    }],
                    total: Some(7),
                    next_cursor: None,
                },
                |r| Use {
                    label: format!("product {}", r.data),
                    href: None,
                },
            );
            Ok(uses)
        })
        .unwrap();
        assert_eq!(json, r#"{"uses":[{"label":"product SHOE"}],"total":7}"#);
        assert!(answer("nope", |_| Ok(Uses::default())).is_err());
    }
}
