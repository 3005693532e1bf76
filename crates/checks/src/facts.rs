//! Case facts: the credit code, the licence number and category, the sites
//! against the licence's registered addresses (trap 3) and registered
//! changes (trap 10).

use chrono::Duration;
use nianshen_case::ChangeKind;
use regex::Regex;

use crate::context::Context;
use crate::finding::Evidence;
use crate::schedule::Deadlines;
use crate::text::normalize_address;

pub fn check(cx: &mut Context<'_>, deadlines: &Deadlines) {
    uscc(cx);
    licence(cx);
    sites(cx);
    changes(cx, deadlines);
}

fn uscc(cx: &mut Context<'_>) {
    let Some(code) = cx.case.file.company.uscc.clone() else {
        let facts = cx.t(
            "统一社会信用代码（[company] uscc）",
            "unified social credit code ([company] uscc)",
        );
        cx.raise("case.facts_missing", &[("facts", facts)], Vec::new());
        return;
    };
    if let Err(reason) = uscc_problem(&code) {
        let reason = cx.t(reason.0, reason.1);
        cx.raise(
            "case.uscc_invalid",
            &[("uscc", code.clone()), ("reason", reason)],
            vec![Evidence {
                file: Some("case.toml".into()),
                column: Some("company.uscc".into()),
                value: Some(code),
                ..Evidence::default()
            }],
        );
    }
}

/// The 31 characters of GB 32100-2015 (no I, O, S, V, Z) and the weights of
/// its check character.
const USCC_CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// Checks a unified social credit code: 18 characters of the GB 32100
/// alphabet whose last one is the check character of the first 17.
/// Returns the reason in Chinese and English when it is invalid.
pub fn uscc_problem(code: &str) -> Result<(), (String, String)> {
    let chars: Vec<char> = code.trim().chars().collect();
    if chars.len() != 18 {
        return Err((
            format!("应为 18 位，实际 {} 位", chars.len()),
            format!("must have 18 characters, has {}", chars.len()),
        ));
    }
    let mut values = Vec::with_capacity(18);
    for (i, c) in chars.iter().enumerate() {
        match USCC_CHARS.find(c.to_ascii_uppercase()) {
            Some(v) => values.push(v as u32),
            None => {
                return Err((
                    format!("第 {} 位“{c}”不是允许的字符（不含 I、O、S、V、Z）", i + 1),
                    format!(
                        "character {} {c:?} is not allowed (I, O, S, V, Z are not used)",
                        i + 1
                    ),
                ))
            }
        }
    }
    let sum: u32 = values.iter().zip(USCC_WEIGHTS).map(|(v, w)| v * w).sum();
    let expected = (31 - sum % 31) % 31;
    let stated = values.get(17).copied().unwrap_or(u32::MAX);
    if stated != expected {
        let want = USCC_CHARS.chars().nth(expected as usize).unwrap_or('?');
        return Err((
            format!("校验位应为“{want}”，实际为“{}”", chars[17]),
            format!("the check character should be {want:?}, is {:?}", chars[17]),
        ));
    }
    Ok(())
}

fn licence(cx: &mut Context<'_>) {
    let licence = cx.case.file.licence.clone();
    match &licence.number {
        Some(number) => {
            let valid = Regex::new(&cx.pack.patterns.licence_number)
                .map(|re| re.is_match(number.trim()))
                .unwrap_or(false);
            if !valid {
                cx.raise(
                    "case.licence_number_invalid",
                    &[("number", number.clone())],
                    vec![Evidence {
                        file: Some("case.toml".into()),
                        column: Some("licence.number".into()),
                        value: Some(number.clone()),
                        ..Evidence::default()
                    }],
                );
            }
        }
        None => {
            let facts = cx.t(
                "许可证编号（[licence] number）",
                "licence number ([licence] number)",
            );
            cx.raise("case.facts_missing", &[("facts", facts)], Vec::new());
        }
    }
    if let Some(category) = &licence.category {
        if !category.to_ascii_uppercase().contains("B24") {
            cx.raise(
                "case.category_not_b24",
                &[("category", category.clone())],
                Vec::new(),
            );
        }
    }
}

/// Every site must be one of the licence's registered addresses, compared
/// after normalising width, spaces, punctuation and a leading province or
/// city name, so only a different place is red.
fn sites(cx: &mut Context<'_>) {
    let registered = cx.case.file.licence.registered_sites.clone();
    let sites = cx.case.file.sites.clone();
    if registered.is_empty() {
        if !sites.is_empty() {
            let facts = cx.t(
                "许可证登记的经营场所（[licence] registered_sites）",
                "registered sites of the licence ([licence] registered_sites)",
            );
            cx.raise("case.facts_missing", &[("facts", facts)], Vec::new());
        }
        return;
    }
    let prefixes = cx.pack.patterns.address_prefixes.clone();
    let known: Vec<String> = registered
        .iter()
        .map(|a| normalize_address(a, &prefixes))
        .collect();
    for site in sites {
        let normal = normalize_address(&site.address, &prefixes);
        if known.contains(&normal) {
            continue;
        }
        let registered_text = registered.join(if cx.lang == nianshen_rules::Lang::Zh {
            "；"
        } else {
            "; "
        });
        cx.raise(
            "case.site_address_mismatch",
            &[
                ("address", site.address.clone()),
                ("registered", registered_text),
            ],
            vec![Evidence {
                file: Some("case.toml".into()),
                column: Some("sites.address".into()),
                value: Some(site.address.clone()),
                note: String::new(),
                ..Evidence::default()
            }],
        );
    }
}

/// The changed item, as the templates put "{kind}变更" / "the {kind} change".
fn change_kind_name(cx: &Context<'_>, kind: ChangeKind) -> String {
    let (zh, en) = match kind {
        ChangeKind::Name => ("企业名称", "name"),
        ChangeKind::LegalRepresentative => ("法定代表人", "legal representative"),
        ChangeKind::Capital => ("注册资本", "registered capital"),
        ChangeKind::Equity => ("股权", "equity"),
        ChangeKind::Address => ("地址", "address"),
    };
    cx.t(zh, en)
}

/// Changes must be filed within the pack's days; capital or equity changes
/// inside the review window force all materials to be redone.
fn changes(cx: &mut Context<'_>, deadlines: &Deadlines) {
    let days = cx.pack.schedule.licence.change_filing_days;
    for change in cx.case.file.changes.clone() {
        let kind = change_kind_name(cx, change.kind);
        let limit = change.date + Duration::days(days);
        let late = match change.filed {
            Some(filed) => filed > limit,
            None => !change.planned && cx.as_of > limit,
        };
        if late {
            cx.raise(
                "case.change_not_filed",
                &[
                    ("kind", kind.clone()),
                    ("date", change.date.to_string()),
                    ("days", days.to_string()),
                ],
                vec![Evidence::file("case.toml", String::new())],
            );
        }

        let affects_materials = matches!(change.kind, ChangeKind::Capital | ChangeKind::Equity);
        let in_window = deadlines
            .window
            .is_some_and(|(open, close)| change.date >= open && change.date <= close);
        if affects_materials && in_window {
            let (open, close) = deadlines.window.unwrap_or_default();
            cx.raise(
                "case.capital_change_in_window",
                &[
                    ("kind", kind),
                    ("date", change.date.to_string()),
                    ("window", format!("{open} — {close}")),
                ],
                vec![Evidence::file("case.toml", String::new())],
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::uscc_problem;

    #[test]
    fn uscc_check_character() {
        let cases = [
            ("91440305HMPMWUN02N", true),
            ("91440305HMPMWUN02M", false),
            ("9144030", false),
            ("91440305HMPMWUN0IN", false),
        ];
        for (code, valid) in cases {
            assert_eq!(uscc_problem(code).is_ok(), valid, "{code}");
        }
    }
}
