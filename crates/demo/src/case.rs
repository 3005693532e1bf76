//! Assembles the demo case folder in the layout of a real case: every file
//! drawn from one [`World`], one set of calls and one complaint log, with
//! the chosen faults planted on top.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use nianshen_rules::RulePack;

use crate::calls::{self, Call, INBOUND, OUTBOUND};
use crate::carrier::{self, BillRow};
use crate::case_toml::{self, CaseFacts};
use crate::complaints::{self, Complaint};
use crate::docs::{self, DocFacts, Money};
use crate::error::DemoError;
use crate::figures::Figures;
use crate::out::Sink;
use crate::planted::{self, Faults, Planted};
use crate::rng::{mix, Rng};
use crate::tables;
use crate::world::{self, World, CDR_MONTHS, MATERIALS_DATE};
use crate::{pdf, photo, sign};

/// The company's money in 2024: revenue excluding VAT, and the client's fee
/// including 6% VAT (12 × 283,620.00 = 3,210,792.45 × 1.06).
const MONEY: Money = Money {
    audited_revenue: 3_210_792.45,
    vat_declared_revenue: 3_188_400.00,
    monthly_fee: 283_620.00,
};
/// Recordings are indexed from this many days before the last call, a few
/// more than the 30-day retention window so its edge is always covered.
const RECORDING_INDEX_DAYS: i64 = 33;

/// A summary of the written case.
#[derive(Clone, Debug)]
pub struct CaseSummary {
    pub calls: usize,
    pub files: usize,
    pub bytes: u64,
    pub planted: Vec<Planted>,
}

/// Draws the calls, complaints and figures of a seed, again with a derived
/// seed in the rare event that a figure falls on a rounding tie.
fn draw(world: &World, seed: u64, late: bool) -> (Vec<Call>, Vec<Complaint>, Figures) {
    let complaints = complaints::generate(seed, late);
    let mut attempt = 0u64;
    loop {
        let call_seed = if attempt == 0 {
            seed
        } else {
            mix(seed, attempt, 77)
        };
        let calls = calls::generate(world, call_seed);
        let figures = Figures::compute(&calls, &complaints);
        if !figures.has_tie() || attempt >= 16 {
            return (calls, complaints, figures);
        }
        attempt += 1;
    }
}

/// Writes the whole case into `sink`.
pub fn write(
    sink: &mut Sink,
    pack: &RulePack,
    seed: u64,
    faults: Faults,
) -> Result<CaseSummary, DemoError> {
    let world = World::new(seed);
    let (calls, complaints, figures) = draw(&world, seed, faults.late_verification);
    let facts = CaseFacts {
        world: &world,
        figures: &figures,
        money: MONEY,
        faults,
        seed,
    };

    sink.write("case.toml", case_toml::render(&facts).as_bytes())?;
    let planted = faults.list();
    let json = planted::planted_json(&planted).map_err(|e| DemoError::encode("planted.json", e))?;
    sink.write("planted.json", json.as_bytes())?;

    materials(sink, pack, &facts)?;
    local_cdr(sink, &world, &calls)?;
    let bill = carrier::bill(&calls, &world.trunks, seed, faults.carrier_gap);
    carrier_cdr(sink, &world, &bill)?;
    people(sink, &world, facts.site_address())?;
    photos(sink, &world, figures.seats as usize)?;
    complaint_log(sink, &complaints)?;
    recordings(sink, &calls)?;
    contracts_and_payments(sink, &world)?;

    let (files, bytes) = sink.totals();
    Ok(CaseSummary {
        calls: calls.len(),
        files,
        bytes,
        planted,
    })
}

fn date_tag() -> String {
    world::ymd(MATERIALS_DATE).format("%Y%m%d").to_string()
}

fn write_pdf(
    sink: &mut Sink,
    rel: &str,
    title: &str,
    paragraphs: Vec<String>,
    date: NaiveDate,
) -> Result<(), DemoError> {
    let doc = pdf::Doc {
        title: title.to_string(),
        paragraphs,
        date,
    };
    sink.write(rel, &pdf::render(&doc).bytes)
}

/// Writes a material PDF sealed with the company's (demo) electronic seal on the
/// materials date, 09:30 Beijing time.
fn write_signed_pdf(
    sink: &mut Sink,
    signer: &sign::Signer,
    rel: &str,
    title: &str,
    paragraphs: Vec<String>,
) -> Result<(), DemoError> {
    let doc = pdf::Doc {
        title: title.to_string(),
        paragraphs,
        date: world::ymd(MATERIALS_DATE),
    };
    let bytes = sign::sign(&pdf::render(&doc), signer, "D:20250110093000+08'00'")
        .map_err(|e| DemoError::encode(rel, e))?;
    sink.write(rel, &bytes)
}

/// Writes one PDF per catalogue item, named 简称_材料类型_YYYYMMDD.pdf.
fn materials(sink: &mut Sink, pack: &RulePack, f: &CaseFacts) -> Result<(), DemoError> {
    let doc_facts = DocFacts {
        world: f.world,
        figures: f.figures,
        money: f.money,
        declared_seats: f.declared_seats(),
        declared_revenue: f.declared_revenue(),
        site_address: f.site_address(),
    };
    let w = f.world;
    let serial = 0x2025_0000_0000 + w.seed % 0x1_0000_0000;
    let signer = sign::Signer::new(&w.name, &w.name, serial, "250110013000Z")
        .map_err(|e| DemoError::encode("材料", e))?;
    for item in &pack.catalogue {
        sink.folder(&format!("材料/{}", item.folder))?;
        if f.faults.dengbao_missing && is_dengbao(&item.id, &item.name.zh) {
            continue;
        }
        let rel = format!(
            "材料/{}/{}_{}_{}.pdf",
            item.folder,
            f.world.short_name,
            item.name.zh,
            date_tag()
        );
        let text = docs::material(&item.id, &item.name.zh, &doc_facts);
        write_signed_pdf(sink, &signer, &rel, &item.name.zh, text)?;
    }
    Ok(())
}

fn is_dengbao(id: &str, name: &str) -> bool {
    id.contains("dengbao") || name.contains("等保") || name.contains("等级保护")
}

fn stamp(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// Writes the call-centre system's export, one file per month.
fn local_cdr(sink: &mut Sink, w: &World, calls: &[Call]) -> Result<(), DemoError> {
    const HEADERS: [&str; 11] = [
        "通话ID",
        "坐席工号",
        "主叫号码",
        "被叫号码",
        "呼叫时间",
        "接通时间",
        "挂机时间",
        "通话时长(秒)",
        "呼叫结果",
        "呼叫方向",
        "营销结果",
    ];
    for month in CDR_MONTHS {
        let rows: Vec<Vec<String>> = calls
            .iter()
            .filter(|c| c.start.month() == month)
            .map(|c| {
                let agent = w
                    .staff
                    .get(c.agent)
                    .map(|p| p.no.clone())
                    .unwrap_or_default();
                vec![
                    c.id(),
                    agent,
                    c.caller.clone(),
                    c.callee.clone(),
                    stamp(c.start),
                    c.answer.map(stamp).unwrap_or_default(),
                    stamp(c.end),
                    c.talk.to_string(),
                    c.result.to_string(),
                    if c.outbound { OUTBOUND } else { INBOUND }.to_string(),
                    c.outcome.to_string(),
                ]
            })
            .collect();
        let rel = format!("话单/本地/外呼系统话单_2024{month:02}.csv");
        let text = tables::csv_text(&HEADERS, &rows).map_err(|e| DemoError::encode(&rel, e))?;
        sink.write(&rel, &tables::utf8_bom(&text))?;
    }
    Ok(())
}

/// Writes the carrier's monthly bills in GBK with a title row and a total
/// row. October comes as a ZIP, as carriers' portals often send it.
fn carrier_cdr(sink: &mut Sink, w: &World, bill: &[BillRow]) -> Result<(), DemoError> {
    for month in CDR_MONTHS {
        let rows: Vec<&BillRow> = bill.iter().filter(|r| r.start.month() == month).collect();
        let name = format!("电信详单_2024{month:02}.csv");
        let text = bill_text(w, month, &rows).map_err(|e| DemoError::encode(&name, e))?;
        let bytes = tables::gbk(&text).map_err(|e| DemoError::encode(&name, e))?;
        if month == 10 {
            let rel = format!("话单/运营商/电信详单_2024{month:02}.zip");
            let zipped =
                crate::archive::zip_one(&name, &bytes).map_err(|e| DemoError::encode(&rel, e))?;
            sink.write(&rel, &zipped)?;
        } else {
            sink.write(&format!("话单/运营商/{name}"), &bytes)?;
        }
    }
    Ok(())
}

fn bill_text(w: &World, month: u32, rows: &[&BillRow]) -> Result<String, String> {
    let mut talk = 0u64;
    let mut billed = 0u64;
    let mut fen = 0u64;
    let mut body: Vec<Vec<String>> = Vec::with_capacity(rows.len() + 1);
    for r in rows {
        let fee = r.fee_fen(&w.trunks);
        talk += u64::from(r.talk);
        billed += r.billed_minutes();
        fen += fee;
        body.push(vec![
            r.caller.clone(),
            r.callee.clone(),
            r.start.format("%Y%m%d%H%M%S").to_string(),
            r.talk.to_string(),
            r.billed_minutes().to_string(),
            format!("{}.{:02}", fee / 100, fee % 100),
        ]);
    }
    body.push(vec![
        "合计".into(),
        String::new(),
        String::new(),
        talk.to_string(),
        billed.to_string(),
        format!("{}.{:02}", fen / 100, fen % 100),
    ]);
    let headers = [
        "主叫号码",
        "被叫号码",
        "开始时间",
        "通话时长",
        "计费时长",
        "费用",
    ];
    let table = tables::csv_text(&headers, &body)?;
    Ok(format!(
        "中国电信 集团客户语音详单 2024年{month}月\r\n{table}"
    ))
}

fn month_text(d: NaiveDate) -> String {
    d.format("%Y-%m").to_string()
}

/// Roster, accounts, training records and labour contracts.
fn people(sink: &mut Sink, w: &World, site: &str) -> Result<(), DemoError> {
    let roster: Vec<Vec<String>> = w
        .staff
        .iter()
        .map(|p| {
            vec![
                p.name.clone(),
                p.id_number.clone(),
                p.no.clone(),
                month_text(p.hired),
                p.left.map(month_text).unwrap_or_default(),
            ]
        })
        .collect();
    let rel = "人员/社保名单.xlsx";
    let book = tables::xlsx(
        "参保人员",
        &["姓名", "身份证号", "工号", "参保起始", "参保截止"],
        &roster,
        &[],
    )
    .map_err(|e| DemoError::encode(rel, e))?;
    sink.write(rel, &book)?;

    let accounts: Vec<Vec<String>> = w
        .staff
        .iter()
        .map(|p| {
            let disabled = p.left.map(|d| d.to_string()).unwrap_or_default();
            vec![
                p.account.clone(),
                p.no.clone(),
                p.hired.to_string(),
                disabled,
            ]
        })
        .collect();
    let rel = "人员/系统账号.csv";
    let text = tables::csv_text(&["账号", "工号", "创建日期", "停用日期"], &accounts)
        .map_err(|e| DemoError::encode(rel, e))?;
    sink.write(rel, &tables::utf8_bom(&text))?;

    training(sink, w)?;
    for p in &w.staff {
        let rel = format!("人员/劳动合同/{}_{}_劳动合同.pdf", p.no, p.name);
        write_pdf(
            sink,
            &rel,
            "劳动合同书",
            docs::labour_contract(w, p, site),
            p.hired,
        )?;
    }
    Ok(())
}

/// Induction on joining, then the two courses of 2024 for everyone employed
/// on their date.
fn training(sink: &mut Sink, w: &World) -> Result<(), DemoError> {
    let courses = [
        (world::ymd((2024, 4, 18)), "个人信息保护与数据安全"),
        (
            world::ymd((2024, 9, 12)),
            "外呼合规与防骚扰（含12321投诉处理）",
        ),
    ];
    let mut rows = Vec::new();
    for p in &w.staff {
        let induction = p.hired + Duration::days(2);
        rows.push(vec![
            p.no.clone(),
            p.name.clone(),
            "岗前培训".into(),
            induction.to_string(),
        ]);
        for (day, course) in courses {
            let employed = p.hired <= day && p.left.is_none_or(|l| l >= day);
            if employed {
                rows.push(vec![
                    p.no.clone(),
                    p.name.clone(),
                    course.to_string(),
                    day.to_string(),
                ]);
            }
        }
    }
    let rel = "人员/培训记录.xlsx";
    let book = tables::xlsx("培训记录", &["工号", "姓名", "课程", "日期"], &rows, &[])
        .map_err(|e| DemoError::encode(rel, e))?;
    sink.write(rel, &book)
}

/// Writes one photo per workstation, taken during the January site inventory.
fn photos(sink: &mut Sink, w: &World, seats: usize) -> Result<(), DemoError> {
    let first = world::ymd((2025, 1, 8))
        .and_hms_opt(10, 5, 0)
        .unwrap_or_default();
    let mut rng = Rng::new(w.seed, 6);
    let mut taken = first;
    for n in 1..=seats {
        taken += Duration::seconds(rng.range(40, 150));
        let rel = format!("职场/工位照片/工位{n:02}.jpg");
        let bytes = photo::jpeg(w.seed, n, taken).map_err(|e| DemoError::encode(&rel, e))?;
        sink.write(&rel, &bytes)?;
    }
    Ok(())
}

fn complaint_log(sink: &mut Sink, complaints: &[Complaint]) -> Result<(), DemoError> {
    let rows: Vec<Vec<String>> = complaints
        .iter()
        .map(|c| {
            vec![
                c.id.clone(),
                stamp(c.received),
                stamp(c.verified),
                stamp(c.replied),
                stamp(c.closed),
                c.result.to_string(),
            ]
        })
        .collect();
    let rel = "投诉/投诉台账.xlsx";
    let headers = [
        "编号",
        "受理时间",
        "核验时间",
        "回复时间",
        "办结时间",
        "处理结果",
    ];
    let book =
        tables::xlsx("12321投诉", &headers, &rows, &[]).map_err(|e| DemoError::encode(rel, e))?;
    sink.write(rel, &book)
}

/// Writes the recording index: every answered call from a few days before
/// the 30-day window up to the last call.
fn recordings(sink: &mut Sink, calls: &[Call]) -> Result<(), DemoError> {
    let Some(last) = calls.iter().map(|c| c.start).max() else {
        return Ok(());
    };
    let from = last.date() - Duration::days(RECORDING_INDEX_DAYS);
    let rows: Vec<Vec<String>> = calls
        .iter()
        .filter(|c| c.answered() && c.start.date() >= from)
        .map(|c| {
            let created = c.end + Duration::seconds(i64::from(c.seq % 5) + 1);
            vec![
                c.id(),
                format!("rec/{}/{}.wav", c.start.format("%Y%m%d"), c.id()),
                c.talk.to_string(),
                stamp(created),
            ]
        })
        .collect();
    let rel = "录音/录音索引.csv";
    let text = tables::csv_text(&["通话ID", "文件名", "时长(秒)", "创建时间"], &rows)
        .map_err(|e| DemoError::encode(rel, e))?;
    sink.write(rel, &tables::utf8_bom(&text))
}

/// Writes the outsourcing contract and the bank statement of the client's payments.
fn contracts_and_payments(sink: &mut Sink, w: &World) -> Result<(), DemoError> {
    let signed = world::ymd((2023, 12, 20));
    let rel = format!(
        "合同/{}_外包服务合同_{}.pdf",
        w.short_name,
        signed.format("%Y%m%d")
    );
    write_pdf(
        sink,
        &rel,
        "呼叫中心业务外包服务合同",
        docs::outsourcing_contract(w, MONEY, signed),
        signed,
    )?;

    let rows: Vec<Vec<String>> = (1..=12)
        .map(|m| {
            vec![
                world::ymd((2024, m, 24)).to_string(),
                w.client_name.clone(),
                w.client_account.clone(),
                format!("{:.2}", MONEY.monthly_fee),
                format!("呼叫中心外包服务费 2024年{m}月"),
            ]
        })
        .collect();
    let rel = "财务/收款流水/银行流水_2024.xlsx";
    let headers = ["交易日期", "对方户名", "对方账号", "金额(元)", "摘要"];
    let book =
        tables::xlsx("收款", &headers, &rows, &[3]).map_err(|e| DemoError::encode(rel, e))?;
    sink.write(rel, &book)
}
