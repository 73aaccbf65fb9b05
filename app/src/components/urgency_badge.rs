//! The badge of a legal clock: green, amber, red or overdue, in the colours and with the
//! `data-urgency` every clock uses (the privacy-request queue's days, a breach's 72 hours).

use domain::requests::Urgency;
use leptos::prelude::*;

/// A clock's badge holding `children` (the time left, in words). Without an urgency the
/// clock has stopped: a plain badge whose `data-urgency` is `stopped`.
#[component]
pub fn UrgencyBadge(
    urgency: Option<Urgency>,
    /// A `data-testid` for the badge, where a page has one clock to find.
    #[prop(optional)]
    testid: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    let (class, code) = match urgency {
        Some(u) => (format!("badge badge-{}", u.as_str()), u.as_str()),
        None => ("badge".to_owned(), "stopped"),
    };
    view! { <span class=class data-urgency=code data-testid=testid>{children()}</span> }
}
