//! Fuzz target `columnar_input`: see `meso_fuzz::columnar_input`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = meso_fuzz::columnar_input(data);
});
