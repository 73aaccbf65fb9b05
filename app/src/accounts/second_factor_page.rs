//! `/login/second-factor`: a staff sign-in's second step. With an authenticator: its code (or
//! a recovery code). At the first sign-in: the operator's enrolment code first, then enrol an
//! authenticator (the QR code or the secret to type, the recovery codes to keep), then its
//! first code.

use crate::accounts::{
    CompleteSignIn, EnrolmentView, PendingStepView, RedeemEnrolmentCode, second_factor_step,
};
use crate::components::auth_form::{Field, ReturnToField, SubmitButton};
use crate::components::error_notice::ErrorNotice;
use crate::components::page_title::PageTitle;
use crate::i18n::{t, td_string, use_i18n};
use leptos::prelude::*;

/// The second step of a staff sign-in.
#[component]
pub fn SecondFactorPage() -> impl IntoView {
    let i18n = use_i18n();
    let redeem = ServerAction::<RedeemEnrolmentCode>::new();
    // Read again once an enrolment code is redeemed: the page then shows the authenticator.
    let step = Resource::new(move || redeem.version().get(), |_| second_factor_step());
    view! {
        <PageTitle text=|l| td_string!(l, second_factor.title) />
        <h1>{t!(i18n, second_factor.title)}</h1>
        <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match step.await {
                    Ok(pending) => view! {
                        <p>{t!(i18n, second_factor.signing_in_as)} " " <strong><bdi dir="ltr">{pending.email.clone()}</bdi></strong></p>
                        {match pending.step {
                            PendingStepView::EnrolmentCode => view! { <EnrolmentCodeForm redeem /> }.into_any(),
                            PendingStepView::Enrol(enrolment) => view! {
                                <Enrol enrolment />
                                <CodeForm enrolling=true />
                            }
                            .into_any(),
                            PendingStepView::Code => view! { <CodeForm enrolling=false /> }.into_any(),
                        }}
                    }
                    .into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Before any authenticator is shown: the one-time code the operator gave out of band.
#[component]
fn EnrolmentCodeForm(redeem: ServerAction<RedeemEnrolmentCode>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section aria-labelledby="enrolment-code-heading">
            <h2 id="enrolment-code-heading">{t!(i18n, second_factor.enrolment_code_heading)}</h2>
            <p>{t!(i18n, second_factor.enrolment_code_explained)}</p>
            {move || redeem.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error /> })}
            <ActionForm action=redeem attr:class="stack-form">
                <ReturnToField />
                <Field
                    name="enrolment_code"
                    label=|l| td_string!(l, second_factor.enrolment_code)
                    kind="text"
                    autocomplete="off"
                    hint=Signal::derive(move || td_string!(i18n.get_locale(), second_factor.enrolment_code_hint).to_owned())
                />
                <SubmitButton pending=redeem.pending() label=|l| td_string!(l, second_factor.enrolment_code_submit) />
            </ActionForm>
        </section>
    }
}

/// The code from the authenticator app (or, once enrolled, a recovery code).
#[component]
fn CodeForm(enrolling: bool) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<CompleteSignIn>::new();
    view! {
        {move || action.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error /> })}
        <ActionForm action attr:class="stack-form">
            <ReturnToField />
            <Field
                name="code"
                label=|l| td_string!(l, second_factor.code)
                kind="text"
                autocomplete="one-time-code"
                hint=Signal::derive(move || {
                    if enrolling {
                        td_string!(i18n.get_locale(), second_factor.code_hint_enrol).to_owned()
                    } else {
                        td_string!(i18n.get_locale(), second_factor.code_hint).to_owned()
                    }
                })
            />
            <SubmitButton pending=action.pending() label=|l| td_string!(l, second_factor.submit) />
        </ActionForm>
    }
}

/// Enrolling an authenticator: what to put into the app, and the recovery codes.
#[component]
fn Enrol(enrolment: EnrolmentView) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section aria-labelledby="enrol-heading" class="enrolment">
            <h2 id="enrol-heading">{t!(i18n, second_factor.enrol_heading)}</h2>
            <p>{t!(i18n, second_factor.enrol_explained)}</p>
            <img
                class="qr-code"
                src=enrolment.qr_code
                width="200"
                height="200"
                alt=move || td_string!(i18n.get_locale(), second_factor.qr_alt)
            />
            <p>{t!(i18n, second_factor.secret_label)} " "
                <code data-testid="totp-secret" class="secret">{enrolment.secret}</code></p>
            <h3>{t!(i18n, second_factor.recovery_heading)}</h3>
            <p>{t!(i18n, second_factor.recovery_explained)}</p>
            <ul class="recovery-codes" data-testid="recovery-codes">
                {enrolment.recovery_codes.into_iter().map(|code| view! { <li><code>{code}</code></li> }).collect_view()}
            </ul>
        </section>
    }
}
