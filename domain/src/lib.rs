//! Domain types shared by the server and the browser: plain Rust, no HTTP, no HTML, no SQL.

pub mod account;
pub mod api_reference;
pub mod breaches;
pub mod calendar;
pub mod consent;
pub mod console;
pub mod decision;
pub mod disclosure;
pub mod lang;
pub mod ledger;
pub mod paging;
pub mod query;
pub mod register;
pub mod reports;
pub mod requests;
pub mod search;
pub mod stats;
pub mod street;
pub mod text;
pub mod vocabulary;
