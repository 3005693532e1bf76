//! Cell values with their types kept: text stays text, numbers stay numbers,
//! and Excel dates and durations are decoded from their serials.

use std::fmt::Write as _;

use chrono::NaiveDateTime;

/// One owned cell value.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum Cell {
    /// No value (also an Excel error cell).
    #[default]
    Empty,
    /// Text as written, untrimmed.
    Text(String),
    /// A number cell of a workbook. Text files never produce numbers: their
    /// digits stay text so that leading zeros survive.
    Number(f64),
    /// A workbook date or date-time, already decoded from its serial
    /// (both the 1900 and the 1904 date systems).
    DateTime(NaiveDateTime),
    /// A workbook duration (`[hh]:mm:ss` format), in seconds.
    Duration(f64),
    /// A boolean cell.
    Bool(bool),
}

/// A borrowed cell value, handed out while streaming so that no row needs
/// its own strings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CellRef<'a> {
    /// No value.
    Empty,
    /// Text as written, untrimmed.
    Text(&'a str),
    /// A workbook number.
    Number(f64),
    /// A decoded workbook date-time.
    DateTime(NaiveDateTime),
    /// A workbook duration in seconds.
    Duration(f64),
    /// A boolean cell.
    Bool(bool),
}

impl Cell {
    /// The borrowed form of this cell.
    pub fn as_ref(&self) -> CellRef<'_> {
        match self {
            Cell::Empty => CellRef::Empty,
            Cell::Text(s) => CellRef::Text(s),
            Cell::Number(n) => CellRef::Number(*n),
            Cell::DateTime(d) => CellRef::DateTime(*d),
            Cell::Duration(d) => CellRef::Duration(*d),
            Cell::Bool(b) => CellRef::Bool(*b),
        }
    }

    /// The cell as display text (see [`CellRef::write_text`]).
    pub fn text(&self) -> String {
        self.as_ref().to_text()
    }
}

impl CellRef<'_> {
    /// The owned form of this cell.
    pub fn to_owned(self) -> Cell {
        match self {
            CellRef::Empty => Cell::Empty,
            CellRef::Text(s) => Cell::Text(s.to_string()),
            CellRef::Number(n) => Cell::Number(n),
            CellRef::DateTime(d) => Cell::DateTime(d),
            CellRef::Duration(d) => Cell::Duration(d),
            CellRef::Bool(b) => Cell::Bool(b),
        }
    }

    /// True for an empty cell or text made of white space only.
    pub fn is_blank(self) -> bool {
        match self {
            CellRef::Empty => true,
            CellRef::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as text, see [`CellRef::write_text`].
    pub fn to_text(self) -> String {
        let mut out = String::new();
        self.write_text(&mut out);
        out
    }

    /// Appends the cell as text to `out`. A whole number is written with all
    /// its digits and no exponent, so a phone number stored as a number
    /// comes out as `13800138000`, never `1.38E+10`; date-times as
    /// `YYYY-MM-DD HH:MM:SS`; durations as whole seconds.
    pub fn write_text(self, out: &mut String) {
        match self {
            CellRef::Empty => {}
            CellRef::Text(s) => out.push_str(s),
            CellRef::Number(n) => write_number(n, out),
            CellRef::DateTime(d) => {
                let _ = write!(out, "{}", d.format("%Y-%m-%d %H:%M:%S"));
            }
            CellRef::Duration(secs) => write_number(secs.round(), out),
            CellRef::Bool(b) => out.push_str(if b { "TRUE" } else { "FALSE" }),
        }
    }
}

/// Writes a number without exponent; whole numbers without a fraction.
fn write_number(n: f64, out: &mut String) {
    // Integers up to 2^53 are exact in an f64, which covers every phone number.
    if n.fract() == 0.0 && n.abs() < 9.007_199_254_740_992e15 {
        let _ = write!(out, "{}", n as i64);
    } else {
        let _ = write!(out, "{n}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_are_written_with_all_digits() {
        let cases = [
            (13800138000.0, "13800138000"),
            (8595602512225.0, "8595602512225"),
            (0.0, "0"),
            (-5.0, "-5"),
            (1.5, "1.5"),
        ];
        for (n, want) in cases {
            assert_eq!(CellRef::Number(n).to_text(), want, "{n}");
        }
    }

    #[test]
    fn blank_cells_include_white_space_text() {
        assert!(CellRef::Text("  ").is_blank());
        assert!(CellRef::Empty.is_blank());
        assert!(!CellRef::Number(0.0).is_blank());
    }
}
