//! Why an account input or an account action was refused, in terms a page can explain.

use super::password::Password;
use super::profile::Profile;
use serde::{Deserialize, Serialize};

/// Why an input for an account was refused; each says what to do instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AccountInputError {
    #[error("enter an email address such as name@example.com")]
    Email,
    #[error("enter a name of 1 to 80 characters")]
    DisplayName,
    #[error("the password needs at least {min} characters", min = Password::MIN_CHARS)]
    PasswordTooShort,
    #[error("the password may have at most {max} characters", max = Password::MAX_CHARS)]
    PasswordTooLong,
    #[error("that password is too common; choose one that is harder to guess")]
    PasswordTooCommon,
    /// The password estimator (server-side) judged it too easy to guess.
    #[error("that password is too easy to guess; choose a longer one, such as a few unrelated words")]
    PasswordGuessable,
    /// Too easy to guess because it is made of the account's own name or email.
    #[error("that password is too easy to guess: it contains your name or email address")]
    PasswordHasOwnDetails,
    #[error("enter a postal address of at most {max} characters", max = Profile::MAX_ADDRESS_CHARS)]
    PostalAddress,
    #[error("enter a phone number of 6 to 20 digits; spaces, dashes, brackets and a leading + are fine")]
    Phone,
    #[error("enter a date of birth as YYYY-MM-DD, not in the future")]
    DateOfBirth,
}

/// Why an account action was refused, in terms a page can explain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AuthError {
    #[error("that email is already registered")]
    EmailTaken,
    /// One message for an unknown email and a wrong password.
    #[error("the email or password is not right")]
    InvalidCredentials,
    #[error("the current password is not right")]
    WrongPassword,
    #[error(transparent)]
    Input(#[from] AccountInputError),
    #[error("too many attempts; try again in {retry_after_secs} seconds")]
    RateLimited { retry_after_secs: u64 },
    /// Wrong passwords were tried for the account from this address, and the back-off's wait
    /// has not passed (the password was not checked).
    #[error("several wrong passwords were tried for this account; wait {retry_after_secs} seconds")]
    BackingOff { retry_after_secs: u64 },
    #[error("you need to sign in")]
    NotSignedIn,
    #[error("you may not do that")]
    Forbidden,
    #[error("temporarily unavailable")]
    Unavailable,
    /// The code from the authenticator (or a recovery code) was not right, or was used before.
    #[error("that code is not right")]
    WrongCode,
    /// The password step is too old, or never happened: sign in again.
    #[error("the sign-in expired; sign in again")]
    SignInExpired,
    /// An operator disabled the account (said only once the password was right).
    #[error("this account is disabled")]
    Disabled,
    /// The operator's enrolment code was not right (or not the account's latest).
    #[error("that enrolment code is not right")]
    WrongEnrolmentCode,
    /// The enrolment code was right but has expired or was used: the operator issues a new one.
    #[error("that enrolment code has expired or was used")]
    EnrolmentCodeSpent,
}
