//! The keys of `case.toml`. Dates are `YYYY-MM-DD`, money is in yuan and rates
//! are fractions. Almost everything is optional: a check whose facts are
//! absent reports that instead of failing the run.

use std::path::PathBuf;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The whole `case.toml`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFile {
    #[serde(default)]
    pub rules: RulesChoice,
    #[serde(default)]
    pub company: Company,
    #[serde(default)]
    pub licence: Licence,
    #[serde(default)]
    pub sites: Vec<Site>,
    #[serde(default)]
    pub period: Option<Period>,
    #[serde(default)]
    pub declared: Declared,
    #[serde(default)]
    pub finance: Finance,
    #[serde(default)]
    pub changes: Vec<Change>,
    #[serde(default)]
    pub filings: Vec<Filing>,
    #[serde(default)]
    pub plan: PlanSettings,
    #[serde(default)]
    pub inputs: Inputs,
    #[serde(default)]
    pub mappings: Vec<MappingEntry>,
}

/// `[rules]`: which pack, and values that override it by dotted key.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesChoice {
    /// A built-in pack name (`cn-miit`, `whitepaper`) or a path relative to the case folder.
    pub pack: Option<String>,
    /// Values by dotted key, e.g. `"thresholds.cdr_count_mismatch_rate" = 0.05`.
    #[serde(default, rename = "override")]
    pub overrides: toml::Table,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Company {
    pub name: Option<String>,
    pub short_name: Option<String>,
    /// The 18-character unified social credit code (GB 32100).
    pub uscc: Option<String>,
    pub legal_representative: Option<String>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Licence {
    pub number: Option<String>,
    pub category: Option<String>,
    #[serde(
        default,
        deserialize_with = "crate::dates::optional",
        serialize_with = "crate::dates::serialize_optional"
    )]
    pub issued: Option<NaiveDate>,
    #[serde(
        default,
        deserialize_with = "crate::dates::optional",
        serialize_with = "crate::dates::serialize_optional"
    )]
    pub expires: Option<NaiveDate>,
    #[serde(default)]
    pub registered_sites: Vec<String>,
    #[serde(default)]
    pub access_numbers: Vec<String>,
}

/// `[[sites]]`: a place where agents work.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Site {
    pub address: String,
    pub workstations: Option<u32>,
}

/// `[period]`: the figures under review, both days included.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Period {
    #[serde(
        deserialize_with = "crate::dates::required",
        serialize_with = "crate::dates::serialize"
    )]
    pub from: NaiveDate,
    #[serde(
        deserialize_with = "crate::dates::required",
        serialize_with = "crate::dates::serialize"
    )]
    pub to: NaiveDate,
}

/// `[declared]`: the operating figures the company reports.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Declared {
    pub seats: Option<u32>,
    pub outbound_calls: Option<u64>,
    pub connection_rate: Option<f64>,
    pub complaint_rate: Option<f64>,
    pub avg_talk_seconds: Option<f64>,
    pub conversion_rate: Option<f64>,
    pub complaints: Option<u64>,
    pub complaint_response_rate: Option<f64>,
    pub revenue: Option<f64>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Finance {
    pub audited_revenue: Option<f64>,
    pub vat_declared_revenue: Option<f64>,
}

/// The kind of a registered change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Name,
    LegalRepresentative,
    Capital,
    Equity,
    Address,
}

/// `[[changes]]`: a change made or planned.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    pub kind: ChangeKind,
    #[serde(
        deserialize_with = "crate::dates::required",
        serialize_with = "crate::dates::serialize"
    )]
    pub date: NaiveDate,
    /// When the change was filed with the authority; absent if not filed.
    #[serde(
        default,
        deserialize_with = "crate::dates::optional",
        serialize_with = "crate::dates::serialize_optional"
    )]
    pub filed: Option<NaiveDate>,
    #[serde(default)]
    pub planned: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FilingKind {
    AnnualReport,
    NumberReport,
    Renewal,
    Review,
}

/// `[[filings]]`: something already submitted.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filing {
    pub kind: FilingKind,
    /// The figures year the filing covers.
    pub period: Option<i32>,
    #[serde(
        default,
        deserialize_with = "crate::dates::optional",
        serialize_with = "crate::dates::serialize_optional"
    )]
    pub submitted: Option<NaiveDate>,
    pub result: Option<String>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanSettings {
    /// T, the plan's day; absent means the calendar's deadline.
    #[serde(
        default,
        deserialize_with = "crate::dates::optional",
        serialize_with = "crate::dates::serialize_optional"
    )]
    pub target: Option<NaiveDate>,
}

/// A path or several under `[inputs]`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PathList {
    One(PathBuf),
    Many(Vec<PathBuf>),
}

impl PathList {
    pub fn paths(&self) -> Vec<PathBuf> {
        match self {
            PathList::One(p) => vec![p.clone()],
            PathList::Many(v) => v.clone(),
        }
    }
}

/// `[inputs]`: where each kind of evidence is, relative to the case folder.
/// An absent key means the default layout's path.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inputs {
    pub materials: Option<PathList>,
    pub local_cdr: Option<PathList>,
    pub carrier_cdr: Option<PathList>,
    pub roster: Option<PathList>,
    pub accounts: Option<PathList>,
    pub training: Option<PathList>,
    pub contracts_labour: Option<PathList>,
    pub photos: Option<PathList>,
    pub complaints: Option<PathList>,
    pub penalties: Option<PathList>,
    pub recordings: Option<PathList>,
    pub contracts: Option<PathList>,
    pub payments: Option<PathList>,
}

/// `[[mappings]]`: a call-record mapping (the keys of a mapping file) for the
/// files matching a glob relative to the case folder.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MappingEntry {
    pub files: String,
    /// The mapping keys, read by the call-record crate.
    #[serde(flatten)]
    pub mapping: toml::Table,
}
