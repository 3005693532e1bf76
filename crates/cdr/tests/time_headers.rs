//! Start-time columns headed by a bare time word (时间, 日期时间), as the
//! shipped rule pack lists them.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use nianshen_cdr::{read_side, ReadOptions, Vocabulary};

fn options() -> ReadOptions {
    let pack = nianshen_rules::load("cn-miit", None, &toml::Table::new()).expect("built-in pack");
    ReadOptions::new(Vocabulary::from_pack(&pack))
}

/// Reads a one-file side from `text`.
fn read(text: &str) -> nianshen_cdr::Side {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("calls.csv");
    std::fs::write(&path, text).unwrap();
    read_side(&[path], &options()).expect("read")
}

#[test]
fn bare_time_headers_read_as_start() {
    for header in ["时间", "日期时间", "通话时间"] {
        let side = read(&format!(
            "主叫号码,被叫号码,{header},通话时长\n\
             13800138000,13900139000,2024-03-05 09:00:00,30\n\
             13800138000,13900139001,2024-03-05 09:05:00,42\n"
        ));

        let file = &side.stats.files[0];
        assert_eq!(file.columns["start"], format!("{header} (#3)"), "{header}");
        assert_eq!(side.stats.answered, 2, "{header}");
        assert_eq!(side.stats.unreadable_rows, 0, "{header}");
        // 2024-03-05 09:00:00 in Beijing time.
        assert_eq!(side.records[0].epoch(), 1_709_600_400, "{header}");
    }
}

#[test]
fn named_start_column_wins_over_bare_time() {
    let side = read(
        "时间,主叫号码,被叫号码,开始时间,通话时长\n\
         2024-03-06 00:00:00,13800138000,13900139000,2024-03-05 09:00:00,30\n",
    );

    let file = &side.stats.files[0];
    assert_eq!(file.columns["start"], "开始时间 (#4)");
    assert_eq!(side.records[0].epoch(), 1_709_600_400);
}

#[test]
fn start_date_joins_time_of_day() {
    let side = read(
        "日期,时间,主叫号码,被叫号码,通话时长\n\
         2024-03-05,09:00:00,13800138000,13900139000,30\n\
         2024/3/5,9:05:00,13800138000,13900139001,42\n\
         2024-03-06 00:00:00,09:00:00,13800138000,13900139002,7\n",
    );

    let file = &side.stats.files[0];
    assert_eq!(file.columns["start"], "时间 (#2)");
    assert_eq!(file.columns["start_date"], "日期 (#1)");
    assert_eq!(side.stats.unreadable_rows, 0);
    let mut times: Vec<i64> = side.records.iter().map(|r| r.epoch()).collect();
    times.sort_unstable();
    // 09:00 and 09:05 on 5 March, 09:00 on 6 March, Beijing time.
    assert_eq!(times, [1_709_600_400, 1_709_600_700, 1_709_686_800]);
}

#[test]
fn start_date_alone_is_start() {
    let side = read(
        "日期,主叫号码,被叫号码,通话时长\n\
         2024-03-05 09:00:00,13800138000,13900139000,30\n",
    );

    assert_eq!(side.stats.files[0].columns["start"], "日期 (#1)");
    assert_eq!(side.records[0].epoch(), 1_709_600_400);
}

#[test]
fn billed_durations_read_as_seconds() {
    let dir = tempfile::tempdir().unwrap();
    let (local, bill) = (dir.path().join("local.csv"), dir.path().join("bill.csv"));
    std::fs::write(
        &local,
        "主叫号码,被叫号码,开始时间,通话时长\n\
         13800138000,13900139000,2024-03-05 09:00:00,30\n\
         13800138000,13900139001,2024-03-05 09:05:00,66\n\
         13800138000,13900139002,2024-03-05 09:10:00,66\n\
         13800138000,13900139003,2024-03-05 09:15:00,20\n",
    )
    .unwrap();
    std::fs::write(
        &bill,
        "主叫号码,被叫号码,开始时间,通话时长,计费时长\n\
         13800138000,13900139000,2024-03-05 09:00:00,30,60\n\
         13800138000,13900139001,2024-03-05 09:05:00,66,0:02:00\n\
         13800138000,13900139002,2024-03-05 09:10:00,66,2分钟\n\
         13800138000,13900139003,2024-03-05 09:15:00,20,见附件\n",
    )
    .unwrap();
    let opts = options();
    let local = read_side(&[local], &opts).expect("local");
    let carrier = read_side(&[bill], &opts).expect("bill");

    let file = &carrier.stats.files[0];
    assert_eq!(file.billed_unit(), Some(nianshen_cdr::BilledUnit::Seconds));
    assert_eq!(file.billed_durations, 2);
    assert_eq!(file.billed_plain_as_seconds, 1);
    assert_eq!(carrier.stats.billed_minutes, 1 + 2 + 2 + 1);
    assert_eq!(carrier.stats.billed_unreadable, 1);
    assert_eq!(
        carrier.stats.billed_unreadable_first,
        Some((0, 5, "见附件".to_string()))
    );

    let recon = nianshen_cdr::reconcile(&local, &carrier, &nianshen_cdr::MatchOptions::default())
        .expect("reconcile");
    assert_eq!(recon.matched, 4);
    let ids: Vec<&str> = recon.warnings.iter().map(|w| w.id.as_str()).collect();
    assert!(ids.contains(&"billed_column_read_as_durations"), "{ids:?}");
    let unreadable = recon
        .warnings
        .iter()
        .find(|w| w.id == "billed_cells_unreadable")
        .expect("a warning names the cell");
    assert!(
        unreadable.message.contains("1 通通话"),
        "{}",
        unreadable.message
    );
    assert!(
        unreadable.message.contains("第 5 行"),
        "{}",
        unreadable.message
    );
    assert!(
        unreadable.message.contains("见附件"),
        "{}",
        unreadable.message
    );
}
