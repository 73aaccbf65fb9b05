//! Shared by the benchmark's binaries: the population file `populate` writes and `loadgen`
//! draws its consent checks from.

pub mod http;

use serde::{Deserialize, Serialize};

/// What the load generator needs to know about the generated population.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Population {
    /// The agency whose API client runs the checks.
    pub agency: String,
    /// Every generated resident's number (`GH-XXXX-XXXX`).
    pub residents: Vec<String>,
    /// Every purpose in the register.
    pub targets: Vec<Target>,
}

/// One purpose of one system, as a check names it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Target {
    pub system: String,
    pub purpose: String,
    pub legal_basis: String,
    pub agency: String,
}
