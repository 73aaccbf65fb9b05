//! Whether a resident's grant or withdrawal can be recorded: only for a purpose that rests
//! on consent, and only against the notice the resident was shown.

use crate::register::LegalBasis;

/// Why a consent choice is not recorded; nothing is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ChoiceRefused {
    /// The purpose rests on another legal basis: the resident's choice does not decide it.
    #[error("this purpose does not rest on consent")]
    NotConsentBased,
    /// The purpose's notice changed after the resident was shown it.
    #[error("the purpose's notice changed since it was shown")]
    NoticeChanged,
}

/// A choice on a purpose with legal basis `basis`, whose notice in force is version
/// `in_force`, made by a resident who was shown version `shown` (when known).
pub fn may_choose(basis: LegalBasis, shown: Option<i64>, in_force: i64) -> Result<(), ChoiceRefused> {
    if !basis.needs_consent() {
        return Err(ChoiceRefused::NotConsentBased);
    }
    if shown.is_some_and(|v| v != in_force) {
        return Err(ChoiceRefused::NoticeChanged);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_consent_purposes_take_a_choice() {
        assert_eq!(may_choose(LegalBasis::Consent, None, 1), Ok(()));
        assert_eq!(
            may_choose(LegalBasis::PublicTask, None, 1),
            Err(ChoiceRefused::NotConsentBased)
        );
    }

    #[test]
    fn a_choice_on_an_outdated_notice_is_refused() {
        assert_eq!(
            may_choose(LegalBasis::Consent, Some(1), 2),
            Err(ChoiceRefused::NoticeChanged)
        );
        assert_eq!(may_choose(LegalBasis::Consent, Some(2), 2), Ok(()));
    }
}
