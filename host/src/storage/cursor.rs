//! Keyset cursors: the opaque `next_cursor` text and back.
//!
//! A cursor is `c1` followed by the hex of a JSON object `{"s": <sort signature>, "v": [<sort
//! values of the last row>…, <its id>]}`. Owns only that encoding and its checks; what the values
//! mean is [`super::plan`]'s business. Must never trust a decoded cursor beyond its shape: the
//! values are bound as parameters like any filter value.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::error::{StorageError, StorageResult};

const PREFIX: &str = "c1";
/// Longest cursor accepted, in characters.
const MAX_LEN: usize = 16 * 1024;

#[derive(Serialize, Deserialize)]
struct Position {
    s: String,
    v: Vec<Value>,
}

/// The cursor for the row with sort `values` under the sort `signature`.
pub(crate) fn encode(signature: &str, values: &[Value]) -> String {
    let position = Position {
        s: signature.to_owned(),
        v: values.to_vec(),
    };
    // Serializing strings and JSON values cannot fail.
    let json = serde_json::to_vec(&position).unwrap_or_default();
    format!("{PREFIX}{}", hex::encode(json))
}

/// The sort values in a cursor made for `signature`.
pub(crate) fn decode(cursor: &str, signature: &str) -> StorageResult<Vec<Value>> {
    let invalid = |why: &str| StorageError::invalid(format!("cursor is not valid: {why}"));
    if cursor.len() > MAX_LEN {
        return Err(invalid("too long"));
    }
    let hex_text = cursor
        .strip_prefix(PREFIX)
        .ok_or_else(|| invalid("not a cursor of this host"))?;
    let json = hex::decode(hex_text).map_err(|_| invalid("damaged"))?;
    let position: Position = serde_json::from_slice(&json).map_err(|_| invalid("damaged"))?;
    if position.s != signature {
        return Err(invalid("it belongs to a query with another sort"));
    }
    Ok(position.v)
}

#[cfg(test)]
mod unit {
    use serde_json::json;

    use super::*;

    #[test]
    fn round_trips_and_refuses_other_sorts_and_garbage() {
        let values = vec![json!("shoe"), json!(null), json!(12.5), json!("0a1b")];
        let cursor = encode("name:a,id:a", &values);
        assert_eq!(decode(&cursor, "name:a,id:a").unwrap(), values);
        let err = decode(&cursor, "name:d,id:d").unwrap_err();
        assert!(err.to_string().contains("another sort"), "{err}");
        assert!(decode("c1zz", "id:a").is_err());
        assert!(decode("nonsense", "id:a").is_err());
        assert!(decode(&format!("c1{}", hex::encode("[1]")), "id:a").is_err());
    }
}
