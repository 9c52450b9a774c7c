//! The UniFFI bindings generator, pinned to this crate's UniFFI version; run it in library mode on
//! the built cdylib: `uniffi-bindgen generate -l kotlin -o OUT target/debug/libauthjwt_uniffi.so`.

fn main() {
    uniffi::uniffi_bindgen_main()
}
