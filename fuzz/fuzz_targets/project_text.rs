#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| ocus_fuzz::project_text(data));
