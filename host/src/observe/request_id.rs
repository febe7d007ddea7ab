//! Request ids: one per request, in every log line the request causes (the host's and its
//! plugins'), and sent back as `X-Request-Id` so a user's report or a proxy's log finds them.
//!
//! An id a client sends is ignored: it could collide with another request's on purpose, or
//! smuggle text into the logs. Only a trusted reverse proxy (`--trusted-proxies`) may hand one
//! in, so the proxy's access log and ours share it, and even then only a short token of
//! printable characters is taken.

use std::fmt;

/// The header carrying the id, in both directions.
pub const HEADER: &str = "x-request-id";

/// Longest id accepted from a proxy (a UUID is 36 characters, a W3C trace id 32).
const MAX_LEN: usize = 128;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(String);

impl RequestId {
    /// A new id: 128 random bits in hex.
    pub fn generate() -> RequestId {
        use rand::RngCore;
        let mut bytes = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut bytes);
        RequestId(hex::encode(bytes))
    }

    /// The id a trusted proxy sent, when it is 1–128 characters of letters, digits and
    /// `-_.:` (what UUIDs, trace ids and proxies' own ids are made of).
    pub fn from_proxy(sent: &str) -> Option<RequestId> {
        let ok = !sent.is_empty()
            && sent.len() <= MAX_LEN
            && sent
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c));
        ok.then(|| RequestId(sent.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::RequestId;

    #[test]
    fn generated_ids_differ_and_are_hex() {
        let (a, b) = (RequestId::generate(), RequestId::generate());
        assert_ne!(a, b);
        assert_eq!(a.as_str().len(), 32);
        assert!(a.as_str().chars().all(|c| c.is_ascii_hexdigit()));
    }

    #[test]
    fn a_proxy_id_is_taken_only_when_short_and_plain() {
        let uuid = "3f2b8c1e-9d4a-4c1b-8f7e-0a1b2c3d4e5f";
        assert_eq!(RequestId::from_proxy(uuid).unwrap().as_str(), uuid);
        for bad in ["", "two words", "line\nbreak", "quote\"", &"a".repeat(129)] {
            assert!(RequestId::from_proxy(bad).is_none(), "{bad:?}");
        }
    }
}
