//! Fuzz target `eval_facts`: see `meso_fuzz::eval_facts`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| meso_fuzz::eval_facts(data));
