//! Authentication: password hashing, signed tokens, sessions and agency clients.

pub mod password;
pub mod tokens;
