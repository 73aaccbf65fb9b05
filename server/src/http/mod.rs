//! The HTTP edge: the router and its layers, the shared state, and the downloads and
//! language switch that sit beside the pages. The agency API is `crate::api`.

pub mod client_address;
pub mod downloads;
pub mod feeds;
pub mod language;
pub mod layers;
pub mod router;
pub mod signs;
pub mod state;

pub use router::{router, serve};
pub use state::{AppState, BuildError, MAX_BODY_BYTES, OUTPUT_NAME, accounts, leptos_options, state};
