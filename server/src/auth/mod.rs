//! Authentication at the HTTP edge: the layers that resolve sessions, refuse cross-site
//! requests and limit guessing, and the token-signing secret. The accounts themselves (hashing,
//! tokens, sessions, agency clients) are the `auth` crate.

pub mod checkpoint_key;
pub mod layers;
pub mod secret;
