//! RSA signing with the demo's fixed 2048-bit key (PKCS #1 v1.5, SHA-256).
//!
//! The key exists only to seal the invented documents of the demo. It is
//! public in this source, so a signature made with it proves nothing about
//! who signed. Arithmetic is Montgomery multiplication on 64-bit limbs, so
//! no division of big numbers is needed.

pub const LIMBS: usize = 32;
/// The public exponent.
pub const PUBLIC_EXPONENT: u32 = 65_537;

/// The modulus n, least significant limb first.
pub const MODULUS: [u64; LIMBS] = [
    0x7ff4d5664f00450f,
    0x17900518ae8649d3,
    0x371877350a259b38,
    0x69f1894b64bef2dd,
    0x0af5b78e31a4fc0b,
    0x96a8ae9a7373f6fd,
    0xee5cf638b7173fca,
    0xe745ab19633d0c0b,
    0xc66d122278934c37,
    0xf97e0acd9ba5baba,
    0xbdab683107147170,
    0x26870ae79f0bd2ca,
    0x1fcb3b1178d020e8,
    0x185d3f2982565d93,
    0x2f50fedfc60eee6a,
    0x8f6cac9546d8d416,
    0x551e786985063544,
    0xa7b9a611d332f192,
    0xeff9e20cfb8e4797,
    0x9c669f4e7670ab2c,
    0x3a8d20af7b81506a,
    0x545fb521a0ecb631,
    0x322ca0cb0f281eaf,
    0xdf986e85ba5571d1,
    0x230f70c27ce2c8af,
    0x6147b80f31aa026a,
    0x25c85bc07248364a,
    0xe0c4c93104e485df,
    0x1d41a3d68bd748f5,
    0xf48498d7f71ce5c4,
    0xbc59fca12c8c1258,
    0xaa750ea81c3fe22e,
];
/// The private exponent d.
pub const PRIVATE_EXPONENT: [u64; LIMBS] = [
    0x137f12d6b8ac0a61,
    0x0ad7b1d6b904ffb8,
    0xdc17b9df81c6a48d,
    0x86c78cf34fd3adb5,
    0xc2f080434db75821,
    0xf3d63578b84934f6,
    0x9286873797a3cd81,
    0x75e9df1badca9e37,
    0x846029c41aa13b74,
    0x0f1b601a6856edc5,
    0x6cf9791f64140fcb,
    0x90c5472fcd51b90b,
    0xc70614836bcbccc0,
    0x6f0b3f0f6b45adbe,
    0x84e8c88e9e164690,
    0xfc3fe63bcd1712a1,
    0x846194abdfc3e7ad,
    0x4ca080612e1adcd1,
    0xa02e130aaffec789,
    0x50d9966095fe6ec6,
    0x158e878abd0b5b93,
    0x1a6d8a2e65fd9ed0,
    0xaae29fce6ea6850a,
    0x3de78bf182fc827e,
    0x91e715205a95d98b,
    0x333febc173781b0d,
    0x494c4b635b61393c,
    0xb658aa301ea5b236,
    0x1e5b0c264c65618e,
    0x2ffec2a81a46d743,
    0x711259a8fa2f1f2f,
    0x04dfc8058299490c,
];
/// R² mod n with R = 2²⁰⁴⁸.
pub const R_SQUARED: [u64; LIMBS] = [
    0x20a060e2130174c0,
    0x670417566a0630a2,
    0x378f907a5ffe6326,
    0x4ca2030f83b7870a,
    0xdb3a000c18b2f383,
    0x4e44d989b1ad3879,
    0x28e4cc415bb679a5,
    0xb43d746068026989,
    0x487ecd00bba046b8,
    0xec6d4e60d6b9def2,
    0x99450bc156a25e37,
    0x3cdada1b03b49d62,
    0xba4d2257932439d8,
    0x6fd49d7d4864c457,
    0x874da26c9011c117,
    0x99530a9cd1a103e6,
    0x636065e79be1819f,
    0xc5ef462e75c6e494,
    0xcfdef308c24060df,
    0xab91fcb21599b690,
    0xc29be05a2dcb00e2,
    0x6747d9ebaf0f82ba,
    0x09966a5e7f2d9330,
    0x317cd537d5baae56,
    0x30afea0881d99449,
    0xd0d6f6bd250fada4,
    0x09bd736fd9271cb2,
    0x422fadbf93c767dd,
    0xf63ab49488ae49b0,
    0xbb9c8a93a9b9c993,
    0xb334680bdf347760,
    0x4b727dfe3876ad11,
];
/// −n⁻¹ mod 2⁶⁴, for Montgomery reduction.
pub const N0_INV: u64 = 0x2da46a31cd71f611;

/// DER prefix of a SHA-256 DigestInfo (RFC 8017, section 9.2, note 1).
const SHA256_DIGEST_INFO: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

type Big = [u64; LIMBS];

/// a·b·R⁻¹ mod n (coarsely integrated operand scanning).
fn mont_mul(a: &Big, b: &Big) -> Big {
    let mut t = [0u64; LIMBS + 2];
    for &bi in b.iter() {
        let mut carry = 0u128;
        for j in 0..LIMBS {
            let sum = u128::from(t[j]) + u128::from(a[j]) * u128::from(bi) + carry;
            t[j] = sum as u64;
            carry = sum >> 64;
        }
        let sum = u128::from(t[LIMBS]) + carry;
        t[LIMBS] = sum as u64;
        t[LIMBS + 1] = (sum >> 64) as u64;

        let m = t[0].wrapping_mul(N0_INV);
        let mut carry = (u128::from(t[0]) + u128::from(m) * u128::from(MODULUS[0])) >> 64;
        for j in 1..LIMBS {
            let sum = u128::from(t[j]) + u128::from(m) * u128::from(MODULUS[j]) + carry;
            t[j - 1] = sum as u64;
            carry = sum >> 64;
        }
        let sum = u128::from(t[LIMBS]) + carry;
        t[LIMBS - 1] = sum as u64;
        t[LIMBS] = t[LIMBS + 1] + (sum >> 64) as u64;
    }
    let mut out = [0u64; LIMBS];
    out.copy_from_slice(&t[..LIMBS]);
    if t[LIMBS] != 0 || !less_than(&out, &MODULUS) {
        subtract(&mut out, &MODULUS);
    }
    out
}

fn less_than(a: &Big, b: &Big) -> bool {
    for i in (0..LIMBS).rev() {
        if a[i] != b[i] {
            return a[i] < b[i];
        }
    }
    false
}

fn subtract(a: &mut Big, b: &Big) {
    let mut borrow = 0u64;
    for i in 0..LIMBS {
        let (d1, o1) = a[i].overflowing_sub(b[i]);
        let (d2, o2) = d1.overflowing_sub(borrow);
        a[i] = d2;
        borrow = u64::from(o1 || o2);
    }
}

/// base^exp mod n, square and multiply from the top bit.
fn mod_pow(base: &Big, exp: &Big) -> Big {
    let mut one = [0u64; LIMBS];
    one[0] = 1;
    let base_m = mont_mul(base, &R_SQUARED);
    let mut acc = mont_mul(&one, &R_SQUARED);
    for i in (0..LIMBS * 64).rev() {
        acc = mont_mul(&acc, &acc);
        if (exp[i / 64] >> (i % 64)) & 1 == 1 {
            acc = mont_mul(&acc, &base_m);
        }
    }
    mont_mul(&acc, &one)
}

fn from_be(bytes: &[u8]) -> Big {
    let mut out = [0u64; LIMBS];
    for (i, &b) in bytes.iter().rev().enumerate().take(LIMBS * 8) {
        out[i / 8] |= u64::from(b) << (8 * (i % 8));
    }
    out
}

fn to_be(x: &Big) -> Vec<u8> {
    let mut out = Vec::with_capacity(LIMBS * 8);
    for limb in x.iter().rev() {
        out.extend_from_slice(&limb.to_be_bytes());
    }
    out
}

/// Returns the modulus as big-endian bytes (for the certificate's public key).
pub fn modulus_bytes() -> Vec<u8> {
    to_be(&MODULUS)
}

/// Signs a SHA-256 digest (PKCS #1 v1.5).
pub fn sign_sha256(digest: &[u8; 32]) -> Vec<u8> {
    let k = LIMBS * 8;
    let mut em = vec![0xffu8; k];
    em[0] = 0x00;
    em[1] = 0x01;
    let tail = SHA256_DIGEST_INFO.len() + digest.len();
    em[k - tail - 1] = 0x00;
    em[k - tail..k - digest.len()].copy_from_slice(&SHA256_DIGEST_INFO);
    em[k - digest.len()..].copy_from_slice(digest);
    to_be(&mod_pow(&from_be(&em), &PRIVATE_EXPONENT))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public_pow(x: &Big) -> Big {
        let mut e = [0u64; LIMBS];
        e[0] = u64::from(PUBLIC_EXPONENT);
        mod_pow(x, &e)
    }

    #[test]
    fn signatures_verify_with_the_public_exponent() {
        let digest = [7u8; 32];
        let sig = sign_sha256(&digest);
        assert_eq!(sig.len(), 256);
        let em = to_be(&public_pow(&from_be(&sig)));
        assert_eq!(&em[..2], &[0, 1]);
        assert_eq!(&em[em.len() - 32..], &digest);
        assert_eq!(&em[em.len() - 51..em.len() - 32], &SHA256_DIGEST_INFO);
    }

    #[test]
    fn small_powers_are_right() {
        let mut three = [0u64; LIMBS];
        three[0] = 3;
        let mut e = [0u64; LIMBS];
        e[0] = 5;
        assert_eq!(mod_pow(&three, &e)[0], 243);
        assert!(mod_pow(&three, &e)[1..].iter().all(|&l| l == 0));
    }
}
