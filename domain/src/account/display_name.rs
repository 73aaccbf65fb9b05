//! Display names: the name a person wants to be addressed by.

use super::errors::AccountInputError;
use serde::{Deserialize, Serialize};

/// The name a person wants to be addressed by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisplayName(String);

impl DisplayName {
    /// Validates a name: 1 to 80 characters after trimming, no control characters.
    pub fn parse(raw: &str) -> Result<DisplayName, AccountInputError> {
        let name = raw.trim();
        let chars = name.chars().count();
        if (1..=80).contains(&chars) && !name.chars().any(char::is_control) {
            Ok(DisplayName(name.to_owned()))
        } else {
            Err(AccountInputError::DisplayName)
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
