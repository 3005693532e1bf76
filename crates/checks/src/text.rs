//! Text normalising shared by the checks: addresses, names, ID masking.

/// Folds full-width ASCII forms (Ａ１，) and the ideographic space to their
/// half-width forms.
pub fn to_half_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// Whether `c` is punctuation or a separator that carries no place: ASCII
/// punctuation, CJK punctuation and full-width brackets.
fn is_noise(c: char) -> bool {
    c.is_whitespace()
        || c.is_ascii_punctuation()
        || matches!(
            c,
            '，' | '。'
                | '、'
                | '；'
                | '：'
                | '（'
                | '）'
                | '【'
                | '】'
                | '《'
                | '》'
                | '“'
                | '”'
                | '‘'
                | '’'
                | '—'
                | '－'
                | '·'
                | '…'
        )
}

/// An address reduced to what identifies a place: half-width, without
/// spaces and punctuation, without a leading province name from `prefixes`
/// and without a leading city name (2–3 characters and 市).
pub fn normalize_address(address: &str, prefixes: &[String]) -> String {
    let mut text: String = to_half_width(address)
        .chars()
        .filter(|c| !is_noise(*c))
        .collect::<String>()
        .to_uppercase();

    // Longest prefix first, so 内蒙古自治区 goes before 内蒙古.
    let mut sorted: Vec<&String> = prefixes.iter().collect();
    sorted.sort_by_key(|p| std::cmp::Reverse(p.chars().count()));
    if let Some(p) = sorted
        .iter()
        .find(|p| !p.is_empty() && text.starts_with(p.as_str()))
    {
        text = text[p.len()..].to_string();
    }

    let chars: Vec<char> = text.chars().collect();
    for len in [2usize, 3] {
        if chars.get(len) == Some(&'市') && chars[..len].iter().all(|c| is_han(*c)) {
            return chars[len + 1..].iter().collect();
        }
    }
    text
}

fn is_han(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c)
}

/// Masks an ID number, keeping the first 6 and the last 4 characters.
pub fn mask_id(id: &str) -> String {
    let chars: Vec<char> = id.trim().chars().collect();
    if chars.len() <= 10 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..6].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 10))
}

/// A person's name or employee number as compared across files: trimmed,
/// half-width, upper case, inner spaces removed.
pub fn normalize_key(text: &str) -> String {
    to_half_width(text)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_forms_compare_equal() {
        let prefixes = vec!["广东省".to_string(), "广东".to_string()];
        let a = normalize_address(
            "广东省深圳市南山区科苑路15号 科兴科学园B栋12层1201",
            &prefixes,
        );
        let b = normalize_address("深圳市南山区科苑路１５号科兴科学园Ｂ栋12层1201", &prefixes);
        let c = normalize_address("南山区科苑路15号，科兴科学园b栋12层1201", &prefixes);
        assert_eq!(a, b);
        assert_eq!(a, c);
    }

    #[test]
    fn address_other_place_differs() {
        let prefixes = vec!["广东省".to_string()];
        let a = normalize_address("深圳市南山区科苑路15号科兴科学园B栋12层1201", &prefixes);
        let b = normalize_address("深圳市宝安区新安街道创业二路28号6楼", &prefixes);
        assert_ne!(a, b);
    }

    #[test]
    fn id_mask_keeps_ends() {
        assert_eq!(mask_id("440305199604033809"), "440305********3809");
        assert_eq!(mask_id("12345"), "*****");
    }
}
