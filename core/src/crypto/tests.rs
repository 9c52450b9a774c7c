#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;

#[test]
fn preferred_backend_is_the_first_compiled_one() {
    assert_eq!(Backend::preferred(), Backend::all()[0]);
    #[cfg(feature = "aws-lc")]
    assert_eq!(Backend::preferred(), Backend::AwsLc);
}

#[test]
fn curve_orders_are_field_sized() {
    for crv in [EcCurve::P256, EcCurve::P384, EcCurve::P521] {
        assert_eq!(curve_order(crv).len(), crv.field_len());
    }
}

#[test]
fn keys_are_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<SigningKey>();
    assert_send_sync::<VerifyingKey>();
}

#[test]
fn ed25519_signature_shape_rejects_s_at_or_above_l() {
    let mut sig = [0u8; 64];
    sig[0] = 0x58; // R = basepoint-like y, not small order
    sig[1] = 0x66;
    sig[32..].copy_from_slice(&ED25519_L);
    assert!(!ed25519_signature_is_canonical(&sig));
    sig[32] -= 1; // L - 1
    assert!(ed25519_signature_is_canonical(&sig));
    assert!(!ed25519_signature_is_canonical(&sig[..63]));
}

#[test]
fn ecdsa_signature_range_is_checked_per_curve() {
    let n = curve_order(EcCurve::P256);
    let one = {
        let mut v = [0u8; 32];
        v[31] = 1;
        v
    };
    assert!(ecdsa_signature_in_range(
        EcCurve::P256,
        &[one, one].concat()
    ));
    assert!(!ecdsa_signature_in_range(
        EcCurve::P256,
        &[&one[..], n].concat()
    ));
    assert!(!ecdsa_signature_in_range(
        EcCurve::P256,
        &[[0u8; 32], one].concat()
    ));
    assert!(!ecdsa_signature_in_range(
        EcCurve::P384,
        &[one, one].concat()
    ));
}
