//! Account notices: what happened to the account itself that its owner should know, shown
//! beside the request and register notifications.

use serde::{Deserialize, Serialize};

/// What an account notice is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccountNoticeKind {
    /// A streak of wrong passwords reached the sign-in waits.
    SignInFailures,
    /// Someone tried to sign up with the account's email. Sign-up answers the same whether or
    /// not an email has an account, so the owner is the only one told.
    SignUpAttempts,
}

impl AccountNoticeKind {
    pub const ALL: [AccountNoticeKind; 2] = [
        AccountNoticeKind::SignInFailures,
        AccountNoticeKind::SignUpAttempts,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            AccountNoticeKind::SignInFailures => "sign_in_failures",
            AccountNoticeKind::SignUpAttempts => "sign_up_attempts",
        }
    }

    /// The kind a stored code names.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// A notice about the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountNotice {
    pub id: String,
    pub kind: AccountNoticeKind,
    /// How many times it happened: wrong passwords in a row, or sign-up attempts while the
    /// notice was unread.
    pub times: i64,
    /// When it last happened, RFC 3339 UTC.
    pub at: String,
    pub read: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_from_its_code() {
        for kind in AccountNoticeKind::ALL {
            assert_eq!(AccountNoticeKind::from_code(kind.code()), Some(kind));
        }
        assert_eq!(AccountNoticeKind::from_code("sign_in"), None);
    }
}
