//! When consent must be asked again. A resident agreed to a purpose as its notice stood: the
//! data it uses, who receives it, how long it is kept, on which legal basis. A change to any
//! of those is material and makes earlier grants stale (checks deny `reconsent_required`
//! until the resident chooses again); a change of wording alone is not.

use crate::register::{DataCategory, LegalBasis};
use crate::text::LocalizedText;
use crate::vocabulary;

/// What a resident agrees to about a purpose, beyond its wording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terms {
    pub legal_basis: LegalBasis,
    pub categories: Vec<DataCategory>,
    /// Who the data is shared with (the system's recipients).
    pub recipients: LocalizedText,
    /// How long data is kept, in words, and in days when a fixed period can be given.
    pub retention: LocalizedText,
    pub retention_days: Option<i64>,
}

impl Terms {
    /// The terms of `purpose` of `system` as the register has them.
    pub fn of(system: &crate::register::System, purpose: &crate::register::Purpose) -> Terms {
        Terms {
            legal_basis: purpose.legal_basis,
            categories: purpose.categories.clone(),
            recipients: system.recipients.clone(),
            retention: system.retention.clone(),
            retention_days: system.retention_days,
        }
    }
}

vocabulary! {
    /// A change that makes earlier consent stale.
    MaterialChange {
        /// The purpose now uses data categories it did not.
        NewCategories => "categories",
        /// The data goes to recipients it did not.
        NewRecipients => "recipients",
        /// Data is kept longer (or the period is no longer fixed).
        LongerRetention => "retention",
        /// The purpose rests on another legal basis.
        LegalBasis => "basis",
    }
}

/// The material changes from `old` to `new`; empty when only wording changed (or nothing).
/// Recipients are compared as written: any change to them is material, since a resident
/// cannot be assumed to accept a recipient they were not told of.
pub fn material_changes(old: &Terms, new: &Terms) -> Vec<MaterialChange> {
    let mut changes = Vec::new();
    if new.categories.iter().any(|c| !old.categories.contains(c)) {
        changes.push(MaterialChange::NewCategories);
    }
    if new.recipients != old.recipients && !new.recipients.is_empty() {
        changes.push(MaterialChange::NewRecipients);
    }
    let longer = match (old.retention_days, new.retention_days) {
        (Some(old_days), Some(new_days)) => new_days > old_days,
        (Some(_), None) => true,
        (None, Some(_)) => false,
        (None, None) => new.retention != old.retention,
    };
    if longer {
        changes.push(MaterialChange::LongerRetention);
    }
    if new.legal_basis != old.legal_basis {
        changes.push(MaterialChange::LegalBasis);
    }
    changes
}

/// Whether a grant made on notice version `agreed` still stands, when the purpose's terms
/// last changed materially at version `material`.
pub fn grant_stands(agreed: i64, material: i64) -> bool {
    agreed >= material
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(en: &str) -> LocalizedText {
        LocalizedText::new([(crate::lang::Lang::En, en.to_owned())])
    }

    fn terms() -> Terms {
        Terms {
            legal_basis: LegalBasis::Consent,
            categories: vec![DataCategory::Contact],
            recipients: text("Nobody outside the city"),
            retention: text("30 days"),
            retention_days: Some(30),
        }
    }

    #[test]
    fn wording_and_less_data_are_not_material() {
        let old = terms();
        assert!(material_changes(&old, &old).is_empty());
        let shorter = Terms {
            retention: text("14 days"),
            retention_days: Some(14),
            categories: vec![],
            ..old.clone()
        };
        assert!(material_changes(&old, &shorter).is_empty());
    }

    #[test]
    fn more_data_new_recipients_longer_keeping_and_another_basis_are() {
        let old = terms();
        let more = Terms {
            categories: vec![DataCategory::Contact, DataCategory::Location],
            ..old.clone()
        };
        assert_eq!(material_changes(&old, &more), [MaterialChange::NewCategories]);
        let shared = Terms {
            recipients: text("The regional transport authority"),
            ..old.clone()
        };
        assert_eq!(material_changes(&old, &shared), [MaterialChange::NewRecipients]);
        let longer = Terms {
            retention: text("1 year"),
            retention_days: Some(365),
            ..old.clone()
        };
        assert_eq!(material_changes(&old, &longer), [MaterialChange::LongerRetention]);
        let open_ended = Terms {
            retention: text("As long as needed"),
            retention_days: None,
            ..old.clone()
        };
        assert_eq!(
            material_changes(&old, &open_ended),
            [MaterialChange::LongerRetention]
        );
        let basis = Terms {
            legal_basis: LegalBasis::PublicTask,
            ..old.clone()
        };
        assert_eq!(material_changes(&old, &basis), [MaterialChange::LegalBasis]);
    }

    #[test]
    fn a_grant_stands_until_a_material_change_after_it() {
        assert!(grant_stands(3, 3));
        assert!(
            grant_stands(4, 3),
            "a wording-only version after the material one"
        );
        assert!(!grant_stands(2, 3));
    }
}
