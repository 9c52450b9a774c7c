//! The UniFFI bindings generator, pinned to authjwt-uniffi's UniFFI version; run it in library mode
//! on the built library: `uniffi-bindgen generate --library target/debug/libauthjwt_uniffi.so
//! --language kotlin --out-dir OUT`.

fn main() {
    uniffi::uniffi_bindgen_main()
}
