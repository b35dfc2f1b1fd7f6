#![no_main]
//! Fuzz target: see `schedsim::fuzz`.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = schedsim::fuzz::workflow(data);
});
