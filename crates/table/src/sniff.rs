//! Detection of workbooks, archives, text and other binary files by their
//! first bytes, whatever their file names suggest.

/// The kind of file its first bytes show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// No bytes at all.
    Empty,
    /// An OLE2 compound file: a BIFF8 `.xls` workbook.
    Ole,
    /// A ZIP container: an `.xlsx` workbook or an archive of files.
    Zip,
    /// Something that is neither a table nor text, with what it looks like.
    Binary(&'static str),
    /// Probably text; the text reader decides the encoding.
    Text,
}

/// Magic numbers of common non-table files, to say what a file is instead.
const MAGIC: &[(&[u8], &str)] = &[
    (b"%PDF", "PDF document"),
    (b"\x89PNG", "PNG image"),
    (b"\xFF\xD8\xFF", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"Rar!", "RAR archive"),
    (b"7z\xBC\xAF", "7z archive"),
    (b"\x1F\x8B", "gzip archive"),
    (b"RIFF", "RIFF media (WAV/AVI)"),
    (b"ID3", "MP3 audio"),
    (b"SQLite format 3", "SQLite database"),
];

pub(crate) fn sniff(head: &[u8]) -> Kind {
    if head.is_empty() {
        return Kind::Empty;
    }
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Kind::Ole;
    }
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return Kind::Zip;
    }
    for (magic, what) in MAGIC {
        if head.starts_with(magic) {
            return Kind::Binary(what);
        }
    }
    Kind::Text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containers_and_binaries_are_recognised_by_magic() {
        let cases: [(&[u8], Kind); 6] = [
            (b"", Kind::Empty),
            (&[0xD0, 0xCF, 0x11, 0xE0, 0xA1], Kind::Ole),
            (b"PK\x03\x04rest", Kind::Zip),
            (b"%PDF-1.4", Kind::Binary("PDF document")),
            (b"caller,callee", Kind::Text),
            (b"\xEF\xBB\xBFa", Kind::Text),
        ];
        for (bytes, want) in cases {
            assert_eq!(sniff(bytes), want, "{bytes:?}");
        }
    }
}
