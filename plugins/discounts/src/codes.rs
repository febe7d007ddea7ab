//! Voucher codes: one pool per voucher discount. Codes are generated in bulk (1–100,000) from a
//! pattern holding `[code]` and a random part drawn from an alphabet without look-alikes (no
//! 0/O/1/I/L), each with its max uses; exported as CSV; their uses counted from
//! `sales.order-placed` (the order's `codes`). Sales enforces the limit itself, in the
//! order's transaction, from the `max_uses` the answer states (see sales' README), so two
//! checkouts racing for the last use cannot both win.

use std::collections::BTreeSet;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;

use backoffice_sdk::csv;
use backoffice_sdk::prelude::*;
use backoffice_sdk::storage::MAX_BATCH;
use serde::{Deserialize, Serialize};

use crate::model::{VOUCHER, discounts};

/// Letters and digits a shopper cannot mistake for one another.
pub const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
pub const MAX_COUNT: i64 = 100_000;
/// The topic whose orders count uses.
pub const PLACED_TOPIC: &str = "sales.order-placed";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CodeData {
    /// Also the record's id.
    pub code: String,
    pub discount_id: String,
    pub max_uses: i64,
    pub uses: i64,
}

pub fn codes() -> Collection<CodeData> {
    Collection::new("codes")
}

pub fn codes_collection() -> CollectionDef {
    CollectionDef::new("codes")
        .field(Field::text("discount_id").indexed())
        .field(Field::integer("uses").indexed())
}

/// A code as a shopper typed it, as stored: trimmed, upper-case.
pub fn normal(code: &str) -> String {
    code.trim().to_uppercase()
}

/// A small deterministic generator (xorshift64*), seeded from the system's randomness.
pub struct Random(u64);

impl Random {
    pub fn seeded(seed: u64) -> Random {
        Random(seed | 1)
    }

    pub fn system() -> Random {
        Random::seeded(RandomState::new().hash_one(0u8))
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// `length` characters of [`ALPHABET`].
    pub fn part(&mut self, length: usize) -> String {
        (0..length)
            .map(|_| ALPHABET[(self.next() % ALPHABET.len() as u64) as usize] as char)
            .collect()
    }
}

/// `count` distinct codes of `pattern` (its `[code]` replaced by a random part of `length`).
pub fn generate(pattern: &str, length: usize, count: usize, random: &mut Random) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(count);
    while out.len() < count {
        let code = normal(&pattern.replacen("[code]", &random.part(length), 1));
        if seen.insert(code.clone()) {
            out.push(code);
        }
    }
    out
}

#[derive(Debug, Deserialize)]
struct GenerateInput {
    id: String,
    count: i64,
    #[serde(default = "default_pattern")]
    pattern: String,
    #[serde(default = "default_length")]
    length: i64,
    #[serde(default = "default_uses")]
    max_uses: i64,
}

fn default_pattern() -> String {
    "[code]".into()
}
fn default_length() -> i64 {
    8
}
fn default_uses() -> i64 {
    1
}

pub fn routes(router: Router) -> Router {
    router
        .post("codes", "generate", generate_codes)
        .get("codes", "export", export)
}

/// `{id, count, pattern, length, max_uses}` → `{generated, codes (the first 100)}`.
fn generate_codes(req: &Request) -> Reply {
    let g: GenerateInput = req.json()?;
    let discount = discounts().load(&g.id)?;
    let mut errors = Errors::new();
    if discount.data.kind != VOUCHER {
        errors.add("id", "codes belong to voucher discounts only");
    }
    if !(1..=MAX_COUNT).contains(&g.count) {
        errors.add("count", format!("count must be from 1 to {MAX_COUNT}"));
    }
    if g.pattern.matches("[code]").count() != 1 || g.pattern.len() > 60 {
        errors.add(
            "pattern",
            "pattern must hold [code] once (at most 60 characters)",
        );
    }
    if !(4..=32).contains(&g.length) {
        errors.add("length", "length must be from 4 to 32");
    }
    if !(1..=1_000_000).contains(&g.max_uses) {
        errors.add("max_uses", "max_uses must be from 1 to 1000000");
    }
    errors.finish()?;
    let mut random = Random::system();
    let list = generate(&g.pattern, g.length as usize, g.count as usize, &mut random);
    let records: Vec<CodeData> = list
        .iter()
        .map(|code| CodeData {
            code: code.clone(),
            discount_id: discount.id.clone(),
            max_uses: g.max_uses,
            uses: 0,
        })
        .collect();
    for chunk in records.chunks(MAX_BATCH) {
        let writes: Vec<Write<CodeData>> = chunk
            .iter()
            .map(|c| Write::Create(c.code.as_str(), c))
            .collect();
        codes().write_many(&writes).map_err(|e| match e {
            StorageError::Conflict(_) => {
                Failure::conflict("a generated code exists already; please generate again")
            }
            other => other.into(),
        })?;
    }
    Ok(json(&serde_json::json!({
        "generated": list.len(),
        "codes": list.iter().take(100).collect::<Vec<_>>(),
    })))
}

/// `?id=` → CSV `code,max_uses,uses` of the discount's codes.
fn export(req: &Request) -> Reply {
    let discount = discounts().load(&input::required_id(req)?)?;
    let mut out = csv::Writer::new();
    out.row(["code", "max_uses", "uses"]);
    for c in codes()
        .query()
        .eq("discount_id", discount.id.as_str())
        .sort("id")
        .fetch_all()?
    {
        out.row([
            csv::Cell::from(c.data.code),
            c.data.max_uses.into(),
            c.data.uses.into(),
        ]);
    }
    Ok(download(
        "voucher-codes.csv",
        "text/csv; charset=utf-8",
        out.into_bytes(),
    ))
}

#[derive(Debug, Deserialize)]
struct Placed {
    #[serde(default)]
    codes: Vec<String>,
}

/// Counts one use of each code of a placed order. At-least-once delivery may count an order
/// twice; sales' own count (in the order's transaction) is the one that refuses.
pub fn order_placed(payload: &str) -> Result<(), String> {
    let placed: Placed = serde_json::from_str(payload).map_err(|e| e.to_string())?;
    for code in placed.codes {
        let Some(mut rec) = codes().find(&normal(&code)).map_err(|e| e.to_string())? else {
            continue;
        };
        rec.data.uses += 1;
        codes()
            .replace(&rec.id, &rec.data, rec.version)
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_the_pattern_without_look_alikes_and_are_distinct() {
        let mut random = Random::seeded(42);
        let list = generate("SUMMER-[code]-26", 6, 2000, &mut random);
        assert_eq!(list.len(), 2000);
        assert_eq!(list.iter().collect::<BTreeSet<_>>().len(), 2000);
        for code in &list {
            let part = &code["SUMMER-".len()..code.len() - "-26".len()];
            assert_eq!(part.len(), 6, "{code}");
            assert!(part.bytes().all(|b| ALPHABET.contains(&b)), "{code}");
            assert!(!part.contains(['0', 'O', '1', 'I', 'L']), "{code}");
        }
    }
}
