//! Deciding how a source is laid out from its first rows: a mapping, a
//! header row found by its synonyms (below any title rows), or a headerless
//! system export (Asterisk `Master.csv`, FreeSWITCH `mod_cdr_csv`). A
//! source that fits none is refused, saying what it looks like instead.

use chrono::FixedOffset;
use nianshen_table::{normalize_header, Cell, CellRef, SourceInfo};

use crate::describe;
use crate::error::CdrError;
use crate::mapping::{ColumnRef, Mapping, Role, ROLE_COUNT};
use crate::normalize::parse_time;
use crate::vocab::Vocabulary;

/// Rows looked at before the layout is decided.
pub(crate) const SNIFF_ROWS: usize = 40;

/// A buffered row: its 1-based number and cells.
pub(crate) type BufferedRow = (u64, Vec<Cell>);

/// The layout a source was recognised as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LayoutKind {
    Asterisk,
    FreeSwitch,
    Header,
    Mapping,
}

impl LayoutKind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            LayoutKind::Asterisk => "asterisk",
            LayoutKind::FreeSwitch => "freeswitch",
            LayoutKind::Header => "header",
            LayoutKind::Mapping => "mapping",
        }
    }
}

/// The decided layout of one source.
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    pub kind: LayoutKind,
    /// 0-based column per role.
    pub cols: [Option<usize>; ROLE_COUNT],
    /// Header text per role (role name for headerless layouts).
    pub names: [Option<String>; ROLE_COUNT],
    /// 1-based header row.
    pub header_row: Option<u64>,
    /// Index into the buffered rows where data starts.
    pub data_from: usize,
    /// FreeSWITCH `bleg_uuid` column, to drop B-legs.
    pub bleg_col: Option<usize>,
    /// The bill's own number for bills made per number.
    pub own_number: Option<String>,
    pub time_format: Option<String>,
    pub tz: FixedOffset,
    /// Outcome words that count as a conversion for this source.
    pub success: Vec<String>,
    /// A mapping names the billed column's role, so its unit is not
    /// inferred from its values.
    pub billed_unit_stated: bool,
}

impl Plan {
    pub(crate) fn col(&self, role: Role) -> Option<usize> {
        self.cols[role.index()]
    }

    /// True for a bill made per number, which lists the other party and no
    /// callee. A caller column beside them (计费号码) contains the own number.
    pub(crate) fn is_per_number(&self) -> bool {
        self.has(Role::OtherParty) && !self.has(Role::Callee)
    }

    pub(crate) fn has(&self, role: Role) -> bool {
        self.col(role).is_some()
    }

    pub(crate) fn name(&self, role: Role) -> Option<&str> {
        self.names[role.index()].as_deref()
    }

    /// Returns the role of the billed column read, if the source has one.
    /// A source keeps at most one of the two billed roles (see
    /// [`keep_one_billed_column`]).
    pub(crate) fn billed_role(&self) -> Option<Role> {
        [Role::BilledSeconds, Role::BilledMinutes]
            .into_iter()
            .find(|r| self.has(*r))
    }

    fn new(kind: LayoutKind, tz: FixedOffset, vocab: &Vocabulary) -> Plan {
        Plan {
            kind,
            cols: [None; ROLE_COUNT],
            names: Default::default(),
            header_row: None,
            data_from: 0,
            bleg_col: None,
            own_number: None,
            time_format: None,
            tz,
            success: vocab.success.clone(),
            billed_unit_stated: false,
        }
    }

    fn set(&mut self, role: Role, col: usize, name: &str) {
        self.cols[role.index()] = Some(col);
        self.names[role.index()] = Some(name.to_string());
    }

    fn unset(&mut self, role: Role) {
        self.cols[role.index()] = None;
        self.names[role.index()] = None;
    }

    /// Call records need a time and a number or direction column.
    fn is_call_records(&self) -> bool {
        let time = self.has(Role::Start) || self.has(Role::Answer) || self.has(Role::End);
        let who = self.has(Role::Caller)
            || self.has(Role::Callee)
            || self.has(Role::OtherParty)
            || self.has(Role::Direction);
        time && who
    }
}

/// Decides the layout of a source from its buffered first rows.
///
/// Errors: [`CdrError::NotCallRecords`] for other tables,
/// [`CdrError::Unmapped`] for call records in an unknown layout,
/// [`CdrError::MissingColumn`] when a mapping names an absent header.
pub(crate) fn plan(
    rows: &[BufferedRow],
    info: &SourceInfo,
    mapping: Option<&Mapping>,
    vocab: &Vocabulary,
    tz: FixedOffset,
) -> Result<Plan, CdrError> {
    if let Some(m) = mapping {
        let mut plan = plan_mapping(rows, info, m, vocab, tz)?;
        keep_one_billed_column(&mut plan, Some(m));
        return Ok(plan);
    }
    if let Some(mut plan) = plan_header(rows, vocab, tz) {
        if plan.is_call_records() {
            keep_one_billed_column(&mut plan, None);
            return Ok(plan);
        }
        return Err(describe::not_call_records(rows, info, vocab, tz));
    }
    if let Some(plan) = plan_headerless(rows, vocab, tz) {
        return Ok(plan);
    }
    Err(describe::reject(rows, info, vocab, tz))
}

/// Leaves one billed column when a source has one in minutes and one in
/// seconds: the one a mapping names, else the seconds, the finer unit.
/// Notes whether a mapping states the unit.
fn keep_one_billed_column(plan: &mut Plan, mapping: Option<&Mapping>) {
    let named = |role: Role| mapping.is_some_and(|m| m.columns.contains_key(&role));
    plan.billed_unit_stated = named(Role::BilledMinutes) || named(Role::BilledSeconds);
    if !(plan.has(Role::BilledMinutes) && plan.has(Role::BilledSeconds)) {
        return;
    }
    let dropped = if named(Role::BilledMinutes) && !named(Role::BilledSeconds) {
        Role::BilledSeconds
    } else {
        Role::BilledMinutes
    };
    plan.cols[dropped.index()] = None;
    plan.names[dropped.index()] = None;
}

/// Plans a mapped source: what the reader detects with the mapping's keys
/// laid over it when the two agree on the header, else the mapping alone.
fn plan_mapping(
    rows: &[BufferedRow],
    info: &SourceInfo,
    m: &Mapping,
    vocab: &Vocabulary,
    tz: FixedOffset,
) -> Result<Plan, CdrError> {
    let detected = plan_header(rows, vocab, tz).or_else(|| plan_headerless(rows, vocab, tz));
    if let Some(plan) = detected.and_then(|d| overlay(d, rows, m)) {
        if plan.is_call_records() {
            return Ok(plan);
        }
    }
    plan_mapping_alone(rows, info, m, vocab, tz)
}

/// Lays a mapping over a detected layout, column by column: a mapped role
/// moves to its column (and that column loses any role detection gave
/// it), other keys replace the detected values. `None` when the mapping
/// describes another header than the one detected (another header row,
/// no header, or names the detected header lacks).
fn overlay(mut plan: Plan, rows: &[BufferedRow], m: &Mapping) -> Option<Plan> {
    let header_row = plan.header_row;
    let header_given = m.has_header.unwrap_or(header_row.is_some());
    if header_given != header_row.is_some() || m.header_row.is_some_and(|n| Some(n) != header_row) {
        return None;
    }
    let header: &[Cell] = match header_row {
        Some(n) => rows
            .iter()
            .find(|(r, _)| *r == n)
            .map(|(_, c)| c.as_slice())?,
        None => &[],
    };
    for (role, column) in &m.columns {
        let (col, name) = match column {
            ColumnRef::Index(n) => {
                let name = header
                    .get(n - 1)
                    .map_or_else(|| format!("#{n}"), Cell::text);
                (n - 1, name)
            }
            ColumnRef::Name(name) => {
                let wanted = normalize_header(name);
                let col = header
                    .iter()
                    .position(|c| normalize_header(&c.text()) == wanted)?;
                (col, name.clone())
            }
        };
        for other in Role::all().filter(|r| r != role) {
            if plan.col(other) == Some(col) {
                plan.cols[other.index()] = None;
                plan.names[other.index()] = None;
            }
        }
        plan.set(*role, col, &name);
    }
    if !m.columns.is_empty() && plan.kind == LayoutKind::Header {
        plan.kind = LayoutKind::Mapping;
    }
    if let Some(own) = &m.own_number {
        plan.own_number = Some(own.clone());
    }
    if m.time_format.is_some() {
        plan.time_format = m.time_format.clone();
    }
    if let Some(tz) = m.time_zone {
        plan.tz = tz;
    }
    if let Some(words) = &m.success_values {
        plan.success = words.clone();
    }
    Some(plan)
}

/// Plans a source from the mapping alone, for layouts the reader does not
/// detect.
fn plan_mapping_alone(
    rows: &[BufferedRow],
    info: &SourceInfo,
    m: &Mapping,
    vocab: &Vocabulary,
    tz: FixedOffset,
) -> Result<Plan, CdrError> {
    let mut plan = Plan::new(LayoutKind::Mapping, m.time_zone.unwrap_or(tz), vocab);
    plan.time_format = m.time_format.clone();
    plan.own_number = m.own_number.clone();
    if let Some(words) = &m.success_values {
        plan.success = words.clone();
    }
    let header_idx = if m.has_header.unwrap_or(true) {
        Some(mapping_header(rows, m))
    } else {
        None
    };
    let header = header_idx.and_then(|i| rows.get(i));
    plan.header_row = header.map(|(n, _)| *n);
    plan.data_from = header_idx.map_or(0, |i| i + 1);
    for (role, column) in &m.columns {
        let (col, name) = match column {
            ColumnRef::Index(n) => {
                let name = header
                    .and_then(|(_, cells)| cells.get(n - 1))
                    .map_or_else(|| format!("#{n}"), Cell::text);
                (n - 1, name)
            }
            ColumnRef::Name(name) => {
                let wanted = normalize_header(name);
                let col = header.and_then(|(_, cells)| {
                    cells
                        .iter()
                        .position(|c| normalize_header(&c.text()) == wanted)
                });
                let col = col.ok_or_else(|| CdrError::MissingColumn {
                    file: info.file.clone(),
                    role: role.name().to_string(),
                    column: name.clone(),
                })?;
                (col, name.clone())
            }
        };
        plan.set(*role, col, &name);
    }
    if plan.own_number.is_none() {
        plan.own_number = own_number_from_titles(&rows[..header_idx.unwrap_or(0)]);
    }
    Ok(plan)
}

/// Finds the header row of a mapped file: `header_row`, else the first row
/// holding the mapped names, else the first non-blank row.
fn mapping_header(rows: &[BufferedRow], m: &Mapping) -> usize {
    if let Some(n) = m.header_row {
        return rows.iter().position(|(r, _)| *r == n).unwrap_or(rows.len());
    }
    let names: Vec<String> = m
        .columns
        .values()
        .filter_map(|c| match c {
            ColumnRef::Name(n) => Some(normalize_header(n)),
            ColumnRef::Index(_) => None,
        })
        .collect();
    let need = names.len().min(2);
    let by_names = rows.iter().position(|(_, cells)| {
        need > 0
            && cells
                .iter()
                .filter(|c| names.contains(&normalize_header(&c.text())))
                .count()
                >= need
    });
    by_names
        .or_else(|| {
            rows.iter()
                .position(|(_, cells)| cells.iter().any(|c| !c.as_ref().is_blank()))
        })
        .unwrap_or(0)
}

/// Finds a header row (at least two roles among its cells) in the first
/// rows and maps its columns.
fn plan_header(rows: &[BufferedRow], vocab: &Vocabulary, tz: FixedOffset) -> Option<Plan> {
    let idx = rows.iter().take(SNIFF_ROWS).position(|(_, cells)| {
        let mut roles: Vec<Role> = cells
            .iter()
            .filter_map(|c| match c {
                Cell::Text(t) => vocab.role_of_header(t),
                _ => None,
            })
            .collect();
        roles.sort();
        roles.dedup();
        roles.len() >= 2
    })?;
    let (row_no, cells) = &rows[idx];
    let mut plan = Plan::new(LayoutKind::Header, tz, vocab);
    plan.header_row = Some(*row_no);
    plan.data_from = idx + 1;
    let data = &rows[idx + 1..];
    for role in Role::all() {
        let candidates: Vec<usize> = cells
            .iter()
            .enumerate()
            .filter(|(_, c)| matches!(c, Cell::Text(t) if vocab.role_of_header(t) == Some(role)))
            .map(|(i, _)| i)
            .collect();
        if let Some(col) = pick_candidate(role, &candidates, cells, data, vocab) {
            plan.set(role, col, &cells[col].text());
        }
    }
    // A date column without a time column beside it is the start itself
    // (a full timestamp under a header such as 日期).
    if !plan.has(Role::Start) {
        if let Some(col) = plan.col(Role::StartDate) {
            let name = plan.name(Role::StartDate).unwrap_or_default().to_string();
            plan.unset(Role::StartDate);
            plan.set(Role::Start, col, &name);
        }
    }
    plan.own_number = own_number_from_titles(&rows[..idx]);
    Some(plan)
}

/// Picks one column when several headers name one role, as China Mobile
/// bills do with 呼叫类型 and 通话类型. The column whose values fit the role
/// wins, then the header listed first among the synonyms.
fn pick_candidate(
    role: Role,
    candidates: &[usize],
    header: &[Cell],
    data: &[BufferedRow],
    vocab: &Vocabulary,
) -> Option<usize> {
    if candidates.len() <= 1 {
        return candidates.first().copied();
    }
    if role == Role::Direction {
        let fits = |col: usize| {
            data.iter()
                .take(20)
                .filter(|(_, cells)| {
                    cells
                        .get(col)
                        .is_some_and(|c| vocab.direction(&c.text()).is_some())
                })
                .count()
        };
        if let Some(best) = candidates
            .iter()
            .copied()
            .max_by_key(|c| (fits(*c), usize::MAX - c))
        {
            if fits(best) > 0 {
                return Some(best);
            }
        }
    }
    let synonyms = vocab.headers.get(&role)?;
    candidates.iter().copied().min_by_key(|c| {
        let n = normalize_header(&header[*c].text());
        synonyms.iter().position(|s| *s == n).unwrap_or(usize::MAX)
    })
}

/// Finds a phone number written in the title rows above the header, e.g.
/// `号码：13800138000` in a per-number bill.
fn own_number_from_titles(titles: &[BufferedRow]) -> Option<String> {
    for (_, cells) in titles {
        for cell in cells {
            let text = cell.text();
            let mut run = String::new();
            for c in text.chars().chain(std::iter::once(' ')) {
                if c.is_ascii_digit() {
                    run.push(c);
                    continue;
                }
                let is_phone = crate::normalize::is_mobile(&run)
                    || (run.starts_with('0') && (10..=12).contains(&run.len()));
                if is_phone {
                    return Some(run);
                }
                run.clear();
            }
        }
    }
    None
}

/// Asterisk `Master.csv` (default 18 fields, 16–17 with unique id or user
/// field logging off) or FreeSWITCH's default `mod_cdr_csv` template
/// (15 fields), recognised by the shape of their first rows.
fn plan_headerless(rows: &[BufferedRow], vocab: &Vocabulary, tz: FixedOffset) -> Option<Plan> {
    let sample: Vec<&BufferedRow> = rows
        .iter()
        .filter(|(_, cells)| cells.iter().any(|c| !c.as_ref().is_blank()))
        .take(5)
        .collect();
    if sample.is_empty() {
        return None;
    }
    if sample.iter().all(|(_, c)| is_asterisk(c, tz)) {
        return Some(asterisk_plan(
            vocab,
            tz,
            sample.iter().map(|(_, c)| c.len()).max()?,
        ));
    }
    if sample.iter().all(|(_, c)| is_freeswitch(c, tz)) {
        return Some(freeswitch_plan(vocab, tz));
    }
    None
}

fn is_time(cells: &[Cell], i: usize, tz: FixedOffset) -> bool {
    cells
        .get(i)
        .is_some_and(|c| parse_time(c.as_ref(), tz, None).is_some())
}

fn is_time_or_empty(cells: &[Cell], i: usize, tz: FixedOffset) -> bool {
    cells.get(i).is_some_and(|c| c.as_ref().is_blank()) || is_time(cells, i, tz)
}

fn is_int(cells: &[Cell], i: usize) -> bool {
    cells.get(i).is_some_and(|c| match c.as_ref() {
        CellRef::Text(t) => !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()),
        CellRef::Number(n) => n.fract() == 0.0,
        _ => false,
    })
}

fn is_upper_word(cells: &[Cell], i: usize) -> bool {
    cells.get(i).is_some_and(|c| {
        let t = c.text();
        !t.is_empty()
            && t.chars()
                .all(|ch| ch.is_ascii_uppercase() || ch == ' ' || ch == '_')
    })
}

fn is_asterisk(cells: &[Cell], tz: FixedOffset) -> bool {
    (16..=18).contains(&cells.len())
        && is_time(cells, 9, tz)
        && is_time_or_empty(cells, 10, tz)
        && is_time(cells, 11, tz)
        && is_int(cells, 12)
        && is_int(cells, 13)
        && is_upper_word(cells, 14)
}

fn is_freeswitch(cells: &[Cell], tz: FixedOffset) -> bool {
    cells.len() == 15
        && is_time(cells, 4, tz)
        && is_time_or_empty(cells, 5, tz)
        && is_time(cells, 6, tz)
        && is_int(cells, 7)
        && is_int(cells, 8)
        && is_upper_word(cells, 9)
}

fn asterisk_plan(vocab: &Vocabulary, tz: FixedOffset, width: usize) -> Plan {
    let mut plan = Plan::new(LayoutKind::Asterisk, tz, vocab);
    for (role, col, name) in [
        (Role::Caller, 1, "src"),
        (Role::Callee, 2, "dst"),
        (Role::Start, 9, "start"),
        (Role::Answer, 10, "answer"),
        (Role::End, 11, "end"),
        (Role::TalkSeconds, 13, "billsec"),
        (Role::Disposition, 14, "disposition"),
    ] {
        plan.set(role, col, name);
    }
    if width >= 17 {
        plan.set(Role::CallId, 16, "uniqueid");
    }
    plan
}

fn freeswitch_plan(vocab: &Vocabulary, tz: FixedOffset) -> Plan {
    let mut plan = Plan::new(LayoutKind::FreeSwitch, tz, vocab);
    for (role, col, name) in [
        (Role::Caller, 1, "caller_id_number"),
        (Role::Callee, 2, "destination_number"),
        (Role::Start, 4, "start_stamp"),
        (Role::Answer, 5, "answer_stamp"),
        (Role::End, 6, "end_stamp"),
        (Role::TalkSeconds, 8, "billsec"),
        (Role::CallId, 10, "uuid"),
    ] {
        plan.set(role, col, name);
    }
    plan.bleg_col = Some(11);
    plan
}
