//! Domain types shared by the server and the browser: plain Rust, no HTTP, no HTML, no SQL.

pub mod account;
pub mod decision;
pub mod lang;
pub mod register;
pub mod text;
pub mod vocabulary;

#[cfg(feature = "ssr")]
pub mod search;
