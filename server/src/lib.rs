//! Glasshouse's server: the axum app (pages, JSON API), storage and the command line.

pub mod api;
pub mod auth;
pub mod cli;
pub mod config;
pub mod decisions;
pub mod demo;
pub mod demo_requests;
pub mod run;
pub mod state;
pub mod telemetry;
pub mod web;
