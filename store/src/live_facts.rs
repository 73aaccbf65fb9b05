//! The facts every decision needs, held in this server's memory and kept current.
//!
//! Loaded whole at start. Every write that changes a decision's facts bumps the facts
//! version in its own transaction (triggers, `db.rs`) and records what it changed in
//! `fact_changes`. `catch_up` reads what changed since the version held and reloads exactly
//! those residents and clients (the register, small, whole). The decision log's writer calls
//! it before each batch, which is what makes deciding from memory strict (`decision_log`).

use crate::StoreError;
use crate::consent;
use domain::decision::index::FactsIndex;
use sqlx::{AnyConnection, AnyPool};
use std::collections::BTreeSet;
use std::sync::{RwLock, RwLockReadGuard};

/// Ids per `IN (...)` list when reloading changed residents or clients.
const CHUNK: usize = 500;

/// The facts held in memory, shared by every request of this server.
pub struct LiveFacts {
    index: RwLock<FactsIndex>,
    /// One catch-up at a time: two could otherwise apply their reads out of order.
    catching_up: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for LiveFacts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveFacts")
            .field("version", &self.version())
            .finish()
    }
}

impl LiveFacts {
    /// Loads every fact from `pool`.
    pub async fn load(pool: &AnyPool) -> Result<LiveFacts, StoreError> {
        let mut conn = pool.acquire().await?;
        Ok(LiveFacts {
            index: RwLock::new(load_all(&mut conn).await?),
            catching_up: tokio::sync::Mutex::new(()),
        })
    }

    /// The index, to decide from (hold it only for the decision: writers wait meanwhile).
    pub fn read(&self) -> RwLockReadGuard<'_, FactsIndex> {
        // A panic while holding the lock leaves the index as consistent as it was: every
        // change to it is a whole replacement of one resident, client or register.
        self.index
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The version of the facts held.
    pub fn version(&self) -> i64 {
        self.read().version
    }

    /// Brings the index up to the facts version now.
    pub async fn catch_up_now(&self, pool: &AnyPool) -> Result<bool, StoreError> {
        let version = {
            let mut conn = pool.acquire().await?;
            consent::facts_version(&mut conn).await?
        };
        self.catch_up(pool, version).await
    }

    /// Brings the index up to at least `version` (a version read from `facts_head`), reading
    /// what changed since the version held. Returns whether anything was reloaded.
    pub async fn catch_up(&self, pool: &AnyPool, version: i64) -> Result<bool, StoreError> {
        let _one_at_a_time = self.catching_up.lock().await;
        let held = self.version();
        if held >= version {
            return Ok(false);
        }
        let mut conn = pool.acquire().await?;
        let changes = consent::fact_changes_since(&mut conn, held).await?;
        // Versions are gapless: a missing one was pruned, so the changes are not all known.
        let complete = changes.first().is_some_and(|(v, ..)| *v == held + 1)
            && changes.windows(2).all(|w| w[1].0 == w[0].0 + 1)
            && changes.last().is_some_and(|(v, ..)| *v >= version);
        if !complete {
            tracing::info!(
                held,
                version,
                "the facts' changes were pruned: reloading every fact"
            );
            let fresh = load_all(&mut conn).await?;
            *self
                .index
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = fresh;
            return Ok(true);
        }
        let newest = changes.last().map_or(held, |(v, ..)| *v);
        let mut register = false;
        let mut residents = BTreeSet::new();
        let mut clients = BTreeSet::new();
        for (_, kind, key) in changes {
            match kind.as_str() {
                "register" => register = true,
                "resident" => {
                    residents.insert(key);
                }
                _ => {
                    clients.insert(key);
                }
            }
        }
        // Read after the list of changes, so at least as new as its last version.
        let systems = if register {
            Some(consent::register_facts(&mut conn).await?)
        } else {
            None
        };
        let residents: Vec<String> = residents.into_iter().collect();
        let mut resident_facts = Vec::with_capacity(residents.len());
        for ids in residents.chunks(CHUNK) {
            resident_facts.extend(consent::resident_facts(&mut conn, Some(ids)).await?);
        }
        let clients: Vec<String> = clients.into_iter().collect();
        let mut client_facts = Vec::with_capacity(clients.len());
        for ids in clients.chunks(CHUNK) {
            client_facts.extend(consent::client_facts(&mut conn, Some(ids)).await?);
        }
        let mut index = self
            .index
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(systems) = systems {
            index.set_register(systems);
        }
        for (user_id, facts) in resident_facts {
            index.set_resident(&user_id, facts);
        }
        for (client_id, facts) in client_facts {
            index.set_client(&client_id, facts);
        }
        index.version = index.version.max(newest);
        Ok(true)
    }
}

/// Every fact, at the version read first (whatever commits meanwhile is read too, and read
/// again by the next `catch_up`).
async fn load_all(conn: &mut AnyConnection) -> Result<FactsIndex, StoreError> {
    let version = consent::facts_version(conn).await?;
    let mut index = FactsIndex::new(version);
    index.set_register(consent::register_facts(conn).await?);
    for (client_id, facts) in consent::client_facts(conn, None).await? {
        index.set_client(&client_id, facts);
    }
    for (user_id, facts) in consent::resident_facts(conn, None).await? {
        index.set_resident(&user_id, facts);
    }
    Ok(index)
}
