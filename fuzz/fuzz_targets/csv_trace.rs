#![no_main]
//! Fuzz target: see `schedsim::fuzz`.
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

/// Where the input is written as a file, as the program reads files.
static DIR: LazyLock<tempfile::TempDir> = LazyLock::new(|| tempfile::tempdir().unwrap());

fuzz_target!(|data: &[u8]| {
    let _ = schedsim::fuzz::trace(data, "csv", DIR.path());
});
