//! How a failed server function is told to a resident.

use crate::error::AppError;
use crate::i18n::{t, use_i18n};
use domain::account::{AccountInputError, AuthError, Password};
use domain::consent::EnrollmentRefused;
use domain::requests::{ConsoleError, ExtensionRefused, MAX_DETAILS_CHARS, RequestInputError};
use leptos::prelude::*;

/// A readable message for `error`, announced to screen readers.
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    let i18n = use_i18n();
    let message = match error {
        AppError::NotFound => t!(i18n, errors.not_found).into_any(),
        AppError::InvalidInput(detail) => {
            view! { {t!(i18n, errors.invalid_input)} " (" {detail} ")" }.into_any()
        }
        AppError::Unavailable => t!(i18n, errors.unavailable).into_any(),
        AppError::NotAChoice => t!(i18n, errors.not_a_choice).into_any(),
        AppError::NoticeChanged => t!(i18n, errors.notice_changed).into_any(),
        AppError::Transport(_) => t!(i18n, errors.transport).into_any(),
        AppError::BadCursor => t!(i18n, errors.bad_cursor).into_any(),
        AppError::Auth(error) => auth_message(error).into_any(),
        AppError::RequestInput(error) => request_message(error).into_any(),
        AppError::RequestClosed => t!(i18n, errors.request_closed).into_any(),
        AppError::Console(error) => console_message(error).into_any(),
        AppError::Enrollment(error) => enrollment_message(error).into_any(),
        AppError::Review(error) => review_message(error).into_any(),
        AppError::Breach(error) => breach_message(error).into_any(),
        AppError::RegisterForm { .. } => t!(i18n, review_errors.form).into_any(),
        AppError::Quota(quota) => quota_message(quota).into_any(),
    };
    view! {
        <div class="notice notice-error" role="alert">
            <p>{message}</p>
        </div>
    }
}

/// Why a step of a breach incident was refused.
fn breach_message(error: domain::breaches::BreachRefused) -> impl IntoView {
    use domain::breaches::BreachRefused as B;
    let i18n = use_i18n();
    match error {
        B::Required(_) | B::TooLong(..) => t!(i18n, breach_errors.text).into_any(),
        B::Window => t!(i18n, breach_errors.window).into_any(),
        B::NoScope => t!(i18n, breach_errors.no_scope).into_any(),
        B::ReasonsRequired => t!(i18n, breach_errors.reasons).into_any(),
        B::CountMismatch { confirmed, computed } => t!(
            i18n,
            breach_errors.count,
            confirmed = move || confirmed,
            computed = move || computed
        )
        .into_any(),
        B::Stage(_) => t!(i18n, breach_errors.stage).into_any(),
        B::NotFound => t!(i18n, errors.not_found).into_any(),
    }
}

/// A resident's allowance is used up: how many, and roughly when they can send again.
fn quota_message(quota: domain::requests::QuotaExceeded) -> impl IntoView {
    use domain::requests::ResidentQuota;
    let i18n = use_i18n();
    let limit = quota.limit;
    let minutes = quota.retry_after_secs.div_ceil(60).max(2);
    let hours = quota.retry_after_secs.div_ceil(3600);
    let wait = if minutes >= 90 {
        view! { {t!(i18n, errors.quota_wait_hours, hours = move || hours)} }.into_any()
    } else {
        view! { {t!(i18n, errors.quota_wait_minutes, minutes = move || minutes)} }.into_any()
    };
    match quota.quota {
        ResidentQuota::RequestsPerDay => {
            view! { {t!(i18n, errors.quota_requests, limit = move || limit)} " " {wait} }.into_any()
        }
        ResidentQuota::MessagesPerHour => {
            view! { {t!(i18n, errors.quota_messages, limit = move || limit)} " " {wait} }.into_any()
        }
    }
}

/// Why a step of a public review (or a register edit) was refused.
fn review_message(error: domain::register::ReviewRefused) -> impl IntoView {
    use domain::register::ReviewRefused as R;
    let i18n = use_i18n();
    match error {
        R::Stage { .. } => t!(i18n, review_errors.stage).into_any(),
        R::ReportIncomplete(section) => {
            view! { {t!(i18n, review_errors.report_incomplete)} " (" {section} ")" }.into_any()
        }
        R::PeriodOpen(until) => {
            view! { {t!(i18n, review_errors.period_open)} " " {until.to_string()} }.into_any()
        }
        R::CommentsClosed => t!(i18n, review_errors.comments_closed).into_any(),
        R::AnswerFirst => t!(i18n, review_errors.answer_first).into_any(),
        R::TextRequired => t!(i18n, review_errors.text_required).into_any(),
        R::BodyRequired => t!(i18n, review_errors.body_required).into_any(),
        R::FutureDecision => t!(i18n, review_errors.future_decision).into_any(),
        R::PeriodLength => t!(i18n, review_errors.period_length).into_any(),
        R::ReviewOpen => t!(i18n, review_errors.review_open).into_any(),
        R::NotFound => t!(i18n, errors.not_found).into_any(),
        R::TooManyReports => t!(i18n, review_errors.too_many_reports).into_any(),
        R::Proposal(detail) => view! { {t!(i18n, review_errors.proposal)} " (" {detail} ")" }.into_any(),
    }
}

/// What to tell a resident whose enrollment code was not accepted.
fn enrollment_message(error: EnrollmentRefused) -> impl IntoView {
    let i18n = use_i18n();
    match error {
        EnrollmentRefused::UnknownCode => t!(i18n, enrollment_errors.unknown_code).into_any(),
        EnrollmentRefused::Expired => t!(i18n, enrollment_errors.expired).into_any(),
        EnrollmentRefused::AlreadyUsed => t!(i18n, enrollment_errors.already_used).into_any(),
        EnrollmentRefused::SystemNotActive => t!(i18n, enrollment_errors.system_not_active).into_any(),
    }
}

/// What to tell a resident whose privacy request could not be filed.
fn request_message(error: RequestInputError) -> impl IntoView {
    let i18n = use_i18n();
    match error {
        RequestInputError::Kind => t!(i18n, request_errors.kind).into_any(),
        RequestInputError::NoSystems => t!(i18n, request_errors.no_systems).into_any(),
        RequestInputError::UnknownSystem => t!(i18n, request_errors.unknown_system).into_any(),
        RequestInputError::ObjectionNeedsPurpose => {
            t!(i18n, request_errors.objection_needs_purpose).into_any()
        }
        RequestInputError::UnknownPurpose => t!(i18n, request_errors.unknown_purpose).into_any(),
        RequestInputError::DetailsTooLong => {
            t!(i18n, request_errors.details_too_long, max = || MAX_DETAILS_CHARS).into_any()
        }
    }
}

/// What to tell an officer whose action on a request was refused.
fn console_message(error: ConsoleError) -> impl IntoView {
    let i18n = use_i18n();
    match error {
        ConsoleError::ReasonRequired => t!(i18n, console_errors.reason_required).into_any(),
        ConsoleError::Illegal(_) => t!(i18n, console_errors.illegal).into_any(),
        ConsoleError::Extension(ExtensionRefused::AlreadyExtended) => {
            t!(i18n, console_errors.already_extended).into_any()
        }
        ConsoleError::Extension(ExtensionRefused::TooLate) => t!(i18n, console_errors.too_late).into_any(),
        ConsoleError::TasksOpen => t!(i18n, console_errors.tasks_open).into_any(),
        ConsoleError::TaskClosed => t!(i18n, console_errors.task_closed).into_any(),
        ConsoleError::NoSuchOfficer => t!(i18n, console_errors.no_such_officer).into_any(),
        ConsoleError::NoSuchResident => t!(i18n, console_errors.no_such_resident).into_any(),
        ConsoleError::Input(input) => request_message(input).into_any(),
        ConsoleError::Contact(input) => auth_message(AuthError::Input(input)).into_any(),
    }
}

/// What to tell a person whose account action was refused.
fn auth_message(error: AuthError) -> impl IntoView {
    let i18n = use_i18n();
    match error {
        AuthError::EmailTaken => t!(i18n, auth_errors.email_taken).into_any(),
        AuthError::InvalidCredentials => t!(i18n, auth_errors.invalid_credentials).into_any(),
        AuthError::WrongPassword => t!(i18n, auth_errors.wrong_password).into_any(),
        AuthError::WrongCode => t!(i18n, auth_errors.wrong_code).into_any(),
        AuthError::SignInExpired => view! {
            {t!(i18n, auth_errors.sign_in_expired)} " " <a href="/login">{t!(i18n, login.title)}</a>
        }
        .into_any(),
        AuthError::Disabled => t!(i18n, auth_errors.disabled).into_any(),
        AuthError::WrongEnrolmentCode => t!(i18n, auth_errors.wrong_enrolment_code).into_any(),
        AuthError::EnrolmentCodeSpent => t!(i18n, auth_errors.enrolment_code_spent).into_any(),
        AuthError::Input(AccountInputError::Email) => t!(i18n, auth_errors.email).into_any(),
        AuthError::Input(AccountInputError::DisplayName) => t!(i18n, auth_errors.display_name).into_any(),
        AuthError::Input(AccountInputError::PasswordTooShort) => {
            t!(i18n, auth_errors.password_too_short, min = || Password::MIN_CHARS).into_any()
        }
        AuthError::Input(AccountInputError::PasswordTooLong) => {
            t!(i18n, auth_errors.password_too_long, max = || Password::MAX_CHARS).into_any()
        }
        AuthError::Input(AccountInputError::PostalAddress) => t!(
            i18n,
            auth_errors.postal_address,
            max = || domain::account::Profile::MAX_ADDRESS_CHARS
        )
        .into_any(),
        AuthError::Input(AccountInputError::Phone) => t!(i18n, auth_errors.phone).into_any(),
        AuthError::Input(AccountInputError::DateOfBirth) => t!(i18n, auth_errors.date_of_birth).into_any(),
        AuthError::Input(AccountInputError::PasswordTooCommon) => {
            t!(i18n, auth_errors.password_too_common).into_any()
        }
        AuthError::Input(AccountInputError::PasswordGuessable) => {
            t!(i18n, auth_errors.password_too_weak).into_any()
        }
        AuthError::Input(AccountInputError::PasswordHasOwnDetails) => {
            t!(i18n, auth_errors.password_too_weak_own).into_any()
        }
        AuthError::RateLimited { retry_after_secs } => {
            t!(i18n, auth_errors.rate_limited, seconds = move || retry_after_secs).into_any()
        }
        AuthError::BackingOff { retry_after_secs } => {
            t!(i18n, auth_errors.backing_off, seconds = move || retry_after_secs).into_any()
        }
        AuthError::NotSignedIn => t!(i18n, auth_errors.not_signed_in).into_any(),
        AuthError::Forbidden => t!(i18n, auth_errors.forbidden).into_any(),
        AuthError::Unavailable => t!(i18n, errors.unavailable).into_any(),
    }
}
