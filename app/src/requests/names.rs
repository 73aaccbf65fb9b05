//! How a privacy request's kind, status and time left read in the resident's language.

use crate::i18n::{Locale, t, td_string, use_i18n};
use domain::requests::{RequestKind, RequestStatus, RequestSummary};
use leptos::prelude::*;

/// The name of a kind of request.
pub fn kind_name(l: Locale, kind: RequestKind) -> &'static str {
    match kind {
        RequestKind::Access => td_string!(l, request_kind.access),
        RequestKind::Rectification => td_string!(l, request_kind.rectification),
        RequestKind::Erasure => td_string!(l, request_kind.erasure),
        RequestKind::Restriction => td_string!(l, request_kind.restriction),
        RequestKind::Portability => td_string!(l, request_kind.portability),
        RequestKind::Objection => td_string!(l, request_kind.objection),
    }
}

/// One plain sentence saying what a kind of request does.
pub fn kind_explained(l: Locale, kind: RequestKind) -> &'static str {
    match kind {
        RequestKind::Access => td_string!(l, request_kind.access_explained),
        RequestKind::Rectification => td_string!(l, request_kind.rectification_explained),
        RequestKind::Erasure => td_string!(l, request_kind.erasure_explained),
        RequestKind::Restriction => td_string!(l, request_kind.restriction_explained),
        RequestKind::Portability => td_string!(l, request_kind.portability_explained),
        RequestKind::Objection => td_string!(l, request_kind.objection_explained),
    }
}

/// Where a request stands, in words.
pub fn status_name(l: Locale, status: RequestStatus) -> &'static str {
    match status {
        RequestStatus::Received => td_string!(l, request_status.received),
        RequestStatus::IdentityCheck => td_string!(l, request_status.identity_check),
        RequestStatus::InProgress => td_string!(l, request_status.in_progress),
        RequestStatus::Extended => td_string!(l, request_status.extended),
        RequestStatus::Fulfilled => td_string!(l, request_status.fulfilled),
        RequestStatus::Rejected => td_string!(l, request_status.rejected),
        RequestStatus::Withdrawn => td_string!(l, request_status.withdrawn),
    }
}

/// How much time a request has left, or when it closed.
#[component]
pub fn TimeLeft(summary: RequestSummary) -> impl IntoView {
    let i18n = use_i18n();
    match (summary.days_left, summary.closed) {
        (Some(n), _) if n > 0 => t!(i18n, requests.days_left, n = move || n).into_any(),
        (Some(0), _) => t!(i18n, requests.due_today).into_any(),
        (Some(n), _) => view! { <strong>{t!(i18n, requests.overdue, n = move || -n)}</strong> }.into_any(),
        (None, Some(date)) => t!(i18n, requests.closed_on, date = move || date.to_string()).into_any(),
        (None, None) => ().into_any(),
    }
}
