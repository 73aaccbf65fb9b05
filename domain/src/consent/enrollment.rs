//! Enrollment: how a resident comes to be held by one of an agency's systems (a fare card,
//! a permit, a meter). An agency cannot enrol anyone on its own say-so: it issues a one-time
//! enrollment code, prints it on the card or letter it gives the resident, and only the
//! resident entering that code (or an officer entering it for them at a counter) makes the
//! enrollment. Every confirmation and ending is kept in a history the resident reads.

use crate::register::SystemStatus;
use crate::vocabulary;
use sha2::{Digest, Sha256};

/// Crockford's base-32 alphabet: no I, L, O or U, so a code read aloud or typed from a
/// letter is hard to get wrong.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Characters in a code (60 bits), shown in groups of four.
const CODE_CHARS: usize = 12;

/// How long an issued code can be entered, in days.
pub const CODE_VALID_DAYS: i64 = 30;

/// A one-time enrollment code, e.g. `7K3M-Q9TX-2B4D`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrollmentCode(String);

impl EnrollmentCode {
    /// A code from 8 random bytes (the caller draws them: this crate does no I/O).
    pub fn from_random(bytes: [u8; 8]) -> EnrollmentCode {
        let mut bits = u64::from_be_bytes(bytes);
        let mut code = String::with_capacity(CODE_CHARS);
        for _ in 0..CODE_CHARS {
            code.push(char::from(ALPHABET[(bits & 31) as usize]));
            bits >>= 5;
        }
        EnrollmentCode(code)
    }

    /// Reads a code as a person types it: any case, hyphens and spaces anywhere, and the
    /// letters people confuse with digits (O, I, L) taken as the digits.
    pub fn parse(input: &str) -> Option<EnrollmentCode> {
        let mut code = String::with_capacity(CODE_CHARS);
        for c in input.chars().filter(|c| !matches!(c, '-' | ' ')) {
            let c = match c.to_ascii_uppercase() {
                'O' => '0',
                'I' | 'L' => '1',
                c => c,
            };
            if !c.is_ascii() || !ALPHABET.contains(&(c as u8)) || code.len() == CODE_CHARS {
                return None;
            }
            code.push(c);
        }
        (code.len() == CODE_CHARS).then_some(EnrollmentCode(code))
    }

    /// What is stored: the SHA-256 of the code, hex. A code is a bearer secret until it is
    /// used, so the database never holds it in the clear.
    pub fn digest(&self) -> String {
        Sha256::digest(self.0.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The code in groups of four, as printed.
    pub fn display(&self) -> String {
        let (a, rest) = self.0.split_at(4);
        let (b, c) = rest.split_at(4);
        format!("{a}-{b}-{c}")
    }
}

vocabulary! {
    /// What happened to an enrollment.
    EnrollmentAction {
        /// The resident (or an officer for them) entered the agency's code.
        Confirmed => "confirmed",
        /// The agency, the resident or an officer ended it.
        Ended => "ended",
    }
}

vocabulary! {
    /// Through which channel an enrollment event came.
    EnrollmentChannel {
        /// The resident, signed in on the web.
        Web => "web",
        /// An officer on the resident's behalf, at a counter.
        Assisted => "assisted",
        /// The agency's system through the API.
        Api => "api",
        /// Loaded by the city's operator from its own records (the demo, an import).
        Import => "import",
    }
}

vocabulary! {
    /// Where an issued code stands, as its agency sees it.
    CodeState {
        /// Issued, not entered yet, still valid.
        Pending => "pending",
        /// A resident entered it: the enrollment exists (or existed).
        Confirmed => "confirmed",
        /// Not entered in time.
        Expired => "expired",
    }
}

/// What is stored about an issued code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeFacts {
    /// Unix microseconds.
    pub expires_at_us: i64,
    /// Whether a resident already entered it.
    pub used: bool,
    /// The status of the system it enrols with.
    pub system_status: SystemStatus,
}

impl CodeFacts {
    /// Where the code stands at `now_us`.
    pub fn state(&self, now_us: i64) -> CodeState {
        if self.used {
            CodeState::Confirmed
        } else if now_us >= self.expires_at_us {
            CodeState::Expired
        } else {
            CodeState::Pending
        }
    }
}

/// Why an enrollment code was not accepted; nothing was stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, thiserror::Error)]
pub enum EnrollmentRefused {
    /// No code like this was issued (or it was mistyped).
    #[error("no enrollment code like this was issued")]
    UnknownCode,
    /// The code was not entered within its validity.
    #[error("the enrollment code has expired")]
    Expired,
    /// Someone already entered this code.
    #[error("the enrollment code was already used")]
    AlreadyUsed,
    /// The system is planned or retired: nobody can be enrolled with it.
    #[error("the system is not in operation")]
    SystemNotActive,
}

/// Whether a code with `facts` can confirm an enrollment at `now_us`.
pub fn may_confirm(facts: Option<&CodeFacts>, now_us: i64) -> Result<(), EnrollmentRefused> {
    let facts = facts.ok_or(EnrollmentRefused::UnknownCode)?;
    match facts.state(now_us) {
        CodeState::Confirmed => Err(EnrollmentRefused::AlreadyUsed),
        CodeState::Expired => Err(EnrollmentRefused::Expired),
        CodeState::Pending if facts.system_status != SystemStatus::Active => {
            Err(EnrollmentRefused::SystemNotActive)
        }
        CodeState::Pending => Ok(()),
    }
}

/// One event of a resident's enrollment history, in their language.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EnrollmentEventView {
    /// The event's id.
    pub id: String,
    /// RFC 3339, UTC.
    pub at: String,
    pub action: EnrollmentAction,
    pub channel: EnrollmentChannel,
    pub system_slug: String,
    pub system_name: String,
    pub agency_name: String,
    /// For a confirmation: when the agency issued the code (RFC 3339, UTC).
    pub requested_at: Option<String>,
    /// Its entry number in the ledger.
    pub ledger_index: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_reads_back_however_it_is_typed() {
        let code = EnrollmentCode::from_random([0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0]);
        let shown = code.display();
        assert_eq!(shown.len(), 14);
        assert_eq!(EnrollmentCode::parse(&shown), Some(code.clone()));
        assert_eq!(EnrollmentCode::parse(&shown.to_lowercase()), Some(code.clone()));
        assert_eq!(
            EnrollmentCode::parse(&shown.replace('-', " ")),
            Some(code.clone())
        );
        assert_eq!(
            EnrollmentCode::parse("7K3M-Q9TX-2B4O"),
            EnrollmentCode::parse("7K3MQ9TX2B40")
        );
        assert_eq!(EnrollmentCode::parse("7K3M-Q9TX-2B4"), None, "too short");
        assert_eq!(EnrollmentCode::parse("7K3M-Q9TX-2B4DD"), None, "too long");
        assert_eq!(
            EnrollmentCode::parse("7K3M-Q9TX-2B4U"),
            None,
            "U is not in the alphabet"
        );
        assert_eq!(EnrollmentCode::parse("7K3M-Q9TX-2B4é"), None);
    }

    #[test]
    fn different_bytes_give_different_codes_and_digests() {
        let a = EnrollmentCode::from_random([0; 8]);
        let b = EnrollmentCode::from_random([0, 0, 0, 0, 0, 0, 0, 1]);
        assert_ne!(a, b);
        assert_ne!(a.digest(), b.digest());
        assert_eq!(a.digest().len(), 64);
        assert!(!a.digest().contains(&a.display().replace('-', "")));
    }

    fn facts(expires_at_us: i64, used: bool, system_status: SystemStatus) -> CodeFacts {
        CodeFacts {
            expires_at_us,
            used,
            system_status,
        }
    }

    #[test]
    fn only_a_pending_code_of_an_active_system_confirms() {
        let active = SystemStatus::Active;
        assert_eq!(may_confirm(Some(&facts(100, false, active)), 50), Ok(()));
        assert_eq!(may_confirm(None, 50), Err(EnrollmentRefused::UnknownCode));
        assert_eq!(
            may_confirm(Some(&facts(100, false, active)), 100),
            Err(EnrollmentRefused::Expired)
        );
        assert_eq!(
            may_confirm(Some(&facts(100, true, active)), 50),
            Err(EnrollmentRefused::AlreadyUsed)
        );
        for status in [SystemStatus::Planned, SystemStatus::Retired] {
            assert_eq!(
                may_confirm(Some(&facts(100, false, status)), 50),
                Err(EnrollmentRefused::SystemNotActive)
            );
        }
    }
}
