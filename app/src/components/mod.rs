//! Small reusable components.

pub mod auth_form;
pub mod error_notice;
pub mod in_place;
pub mod lang_switch;
pub mod layout;
pub mod messages;
pub mod not_found;
pub mod page_title;
pub mod pager;
pub mod reload_key;
pub mod shown_cell;
pub mod signed_in;
pub mod status;
pub mod urgency_badge;
pub mod week_chart;
