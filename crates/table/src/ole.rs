//! A check of the sector chains of an OLE2 compound file (the container of
//! `.xls` workbooks) before the workbook reader sees it.
//!
//! calamine 0.38 follows the directory chain without a length limit, so a
//! damaged file whose allocation table links sectors in a cycle makes it
//! allocate without end (gigabytes per second). Valid files end every
//! chain with ENDOFCHAIN, so any cycle in the FAT or mini FAT marks a
//! damaged file, and rejecting it also bounds every chain by the file size.
//!
//! calamine also sizes a sheet by its outermost cells, so one damaged cell
//! record in column 65535 would make it allocate some 100 GB. BIFF8 sheets
//! have 256 columns, so cells beyond them are rejected here as well.

/// Sector ids at or above this are markers (free, end of chain, FAT, DIFAT).
const MAX_REGULAR_SECTOR: u32 = 0xFFFF_FFFA;

/// Checks the FAT and mini FAT of a compound file for cycles.
///
/// Errors: a message saying which table is damaged.
pub(crate) fn check_chains(bytes: &[u8]) -> Result<(), String> {
    let header = bytes.get(..512).ok_or("file shorter than its header")?;
    let shift = u32::from(u16_at(header, 30));
    if !(7..=16).contains(&shift) {
        return Err(format!("invalid sector shift {shift}"));
    }
    let size = 1usize << shift;
    let sectors = bytes.len() / size;

    let fat_ids = fat_sector_ids(bytes, header, size, sectors)?;
    let fat = read_table(bytes, &fat_ids, size);
    if has_cycle(&fat) {
        return Err("the sector allocation table links sectors in a cycle".to_string());
    }

    let mini_ids = chain(&fat, u32_at(header, 60), sectors);
    let mini_fat = read_table(bytes, &mini_ids, size);
    if has_cycle(&mini_fat) {
        return Err("the mini sector allocation table links sectors in a cycle".to_string());
    }

    let file = Compound {
        bytes,
        header,
        size,
        sectors,
        fat,
        mini_fat,
    };
    match file.workbook_stream() {
        Some(stream) => check_cell_columns(&stream),
        None => Ok(()),
    }
}

/// The parts of a compound file needed to read one stream.
struct Compound<'a> {
    bytes: &'a [u8],
    header: &'a [u8],
    size: usize,
    sectors: usize,
    fat: Vec<u32>,
    mini_fat: Vec<u32>,
}

impl Compound<'_> {
    /// Concatenates the sectors of a FAT chain.
    fn read_chain(&self, start: u32) -> Vec<u8> {
        chain(&self.fat, start, self.sectors)
            .iter()
            .filter_map(|id| sector(self.bytes, *id, self.size))
            .flatten()
            .copied()
            .collect()
    }

    /// Reads the `Workbook` (or BIFF5 `Book`) stream, if the directory has one.
    fn workbook_stream(&self) -> Option<Vec<u8>> {
        let dir = self.read_chain(u32_at(self.header, 48));
        let entries: Vec<&[u8]> = dir.chunks_exact(128).collect();
        let entry = entries.iter().find(|e| {
            let name = entry_name(e);
            name == "Workbook" || name == "Book"
        })?;
        let start = u32_at(entry, 116);
        let len = u32_at(entry, 120) as usize;
        let cutoff = u32_at(self.header, 56) as usize;
        let mut data = if len < cutoff {
            let root = entries.first()?;
            let mini_stream = self.read_chain(u32_at(root, 116));
            let mini_size = 1usize << u16_at(self.header, 32).min(12);
            chain(
                &self.mini_fat,
                start,
                mini_stream.len() / mini_size.max(1) + 1,
            )
            .iter()
            .filter_map(|id| {
                let at = (*id as usize).checked_mul(mini_size)?;
                mini_stream.get(at..at.checked_add(mini_size)?)
            })
            .flatten()
            .copied()
            .collect()
        } else {
            self.read_chain(start)
        };
        data.truncate(len);
        Some(data)
    }
}

/// Decodes the name of a directory entry (UTF-16, its byte length at offset 64).
fn entry_name(entry: &[u8]) -> String {
    let bytes = usize::from(u16_at(entry, 64)).min(64);
    let units: Vec<u16> = entry[..bytes]
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .take_while(|u| *u != 0)
        .collect();
    String::from_utf16_lossy(&units)
}

/// Columns of a BIFF8 sheet (A to IV).
const XLS_MAX_COLUMNS: u16 = 256;

/// Checks every cell record of a BIFF stream for a column past the last.
fn check_cell_columns(stream: &[u8]) -> Result<(), String> {
    let mut pos = 0;
    while let (Some(kind), Some(len)) = (stream.get(pos..pos + 2), stream.get(pos + 2..pos + 4)) {
        let kind = u16::from_le_bytes([kind[0], kind[1]]);
        let len = usize::from(u16::from_le_bytes([len[0], len[1]]));
        let body = stream.get(pos + 4..pos + 4 + len).unwrap_or(&[]);
        let last_col = match kind {
            // FORMULA, RSTRING, LABELSST, BLANK, NUMBER, LABEL, BOOLERR, RK
            0x0006 | 0x00D6 | 0x00FD | 0x0201 | 0x0203 | 0x0204 | 0x0205 | 0x027E => {
                u16_at(body, 2)
            }
            // MULRK, MULBLANK: the last column closes the record.
            0x00BD | 0x00BE => u16_at(body, body.len().saturating_sub(2)).max(u16_at(body, 2)),
            _ => 0,
        };
        if last_col >= XLS_MAX_COLUMNS {
            return Err(format!(
                "a cell record names column {}, past the last column IV",
                u32::from(last_col) + 1
            ));
        }
        pos += 4 + len;
    }
    Ok(())
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    b.get(at..at + 2)
        .map_or(0, |s| u16::from_le_bytes([s[0], s[1]]))
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4)
        .map_or(u32::MAX, |s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

/// Returns the bytes of sector `id` (sector 0 starts right after the header).
fn sector(bytes: &[u8], id: u32, size: usize) -> Option<&[u8]> {
    let start = (id as usize).checked_add(1)?.checked_mul(size)?;
    bytes.get(start..start.checked_add(size)?)
}

/// Collects the FAT's sector ids: 109 in the header, the rest in the DIFAT chain.
fn fat_sector_ids(
    bytes: &[u8],
    header: &[u8],
    size: usize,
    sectors: usize,
) -> Result<Vec<u32>, String> {
    let mut ids: Vec<u32> = (0..109).map(|i| u32_at(header, 76 + 4 * i)).collect();
    let mut next = u32_at(header, 68);
    let mut visited = 0usize;
    while next < MAX_REGULAR_SECTOR {
        visited += 1;
        if visited > sectors {
            return Err("the DIFAT chain links sectors in a cycle".to_string());
        }
        let Some(s) = sector(bytes, next, size) else {
            break;
        };
        let entries = size / 4 - 1;
        ids.extend((0..entries).map(|i| u32_at(s, 4 * i)));
        next = u32_at(s, 4 * entries);
    }
    ids.retain(|id| *id < MAX_REGULAR_SECTOR);
    Ok(ids)
}

/// Concatenates the 32-bit entries of the given sectors.
fn read_table(bytes: &[u8], ids: &[u32], size: usize) -> Vec<u32> {
    ids.iter()
        .filter_map(|id| sector(bytes, *id, size))
        .flat_map(|s| (0..s.len() / 4).map(move |i| u32_at(s, 4 * i)))
        .collect()
}

/// Follows the chain starting at `start` for at most `limit` sectors.
fn chain(fat: &[u32], start: u32, limit: usize) -> Vec<u32> {
    let mut out = Vec::new();
    let mut id = start;
    while id < MAX_REGULAR_SECTOR && out.len() < limit {
        out.push(id);
        id = fat.get(id as usize).copied().unwrap_or(u32::MAX);
    }
    out
}

/// True when following `next` from some entry comes back to it.
fn has_cycle(next: &[u32]) -> bool {
    // 0: not seen, 1: on the path being followed, 2: known to end.
    let mut state = vec![0u8; next.len()];
    for start in 0..next.len() {
        let mut path = Vec::new();
        let mut id = start;
        loop {
            match state.get(id) {
                // Beyond the table, or joining a chain known to end.
                None | Some(2) => break,
                Some(1) => return true,
                _ => {}
            }
            state[id] = 1;
            path.push(id);
            let n = next[id];
            if n >= MAX_REGULAR_SECTOR {
                break;
            }
            id = n as usize;
        }
        for p in path {
            state[p] = 2;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    const END: u32 = 0xFFFF_FFFE;

    #[test]
    fn cycles_in_allocation_tables_are_found() {
        let cases: [(&[u32], bool); 6] = [
            (&[1, 2, END], false),
            (&[1, 2, 0], true),
            (&[0], true),
            (&[END, 0, 1], false),
            (&[2, END, 3, 2], true),
            (&[], false),
        ];
        for (table, want) in cases {
            assert_eq!(has_cycle(table), want, "{table:?}");
        }
    }

    #[test]
    fn cell_records_past_column_iv_are_rejected() {
        let record = |kind: u16, body: &[u8]| {
            let mut r = kind.to_le_bytes().to_vec();
            r.extend_from_slice(&(body.len() as u16).to_le_bytes());
            r.extend_from_slice(body);
            r
        };
        let number_in = |col: u16| {
            let mut body = vec![0, 0];
            body.extend_from_slice(&col.to_le_bytes());
            body.extend_from_slice(&[0; 10]);
            record(0x0203, &body)
        };
        assert!(check_cell_columns(&number_in(255)).is_ok());
        assert!(check_cell_columns(&number_in(0xFFFF)).is_err());
        let mulblank = record(0x00BE, &[0, 0, 1, 0, 0, 0, 0, 0, 0x10, 0x01]);
        assert!(check_cell_columns(&mulblank).is_err());
    }

    #[test]
    fn chains_stop_at_markers_and_limits() {
        assert_eq!(chain(&[1, 2, END], 0, 10), vec![0, 1, 2]);
        assert_eq!(chain(&[1, 0], 0, 5).len(), 5);
    }
}
