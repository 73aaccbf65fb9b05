//! One module per page, named after its route.

pub mod home;
pub mod not_found;
pub mod system;
pub mod systems;
