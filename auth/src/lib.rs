//! Who is calling: password hashing (argon2id), signed tokens, resident and staff accounts
//! with their sessions, and agency API clients. Server-only, no HTTP: the server's layers
//! and the app's server functions call it.

pub mod accounts;
pub mod address;
pub mod clients;
pub mod password;
pub mod sealing;
pub mod strength;
pub mod tokens;
