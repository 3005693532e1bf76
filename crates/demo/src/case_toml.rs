//! `case.toml` of the demo, written by hand so it keeps its Chinese
//! comments and reads like a file a compliance officer filled in.

use std::fmt::Write as _;

use crate::docs::Money;
use crate::figures::{Figures, AVG_TALK_PLACES, COMPLAINT_RATE_PLACES, RATE_PLACES};
use crate::out::CASE_MARKER;
use crate::planted::{Faults, INFLATED_SEATS};
use crate::world::{self, World};

/// Everything `case.toml` states.
#[derive(Clone, Copy, Debug)]
pub struct CaseFacts<'a> {
    pub world: &'a World,
    pub figures: &'a Figures,
    pub money: Money,
    pub faults: Faults,
    pub seed: u64,
}

impl CaseFacts<'_> {
    /// Returns the seats the case declares (inflated by trap 2).
    pub fn declared_seats(&self) -> u32 {
        if self.faults.seats_inflated {
            INFLATED_SEATS
        } else {
            self.figures.seats
        }
    }

    /// Returns the revenue the case declares (0 with trap 1).
    pub fn declared_revenue(&self) -> f64 {
        if self.faults.revenue_zero {
            0.0
        } else {
            self.money.audited_revenue
        }
    }

    /// Returns the address where the agents sit (elsewhere with trap 3).
    pub fn site_address(&self) -> &str {
        if self.faults.site_moved {
            &self.world.moved_address
        } else {
            &self.world.registered_address
        }
    }
}

/// Renders the text of `case.toml`.
pub fn render(f: &CaseFacts) -> String {
    let mut s = String::new();
    header(&mut s, f);
    company(&mut s, f);
    declared(&mut s, f);
    history(&mut s, f);
    s
}

fn header(s: &mut String, f: &CaseFacts) {
    let _ = writeln!(s, "{CASE_MARKER}（种子 {}）。", f.seed);
    let as_of = world::ymd(world::AS_OF);
    let _ = write!(
        s,
        "# 企业、人员、证件号码和电话号码均为虚构；证件号码和信用代码带有正确的校验位。\n\
         # 检查方法：nianshen check 本文件夹 --as-of {as_of}\n\
         # 各项的含义见 `nianshen init` 生成的模板；日期写作 YYYY-MM-DD，金额单位为元，比率写成小数。\n\n\
         [rules]\n\
         pack = \"cn-miit\"  # 内置规则包：现行工信部年报制度\n\n"
    );
}

fn company(s: &mut String, f: &CaseFacts) {
    let w = f.world;
    let _ = write!(
        s,
        "[company]\n\
         name = \"{}\"\n\
         short_name = \"{}\"  # 材料文件名中的“企业简称”\n\
         uscc = \"{}\"  # 统一社会信用代码，末位为校验码\n\
         legal_representative = \"{}\"\n\n",
        w.name, w.short_name, w.uscc, w.legal_rep
    );
    let trunks: Vec<String> = w.trunks.iter().map(|t| format!("\"{t}\"")).collect();
    let _ = write!(
        s,
        "[licence]\n\
         number = \"{}\"\n\
         category = \"B24\"  # 国内呼叫中心业务\n\
         issued = {}\n\
         expires = {}\n\
         registered_sites = [\"{}\"]  # 许可证登记的经营场所\n\
         access_numbers = [{}]  # 外呼使用的中继号码\n\n",
        w.licence_number,
        w.licence_issued,
        w.licence_expires,
        w.registered_address,
        trunks.join(", ")
    );
    let _ = write!(
        s,
        "# 实际办公的职场，地址应与许可证登记的经营场所一致。\n\
         [[sites]]\n\
         address = \"{}\"\n\
         workstations = {}\n\n\
         # 申报数据所属期间。\n\
         [period]\n\
         from = 2024-01-01\n\
         to = 2024-12-31\n\n",
        f.site_address(),
        f.figures.seats
    );
}

fn declared(s: &mut String, f: &CaseFacts) {
    let g = f.figures;
    let _ = write!(
        s,
        "# 年报中申报的经营数据，须与原始话单和投诉台账算出的数字一致。\n\
         [declared]\n\
         seats = {}  # 座席数：有通话记录的坐席人数\n\
         outbound_calls = {}  # 外呼总量：全部外呼次数，含未接通\n\
         connection_rate = {:?}  # 接通率 = 外呼接通次数 / 外呼总量\n\
         complaint_rate = {:?}  # 投诉率 = 投诉件数 / 外呼接通次数\n\
         avg_talk_seconds = {:?}  # 平均通话时长（秒）= 接通通话总时长 / 接通通话次数\n\
         conversion_rate = {:?}  # 营销成功率 = 营销结果为“成交”的次数 / 外呼接通次数\n\
         complaints = {}  # 用户投诉件数：期间内受理的 12321 投诉\n\
         complaint_response_rate = {:?}  # 投诉回复率 = 已回复件数 / 受理件数\n\
         revenue = {:.2}  # 营业收入（元）\n\n",
        f.declared_seats(),
        g.outbound_calls,
        g.connection.rounded(RATE_PLACES),
        g.complaint.rounded(COMPLAINT_RATE_PLACES),
        g.avg_talk.rounded(AVG_TALK_PLACES),
        g.conversion.rounded(RATE_PLACES),
        g.complaints,
        g.response.rounded(RATE_PLACES),
        f.declared_revenue()
    );
    let _ = write!(
        s,
        "[finance]\n\
         audited_revenue = {:.2}  # 审计报告中的营业收入（元）\n\
         vat_declared_revenue = {:.2}  # 增值税纳税申报表中的销售额合计（元）\n\n",
        f.money.audited_revenue, f.money.vat_declared_revenue
    );
}

fn history(s: &mut String, f: &CaseFacts) {
    s.push_str(
        "# 已经完成的报送。\n\
         [[filings]]\n\
         kind = \"annual_report\"\n\
         period = 2023\n\
         submitted = 2024-03-12\n\
         result = \"通过\"\n\n",
    );
    if f.faults.capital_change {
        s.push_str(
            "# 登记事项的变更（已发生或计划中的）。\n\
             [[changes]]\n\
             kind = \"capital\"  # 注册资本由 1000 万元增至 2000 万元\n\
             date = 2025-03-05\n\
             planned = true\n\n",
        );
    } else {
        s.push_str("# 发证以来没有名称、法定代表人、注册资本、股权或地址的变更，所以没有 [[changes]]。\n\n");
    }
    s.push_str(
        "# 话单/本地 中导出文件的表头（通话ID、坐席工号、主叫号码……）能被自动识别，不需要映射。\n\
         # 换成表头不同的导出文件时，可以仿照下面的写法说明各列：\n\
         # [[mappings]]\n\
         # files = \"话单/本地/*.csv\"\n\
         # columns = { call_id = \"通话ID\", agent = \"坐席工号\", caller = \"主叫号码\", callee = \"被叫号码\", start = \"呼叫时间\", answer = \"接通时间\", end = \"挂机时间\", talk_seconds = \"通话时长(秒)\", disposition = \"呼叫结果\", direction = \"呼叫方向\", outcome = \"营销结果\" }\n\
         # success_values = [\"成交\"]\n",
    );
}
