//! The resident's profile: what they keep on file beside their sign-up details, and the rules
//! its editable fields follow.

use super::errors::AccountInputError;
use serde::{Deserialize, Serialize};

/// What a resident keeps on file beside their sign-up details. Each field belongs to a data
/// category of the register: agencies receive it only for purposes that declare that category.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub display_name: String,
    pub email: String,
    pub lang: crate::lang::Lang,
    pub resident_number: String,
    pub postal_address: Option<String>,
    pub phone: Option<String>,
    /// ISO 8601 date, `YYYY-MM-DD`.
    pub date_of_birth: Option<String>,
}

/// The editable part of a profile, validated: empty fields become `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileFields {
    pub postal_address: Option<String>,
    pub phone: Option<String>,
    pub date_of_birth: Option<String>,
}

impl Profile {
    /// Longest accepted postal address.
    pub const MAX_ADDRESS_CHARS: usize = 200;
}

impl ProfileFields {
    /// Validates the fields as typed; `today` is `YYYY-MM-DD` (birth dates may not follow it).
    pub fn parse(
        postal_address: &str,
        phone: &str,
        date_of_birth: &str,
        today: &str,
    ) -> Result<ProfileFields, AccountInputError> {
        let blank = |s: &str| {
            let t = s.trim();
            (!t.is_empty()).then(|| t.to_owned())
        };
        let postal_address = blank(postal_address);
        if let Some(a) = &postal_address
            && (a.chars().count() > Profile::MAX_ADDRESS_CHARS
                || a.chars().any(|c| c.is_control() && c != '\n' && c != '\r'))
        {
            return Err(AccountInputError::PostalAddress);
        }
        let phone = blank(phone);
        if let Some(p) = &phone {
            let digits = p.chars().filter(char::is_ascii_digit).count();
            let allowed = p
                .char_indices()
                .all(|(i, c)| c.is_ascii_digit() || " -().".contains(c) || (c == '+' && i == 0));
            if !allowed || !(6..=20).contains(&digits) {
                return Err(AccountInputError::Phone);
            }
        }
        let date_of_birth = blank(date_of_birth);
        if let Some(d) = &date_of_birth
            && (!is_iso_date(d) || d.as_str() > today)
        {
            return Err(AccountInputError::DateOfBirth);
        }
        Ok(ProfileFields {
            postal_address,
            phone,
            date_of_birth,
        })
    }
}

/// Whether `s` is a real calendar date written `YYYY-MM-DD` from year 1900.
fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|p| p.parse::<u32>().ok());
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    y >= 1900 && (1..=days).contains(&d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_fields_are_none_and_good_ones_are_trimmed() {
        let f = ProfileFields::parse(" 1 Main St ", "", " 1990-02-28", "2026-11-23").unwrap();
        assert_eq!(f.postal_address.as_deref(), Some("1 Main St"));
        assert_eq!(f.phone, None);
        assert_eq!(f.date_of_birth.as_deref(), Some("1990-02-28"));
        let f = ProfileFields::parse("", "+34 (91) 555-0100", "", "2026-11-23").unwrap();
        assert_eq!(f.phone.as_deref(), Some("+34 (91) 555-0100"));
    }

    #[test]
    fn bad_fields_say_which() {
        let today = "2026-11-23";
        assert_eq!(
            ProfileFields::parse(&"a".repeat(201), "", "", today),
            Err(AccountInputError::PostalAddress)
        );
        for phone in ["12345", "555-CALL-NOW", "1+2345678", &"1".repeat(21)] {
            assert_eq!(
                ProfileFields::parse("", phone, "", today),
                Err(AccountInputError::Phone),
                "{phone}"
            );
        }
        for date in [
            "1990-02-30",
            "2027-01-01",
            "1990-2-3",
            "yesterday",
            "1800-01-01",
            "2023-02-29",
        ] {
            assert_eq!(
                ProfileFields::parse("", "", date, today),
                Err(AccountInputError::DateOfBirth),
                "{date}"
            );
        }
        assert!(ProfileFields::parse("", "", "2024-02-29", today).is_ok());
    }
}
