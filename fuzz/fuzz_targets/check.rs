//! Fuzz target `check`: see `meso_fuzz::check`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| meso_fuzz::check(data));
