//! Finance (财务对碰): revenue reported as zero (trap 1), audited revenue
//! against the VAT returns, and service fees received into a personal
//! account (trap 9).

use nianshen_case::InputKind;
use serde_json::json;

use crate::context::Context;
use crate::finding::Evidence;
use crate::tables::{self, Sheet};

pub fn check(cx: &mut Context<'_>) {
    revenue(cx);
    personal_accounts(cx);
}

fn revenue(cx: &mut Context<'_>) {
    let declared = cx.case.file.declared.revenue;
    let finance = cx.case.file.finance.clone();
    let fields = [
        ("declared.revenue", declared),
        ("finance.audited_revenue", finance.audited_revenue),
        ("finance.vat_declared_revenue", finance.vat_declared_revenue),
    ];
    for (field, value) in fields {
        if value.is_some_and(|v| v.abs() < 0.005) {
            cx.raise(
                "finance.revenue_zero",
                &[("field", field.to_string())],
                vec![Evidence {
                    file: Some("case.toml".into()),
                    column: Some(field.into()),
                    value: Some("0".into()),
                    ..Evidence::default()
                }],
            );
        }
    }

    let mut metrics = json!({
        "declared_revenue": declared,
        "audited_revenue": finance.audited_revenue,
        "vat_declared_revenue": finance.vat_declared_revenue,
    });
    match (finance.audited_revenue, finance.vat_declared_revenue) {
        (Some(audited), Some(vat)) if audited.abs() >= 0.005 => {
            let rate = (audited - vat).abs() / audited.abs();
            let threshold = cx.pack.thresholds.revenue_mismatch_rate;
            metrics["rate"] = json!(rate);
            metrics["threshold"] = json!(threshold);
            if rate >= threshold {
                cx.raise(
                    "finance.revenue_mismatch",
                    &[
                        ("audited", money(audited)),
                        ("vat", money(vat)),
                        ("rate", percent(rate)),
                        ("threshold", percent(threshold)),
                    ],
                    Vec::new(),
                );
            }
        }
        (None, _) | (_, None) => {
            let facts = cx.t(
                "审计收入与增值税申报收入（[finance] audited_revenue、vat_declared_revenue）",
                "audited and VAT-declared revenue ([finance] audited_revenue, vat_declared_revenue)",
            );
            cx.raise("case.facts_missing", &[("facts", facts)], Vec::new());
        }
        _ => {}
    }
    cx.metric("finance", metrics);
}

pub fn money(yuan: f64) -> String {
    format!("{yuan:.2}")
}

pub fn percent(rate: f64) -> String {
    format!("{:.2}%", rate * 100.0)
}

/// Column names of payment records: WeChat Pay and Alipay bills, bank statements.
const TIME: &[&str] = &[
    "交易时间",
    "交易日期",
    "交易创建时间",
    "付款时间",
    "记账日期",
    "日期",
];
const COUNTERPARTY: &[&str] = &[
    "交易对方",
    "对方户名",
    "对方名称",
    "对方账户名",
    "对方",
    "付款方",
    "付款人",
];
const DIRECTION: &[&str] = &["收/支", "收支", "收/付", "资金流向", "借贷标志"];
const AMOUNT: &[&str] = &[
    "金额(元)",
    "金额",
    "金额（元）",
    "收入金额",
    "交易金额",
    "贷方金额",
];
const ITEM: &[&str] = &["商品", "商品名称", "摘要", "备注", "用途", "交易类型"];

/// Finds receipts from clients into accounts that are not the company's:
/// a personal WeChat or Alipay bill, or a bank statement held by a person.
fn personal_accounts(cx: &mut Context<'_>) {
    let company = cx.case.file.company.clone();
    let own_names: Vec<String> = [company.name, company.short_name]
        .into_iter()
        .flatten()
        .collect();
    for path in tables::files_under(&cx.case.input_paths(InputKind::Payments)) {
        let sheets = match tables::read_sheets(&path, &[TIME, COUNTERPARTY, AMOUNT, DIRECTION]) {
            Ok(sheets) => sheets,
            Err(reason) => {
                let reason = reason.message(cx.lang);
                cx.input_unreadable(&path, reason);
                continue;
            }
        };
        for sheet in sheets {
            personal_receipts(cx, &sheet, &own_names);
        }
    }
}

fn personal_receipts(cx: &mut Context<'_>, sheet: &Sheet, own_names: &[String]) {
    let kind = account_kind(sheet);
    let holder = holder_of(sheet);
    let personal = match (&kind, &holder) {
        (AccountKind::Wallet, Some(h)) => !own_names.iter().any(|n| h.contains(n.as_str())),
        (AccountKind::Wallet, None) => true,
        (AccountKind::Bank, Some(h)) => {
            !own_names.iter().any(|n| h.contains(n.as_str())) && !looks_like_organisation(h)
        }
        (AccountKind::Bank, None) => false,
    };
    if !personal {
        return;
    }

    let counterparty = sheet.col(COUNTERPARTY);
    let direction = sheet.col(DIRECTION);
    let amount = sheet.col(AMOUNT);
    let item = sheet.col(ITEM);
    let mut total = 0.0;
    let mut evidence = Vec::new();
    for row in &sheet.rows {
        let payer = counterparty.map(|c| row.get(c)).unwrap_or("");
        let is_income = direction.is_none_or(|c| row.get(c).trim() == "收入");
        let value = amount.and_then(|c| parse_money(row.get(c))).unwrap_or(0.0);
        let what = item.map(|c| row.get(c)).unwrap_or("");
        let from_client = looks_like_organisation(payer) || mentions_service(what);
        if is_income && value > 0.0 && from_client {
            total += value;
            evidence.push(Evidence {
                file: Some(cx.rel(&sheet.file)),
                sheet: sheet.sheet.clone(),
                row: Some(row.row),
                column: counterparty.map(|c| sheet.header(c).to_string()),
                value: Some(payer.to_string()),
                note: format!("{what} {}", money(value)),
            });
        }
    }
    if evidence.is_empty() {
        return;
    }
    let holder = holder.unwrap_or_else(|| cx.t("个人", "a person"));
    let file = cx.rel(&sheet.file);
    cx.raise(
        "finance.personal_account",
        &[
            ("file", file),
            ("holder", holder),
            ("amount", money(total)),
            ("count", evidence.len().to_string()),
        ],
        evidence,
    );
}

#[derive(Debug, PartialEq, Eq)]
enum AccountKind {
    /// A WeChat Pay or Alipay personal bill.
    Wallet,
    Bank,
}

fn account_kind(sheet: &Sheet) -> AccountKind {
    let name = sheet
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let text = format!("{name} {}", sheet.title_lines.join(" "));
    let wallet = ["微信", "支付宝", "财付通", "零钱"]
        .iter()
        .any(|w| text.contains(w));
    let merchant = text.contains("商户");
    if wallet && !merchant {
        AccountKind::Wallet
    } else {
        AccountKind::Bank
    }
}

/// The account holder named in the title rows: 微信昵称：[张某某], 户名：…,
/// 姓名：…, 账户名称：….
fn holder_of(sheet: &Sheet) -> Option<String> {
    const LABELS: &[&str] = &[
        "微信昵称",
        "昵称",
        "账户名称",
        "账户名",
        "户名",
        "姓名",
        "客户名称",
    ];
    for line in &sheet.title_lines {
        for label in LABELS {
            let Some(pos) = line.find(label) else {
                continue;
            };
            let rest = &line[pos + label.len()..];
            let rest = rest.trim_start_matches([':', '：', ' ', '\t']);
            let value = match rest.strip_prefix('[') {
                Some(inner) => inner.split(']').next().unwrap_or(""),
                None => rest.split([' ', '\t', ',', '，']).next().unwrap_or(""),
            };
            let value = value.trim();
            if !value.is_empty() {
                return Some(value.to_string());
            }
        }
    }
    None
}

fn looks_like_organisation(name: &str) -> bool {
    [
        "公司",
        "有限",
        "集团",
        "中心",
        "事务所",
        "合作社",
        "研究院",
        "银行",
    ]
    .iter()
    .any(|w| name.contains(w))
}

fn mentions_service(text: &str) -> bool {
    ["服务费", "外呼", "呼叫", "坐席", "话务", "外包"]
        .iter()
        .any(|w| text.contains(w))
}

/// Parses an amount such as `¥18,000.00`, `￥28.16` or `-36.50`.
pub fn parse_money(text: &str) -> Option<f64> {
    let cleaned: String = text
        .trim()
        .chars()
        .filter(|c| !matches!(c, '¥' | '￥' | ',' | '，' | ' ' | '\t' | '元'))
        .collect();
    cleaned.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::parse_money;

    #[test]
    fn money_forms() {
        assert_eq!(parse_money("¥18,000.00"), Some(18000.0));
        assert_eq!(parse_money("￥28.16"), Some(28.16));
        assert_eq!(parse_money(" -36.50 "), Some(-36.5));
        assert_eq!(parse_money("/"), None);
    }
}
