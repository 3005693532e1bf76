//! Digital signatures on the demo's material PDFs: an incremental update
//! adds a signature field whose detached CMS signature covers the whole
//! file except the signature value, as e-seal tools in China write them.
//! The checks look for the signer and whether the signature covers the
//! whole file.

mod der;
mod rsa;

use sha2::{Digest, Sha256};

use crate::pdf::{utf16_hex, xref_table, Written};
pub use der::Signer;

/// Room reserved for the CMS value, bytes (written as twice as many hex digits).
const CONTENTS_BYTES: usize = 4096;
/// Width of each number in the `/ByteRange` placeholder.
const RANGE_WIDTH: usize = 10;

/// Appends a signature by `signer` to `doc`; `pdf_date` is the PDF date
/// string of the signing time.
pub fn sign(doc: &Written, signer: &Signer, pdf_date: &str) -> Result<Vec<u8>, String> {
    let mut out = doc.bytes.clone();
    let sig = doc.size;
    let widget = sig + 1;
    let form = sig + 2;

    let mut offsets: Vec<(usize, usize)> = Vec::new();
    let mut object = |out: &mut Vec<u8>, n: usize, body: String| {
        offsets.push((n, out.len()));
        out.extend_from_slice(format!("{n} 0 obj\n{body}\nendobj\n").as_bytes());
    };
    object(
        &mut out,
        doc.catalog,
        format!(
            "<< /Type /Catalog /Pages {} 0 R /AcroForm {form} 0 R >>",
            doc.pages
        ),
    );
    object(
        &mut out,
        doc.first_page,
        format!("<< {} /Annots [{widget} 0 R] >>", doc.first_page_dict),
    );

    let placeholder = format!("[0 {0} {0} {0}]", "0".repeat(RANGE_WIDTH));
    object(
        &mut out,
        sig,
        signature_dict(signer, pdf_date, &placeholder),
    );
    object(
        &mut out,
        widget,
        format!(
            "<< /Type /Annot /Subtype /Widget /FT /Sig /T (Signature1) /F 132 /Rect [0 0 0 0] /P {} 0 R /V {sig} 0 R >>",
            doc.first_page
        ),
    );
    object(
        &mut out,
        form,
        format!("<< /Fields [{widget} 0 R] /SigFlags 3 >>"),
    );

    let xref_at = out.len();
    out.extend_from_slice(update_xref(&offsets).as_bytes());
    let trailer = format!(
        "trailer\n<< /Size {} /Root {} 0 R /Info {} 0 R /Prev {} /ID [<{id}> <{id}>] >>\nstartxref\n{xref_at}\n%%EOF\n",
        form + 1,
        doc.catalog,
        doc.info,
        doc.xref_offset,
        id = doc.id
    );
    out.extend_from_slice(trailer.as_bytes());
    fill(&mut out, &placeholder, signer)?;
    Ok(out)
}

/// Formats the signature dictionary with placeholders for the byte range and the value.
fn signature_dict(signer: &Signer, pdf_date: &str, placeholder: &str) -> String {
    let contents = "0".repeat(2 * CONTENTS_BYTES);
    format!(
        "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /Name {} /M ({pdf_date}) /Reason {} /ByteRange {placeholder} /Contents <{contents}> >>",
        utf16_hex(signer.common_name),
        utf16_hex("年审材料电子签章")
    )
}

/// Cross-reference subsections for the objects of the update, by number.
fn update_xref(offsets: &[(usize, usize)]) -> String {
    let mut sorted = offsets.to_vec();
    sorted.sort();
    let mut s = String::from("xref\n");
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i;
        while j + 1 < sorted.len() && sorted[j + 1].0 == sorted[j].0 + 1 {
            j += 1;
        }
        let run: Vec<usize> = sorted[i..=j].iter().map(|&(_, off)| off).collect();
        let table = xref_table(sorted[i].0, &run, false);
        s.push_str(table.strip_prefix("xref\n").unwrap_or(&table));
        i = j + 1;
    }
    s
}

/// Writes the byte range and the CMS value into their placeholders.
fn fill(out: &mut [u8], placeholder: &str, signer: &Signer) -> Result<(), String> {
    let find = |needle: &[u8]| out.windows(needle.len()).rposition(|w| w == needle);
    let range_at = find(placeholder.as_bytes()).ok_or("byte range placeholder not found")?;
    let contents_at =
        find(b"/Contents <").ok_or("contents placeholder not found")? + "/Contents ".len();
    let contents_end = contents_at + 2 * CONTENTS_BYTES + 2;
    let ranges = [0, contents_at, contents_end, out.len() - contents_end];
    let text = format!("[{} {} {} {}]", ranges[0], ranges[1], ranges[2], ranges[3]);
    let padded = format!("{text:<width$}", width = placeholder.len());
    out[range_at..range_at + padded.len()].copy_from_slice(padded.as_bytes());

    let mut hasher = Sha256::new();
    hasher.update(&out[..contents_at]);
    hasher.update(&out[contents_end..]);
    let digest: [u8; 32] = hasher.finalize().into();
    let cms = der::signed_data(signer, &digest)?;
    if cms.len() > CONTENTS_BYTES {
        return Err(format!("signature of {} bytes does not fit", cms.len()));
    }
    let hex: String = cms.iter().map(|b| format!("{b:02X}")).collect();
    out[contents_at + 1..contents_at + 1 + hex.len()].copy_from_slice(hex.as_bytes());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::{render, Doc};

    fn signed() -> Vec<u8> {
        let doc = Doc {
            title: "营业执照".into(),
            paragraphs: vec!["统一社会信用代码".into()],
            date: chrono::NaiveDate::from_ymd_opt(2025, 1, 10).unwrap(),
        };
        let org = "深圳市云帆数联科技有限公司";
        let signer = Signer::new(org, org, 7, "250110013000Z").unwrap();
        sign(&render(&doc), &signer, "D:20250110093000+08'00'").unwrap()
    }

    #[test]
    fn byte_range_covers_whole_file() {
        let bytes = signed();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let at = text.rfind("/ByteRange [").unwrap() + "/ByteRange [".len();
        let nums: Vec<usize> = text[at..]
            .split(']')
            .next()
            .unwrap()
            .split_whitespace()
            .map(|n| n.parse().unwrap())
            .collect();
        assert_eq!(nums[0], 0);
        assert_eq!(bytes[nums[1]], b'<');
        assert_eq!(bytes[nums[2] - 1], b'>');
        assert_eq!(nums[2] + nums[3], bytes.len());
        assert!(text.ends_with("%%EOF\n"));
        assert_eq!(text.matches("%%EOF").count(), 2);
    }

    #[test]
    fn update_xref_points_at_its_objects() {
        let bytes = signed();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let start: usize = text
            .rsplit("startxref\n")
            .next()
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let mut lines = text[start..].lines().skip(1);
        while let Some(header) = lines.next() {
            if header.starts_with("trailer") {
                break;
            }
            let mut parts = header.split_whitespace();
            let first: usize = parts.next().unwrap().parse().unwrap();
            let count: usize = parts.next().unwrap().parse().unwrap();
            for k in 0..count {
                let off: usize = lines.next().unwrap()[..10].parse().unwrap();
                assert!(bytes[off..].starts_with(format!("{} 0 obj", first + k).as_bytes()));
            }
        }
    }
}
