//! oqs-firstboot: finishes an OQS terminal from the stick and checks its health.
//! A thin binary (`main.rs`) over this library so tests can drive every part.

pub mod app;
pub mod cli;
pub mod engine;
pub mod host;
pub mod identify;
pub mod link;
pub mod paths;
pub mod role_command;
pub mod secrets_source;
pub mod step;
pub mod steps;
pub mod stick;
pub mod unlock;
