//! uniffi's own CLI, built from the workspace so the generator always matches the crate's
//! uniffi version (`make jvm-generate` runs it on the built library).
fn main() {
    uniffi::uniffi_bindgen_main()
}
