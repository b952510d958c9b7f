//! Fuzz target `fmt_roundtrip`: see `meso_fuzz::fmt_roundtrip`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| meso_fuzz::fmt_roundtrip(data));
