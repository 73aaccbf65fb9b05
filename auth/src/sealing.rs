//! What the database keeps but must not be able to read or check by itself: staff
//! authenticators' secrets (and the recovery codes shown while enrolling), sealed with
//! XChaCha20-Poly1305, and operators' enrolment codes, kept as HMAC-SHA-256 digests. Both
//! keys are derived from the server's secret like the token keys, each under its own label,
//! so a database administrator who reads the tables can neither compute an authenticator's
//! codes nor test guesses of an enrolment code.
//!
//! A sealed value names its key (`totp-1:`), then the base64 of a random 24-byte nonce and
//! the ciphertext. The account's id (and what the value is) is the associated data: a sealed
//! secret copied into another account's row does not open.

use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use domain::account::EnrolmentCode;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// How every sealed value starts: the key it is sealed under (a new key would get `totp-2:`).
pub const SEALED_PREFIX: &str = "totp-1:";
const SEALING_LABEL: &[u8] = b"glasshouse sealing key: second-factor secrets, v1\0";
const CODE_DIGEST_LABEL: &[u8] = b"glasshouse digest key: enrolment codes, v1\0";
const NONCE_BYTES: usize = 24;

/// What a sealed value holds: part of the associated data, so one cannot stand for the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sealed {
    /// An authenticator's secret (base32).
    Secret,
    /// The recovery codes shown while an enrolment is unconfirmed.
    RecoveryCodes,
}

impl Sealed {
    fn label(self) -> &'static str {
        match self {
            Sealed::Secret => "second-factor secret",
            Sealed::RecoveryCodes => "recovery codes",
        }
    }
}

/// Why a stored value did not open.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("the value is not sealed (or sealed under a key this server does not have)")]
    NotSealed,
    #[error("the value does not open: another key, another account's row, or altered")]
    DoesNotOpen,
}

/// The sealing key and the enrolment codes' digest key; cheap to clone.
#[derive(Clone)]
pub struct SealingKeys {
    aead: XChaCha20Poly1305,
    code_key: [u8; 32],
}

impl SealingKeys {
    /// Keys from the server's secret (at least [`crate::tokens::MIN_SECRET_BYTES`] bytes).
    pub fn from_secret(secret: &[u8]) -> Option<SealingKeys> {
        if secret.len() < crate::tokens::MIN_SECRET_BYTES {
            return None;
        }
        let key = derive_key(secret, SEALING_LABEL);
        Some(SealingKeys {
            aead: XChaCha20Poly1305::new_from_slice(&key).ok()?,
            code_key: derive_key(secret, CODE_DIGEST_LABEL),
        })
    }

    /// `plain`, sealed for `user_id`'s row.
    pub fn seal(&self, what: Sealed, user_id: &str, plain: &str) -> String {
        let nonce: [u8; NONCE_BYTES] = rand::random();
        let aad = associated_data(what, user_id);
        let payload = Payload {
            msg: plain.as_bytes(),
            aad: aad.as_bytes(),
        };
        // Encryption fails only for messages and associated data of gigabytes.
        let sealed = self
            .aead
            .encrypt(&XNonce::from(nonce), payload)
            .unwrap_or_default();
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        format!(
            "{SEALED_PREFIX}{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
        )
    }

    /// The plain text of a value sealed for `user_id`'s row.
    pub fn open(&self, what: Sealed, user_id: &str, sealed: &str) -> Result<String, SealError> {
        let encoded = sealed.strip_prefix(SEALED_PREFIX).ok_or(SealError::NotSealed)?;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(encoded)
            .map_err(|_| SealError::DoesNotOpen)?;
        if bytes.len() < NONCE_BYTES {
            return Err(SealError::DoesNotOpen);
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_BYTES);
        let nonce: [u8; NONCE_BYTES] = nonce.try_into().map_err(|_| SealError::DoesNotOpen)?;
        let aad = associated_data(what, user_id);
        let payload = Payload {
            msg: ciphertext,
            aad: aad.as_bytes(),
        };
        let plain = self
            .aead
            .decrypt(&XNonce::from(nonce), payload)
            .map_err(|_| SealError::DoesNotOpen)?;
        String::from_utf8(plain).map_err(|_| SealError::DoesNotOpen)
    }

    /// The keyed digest (hex) an enrolment code is stored as. The code is random (about 98
    /// bits), so a fast digest is enough: nobody can try enough guesses, and argon2 would only
    /// cost every redemption a hashing slot. The key means the table alone cannot check one.
    pub fn code_digest(&self, code: &EnrolmentCode) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.code_key)
            .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
        mac.update(code.as_str().as_bytes());
        mac.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// A key derived from the server's `secret` under `label`, the way the token keys are
/// (`crate::tokens`): SHA-256 of the label and the secret. Each use has its own label.
fn derive_key(secret: &[u8], label: &[u8]) -> [u8; 32] {
    Sha256::new()
        .chain_update(label)
        .chain_update(secret)
        .finalize()
        .into()
}

fn associated_data(what: Sealed, user_id: &str) -> String {
    format!("glasshouse {}\0{user_id}", what.label())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(byte: u8) -> SealingKeys {
        SealingKeys::from_secret(&[byte; 32]).unwrap()
    }

    #[test]
    fn a_sealed_secret_opens_for_its_own_row_only() {
        let keys = keys(7);
        let sealed = keys.seal(Sealed::Secret, "user-a", "JBSWY3DPEHPK3PXP");
        assert!(sealed.starts_with(SEALED_PREFIX));
        assert!(!sealed.contains("JBSWY3DPEHPK3PXP"));
        assert_eq!(
            keys.open(Sealed::Secret, "user-a", &sealed).unwrap(),
            "JBSWY3DPEHPK3PXP"
        );
        assert!(matches!(
            keys.open(Sealed::Secret, "user-b", &sealed),
            Err(SealError::DoesNotOpen)
        ));
        assert!(matches!(
            keys.open(Sealed::RecoveryCodes, "user-a", &sealed),
            Err(SealError::DoesNotOpen)
        ));
    }

    #[test]
    fn each_seal_is_different_and_another_key_cannot_open_it() {
        let sealed = keys(7).seal(Sealed::Secret, "u", "JBSWY3DPEHPK3PXP");
        assert_ne!(sealed, keys(7).seal(Sealed::Secret, "u", "JBSWY3DPEHPK3PXP"));
        assert!(keys(8).open(Sealed::Secret, "u", &sealed).is_err());
    }

    #[test]
    fn plain_altered_and_truncated_values_do_not_open() {
        let keys = keys(7);
        assert!(matches!(
            keys.open(Sealed::Secret, "u", "JBSWY3DPEHPK3PXP"),
            Err(SealError::NotSealed)
        ));
        let sealed = keys.seal(Sealed::Secret, "u", "JBSWY3DPEHPK3PXP");
        let mut altered = sealed.clone().into_bytes();
        let last = altered.len() - 1;
        altered[last] = if altered[last] == b'A' { b'B' } else { b'A' };
        let altered = String::from_utf8(altered).unwrap();
        assert!(keys.open(Sealed::Secret, "u", &altered).is_err());
        assert!(keys.open(Sealed::Secret, "u", "totp-1:AAAA").is_err());
        assert!(keys.open(Sealed::Secret, "u", "totp-1:!!").is_err());
    }

    #[test]
    fn a_code_digest_depends_on_the_key_and_the_code() {
        let code = EnrolmentCode::parse("ABCDE-FGHJK-MNPQR-STVWX").unwrap();
        let other = EnrolmentCode::parse("ABCDE-FGHJK-MNPQR-STVWY").unwrap();
        let digest = keys(7).code_digest(&code);
        assert_eq!(digest.len(), 64);
        assert_eq!(digest, keys(7).code_digest(&code));
        assert_ne!(digest, keys(8).code_digest(&code));
        assert_ne!(digest, keys(7).code_digest(&other));
    }

    #[test]
    fn a_short_secret_is_refused() {
        assert!(SealingKeys::from_secret(&[1u8; 31]).is_none());
    }
}
