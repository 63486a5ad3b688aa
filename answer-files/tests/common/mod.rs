//! The demo site and a fixed one-time password, shared by the integration tests.
// Each test file compiles this module on its own and uses a part of it.
#![allow(dead_code)]

use answer_files::RenderOptions;
use payload::{Secret, Site};
use std::path::{Path, PathBuf};

/// Never a real password: the tests prove it does not appear in the output.
pub const ONE_TIME_PASSWORD: &str = "Oqs-Test-OneTime-7f3K9q!";

pub fn demo_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/demo-clinic/site.toml")
}

pub fn demo_source() -> String {
    std::fs::read_to_string(demo_file()).expect("demo site.toml")
}

pub fn demo_site() -> Site {
    payload::site::parse(&demo_source(), &demo_file())
        .expect("the demo site is valid")
        .site
}

pub fn options<'a>(password: &'a Secret, terminal: Option<&'a str>) -> RenderOptions<'a> {
    RenderOptions {
        image_index: 6,
        one_time_password: password,
        terminal,
    }
}
