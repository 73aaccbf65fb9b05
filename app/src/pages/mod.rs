//! One module per page, named after its route.

pub mod account;
pub mod admin;
pub mod home;
pub mod login;
pub mod not_found;
pub mod signup;
pub mod system;
pub mod systems;
