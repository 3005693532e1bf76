//! Phone numbers as 64-bit keys, so that records are grouped, sorted and
//! compared as integers, not strings.
//!
//! A normalised number of 1 to 17 ASCII digits is stored as its value
//! times 32 plus its digit count: the count keeps leading zeros apart
//! (`0755…` is not `755…`), and 10¹⁷ × 32 stays below 2⁶³. Anything else
//! (a SIP user such as `client1`, more than 17 digits) is stored as a
//! 63-bit hash of its text with the top bit set, and its text is kept in
//! the side's table of other numbers. Hashing rather than numbering keeps
//! the keys of both sides, and of blocks read in parallel, comparable
//! without a shared table. Two different texts with the same hash would be
//! taken for one number; the tables notice and count such a clash.

use std::borrow::Cow;
use std::collections::HashMap;

/// The top bit marks a hashed key.
pub(crate) const INTERNED: u64 = 1 << 63;

/// Digit strings up to this length are stored as their value.
const MAX_DIGITS: usize = 17;

/// Returns the key of a normalised number made of 1 to 17 ASCII digits.
#[inline]
pub(crate) fn digit_key(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || digits.len() > MAX_DIGITS {
        return None;
    }
    let n = digits.len();
    let value = match digits.split_first_chunk::<8>() {
        // Nine to sixteen digits, the length of nearly every phone number:
        // the first eight, then the last eight read over them with the
        // bytes already counted turned into zeros.
        Some((head, _)) if n > 8 && n <= 16 => {
            let last = word_at(digits, n - 8);
            let seen = 16 - n;
            let zeros = if seen == 0 {
                0
            } else {
                u64::MAX >> (64 - 8 * seen)
            };
            let word = last & !zeros | 0x3030_3030_3030_3030 & zeros;
            let tail = eight_digits(word.to_le_bytes())?;
            eight_digits(*head)? * POWERS_OF_TEN[n - 8] + tail
        }
        Some((head, rest)) => digit_steps(rest, eight_digits(*head)?)?,
        None => digit_steps(digits, 0)?,
    };
    Some(value * 32 + n as u64)
}

/// Returns the key of the same number without its leading zero (`0755…`
/// to `755…`); other keys as they are. A digit key stores the value and
/// the digit count, so a leading zero is a count above the value's digits.
pub(crate) fn without_leading_zero(key: u64) -> u64 {
    if key & INTERNED != 0 {
        return key;
    }
    let (value, digits) = (key >> 5, key & 31);
    let value_digits = if value == 0 {
        1
    } else {
        value.ilog10() as u64 + 1
    };
    if digits > value_digits {
        (value << 5) | (digits - 1)
    } else {
        key
    }
}

/// 10⁰ to 10⁸.
const POWERS_OF_TEN: [u64; 9] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
];

/// Appends `digits` to `value` one at a time; `None` at a byte that is not
/// an ASCII digit.
fn digit_steps(digits: &[u8], mut value: u64) -> Option<u64> {
    for &b in digits {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        value = value * 10 + u64::from(d);
    }
    Some(value)
}

/// Returns the value of eight ASCII digits, `None` when any byte is not
/// one. The bytes are read as one little-endian word and combined in
/// three multiplications (pairs, then fours, then the eight), which is
/// several times quicker than a step per digit on phone numbers.
fn eight_digits(bytes: [u8; 8]) -> Option<u64> {
    let x = u64::from_le_bytes(bytes);
    if !all_digits(x) {
        return None;
    }
    let v = x - 0x3030_3030_3030_3030;
    let v = (v.wrapping_mul(10) + (v >> 8)) & 0x00ff_00ff_00ff_00ff;
    let v = (v.wrapping_mul(100) + (v >> 16)) & 0x0000_ffff_0000_ffff;
    Some((v.wrapping_mul(10_000) + (v >> 32)) & 0xffff_ffff)
}

/// Returns the eight bytes of `bytes` from `at` as a little-endian word.
/// Panics when fewer than eight bytes follow `at`, as slicing does.
pub(crate) fn word_at(bytes: &[u8], at: usize) -> u64 {
    let mut word = [0u8; 8];
    word.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(word)
}

/// True when each byte of the little-endian word `x` is an ASCII digit.
pub(crate) fn all_digits(x: u64) -> bool {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // ASCII only, every byte at most '9' (0x39 + 0x46 = 0x7F), every byte
    // at least '0'.
    let ascii = x & HIGH == 0;
    let at_most_nine = x.wrapping_add(0x4646_4646_4646_4646) & HIGH == 0;
    let at_least_zero = ((x | HIGH).wrapping_sub(0x3030_3030_3030_3030) & HIGH) == HIGH;
    ascii && at_most_nine && at_least_zero
}

/// Returns the key of any normalised number.
pub(crate) fn number_key(number: &str) -> u64 {
    digit_key(number.as_bytes()).unwrap_or_else(|| INTERNED | (hash(number.as_bytes()) >> 1))
}

/// FNV-1a over the bytes, then a splitmix64 finaliser to spread the bits.
fn hash(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// Writes a number key back as text; hashed keys are looked up in
/// `others`.
pub(crate) fn key_text(key: u64, others: &HashMap<u64, String>) -> Cow<'_, str> {
    if key & INTERNED != 0 {
        return Cow::Borrowed(others.get(&key).map_or("", String::as_str));
    }
    let len = (key % 32) as usize;
    Cow::Owned(format!("{:0len$}", key / 32))
}

/// The texts of the numbers that are not plain digit strings, by key.
#[derive(Clone, Debug, Default)]
pub(crate) struct OtherNumbers {
    pub(crate) values: HashMap<u64, String>,
    /// Different texts found under one key.
    pub(crate) clashes: u64,
}

impl OtherNumbers {
    /// Returns the key of a normalised number and keeps its text when it is
    /// not a plain digit string.
    pub(crate) fn key(&mut self, number: &str) -> u64 {
        let key = number_key(number);
        if key & INTERNED != 0 {
            self.keep(key, number);
        }
        key
    }

    fn keep(&mut self, key: u64, text: &str) {
        match self.values.get(&key) {
            Some(known) if known != text => self.clashes += 1,
            Some(_) => {}
            None => {
                self.values.insert(key, text.to_string());
            }
        }
    }

    /// Takes over the texts of another table.
    pub(crate) fn absorb(&mut self, other: OtherNumbers) {
        self.clashes += other.clashes;
        for (key, text) in other.values {
            self.keep(key, &text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Computes the key one digit at a time, without the eight-digit step.
    fn slow_key(digits: &[u8]) -> Option<u64> {
        if digits.is_empty() || digits.len() > MAX_DIGITS {
            return None;
        }
        let mut value = 0u64;
        for &b in digits {
            let d = b.wrapping_sub(b'0');
            if d > 9 {
                return None;
            }
            value = value * 10 + u64::from(d);
        }
        Some(value * 32 + digits.len() as u64)
    }

    #[test]
    fn word_digits_equal_digit_steps() {
        let mut seed = 0x1234_5678_9abc_def0u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let odd = [b'/', b':', b' ', b'-', 0x80, 0xff, 0x00, b'a', b'0', b'9'];
        for _ in 0..200_000 {
            let len = (next() % 20) as usize;
            let mut text: Vec<u8> = (0..len).map(|_| b'0' + (next() % 10) as u8).collect();
            if len > 0 && next() % 3 == 0 {
                let at = (next() as usize) % len;
                text[at] = odd[(next() as usize) % odd.len()];
            }
            assert_eq!(digit_key(&text), slow_key(&text), "{text:?}");
        }
        assert_eq!(eight_digits(*b"12345678"), Some(12_345_678));
        assert_eq!(eight_digits(*b"00000000"), Some(0));
        assert_eq!(eight_digits(*b"99999999"), Some(99_999_999));
        assert_eq!(eight_digits(*b"1234567/"), None);
        assert_eq!(eight_digits(*b"1234567:"), None);
    }

    #[test]
    fn digit_keys_keep_leading_zeros_apart() {
        let none = HashMap::new();
        let a = digit_key(b"0755123").unwrap_or(0);
        let b = digit_key(b"755123").unwrap_or(0);
        assert_ne!(a, b);
        assert_eq!(key_text(a, &none), "0755123");
        assert_eq!(key_text(b, &none), "755123");
        assert_eq!(digit_key(b"00000000000000000"), Some(17));
        assert_eq!(key_text(17, &none), "00000000000000000");
        assert!(digit_key(b"99999999999999999").is_some_and(|k| k < INTERNED));
        assert_eq!(digit_key(b"12a"), None);
        assert_eq!(digit_key(b""), None);
    }

    #[test]
    fn other_numbers_are_kept_by_hash() {
        let mut t = OtherNumbers::default();
        let a = t.key("client1");
        let long = "123456789012345678";
        let b = t.key(long);
        assert_eq!(t.key("client1"), a);
        assert_eq!(number_key("client1"), a);
        assert_ne!(a, b);
        assert_eq!(key_text(b, &t.values), long);
        assert_eq!(t.key("13800138000"), digit_key(b"13800138000").unwrap_or(0));
        assert_eq!(t.values.len(), 2);
        assert_eq!(t.clashes, 0);
    }

    #[test]
    fn leading_zero_dropped_from_keys() {
        let key = |s: &str| digit_key(s.as_bytes()).unwrap();

        assert_eq!(
            without_leading_zero(key("075585166601")),
            key("75585166601")
        );
        assert_eq!(without_leading_zero(key("13800138000")), key("13800138000"));
        assert_eq!(without_leading_zero(key("0")), key("0"));
        assert_eq!(without_leading_zero(INTERNED | 7), INTERNED | 7);
    }
}
