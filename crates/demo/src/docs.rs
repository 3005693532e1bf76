//! The words of the demo's PDF documents: one text per catalogue item, the
//! labour contracts and the outsourcing contract. Each document states that
//! it is invented demo material.

use chrono::NaiveDate;

use crate::figures::{Figures, AVG_TALK_PLACES, COMPLAINT_RATE_PLACES, RATE_PLACES};
use crate::world::{self, Person, World};

/// The closing line of every demo document.
pub const DEMO_NOTE: &str = "（本文件为 nianshen 演示案例生成的虚构材料，不具有法律效力。）";

/// Money figures of 2024, in yuan.
#[derive(Clone, Copy, Debug)]
pub struct Money {
    pub audited_revenue: f64,
    pub vat_declared_revenue: f64,
    /// The client's monthly fee, VAT included.
    pub monthly_fee: f64,
}

/// The facts a catalogue item's document states, given what the case declares.
#[derive(Clone, Copy, Debug)]
pub struct DocFacts<'a> {
    pub world: &'a World,
    pub figures: &'a Figures,
    pub money: Money,
    pub declared_seats: u32,
    pub declared_revenue: f64,
    pub site_address: &'a str,
}

/// Returns the paragraphs of the document for catalogue item `id` (named `name`).
pub fn material(id: &str, name: &str, f: &DocFacts) -> Vec<String> {
    let w = f.world;
    let mut p = company_doc(id, f)
        .or_else(|| operating_doc(id, f))
        .unwrap_or_else(|| vec![format!("{name}（{}）", w.name)]);
    p.push(String::new());
    p.push(format!("{}  2025年01月10日", w.name));
    p.push(DEMO_NOTE.into());
    p
}

/// Documents of categories 1–3: the company, its licence and its accounts.
fn company_doc(id: &str, f: &DocFacts) -> Option<Vec<String>> {
    let w = f.world;
    let p = match id {
        "business_licence" => vec![
            format!("统一社会信用代码：{}", w.uscc),
            format!("名称：{}", w.name),
            "类型：有限责任公司（自然人投资或控股）".into(),
            format!("法定代表人：{}", w.legal_rep),
            "注册资本：人民币壹仟万元整".into(),
            "成立日期：2019年04月16日".into(),
            "营业期限：长期".into(),
            format!("住所：{}", w.registered_address),
            "经营范围：第二类增值电信业务中的呼叫中心业务；信息技术咨询服务；保险代理业务的电话回访服务。".into(),
            "登记机关：深圳市市场监督管理局".into(),
        ],
        "legal_representative_id" => vec![
            format!("兹证明 {} 为我公司法定代表人。", w.legal_rep),
            format!("公司名称：{}", w.name),
            "附：法定代表人居民身份证正反面复印件（已核对原件）。".into(),
        ],
        "articles_of_association" => articles(w),
        "equity_chart" => vec![
            format!("{}（注册资本 1000 万元）", w.name),
            format!("├─ {}（自然人）持股 70%", w.legal_rep),
            "└─ 深圳市云帆投资合伙企业（有限合伙）持股 30%".into(),
            format!("    ├─ {}（自然人，普通合伙人）出资 60%", w.legal_rep),
            "    └─ 韩立平（自然人，有限合伙人）出资 40%".into(),
            "穿透至最终自然人：两名自然人，无境外股东。".into(),
        ],
        "licence_original" | "licence_copy" => licence(w, id == "licence_copy"),
        "licence_renewal_page" => vec![
            format!("许可证编号：{}", w.licence_number),
            "续期记录：许可证有效期至 2027年06月19日，尚未到续期时间，本页无续期记录。".into(),
        ],
        "licence_change_page" => vec![
            format!("许可证编号：{}", w.licence_number),
            "变更记录：自发证以来，公司名称、法定代表人、注册资本、股权结构与经营场所均未发生变更。".into(),
        ],
        "balance_sheet" => finance_table(f, "资产负债表（2024年12月31日）", &[
            ("货币资金", 2_186_430.18), ("应收账款", 567_240.00), ("固定资产", 412_880.50),
            ("资产总计", 3_166_550.68), ("负债合计", 903_118.27), ("所有者权益合计", 2_263_432.41),
        ]),
        "income_statement" => finance_table(f, "利润表（2024年度）", &[
            ("营业收入", f.money.audited_revenue), ("营业成本", 2_407_355.10),
            ("税金及附加", 20_432.66), ("管理费用", 486_210.35), ("利润总额", 296_794.34),
            ("净利润", 282_954.62),
        ]),
        "cash_flow_statement" => finance_table(f, "现金流量表（2024年度）", &[
            ("销售商品、提供劳务收到的现金", 12.0 * f.money.monthly_fee),
            ("经营活动产生的现金流量净额", 341_806.93),
            ("投资活动产生的现金流量净额", -98_600.00), ("现金及现金等价物净增加额", 243_206.93),
        ]),
        "audit_report" => audit(f),
        _ => return None,
    };
    Some(p)
}

/// Documents of categories 4–7: operations, systems, staff and pledges.
fn operating_doc(id: &str, f: &DocFacts) -> Option<Vec<String>> {
    let w = f.world;
    let p = match id {
        "business_data" => business_data(f),
        "system_architecture" => architecture(w),
        "dengbao_report" => dengbao(w),
        "security_filing" => vec![
            "通信网络安全防护管理系统 定级备案信息".into(),
            format!("单位名称：{}", w.name),
            "网络单元名称：云帆呼叫中心业务系统".into(),
            "网络单元级别：第二级".into(),
            "备案状态：已备案（2024年11月20日更新）".into(),
            "网络与信息安全保障措施：已建立安全管理制度、应急预案和用户个人信息保护制度。".into(),
        ],
        "social_insurance" => vec![
            format!("缴费单位：{}", w.name),
            format!("2024年12月参保人数：{} 人（养老、医疗、失业、工伤、生育）。", insured_in_december(w)),
            "缴费状态：正常，无欠费。".into(),
            "出具机构：深圳市社会保险基金管理局（网上经办打印件）".into(),
        ],
        "labour_contracts" => contracts_summary(w),
        "training_records" => vec![
            "2024年度培训汇总".into(),
            "岗前培训：新入职坐席均完成岗前培训后上岗。".into(),
            "2024年04月：个人信息保护与数据安全培训。".into(),
            "2024年09月：外呼合规与防骚扰培训（含 12321 投诉处理流程）。".into(),
            "培训签到明细见 人员/培训记录.xlsx。".into(),
        ],
        "complaint_officer_appointment" => officer(w),
        "no_harassment_pledge" => pledge(w, "不在 8:00 前和 21:00 后外呼，不对同一号码频繁重复拨打，对明确拒绝的用户不再拨打。"),
        "no_illegal_collection_pledge" => pledge(w, "不从事任何形式的催收业务，不以暴力、威胁、辱骂等方式联系用户。"),
        "no_cross_border_pledge" => pledge(w, "不拨打境外号码，不为境外主体提供外呼服务，中继线路不落地转接境外。"),
        "whitelist_12321" => vec![
            format!("接入单位：{}", w.name),
            format!("接入号码：{}", w.trunks.join("、")),
            "已接入 12321 网络不良与垃圾信息举报受理中心白名单核验平台，投诉工单通过平台推送并在线回复。".into(),
            "接入日期：2023年02月15日".into(),
        ],
        _ => return None,
    };
    Some(p)
}

fn insured_in_december(w: &World) -> usize {
    let december = world::ymd((2024, 12, 1));
    w.staff.iter().filter(|p| p.insured_in(december)).count()
}

fn articles(w: &World) -> Vec<String> {
    vec![
        format!("第一条 公司名称：{}。", w.name),
        format!("第二条 公司住所：{}。", w.registered_address),
        "第三条 公司注册资本为人民币 1000 万元。".into(),
        "第四条 公司经营范围：第二类增值电信业务中的呼叫中心业务；信息技术咨询服务。".into(),
        format!("第五条 股东 {} 认缴出资 700 万元，深圳市云帆投资合伙企业（有限合伙）认缴出资 300 万元。", w.legal_rep),
        format!("第六条 公司设执行董事一名，由 {} 担任，为公司法定代表人。", w.legal_rep),
    ]
}

fn licence(w: &World, copy: bool) -> Vec<String> {
    let mut p = vec![
        format!(
            "{}",
            if copy {
                "增值电信业务经营许可证（副本）"
            } else {
                "增值电信业务经营许可证"
            }
        ),
        format!("经营许可证编号：{}", w.licence_number),
        format!("公司名称：{}", w.name),
        format!("统一社会信用代码：{}", w.uscc),
        format!("法定代表人：{}", w.legal_rep),
        "业务种类：第二类增值电信业务中的国内呼叫中心业务（B24）".into(),
        "业务覆盖范围：广东省".into(),
        format!("经营场所：{}", w.registered_address),
        "有效期：2022年06月20日至2027年06月19日".into(),
        "发证机关：广东省通信管理局".into(),
    ];
    if copy {
        p.push(format!("许可使用的码号：{}", w.trunks.join("、")));
        p.push("年报记录：2023年度年报已于 2024年03月12日报送。".into());
    }
    p
}

/// Amounts as statements print them: thousands separators, two decimals.
pub fn yuan(amount: f64) -> String {
    let cents = (amount * 100.0).round() as i64;
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.abs();
    let whole = (cents / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}.{:02}", cents % 100)
}

fn finance_table(f: &DocFacts, title: &str, rows: &[(&str, f64)]) -> Vec<String> {
    let mut p = vec![
        title.to_string(),
        format!("编制单位：{}    单位：元", f.world.name),
    ];
    p.extend(rows.iter().map(|(k, v)| format!("{k}：{}", yuan(*v))));
    p
}

fn audit(f: &DocFacts) -> Vec<String> {
    let w = f.world;
    vec![
        format!("深粤信审字〔2025〕第 0{} 号", 100 + w.seed % 800),
        format!("{}全体股东：", w.name),
        format!("我们审计了{}的财务报表，包括 2024年12月31日的资产负债表，2024年度的利润表、现金流量表以及财务报表附注。", w.name),
        "我们认为，后附的财务报表在所有重大方面按照企业会计准则的规定编制，公允反映了公司 2024年12月31日的财务状况以及 2024年度的经营成果和现金流量。".into(),
        format!("2024年度营业收入：{} 元。", yuan(f.money.audited_revenue)),
        "审计意见类型：标准无保留意见".into(),
        format!("报备验证码：YF{:04}-{:04}-{:04}", w.seed % 10_000, 2025, 3_000 + w.seed % 7_000),
        "会计师事务所：深圳粤信会计师事务所（普通合伙）".into(),
    ]
}

fn business_data(f: &DocFacts) -> Vec<String> {
    let g = f.figures;
    let pct = |r: f64| format!("{:.2}%", r * 100.0);
    vec![
        "2024年度呼叫中心业务数据".into(),
        format!("座席数：{} 个", f.declared_seats),
        format!("外呼总量：{} 次", g.outbound_calls),
        format!("接通率：{}", pct(g.connection.rounded(RATE_PLACES))),
        format!(
            "投诉率：{:.4}%",
            g.complaint.rounded(COMPLAINT_RATE_PLACES) * 100.0
        ),
        format!(
            "平均通话时长：{:.1} 秒",
            g.avg_talk.rounded(AVG_TALK_PLACES)
        ),
        format!("营销成功率：{}", pct(g.conversion.rounded(RATE_PLACES))),
        format!(
            "用户投诉：{} 件，投诉回复率 {}",
            g.complaints,
            pct(g.response.rounded(RATE_PLACES))
        ),
        format!("营业收入：{} 元", yuan(f.declared_revenue)),
        format!("职场地址：{}", f.site_address),
    ]
}

fn architecture(w: &World) -> Vec<String> {
    vec![
        "云帆呼叫中心业务系统 架构说明".into(),
        format!(
            "接入层：电信 SIP 中继 {} 条号码，经会话边界控制器接入。",
            w.trunks.len()
        ),
        "交换层：软交换与自动话务分配（ACD），主备两台服务器。".into(),
        "应用层：外呼任务管理、坐席工作台、录音服务、质检与 12321 投诉工单。".into(),
        "数据层：话单库、录音存储（至少保存 30 天）、客户资料库（加密存储）。".into(),
        "安全：防火墙、堡垒机、日志审计（保存 6 个月以上）、每日备份。".into(),
    ]
}

fn dengbao(w: &World) -> Vec<String> {
    vec![
        "网络安全等级保护测评报告".into(),
        "系统名称：云帆呼叫中心业务系统".into(),
        format!("被测单位：{}", w.name),
        "安全保护等级：第三级（S3A3G3）".into(),
        format!("报告编号：4403{:05}-2025-0012-01", 10_000 + w.seed % 90_000),
        "测评结论：基本符合，综合得分 86.4 分。".into(),
        "测评时间：2024年11月04日至 2024年11月22日".into(),
        "测评机构：深圳粤安信测评技术有限公司".into(),
    ]
}

fn contracts_summary(w: &World) -> Vec<String> {
    let mut p = vec![format!(
        "{} 劳动合同签订情况（截至 2024年12月31日）",
        w.name
    )];
    for person in &w.staff {
        let end = person
            .left
            .map(|d| format!("已于 {} 解除", d.format("%Y-%m-%d")))
            .unwrap_or_else(|| "履行中".into());
        p.push(format!(
            "{} {}：{} 起，{}",
            person.no,
            person.name,
            person.hired.format("%Y-%m-%d"),
            end
        ));
    }
    p
}

fn officer(w: &World) -> Vec<String> {
    let who = w.staff.first().map(|p| p.name.as_str()).unwrap_or("");
    vec![
        format!("经公司研究决定，任命 {who} 为公司举报处置专员，负责 12321 举报投诉的接收、核实、处理和回复工作。"),
        "举报处置专员应在收到投诉后 24 小时内完成核实，并在规定时限内回复用户和主管部门。".into(),
        "任命自 2024年01月02日起生效。".into(),
    ]
}

fn pledge(w: &World, promise: &str) -> Vec<String> {
    vec![
        format!("本公司（{}）郑重承诺：", w.name),
        promise.to_string(),
        "如有违反，愿意承担相应法律责任并接受主管部门处理。".into(),
    ]
}

/// Returns the labour contract of `p`, working at `site`.
pub fn labour_contract(w: &World, p: &Person, site: &str) -> Vec<String> {
    let term_end = p
        .hired
        .checked_add_months(chrono::Months::new(36))
        .and_then(|d| d.pred_opt())
        .unwrap_or(p.hired);
    vec![
        format!("甲方（用人单位）：{}", w.name),
        format!("乙方（劳动者）：{}    工号：{}", p.name, p.no),
        format!("乙方身份证号：{}", p.id_number),
        format!(
            "合同期限：{} 至 {}（固定期限）",
            p.hired.format("%Y年%m月%d日"),
            term_end.format("%Y年%m月%d日")
        ),
        "工作岗位：呼叫中心坐席（电话客服与外呼）".into(),
        format!("工作地点：{site}"),
        "工作时间：标准工时制，每日 8 小时。".into(),
        "社会保险：甲方依法为乙方缴纳社会保险。".into(),
        String::new(),
        format!("甲方（盖章）：{}    乙方（签字）：{}", w.name, p.name),
        format!("签订日期：{}", p.hired.format("%Y年%m月%d日")),
        DEMO_NOTE.into(),
    ]
}

/// Returns the outsourcing contract with the client, signed on `date`.
pub fn outsourcing_contract(w: &World, money: Money, date: NaiveDate) -> Vec<String> {
    vec![
        format!("甲方：{}", w.client_name),
        format!("乙方：{}", w.name),
        "第一条 服务内容：乙方利用其呼叫中心为甲方提供保险产品的电话回访与营销外呼服务（呼叫中心业务外包）。".into(),
        format!("第二条 乙方持有增值电信业务经营许可证（{}，业务种类 B24 国内呼叫中心业务），保证在许可范围内提供服务。", w.licence_number),
        "第三条 服务期限：2024年01月01日至 2024年12月31日。".into(),
        format!("第四条 服务费用：每月人民币 {} 元（含税），甲方于每月 25 日前支付至乙方对公账户。", yuan(money.monthly_fee)),
        format!("乙方开户名：{}    账号：{}", w.name, w.bank_account),
        "第五条 乙方应遵守外呼时段、频次限制，对通话全程录音并保存不少于 30 天。".into(),
        "第六条 乙方不得将本合同项下的呼叫中心业务转包给第三方。".into(),
        String::new(),
        format!("甲方（盖章）：{}    乙方（盖章）：{}", w.client_name, w.name),
        format!("签订日期：{}", date.format("%Y年%m月%d日")),
        DEMO_NOTE.into(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_groups_thousands() {
        let cases = [
            (0.0, "0.00"),
            (12.5, "12.50"),
            (1234.0, "1,234.00"),
            (3_210_792.45, "3,210,792.45"),
            (-98_600.0, "-98,600.00"),
        ];
        for (v, want) in cases {
            assert_eq!(yuan(v), want);
        }
    }
}
