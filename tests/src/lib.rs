//! Shared pieces of the end-to-end tests: finding the external tools a test needs
//! and generating fixtures (demo inputs) instead of checking in binaries.

pub mod demo;
pub mod fixtures;
pub mod image_check;
pub mod leak;
pub mod media;
pub mod pfx;
pub mod tools;
