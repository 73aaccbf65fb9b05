//! Password hashing: argon2id with OWASP's parameters, off the async runtime, with the number
//! of hashes at once bounded so a flood of sign-ins cannot starve other work.

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::Arc;
use tokio::sync::Semaphore;

/// OWASP Password Storage Cheat Sheet: m = 19 456 KiB, t = 2, p = 1.
const MEMORY_KIB: u32 = 19_456;
const ITERATIONS: u32 = 2;
const PARALLELISM: u32 = 1;

/// Why hashing failed (never because of a wrong password: that is `Ok(false)`).
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("password hashing failed: {0}")]
    Hash(String),
    #[error("the hashing task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
    /// Every hasher is busy and the queue is full: the caller is answered 503 at once instead
    /// of waiting behind a flood.
    #[error("every password hasher is busy; try again shortly")]
    Busy,
}

/// How many hashes may wait per hasher before new ones are refused (at ~50 ms a hash, a
/// second or two of queue).
pub const QUEUE_PER_HASHER: usize = 32;

/// Hashes and verifies passwords; cheap to clone.
#[derive(Clone)]
pub struct PasswordHashing {
    permits: Arc<Semaphore>,
    /// Hashes waiting for a permit, bounded by `max_waiting`.
    waiting: Arc<std::sync::atomic::AtomicUsize>,
    max_waiting: usize,
    /// Verified against when an account does not exist, so unknown emails cost the same.
    dummy_hash: Arc<String>,
}

fn argon2() -> Argon2<'static> {
    // The constants are valid parameters; `Params::new` only rejects out-of-range values.
    let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn hash_blocking(password: &str) -> Result<String, HashError> {
    argon2()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| HashError::Hash(e.to_string()))
}

impl PasswordHashing {
    /// A hasher allowing `concurrency` hashes at once (at least one).
    pub async fn new(concurrency: usize) -> Result<Self, HashError> {
        Self::bounded(concurrency, concurrency.max(1) * QUEUE_PER_HASHER).await
    }

    /// A hasher allowing `concurrency` hashes at once and `max_waiting` more in the queue.
    async fn bounded(concurrency: usize, max_waiting: usize) -> Result<Self, HashError> {
        let dummy = tokio::task::spawn_blocking(|| hash_blocking("glasshouse: no such account")).await??;
        Ok(Self {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            waiting: Arc::new(std::sync::atomic::AtomicUsize::new(0)),
            max_waiting,
            dummy_hash: Arc::new(dummy),
        })
    }

    /// The PHC string of a new hash of `password`.
    pub async fn hash(&self, password: &str) -> Result<String, HashError> {
        let permit = self.permit().await?;
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || {
            // Held by the hashing thread, so a caller that goes away does not free it early.
            let _permit = permit;
            hash_blocking(&password)
        })
        .await?
    }

    async fn permit(&self) -> Result<tokio::sync::OwnedSemaphorePermit, HashError> {
        use std::sync::atomic::Ordering;
        if let Ok(permit) = Arc::clone(&self.permits).try_acquire_owned() {
            return Ok(permit);
        }
        /// Counts one waiter for as long as it waits, however its wait ends (even dropped).
        struct Waiting<'a>(&'a std::sync::atomic::AtomicUsize);
        impl Drop for Waiting<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::SeqCst);
            }
        }
        let queued = self.waiting.fetch_add(1, Ordering::SeqCst);
        let _waiting = Waiting(&self.waiting);
        if queued >= self.max_waiting {
            return Err(HashError::Busy);
        }
        Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|e| HashError::Hash(e.to_string()))
    }

    /// Whether `password` matches `hash`; with `None` (no such account) it does the same work
    /// against a dummy hash and answers `false`.
    pub async fn verify(&self, password: &str, hash: Option<&str>) -> Result<bool, HashError> {
        let permit = self.permit().await?;
        let known = hash.is_some();
        let hash = hash.map_or_else(|| self.dummy_hash.as_str().to_owned(), str::to_owned);
        let password = password.to_owned();
        let matches = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            argon2()
                .verify_password(password.as_bytes(), hash.as_str())
                .is_ok()
        })
        .await?;
        Ok(known && matches)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let hashing = PasswordHashing::new(2).await.unwrap();
        let hash = hashing.hash("river otter lantern 42").await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(
            hashing
                .verify("river otter lantern 42", Some(&hash))
                .await
                .unwrap()
        );
        assert!(
            !hashing
                .verify("river otter lantern 43", Some(&hash))
                .await
                .unwrap()
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_full_queue_refuses_at_once_instead_of_waiting() {
        let hashing = PasswordHashing::bounded(1, 2).await.unwrap();
        // The only hasher is held here while two hashes queue: the next is refused.
        let held = Arc::clone(&hashing.permits).try_acquire_owned().unwrap();
        let mut running = tokio::task::JoinSet::new();
        for _ in 0..2 {
            let h = hashing.clone();
            running.spawn(async move { h.verify("x", None).await.map(|_| ()) });
        }
        for _ in 0..1000 {
            if hashing.waiting.load(std::sync::atomic::Ordering::SeqCst) == 2 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        assert_eq!(hashing.waiting.load(std::sync::atomic::Ordering::SeqCst), 2);
        assert!(matches!(hashing.verify("x", None).await, Err(HashError::Busy)));
        drop(held);
        // The queue drains, every queued hash is answered, and hashing works again.
        for result in running.join_all().await {
            result.unwrap();
        }
        assert_eq!(hashing.waiting.load(std::sync::atomic::Ordering::SeqCst), 0);
        assert!(!hashing.verify("x", None).await.unwrap());
    }

    #[tokio::test]
    async fn an_unknown_account_never_verifies() {
        let hashing = PasswordHashing::new(1).await.unwrap();
        assert!(!hashing.verify("glasshouse: no such account", None).await.unwrap());
    }
}
