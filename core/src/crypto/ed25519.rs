//! Ed25519 point rules of the import checks (RFC 8032 §5.1.3), independent of any crypto backend:
//! aws-lc does not validate a public key until it verifies with it, so both backends rely on these.

/// Whether a 32-byte Ed25519 point encoding is a small-order point (any of its encodings) or a
/// non-canonical encoding (y >= p). Such public keys, and such `R` values in signatures, are what
/// strict verification refuses (ed25519-speccheck; libsodium's blocklist).
pub(crate) fn ed25519_encoding_is_weak(point: &[u8; 32]) -> bool {
    // The y coordinates of the 8 small-order points (sign bit cleared), including the
    // non-canonical encodings p and p+1 of y = 0 and y = 1.
    const SMALL_ORDER_Y: [[u8; 32]; 7] = [
        [0; 32],
        [
            1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0,
        ],
        [
            0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef,
            0x98, 0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88,
            0x6d, 0x53, 0xfc, 0x05,
        ],
        [
            0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10,
            0x67, 0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77,
            0x92, 0xac, 0x03, 0x7a,
        ],
        p_plus(-1),
        p_plus(0),
        p_plus(1),
    ];
    let mut y = *point;
    y[31] &= 0x7f;
    // y >= p = 2^255 - 19: top byte 0x7f, bytes 1..31 all 0xff, low byte >= 0xed.
    let non_canonical = y[31] == 0x7f && y[1..31].iter().all(|&b| b == 0xff) && y[0] >= 0xed;
    non_canonical || SMALL_ORDER_Y.contains(&y)
}

/// The little-endian encoding of p + k for small k (p = 2^255 - 19).
pub(crate) const fn p_plus(k: i8) -> [u8; 32] {
    let mut out = [0xff; 32];
    out[0] = (0xed_i16 + k as i16) as u8;
    out[31] = 0x7f;
    out
}

/// Whether a canonical encoding decodes to a point of the curve: x^2 = (y^2 - 1) / (d y^2 + 1) must
/// have a root (RFC 8032 §5.1.3 step 2). Public data only, so plain variable-time arithmetic.
pub(crate) fn ed25519_is_on_curve(point: &[u8; 32]) -> bool {
    let mut bytes = *point;
    bytes[31] &= 0x7f;
    let y = fe_from_bytes(&bytes);
    // d = -121665 / 121666 (RFC 8032 §5.1)
    let d = mul(&neg(&small(121665)), &invert(&small(121666)));
    let yy = mul(&y, &y);
    let u = sub(&yy, &small(1));
    let v = add(&mul(&d, &yy), &small(1));
    let x2 = mul(&u, &invert(&v));
    // Euler's criterion: a square (or zero) raised to (p-1)/2 is 1 (or 0).
    let legendre = canonical(&pow(&x2, &P_MINUS_1_OVER_2));
    legendre == small(1) || legendre == small(0)
}

/// A field element mod p = 2^255 - 19 as four little-endian 64-bit limbs (not always reduced).
type Fe = [u64; 4];

const P: Fe = [
    0xffff_ffff_ffff_ffed,
    0xffff_ffff_ffff_ffff,
    0xffff_ffff_ffff_ffff,
    0x7fff_ffff_ffff_ffff,
];
const P_MINUS_2: Fe = [
    0xffff_ffff_ffff_ffeb,
    0xffff_ffff_ffff_ffff,
    0xffff_ffff_ffff_ffff,
    0x7fff_ffff_ffff_ffff,
];
const P_MINUS_1_OVER_2: Fe = [
    0xffff_ffff_ffff_fff6,
    0xffff_ffff_ffff_ffff,
    0xffff_ffff_ffff_ffff,
    0x3fff_ffff_ffff_ffff,
];

fn small(v: u64) -> Fe {
    [v, 0, 0, 0]
}

fn fe_from_bytes(bytes: &[u8; 32]) -> Fe {
    let mut out = [0u64; 4];
    for (limb, chunk) in out.iter_mut().zip(bytes.chunks_exact(8)) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        *limb = u64::from_le_bytes(word);
    }
    out
}

/// Folds a carry out of bit 256 back in: 2^256 = 38 (mod p).
fn fold(mut r: Fe, mut carry: u64) -> Fe {
    while carry != 0 {
        let mut c = u128::from(carry) * 38;
        for limb in r.iter_mut() {
            let v = u128::from(*limb) + c;
            *limb = v as u64;
            c = v >> 64;
        }
        carry = c as u64;
    }
    r
}

fn add(a: &Fe, b: &Fe) -> Fe {
    let mut r = [0u64; 4];
    let mut c = 0u128;
    for i in 0..4 {
        let v = u128::from(a[i]) + u128::from(b[i]) + c;
        r[i] = v as u64;
        c = v >> 64;
    }
    fold(r, c as u64)
}

/// The unique representative below p.
fn canonical(a: &Fe) -> Fe {
    let mut r = *a;
    // 2^256 < 3p, so at most two subtractions.
    for _ in 0..2 {
        let mut borrow = 0i128;
        let mut t = [0u64; 4];
        for i in 0..4 {
            let v = i128::from(r[i]) - i128::from(P[i]) - borrow;
            borrow = i128::from(v < 0);
            t[i] = (v + (borrow << 64)) as u64;
        }
        if borrow == 0 {
            r = t;
        }
    }
    r
}

fn neg(a: &Fe) -> Fe {
    let a = canonical(a);
    let mut r = [0u64; 4];
    let mut borrow = 0i128;
    for i in 0..4 {
        let v = i128::from(P[i]) - i128::from(a[i]) - borrow;
        borrow = i128::from(v < 0);
        r[i] = (v + (borrow << 64)) as u64;
    }
    r
}

fn sub(a: &Fe, b: &Fe) -> Fe {
    add(a, &neg(b))
}

fn mul(a: &Fe, b: &Fe) -> Fe {
    let mut t = [0u64; 8];
    for i in 0..4 {
        let mut c = 0u128;
        for j in 0..4 {
            let v = u128::from(t[i + j]) + u128::from(a[i]) * u128::from(b[j]) + c;
            t[i + j] = v as u64;
            c = v >> 64;
        }
        t[i + 4] = c as u64;
    }
    let mut r = [0u64; 4];
    let mut c = 0u128;
    for i in 0..4 {
        let v = u128::from(t[i]) + u128::from(t[i + 4]) * 38 + c;
        r[i] = v as u64;
        c = v >> 64;
    }
    fold(r, c as u64)
}

fn pow(base: &Fe, exp: &Fe) -> Fe {
    let mut acc = small(1);
    for bit in (0..256).rev() {
        acc = mul(&acc, &acc);
        if exp[bit / 64] >> (bit % 64) & 1 == 1 {
            acc = mul(&acc, base);
        }
    }
    acc
}

fn invert(a: &Fe) -> Fe {
    pow(a, &P_MINUS_2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_arithmetic_inverts_and_wraps() {
        let seven = small(7);
        assert_eq!(canonical(&mul(&seven, &invert(&seven))), small(1));
        assert_eq!(canonical(&add(&P, &small(5))), small(5));
        assert_eq!(canonical(&neg(&small(1))), [P[0] - 1, P[1], P[2], P[3]]);
        // -1 is a square mod p (p = 1 mod 4); 2 is not (p = 5 mod 8).
        assert_eq!(
            canonical(&pow(&neg(&small(1)), &P_MINUS_1_OVER_2)),
            small(1)
        );
        assert_ne!(canonical(&pow(&small(2), &P_MINUS_1_OVER_2)), small(1));
    }

    #[test]
    fn base_point_is_on_the_curve() {
        // y = 4/5 (RFC 8032 §5.1), encoded 0x58 0x66 ... 0x66.
        let mut b = [0x66u8; 32];
        b[0] = 0x58;
        assert!(ed25519_is_on_curve(&b));
    }

    /// curve25519-dalek decompresses exactly the canonical encodings our check accepts.
    #[cfg(feature = "rust-crypto")]
    #[test]
    fn agrees_with_dalek_on_random_encodings() {
        let mut seed = [0u8; 32];
        let (mut on, mut off) = (0, 0);
        for i in 0..4000u32 {
            seed[..4].copy_from_slice(&i.to_le_bytes());
            let bytes = crate::crypto::sha256(&seed);
            if ed25519_encoding_is_weak(&bytes) {
                continue;
            }
            let dalek = ed25519_dalek::VerifyingKey::from_bytes(&bytes).is_ok();
            assert_eq!(ed25519_is_on_curve(&bytes), dalek, "{bytes:02x?}");
            if dalek {
                on += 1;
            } else {
                off += 1;
            }
        }
        assert!(on > 1000 && off > 1000, "{on} {off}");
    }
}
