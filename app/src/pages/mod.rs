//! One module per page, named after its route.

pub mod access_log;
pub mod account;
pub mod admin;
pub mod audit;
pub mod consent_history;
pub mod console_requests;
pub mod developers;
pub mod home;
pub mod login;
pub mod my;
pub mod not_found;
pub mod notifications;
pub mod package;
pub mod profile;
pub mod receipt;
pub mod requests;
pub mod signup;
pub mod system;
pub mod systems;
