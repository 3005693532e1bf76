//! The clean case's files agree with each other the way the review checks
//! them: staff, accounts, contracts and training; complaints; recordings;
//! the carrier bill and its totals; calling hours, repeats and concurrency.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use calamine::{open_workbook_auto, Data, Reader};
use chrono::{Duration, NaiveDateTime};

fn sheet(path: &Path) -> Vec<Vec<String>> {
    let mut book = open_workbook_auto(path).unwrap();
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).unwrap();
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text).to_string();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn time(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
}

/// Local rows: (id, agent, caller, callee, start, answer, end, talk, outbound).
type Local = (
    String,
    String,
    String,
    String,
    NaiveDateTime,
    Option<NaiveDateTime>,
    NaiveDateTime,
    i64,
    bool,
);

fn local(dir: &Path) -> Vec<Local> {
    let mut files: Vec<_> = std::fs::read_dir(dir.join("话单/本地"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .iter()
        .flat_map(|f| csv_rows(f))
        .map(|r| {
            let answer = (!r[5].is_empty()).then(|| time(&r[5]));
            (
                r[0].clone(),
                r[1].clone(),
                r[2].clone(),
                r[3].clone(),
                time(&r[4]),
                answer,
                time(&r[6]),
                r[7].parse().unwrap(),
                r[9] == "呼出",
            )
        })
        .collect()
}

struct Case {
    dir: std::path::PathBuf,
}

/// Returns the committed clean example. A test of the binary keeps it equal
/// to a fresh generation, so these tests need not generate it again.
fn clean_case() -> Case {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/clean-case");
    assert!(
        dir.join("case.toml").is_file(),
        "examples/clean-case is missing"
    );
    Case { dir }
}

#[test]
fn staff_accounts_contracts_and_training_line_up() {
    let c = clean_case();
    let roster = sheet(&c.dir.join("人员/社保名单.xlsx"));
    assert_eq!(
        roster[0],
        ["姓名", "身份证号", "工号", "参保起始", "参保截止"]
    );
    let insured_dec: BTreeSet<String> = roster[1..]
        .iter()
        .filter(|r| r[3].as_str() <= "2024-12" && (r[4].is_empty() || r[4].as_str() >= "2024-12"))
        .map(|r| r[2].clone())
        .collect();
    let agents: BTreeSet<String> = local(&c.dir).into_iter().map(|r| r.1).collect();
    assert_eq!(agents, insured_dec);

    let accounts = csv_rows(&c.dir.join("人员/系统账号.csv"));
    let open: BTreeSet<String> = accounts
        .iter()
        .filter(|r| r[3].is_empty())
        .map(|r| r[1].clone())
        .collect();
    assert_eq!(open, insured_dec);

    let training = sheet(&c.dir.join("人员/培训记录.xlsx"));
    let trained: BTreeSet<String> = training[1..].iter().map(|r| r[0].clone()).collect();
    for person in &roster[1..] {
        assert!(trained.contains(&person[2]), "{} untrained", person[2]);
        let contract = c.dir.join(format!(
            "人员/劳动合同/{}_{}_劳动合同.pdf",
            person[2], person[0]
        ));
        assert!(contract.is_file(), "{}", contract.display());
        assert_eq!(
            nianshen_demo::id_check(&person[1][..17]),
            person[1].chars().nth(17)
        );
    }
}

#[test]
fn complaints_meet_every_deadline() {
    let c = clean_case();
    let log = sheet(&c.dir.join("投诉/投诉台账.xlsx"));
    assert_eq!(
        log[0],
        [
            "编号",
            "受理时间",
            "核验时间",
            "回复时间",
            "办结时间",
            "处理结果"
        ]
    );
    let case: toml::Table = std::fs::read_to_string(c.dir.join("case.toml"))
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        case["declared"]["complaints"].as_integer(),
        Some(log.len() as i64 - 1)
    );
    for r in &log[1..] {
        let (rec, ver, rep, clo) = (time(&r[1]), time(&r[2]), time(&r[3]), time(&r[4]));
        assert!(ver - rec < Duration::hours(24), "{}", r[0]);
        assert!(rep - rec < Duration::days(7), "{}", r[0]);
        assert!(clo > rep, "{}", r[0]);
        assert!(!r[5].is_empty());
    }
}

#[test]
fn recent_answered_calls_have_recordings() {
    let c = clean_case();
    let calls = local(&c.dir);
    let last = calls.iter().map(|r| r.4).max().unwrap();
    let index: BTreeSet<String> = csv_rows(&c.dir.join("录音/录音索引.csv"))
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
    let needed: Vec<&Local> = calls
        .iter()
        .filter(|r| r.5.is_some() && r.4 >= last - Duration::days(30))
        .collect();
    assert!(needed.len() > 1000);
    for r in needed {
        assert!(index.contains(&r.0), "no recording for {}", r.0);
    }
}

#[test]
fn calls_respect_hours_repeats_and_seats() {
    let c = clean_case();
    let calls = local(&c.dir);
    let mut per_day: BTreeMap<(String, chrono::NaiveDate), Vec<NaiveDateTime>> = BTreeMap::new();
    for r in calls.iter().filter(|r| r.8) {
        let hour = r.4.time().format("%H").to_string();
        assert!(("08".."21").contains(&hour.as_str()), "{} at {}", r.0, r.4);
        assert!(r.3.starts_with('1'), "{}", r.3);
        assert_eq!(r.3.len(), 11, "{}", r.3);
        per_day
            .entry((r.3.clone(), r.4.date()))
            .or_default()
            .push(r.4);
    }
    for (key, times) in &per_day {
        assert!(times.len() <= 5, "{key:?}");
        for w in times.windows(4) {
            assert!(w[3] - w[0] > Duration::minutes(5), "{key:?}");
        }
    }
    // Peak of concurrent answered calls, by a sweep over answer and end times.
    let mut events: Vec<(NaiveDateTime, i32)> = Vec::new();
    for r in &calls {
        if let Some(a) = r.5 {
            events.push((a, 1));
            events.push((r.6, -1));
        }
    }
    events.sort();
    let (mut now, mut peak) = (0, 0);
    for (_, d) in events {
        now += d;
        peak = peak.max(now);
    }
    assert!(peak <= 12, "peak {peak}");
}

#[test]
fn carrier_bills_total_and_agree() {
    let c = clean_case();
    let dir = c.dir.join("话单/运营商");
    let mut rows = 0usize;
    let mut talk = 0u64;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = if path.extension().is_some_and(|e| e == "zip") {
            let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
            let mut f = zip.by_index(0).unwrap();
            let mut v = Vec::new();
            std::io::Read::read_to_end(&mut f, &mut v).unwrap();
            v
        } else {
            std::fs::read(&path).unwrap()
        };
        let (text, _, bad) = encoding_rs::GBK.decode(&bytes);
        assert!(!bad);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("中国电信 集团客户语音详单 2024年"));
        assert_eq!(
            lines[1],
            "主叫号码,被叫号码,开始时间,通话时长,计费时长,费用"
        );
        let total: Vec<&str> = lines.last().unwrap().split(',').collect();
        assert_eq!(total[0], "合计");
        let data = &lines[2..lines.len() - 1];
        let (mut t, mut b, mut fen) = (0u64, 0u64, 0u64);
        for l in data {
            let f: Vec<&str> = l.split(',').collect();
            let secs: u64 = f[3].parse().unwrap();
            assert_eq!(f[4].parse::<u64>().unwrap(), secs.div_ceil(60));
            t += secs;
            b += f[4].parse::<u64>().unwrap();
            fen += f[5].replace('.', "").parse::<u64>().unwrap();
        }
        assert_eq!(total[3].parse::<u64>().unwrap(), t);
        assert_eq!(total[4].parse::<u64>().unwrap(), b);
        assert_eq!(total[5].replace('.', "").parse::<u64>().unwrap(), fen);
        rows += data.len();
        talk += t;
    }
    let calls = local(&c.dir);
    let answered: Vec<&Local> = calls.iter().filter(|r| r.5.is_some()).collect();
    let local_talk: i64 = answered.iter().map(|r| r.7).sum();
    let count_rate = (answered.len() as f64 - rows as f64).abs() / rows as f64;
    let talk_rate = (local_talk as f64 - talk as f64).abs() / talk as f64;
    assert!(
        count_rate < 0.01 && talk_rate < 0.01,
        "{count_rate} {talk_rate}"
    );
}
