//! Names of ZIP members as Chinese Windows archivers write them: GBK bytes
//! without the UTF-8 flag.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use nianshen_table::read_table;

/// CRC-32 (IEEE), bit by bit: a few bytes of test data need no table.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for byte in data {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

/// Builds a ZIP archive of stored (uncompressed) members whose names are
/// written as the raw bytes given, with no general-purpose flag set.
fn stored_zip(members: &[(&[u8], &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in members {
        let offset = out.len() as u32;
        let (crc, size, name_len) = (crc32(data), data.len() as u32, name.len() as u16);
        out.extend(0x0403_4b50u32.to_le_bytes());
        out.extend(20u16.to_le_bytes()); // version needed
        out.extend(0u16.to_le_bytes()); // flags: no UTF-8 bit
        out.extend(0u16.to_le_bytes()); // stored
        out.extend([0u8; 4]); // time and date
        out.extend(crc.to_le_bytes());
        out.extend(size.to_le_bytes());
        out.extend(size.to_le_bytes());
        out.extend(name_len.to_le_bytes());
        out.extend(0u16.to_le_bytes());
        out.extend(*name);
        out.extend(*data);

        central.extend(0x0201_4b50u32.to_le_bytes());
        central.extend(20u16.to_le_bytes()); // made by: MS-DOS
        central.extend(20u16.to_le_bytes());
        central.extend(0u16.to_le_bytes());
        central.extend(0u16.to_le_bytes());
        central.extend([0u8; 4]);
        central.extend(crc.to_le_bytes());
        central.extend(size.to_le_bytes());
        central.extend(size.to_le_bytes());
        central.extend(name_len.to_le_bytes());
        central.extend([0u8; 12]); // extra, comment, disk, attributes
        central.extend(offset.to_le_bytes());
        central.extend(*name);
    }
    let (cd_offset, cd_len) = (out.len() as u32, central.len() as u32);
    out.extend(central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0u8; 4]);
    out.extend((members.len() as u16).to_le_bytes());
    out.extend((members.len() as u16).to_le_bytes());
    out.extend(cd_len.to_le_bytes());
    out.extend(cd_offset.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

#[test]
fn unflagged_gbk_names_decoded() {
    let (name, _, _) = encoding_rs::GBK.encode("外呼话单.csv");
    let zip = stored_zip(&[(&name, b"a,b\n1,2\n")]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bills.zip");
    std::fs::write(&path, zip).unwrap();

    let table = read_table(&path).unwrap();

    let member = table.sources[0].file.to_string_lossy().into_owned();
    assert!(member.ends_with("外呼话单.csv"), "{member}");
    assert_eq!(table.rows.len(), 2);
}

#[test]
fn ascii_member_names_stay_as_written() {
    let zip = stored_zip(&[(b"calls-2024.csv", b"a,b\n1,2\n")]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bills.zip");
    std::fs::write(&path, zip).unwrap();

    let table = read_table(&path).unwrap();

    assert!(table.sources[0].file.ends_with("bills.zip/calls-2024.csv"));
}
