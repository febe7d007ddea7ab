//! Password hashing with argon2id at (at least) the OWASP minimum: m = 19 MiB, t = 2, p = 1.
//!
//! Hashes are PHC strings, so their parameters travel with them: `needs_rehash` tells the sign-in
//! flow to upgrade a hash made with weaker parameters once the password is known to be right.

use std::sync::LazyLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use super::gate::{Busy, PASSWORDS};
use crate::validate::Invalid;

const MEMORY_KIB: u32 = 19 * 1024;
const ITERATIONS: u32 = 2;
const PARALLELISM: u32 = 1;

/// Shortest password accepted for a new or changed password.
pub const MIN_LENGTH: usize = 12;
/// Longest password accepted (argon2 copes, but unbounded input is a denial-of-service lever).
pub const MAX_LENGTH: usize = 256;

fn hasher() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None)
        .expect("argon2 parameters are valid constants");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password with a fresh random salt.
pub fn hash(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    let hash = hasher()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("hashing password: {e}"))?;
    Ok(hash.to_string())
}

/// Checks a password against a stored PHC string. A malformed stored hash never verifies.
pub fn verify(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Spends the same time as a real verification, for accounts that do not exist, so that the
/// reply time does not tell an attacker whether an email is registered.
pub fn verify_dummy(password: &str) {
    static DUMMY: LazyLock<String> =
        LazyLock::new(|| hash("dummy password for timing").unwrap_or_default());
    let _ = verify(password, &DUMMY);
}

/// Why password work could not be done.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// Every hashing slot is taken and the queue is full ([`gate`](super::gate)).
    #[error(transparent)]
    Busy(#[from] Busy),
    /// Hashing failed. The detail is for the log.
    #[error("hashing a password: {0:#}")]
    Failed(anyhow::Error),
}

/// Runs `work` on the blocking pool (argon2 takes tens of milliseconds of CPU, which must not
/// stall the async workers) once the process-wide gate lets it in.
async fn gated<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, HashError> {
    let _slot = PASSWORDS.enter().await?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| HashError::Failed(e.into()))
}

/// Verifies off the async workers, through the gate. With no stored hash it runs
/// [`verify_dummy`] and returns false.
pub async fn verify_off_thread(password: &str, stored: Option<&str>) -> Result<bool, HashError> {
    let password = password.to_owned();
    let stored = stored.map(str::to_owned);
    gated(move || match stored {
        Some(stored) => verify(&password, &stored),
        None => {
            verify_dummy(&password);
            false
        }
    })
    .await
}

/// Hashes off the async workers, through the gate; see [`verify_off_thread`].
pub async fn hash_off_thread(password: &str) -> Result<String, HashError> {
    let password = password.to_owned();
    gated(move || hash(&password))
        .await?
        .map_err(HashError::Failed)
}

/// True when the stored hash is not argon2id with at least the current parameters.
pub fn needs_rehash(stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return true;
    };
    if parsed.algorithm.as_str() != "argon2id" {
        return true;
    }
    let Ok(params) = Params::try_from(&parsed) else {
        return true;
    };
    params.m_cost() < MEMORY_KIB || params.t_cost() < ITERATIONS || params.p_cost() < PARALLELISM
}

/// Checks a new password against the policy; the error names what to fix.
pub fn check_policy(password: &str) -> Result<(), Invalid> {
    let chars = password.chars().count();
    if chars < MIN_LENGTH {
        return Err(Invalid::new(
            "Password",
            format!("The password must have at least {MIN_LENGTH} characters."),
        ));
    }
    if chars > MAX_LENGTH {
        return Err(Invalid::new(
            "Password",
            format!("The password must have at most {MAX_LENGTH} characters."),
        ));
    }
    Ok(())
}

/// A random password for generated accounts: 20 characters from an unambiguous alphabet.
pub fn generate() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    (0..20)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_verifies_only_the_right_password() {
        let stored = hash("correct horse battery").unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("correct horse battery", &stored));
        assert!(!verify("wrong horse battery", &stored));
        assert!(!needs_rehash(&stored));
    }

    #[test]
    fn weaker_parameters_need_rehash() {
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(4096, 1, 1, None).unwrap(),
        )
        .hash_password(b"pw", &SaltString::generate(&mut OsRng))
        .unwrap()
        .to_string();
        assert!(verify("pw", &weak), "old hashes still verify");
        assert!(needs_rehash(&weak));
        assert!(needs_rehash("not a hash"));
    }

    #[test]
    fn policy_names_the_problem() {
        assert!(
            check_policy("short")
                .unwrap_err()
                .message
                .contains("at least")
        );
        assert!(
            check_policy(&"x".repeat(300))
                .unwrap_err()
                .message
                .contains("at most")
        );
        assert!(check_policy("long enough password").is_ok());
    }
}
