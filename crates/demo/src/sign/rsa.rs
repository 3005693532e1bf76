//! RSA signing with the demo's fixed 2048-bit key (PKCS #1 v1.5, SHA-256),
//! done by the RustCrypto `rsa` crate.
//!
//! The key exists only to seal the invented documents of the demo. It is
//! public in this source, so a signature made with it proves nothing about
//! who signed. PKCS #1 v1.5 signatures are deterministic, so the same input
//! always gives the same bytes and the committed examples stay stable.

use std::sync::LazyLock;

use ::rsa::pkcs1::DecodeRsaPrivateKey;
use ::rsa::pkcs1v15::SigningKey;
use ::rsa::pkcs8::EncodePublicKey;
use ::rsa::signature::{Keypair, SignatureEncoding, Signer};
use ::rsa::RsaPrivateKey;
use sha2::Sha256;

/// The demo key as PKCS #1 PEM (RSAPrivateKey with its primes and CRT values).
const KEY_PEM: &str = "\
-----BEGIN RSA PRIVATE KEY-----\n\
MIIEogIBAAKCAQEAqnUOqBw/4i68WfyhLIwSWPSEmNf3HOXEHUGj1ovXSPXgxMkx\n\
BOSF3yXIW8BySDZKYUe4DzGqAmojD3DCfOLIr9+YboW6VXHRMiygyw8oHq9UX7Uh\n\
oOy2MTqNIK97gVBqnGafTnZwqyzv+eIM+45Hl6e5phHTMvGSVR54aYUGNUSPbKyV\n\
RtjUFi9Q/t/GDu5qGF0/KYJWXZMfyzsReNAg6CaHCuefC9LKvatoMQcUcXD5fgrN\n\
m6W6usZtEiJ4k0w350WrGWM9DAvuXPY4txc/ypaorppzc/b9CvW3jjGk/Atp8YlL\n\
ZL7y3TcYdzUKJZs4F5AFGK6GSdN/9NVmTwBFDwIDAQABAoIBAATfyAWCmUkMcRJZ\n\
qPovHy8v/sKoGkbXQx5bDCZMZWGOtliqMB6lsjZJTEtjW2E5PDM/68FzeBsNkecV\n\
IFqV2Ys954vxgvyCfqrin85upoUKGm2KLmX9ntAVjoeKvQtbk1DZlmCV/m7GoC4T\n\
Cq/+x4lMoIBhLhrc0YRhlKvfw+et/D/mO80XEqGE6MiOnhZGkG8LPw9rRa2+xwYU\n\
g2vLzMCQxUcvzVG5C2z5eR9kFA/LDxtgGmhW7cWEYCnEGqE7dHXp3xutyp43koaH\n\
N5ejzYHz1jV4uEk09sLwgENNt1ghhseM80/TrbXcF7nfgcakjQrXsda5BP+4E38S\n\
1risCmECgYEA1+1D0XEn+UkBH/1dC6OnWh9tzavTieKjrtdli1Bz6UwNBL/b2QWM\n\
M2UKJkIxjZlZ3wDVutm6qqjJD4Yg1AFdI6A1Um/ZDJxhcglk/3O9/Xy0RL+UVbi9\n\
jIm4Btgb75hpHZioLMXt6YVNDKMdXjFmd96CtIVjKTIaSSIDtae7NIkCgYEAyheF\n\
xDNIhpI6t8XCTHc1wMtaQVCOrtWUW0BlkzrFmjCE5x1FoBznFUtkl1SUB9FhS1Wz\n\
Dcd5HjdmUplbecQxgwPO6LTkTwjpfwt5cA/LThX3Ieko2ORPBw7doORCszlwuPBG\n\
owWurMmY9W4EDGCgcIcXDqyV/RgfgLT+QG4QdtcCgYASUm6zwe9LZtdymHQhvbRA\n\
oHQXxKHBjHqpJlvWc3AydqKQKZuFEcRww/0Ve/5qbn3Cv3ZjUYBWZNYSvCXi926o\n\
zDpaEWWQfWCDZaqtRmvzq3Y8cykqEO/8kd8MrZ/JN9yLh12V1wG2E/qSvPCMApMY\n\
Tsg2ey8L2tWCKSG5c08eSQKBgHVOti0vf5ft5fuq5aAxSpiA8gEb29cMzzMw7EVM\n\
Rku8gkkNqs7IODMaMmfNhqgLGCj8tBT5hwrNKa4kqv7BrePZIA/ggO6Hw9IlPPaZ\n\
lG/dPDkI+Nb9oAn+zROJrFYQr6gKgVY8BCr0Ur+UfvEYXck0AWRZNi9WA2NYrIWF\n\
3jS9AoGAU17XqDI4cWat6Kh+FEqLYl2oft0E/E6wP7eVrDuDrcnqe8Ac6JGvpqa0\n\
xy48e5xM+j9nOYLr8EA2Lbtiyktub6MsusQyNN7J4VvnPI85/2/XJ/gws1Kh9AFa\n\
utror4aH9FIBf4ApTBnEqGTNGART5nrX8M/urebbmH/ioLrz7Cs=\n\
-----END RSA PRIVATE KEY-----\n\
";

/// The key, parsed once: parsing checks the key and precomputes its CRT values.
static KEY: LazyLock<Result<SigningKey<Sha256>, String>> = LazyLock::new(|| {
    RsaPrivateKey::from_pkcs1_pem(KEY_PEM)
        .map(SigningKey::new)
        .map_err(|e| format!("invalid demo signing key: {e}"))
});

fn key() -> Result<&'static SigningKey<Sha256>, String> {
    KEY.as_ref().map_err(Clone::clone)
}

/// Returns the public key as a DER SubjectPublicKeyInfo (for the certificate).
pub fn public_key_info() -> Result<Vec<u8>, String> {
    let info = key()?
        .verifying_key()
        .to_public_key_der()
        .map_err(|e| format!("failed to encode the demo public key: {e}"))?;
    Ok(info.into_vec())
}

/// Signs `data`: hashes it with SHA-256 and signs the digest (PKCS #1 v1.5).
pub fn sign(data: &[u8]) -> Result<Vec<u8>, String> {
    let signature = key()?
        .try_sign(data)
        .map_err(|e| format!("failed to sign with the demo key: {e}"))?;
    Ok(signature.to_vec())
}

#[cfg(test)]
mod tests {
    use ::rsa::pkcs1v15::Signature;
    use ::rsa::signature::Verifier;
    use sha2::Digest;

    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn sign_verifies_with_public_key() {
        let sig = sign(b"nianshen demo").unwrap();
        assert_eq!(sig.len(), 256);
        let sig = Signature::try_from(sig.as_slice()).unwrap();
        let verifying = key().unwrap().verifying_key();
        verifying.verify(b"nianshen demo", &sig).unwrap();
        assert!(verifying.verify(b"nianshen demO", &sig).is_err());
    }

    /// The expected values were computed from the same key with another
    /// implementation, the `cryptography` package for Python.
    #[test]
    fn sign_matches_independent_implementation() {
        let sig = sign(b"nianshen demo").unwrap();
        assert_eq!(hex(&sig[..16]), "98b9ea09785c3a37e98a5b23b2cb91a0");
        assert_eq!(hex(&sig[252..]), "dde162c7");
        let info = public_key_info().unwrap();
        assert_eq!(
            hex(&sha2::Sha256::digest(&info)),
            "21b74911fc75463729aba61f0fd5620c19bf27dd110b0ced7f2a982b5e3faee4"
        );
    }
}
