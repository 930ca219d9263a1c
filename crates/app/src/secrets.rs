//! Secrets: random tokens, their digests, and password hashes.
//!
//! Tokens (sessions, mail links, API tokens) are stored only as SHA-256
//! digests: a leaked database gives no usable token. Passwords are hashed
//! with argon2id on the blocking pool, so hashing never stalls the server.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::Rng;
use sha2::{Digest, Sha256};

/// 32 random bytes as 64 hex digits, with an optional prefix (`mbk_` for API tokens).
pub fn new_token(prefix: &str) -> String {
    let bytes: [u8; 32] = rand::rng().random();
    let mut s = String::with_capacity(prefix.len() + 64);
    s.push_str(prefix);
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// The stored form of a token.
pub fn token_digest(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// argon2id with the crate's default (OWASP-recommended) parameters.
pub async fn hash_password(password: String) -> Result<String, String> {
    tokio::task::spawn_blocking(move || {
        let salt_bytes: [u8; 16] = rand::rng().random();
        let salt = SaltString::encode_b64(&salt_bytes).map_err(|e| e.to_string())?;
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())?
}

/// Checks `password` against a stored hash. `None` stands for "no such
/// user": a hash is still computed so timing does not reveal that.
pub async fn verify_password(password: String, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        // A valid hash of a random secret, to spend the same time.
        const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Jc9Q3S5zWUHlL1W3r0C9Jr0yvEmvwZ3vNlHUXrs7yqQ";
        let hash_text = stored.as_deref().unwrap_or(DUMMY);
        let Ok(hash) = PasswordHash::new(hash_text) else {
            return false;
        };
        let ok = Argon2::default().verify_password(password.as_bytes(), &hash).is_ok();
        ok && stored.is_some()
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_tokens_differ() {
        let h = hash_password("kumo-no-ue-42".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("kumo-no-ue-42".into(), Some(h.clone())).await);
        assert!(!verify_password("kumo-no-ue-43".into(), Some(h)).await);
        assert!(!verify_password("anything".into(), None).await);
        let (a, b) = (new_token("mbk_"), new_token("mbk_"));
        assert_ne!(a, b);
        assert!(a.starts_with("mbk_") && a.len() == 68);
        assert_eq!(token_digest("abc").len(), 64);
        assert_eq!(
            token_digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
