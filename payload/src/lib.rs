//! The contract between `oqs-builder` and `oqs-firstboot`: what a site is
//! (`site`), where things sit on the stick (`layout`), how the stick proves its
//! integrity (`manifest`), and how secrets are carried (`secret`). Both binaries
//! speak to clinic staff in Japanese or English through `text`.

pub mod layout;
pub mod manifest;
pub mod secret;
pub mod secrets;
pub mod site;
pub mod text;
pub mod vault;

pub use secret::Secret;
pub use site::Site;
pub use text::{Lang, Text};
