//! Glasshouse's server: the HTTP edge (`http`, `auth`), the agency API (`api`, `decisions`),
//! the command line (`cli`), configuration and the demo city.

pub mod api;
pub mod auth;
pub mod cli;
pub mod config;
pub mod decisions;
pub mod demo;
pub mod http;
pub mod safety;
pub mod telemetry;
