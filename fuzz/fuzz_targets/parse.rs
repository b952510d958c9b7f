//! Fuzz target `parse`: see `meso_fuzz::parse`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| meso_fuzz::parse(data));
