//! Authentication: password hashing, signed tokens, sessions and agency clients.

pub mod clients;
pub mod middleware;
pub mod password;
pub mod secret;
pub mod service;
pub mod tokens;
