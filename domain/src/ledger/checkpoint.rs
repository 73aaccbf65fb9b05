//! Checkpoints: a signed statement of the ledger's size and root at a time, in the C2SP
//! `tlog-checkpoint` format inside a C2SP `signed-note` (what Go's sumdb and Sigstore's
//! logs publish), so existing tools can read and check them:
//!
//! ```text
//! glasshouse.example.org/ledger
//! 42
//! qBJ1Cw7+OTqZ5T2jM0e8vX3Zq0B5iQ3C8u6Ui1Cw6pE=
//! time 1764115200
//!
//! — glasshouse.example.org/ledger Az3grlgt…
//! ```
//!
//! The signature (Ed25519) is made by the server; this module only builds and reads text.

use super::Hash;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

/// What a checkpoint states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's name: the server's host and `/ledger`.
    pub origin: String,
    /// How many entries the ledger held.
    pub size: u64,
    pub root: Hash,
    /// Unix seconds.
    pub time: i64,
}

impl Checkpoint {
    /// The text that is signed: origin, size, root (base64) and the time, one per line.
    pub fn body(&self) -> String {
        format!(
            "{}\n{}\n{}\ntime {}\n",
            self.origin,
            self.size,
            STANDARD.encode(self.root),
            self.time
        )
    }

    /// Reads a body back.
    pub fn parse_body(body: &str) -> Option<Checkpoint> {
        let mut lines = body.strip_suffix('\n')?.split('\n');
        let origin = lines.next().filter(|o| !o.is_empty())?.to_owned();
        let size = lines.next()?.parse().ok()?;
        let root = STANDARD.decode(lines.next()?).ok()?.try_into().ok()?;
        let time = lines.next()?.strip_prefix("time ")?.parse().ok()?;
        lines.next().is_none().then_some(Checkpoint {
            origin,
            size,
            root,
            time,
        })
    }
}

/// The 4-byte key id of a signed note's Ed25519 key: SHA-256(name ‖ "\n" ‖ 0x01 ‖ key)[..4].
pub fn key_id(name: &str, public_key: &[u8; 32]) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n\x01");
    h.update(public_key);
    let digest = h.finalize();
    [digest[0], digest[1], digest[2], digest[3]]
}

/// The signed note: the body, a blank line, and the signature line.
pub fn signed_note(body: &str, name: &str, public_key: &[u8; 32], signature: &[u8; 64]) -> String {
    let mut signed = Vec::with_capacity(68);
    signed.extend_from_slice(&key_id(name, public_key));
    signed.extend_from_slice(signature);
    format!("{body}\n\u{2014} {name} {}\n", STANDARD.encode(signed))
}

/// A signed note taken apart: the body, and the signature made by the key `name` with
/// `public_key` (`None` when the note carries no signature by that key).
pub fn note_signature(note: &str, name: &str, public_key: &[u8; 32]) -> Option<(String, [u8; 64])> {
    let (body, signatures) = note.split_once("\n\n")?;
    let body = format!("{body}\n");
    let wanted = key_id(name, public_key);
    signatures.lines().find_map(|line| {
        let rest = line.strip_prefix("\u{2014} ")?;
        let (signer, encoded) = rest.split_once(' ')?;
        let bytes = STANDARD.decode(encoded).ok()?;
        if signer != name || bytes.len() != 68 || bytes[..4] != wanted {
            return None;
        }
        let signature: [u8; 64] = bytes[4..].try_into().ok()?;
        Some((body.clone(), signature))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_reads_back() {
        let c = Checkpoint {
            origin: "city.example/ledger".into(),
            size: 42,
            root: [7; 32],
            time: 1_764_115_200,
        };
        assert_eq!(Checkpoint::parse_body(&c.body()), Some(c.clone()));
        assert_eq!(Checkpoint::parse_body("x\n1\n"), None);
        assert_eq!(Checkpoint::parse_body(&c.body().replace("42", "4x")), None);
    }

    #[test]
    fn a_note_carries_the_signature_of_its_key_only() {
        let body = "city.example/ledger\n1\nAAAA\ntime 0\n";
        let key = [3u8; 32];
        let note = signed_note(body, "city.example/ledger", &key, &[9; 64]);
        assert!(note.starts_with(body));
        assert_eq!(
            note_signature(&note, "city.example/ledger", &key),
            Some((body.to_owned(), [9; 64]))
        );
        assert_eq!(note_signature(&note, "city.example/ledger", &[4; 32]), None);
        assert_eq!(note_signature(&note, "other/ledger", &key), None);
    }
}
