//! What an agency's data query may receive: only the profile fields whose data category the
//! purpose declares in the register (GDPR Art. 5(1)(b) and (c): purpose limitation, data
//! minimisation).

use super::account::Profile;
use super::register::DataCategory;
use std::collections::BTreeMap;

/// The data category each profile field belongs to.
pub const FIELD_CATEGORIES: &[(&str, DataCategory)] = &[
    ("name", DataCategory::Identity),
    ("date_of_birth", DataCategory::Identity),
    ("email", DataCategory::Contact),
    ("phone", DataCategory::Contact),
    ("preferred_language", DataCategory::Contact),
    ("postal_address", DataCategory::Location),
];

/// The fields of `profile` a purpose declaring `categories` may receive. Empty fields are left out.
pub fn disclose(profile: &Profile, categories: &[DataCategory]) -> BTreeMap<&'static str, String> {
    let value = |field: &str| -> Option<String> {
        match field {
            "name" => Some(profile.display_name.clone()),
            "date_of_birth" => profile.date_of_birth.clone(),
            "email" => Some(profile.email.clone()),
            "phone" => profile.phone.clone(),
            "preferred_language" => Some(profile.lang.code().to_owned()),
            "postal_address" => profile.postal_address.clone(),
            _ => None,
        }
    };
    FIELD_CATEGORIES
        .iter()
        .filter(|(_, category)| categories.contains(category))
        .filter_map(|(field, _)| value(field).map(|v| (*field, v)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile() -> Profile {
        Profile {
            display_name: "Ana García".into(),
            email: "ana@example.org".into(),
            lang: crate::lang::Lang::Es,
            resident_number: "GH-AAAA-BBBB".into(),
            postal_address: Some("1 Main St".into()),
            phone: Some("+1 555 0100".into()),
            date_of_birth: None,
        }
    }

    #[test]
    fn a_contact_purpose_never_receives_the_address() {
        let data = disclose(&profile(), &[DataCategory::Contact]);
        assert_eq!(
            data.keys().copied().collect::<Vec<_>>(),
            ["email", "phone", "preferred_language"]
        );
        assert!(!data.contains_key("postal_address"));
    }

    #[test]
    fn no_declared_profile_category_means_no_data_and_empty_fields_stay_out() {
        assert!(disclose(&profile(), &[DataCategory::Vehicle, DataCategory::Health]).is_empty());
        let data = disclose(&profile(), &[DataCategory::Identity, DataCategory::Location]);
        assert_eq!(data.get("name").map(String::as_str), Some("Ana García"));
        assert_eq!(data.get("postal_address").map(String::as_str), Some("1 Main St"));
        assert!(!data.contains_key("date_of_birth"));
    }
}
