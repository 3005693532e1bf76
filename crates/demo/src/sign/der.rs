//! Just enough DER to build a self-signed certificate and a detached CMS
//! SignedData (RFC 5652) around it, as PDF signatures of the
//! `adbe.pkcs7.detached` kind carry them.

use super::rsa;

const OID_SHA256: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
const OID_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const OID_SHA256_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b];
const OID_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01];
const OID_SIGNED_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];
const OID_CONTENT_TYPE: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x03];
const OID_MESSAGE_DIGEST: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x04];
const OID_SIGNING_TIME: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x05];
const OID_CN: &[u8] = &[0x55, 0x04, 0x03];
const OID_O: &[u8] = &[0x55, 0x04, 0x0a];
const OID_C: &[u8] = &[0x55, 0x04, 0x06];

/// Encodes a TLV with a definite length.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|&b| b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend_from_slice(&bytes);
    }
    out.extend_from_slice(content);
    out
}

fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

fn set(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x31, &parts.concat())
}

fn oid(body: &[u8]) -> Vec<u8> {
    tlv(0x06, body)
}

/// Encodes a non-negative INTEGER from big-endian bytes.
fn uint(bytes: &[u8]) -> Vec<u8> {
    let trimmed: Vec<u8> = bytes.iter().copied().skip_while(|&b| b == 0).collect();
    let mut content = Vec::new();
    if trimmed.first().is_none_or(|&b| b & 0x80 != 0) {
        content.push(0);
    }
    content.extend_from_slice(&trimmed);
    tlv(0x02, &content)
}

fn algorithm(id: &[u8]) -> Vec<u8> {
    seq(&[oid(id), vec![0x05, 0x00]])
}

fn utc_time(stamp: &str) -> Vec<u8> {
    tlv(0x17, stamp.as_bytes())
}

/// Distinguished name C=CN, O=`org`, CN=`cn`.
fn name(org: &str, cn: &str) -> Vec<u8> {
    let rdn = |id: &[u8], value: Vec<u8>| set(&[seq(&[oid(id), value])]);
    seq(&[
        rdn(OID_C, tlv(0x13, b"CN")),
        rdn(OID_O, tlv(0x0c, org.as_bytes())),
        rdn(OID_CN, tlv(0x0c, cn.as_bytes())),
    ])
}

/// The signer and the signing time: `signed_at` as UTCTime text `YYMMDDHHMMSSZ`. The
/// certificate is made once per signer: each RSA operation is costly in
/// unoptimised test builds.
#[derive(Clone, Debug)]
pub struct Signer<'a> {
    pub org: &'a str,
    pub common_name: &'a str,
    pub serial: u64,
    pub signed_at: &'a str,
    certificate: Vec<u8>,
}

impl<'a> Signer<'a> {
    /// Makes the signer and its certificate. Fails only if the built-in demo key is invalid.
    pub fn new(
        org: &'a str,
        common_name: &'a str,
        serial: u64,
        signed_at: &'a str,
    ) -> Result<Signer<'a>, String> {
        let mut s = Signer {
            org,
            common_name,
            serial,
            signed_at,
            certificate: Vec::new(),
        };
        s.certificate = certificate(&s)?;
        Ok(s)
    }
}

/// Builds a self-signed certificate for the signer, valid 2024–2027.
fn certificate(s: &Signer) -> Result<Vec<u8>, String> {
    let subject = name(s.org, s.common_name);
    let tbs = seq(&[
        tlv(0xa0, &uint(&[2])),
        uint(&s.serial.to_be_bytes()),
        algorithm(OID_SHA256_RSA),
        subject.clone(),
        seq(&[utc_time("240101000000Z"), utc_time("271231235959Z")]),
        subject,
        rsa::public_key_info()?,
    ]);
    let mut sig_bits = vec![0u8];
    sig_bits.extend_from_slice(&rsa::sign(&tbs)?);
    Ok(seq(&[tbs, algorithm(OID_SHA256_RSA), tlv(0x03, &sig_bits)]))
}

/// Builds a detached CMS SignedData over content whose SHA-256 is `digest`.
pub fn signed_data(s: &Signer, digest: &[u8; 32]) -> Result<Vec<u8>, String> {
    let attrs = [
        seq(&[oid(OID_CONTENT_TYPE), set(&[oid(OID_DATA)])]),
        seq(&[oid(OID_SIGNING_TIME), set(&[utc_time(s.signed_at)])]),
        seq(&[oid(OID_MESSAGE_DIGEST), set(&[tlv(0x04, digest)])]),
    ]
    .concat();
    // The signature covers the attributes encoded as a SET (RFC 5652, 5.4).
    let signature = rsa::sign(&tlv(0x31, &attrs))?;
    let signer_info = seq(&[
        uint(&[1]),
        seq(&[name(s.org, s.common_name), uint(&s.serial.to_be_bytes())]),
        algorithm(OID_SHA256),
        tlv(0xa0, &attrs),
        algorithm(OID_RSA),
        tlv(0x04, &signature),
    ]);
    let signed = seq(&[
        uint(&[1]),
        set(&[algorithm(OID_SHA256)]),
        seq(&[oid(OID_DATA)]),
        tlv(0xa0, &s.certificate),
        set(&[signer_info]),
    ]);
    Ok(seq(&[oid(OID_SIGNED_DATA), tlv(0xa0, &signed)]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_use_the_short_and_long_forms() {
        assert_eq!(tlv(0x04, &[1, 2]), vec![0x04, 2, 1, 2]);
        let long = tlv(0x04, &[0u8; 300]);
        assert_eq!(&long[..4], &[0x04, 0x82, 0x01, 0x2c]);
        assert_eq!(uint(&[0x80]), vec![0x02, 2, 0, 0x80]);
        assert_eq!(uint(&[0, 0, 5]), vec![0x02, 1, 5]);
    }

    #[test]
    fn signed_data_names_the_signer() {
        let s = Signer::new(
            "深圳市云帆数联科技有限公司",
            "云帆数联 电子印章",
            42,
            "250110013000Z",
        )
        .unwrap();
        let der = signed_data(&s, &[0u8; 32]).unwrap();
        assert_eq!(der[0], 0x30);
        let cn = "云帆数联 电子印章".as_bytes();
        assert!(der.windows(cn.len()).any(|w| w == cn));
        assert!(der.len() < 2000, "{}", der.len());
    }
}
