//! Invented identifiers that carry valid check characters, so the checks
//! that verify them pass on the clean case: citizen ID numbers (GB 11643),
//! unified social credit codes (GB 32100, with the GB 11714 organisation
//! code inside) and licence numbers.

use chrono::{Datelike, NaiveDate};

use crate::rng::Rng;

/// The 31 characters of a social credit code, in value order (GB 32100
/// leaves out I, O, Z, S and V).
const USCC_CHARS: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: &[u8; 11] = b"10X98765432";

/// Computes the GB 32100 check character of the first 17 characters, or `None` when
/// one of them is not a code character.
pub fn uscc_check(first17: &str) -> Option<char> {
    let mut sum = 0u32;
    for (c, w) in first17.bytes().zip(USCC_WEIGHTS) {
        let value = USCC_CHARS.iter().position(|&x| x == c)? as u32;
        sum += value * w;
    }
    let check = (31 - sum % 31) % 31;
    USCC_CHARS.get(check as usize).map(|&b| char::from(b))
}

/// Computes the GB 11714 check character of an 8-character organisation code body.
fn org_check(body: &str) -> Option<char> {
    let mut sum = 0u32;
    for (c, w) in body.bytes().zip(ORG_WEIGHTS) {
        let value = USCC_CHARS.iter().position(|&x| x == c)? as u32;
        sum += value * w;
    }
    match 11 - sum % 11 {
        10 => Some('X'),
        11 => Some('0'),
        n => char::from_digit(n, 10),
    }
}

/// Draws a company's unified social credit code: 9 (market regulator), 1
/// (enterprise), the district, an organisation code and the check
/// character. Redraws the rare body whose organisation check would be `X`,
/// which is not a code character.
pub fn uscc(rng: &mut Rng, district: &str) -> String {
    loop {
        let body: String = (0..8)
            .map(|_| char::from(USCC_CHARS[rng.below(31) as usize]))
            .collect();
        let Some(org) = org_check(&body) else {
            continue;
        };
        if org == 'X' {
            continue;
        }
        let first17 = format!("91{district}{body}{org}");
        if let Some(check) = uscc_check(&first17) {
            return format!("{first17}{check}");
        }
    }
}

/// Computes the GB 11643 check character of the first 17 digits.
pub fn id_check(first17: &str) -> Option<char> {
    let mut sum = 0u32;
    for (c, w) in first17.chars().zip(ID_WEIGHTS) {
        sum += c.to_digit(10)? * w;
    }
    ID_CHECK.get((sum % 11) as usize).map(|&b| char::from(b))
}

/// Draws a citizen ID number: region, birth date, sequence, check character.
pub fn id_number(rng: &mut Rng, region: &str, birth: NaiveDate) -> String {
    let first17 = format!(
        "{region}{:04}{:02}{:02}{:03}",
        birth.year(),
        birth.month(),
        birth.day(),
        rng.range(10, 999)
    );
    let check = id_check(&first17).unwrap_or('0');
    format!("{first17}{check}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uscc_check_matches_hand_computed_cases() {
        // Worked by hand from the weights: 1·1 = 1 → 31 − 1 = 30 → 'Y';
        // 1·28 = 28 → 3; I is not a code character.
        let cases = [
            ("00000000000000000", Some('0')),
            ("10000000000000000", Some('Y')),
            ("00000000000000001", Some('3')),
            ("9144030I000000000", None),
        ];
        for (input, want) in cases {
            assert_eq!(uscc_check(input), want, "{input}");
        }
    }

    #[test]
    fn generated_codes_validate() {
        let mut rng = Rng::new(3, 3);
        for _ in 0..200 {
            let code = uscc(&mut rng, "440305");
            assert_eq!(code.len(), 18);
            assert_eq!(uscc_check(&code[..17]), code.chars().nth(17));
            assert_eq!(org_check(&code[8..16]), code.chars().nth(16));
        }
    }

    #[test]
    fn id_check_matches_known_cases() {
        // 1·7 = 7 → 7 mod 11 = 7 → '5'; all zeros → '1'.
        assert_eq!(id_check("10000000000000000"), Some('5'));
        assert_eq!(id_check("00000000000000000"), Some('1'));
        assert_eq!(id_check("1000000000000000x"), None);
    }

    #[test]
    fn generated_id_numbers_validate() {
        let mut rng = Rng::new(4, 4);
        let birth = NaiveDate::from_ymd_opt(1995, 7, 9).unwrap();
        for _ in 0..100 {
            let id = id_number(&mut rng, "440305", birth);
            assert_eq!(id.len(), 18);
            assert!(id.contains("19950709"));
            assert_eq!(id_check(&id[..17]), id.chars().nth(17));
        }
    }
}
