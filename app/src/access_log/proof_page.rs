//! `/my/ledger/{index}`: the proof that one of the resident's entries (a decision that named
//! them, a consent or enrollment event of theirs) is in the public log the city signed,
//! with everything needed to check it without trusting this server.

use crate::access_log::entry_proof;
use crate::components::page_title::PageTitle;
use crate::components::signed_in::{MyNav, refused};
use crate::i18n::{t, td_string, use_i18n};
use domain::ledger::{EntryProof, ProvenIn, Source};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// The page.
#[component]
pub fn ProofPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let index = move || params.read().get("index").and_then(|i| i.parse::<i64>().ok());
    let proof = Resource::new(index, |index| async move {
        match index {
            Some(index) => entry_proof(index).await,
            None => Err(crate::error::AppError::NotFound),
        }
    });
    view! {
        <PageTitle text=|l| td_string!(l, proof.title) />
        <h1>{t!(i18n, proof.title)}</h1>
        <MyNav />
        <p>{t!(i18n, proof.intro)}</p>
        <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match proof.await {
                    Ok(proof) => view! { <Proof proof /> }.into_any(),
                    Err(crate::error::AppError::NotFound) => {
                        crate::components::status::set_http_status(404);
                        view! { <p>{t!(i18n, proof.not_found)}</p> }.into_any()
                    }
                    Err(error) => refused(error),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Proof(proof: EntryProof) -> impl IntoView {
    let i18n = use_i18n();
    let l = move || i18n.get_locale();
    let log = proof.log;
    let index = proof.index;
    view! {
        <dl class="facts" data-testid="proof-facts" data-index=index.to_string()>
            <dt>{t!(i18n, proof.entry_number)}</dt>
            <dd>{index.to_string()}</dd>
            <dt>{t!(i18n, proof.log)}</dt>
            <dd>{move || match log {
                Source::Decision => td_string!(l(), proof.log_decision),
                Source::Consent => td_string!(l(), proof.log_consent),
                Source::Enrollment => td_string!(l(), proof.log_enrollment),
                Source::Audit => td_string!(l(), proof.log_audit),
            }}</dd>
        </dl>
        {match &proof.proven_in {
            Some(proven) => view! { <Status proven=proven.clone() /> }.into_any(),
            None => view! {
                <p class="notice" role="status" data-testid="proof-status" data-verified="pending">{t!(i18n, proof.pending)}</p>
            }
            .into_any(),
        }}
        <h2>{t!(i18n, proof.check_yourself)}</h2>
        <p>{t!(i18n, proof.how)}</p>
        <h3>{t!(i18n, proof.entry)}</h3>
        <pre class="proof-data" data-testid="proof-entry">{proof.entry}</pre>
        <h3>{t!(i18n, proof.leaf_hash)}</h3>
        <pre class="proof-data">{proof.leaf_hash}</pre>
        {proof.proven_in.map(|proven| view! { <Path proven /> })}
    }
}

/// Whether the server checked the entry against the signed checkpoint.
#[component]
fn Status(proven: ProvenIn) -> impl IntoView {
    let i18n = use_i18n();
    let verified = proven.verified;
    let size = proven.tree_size;
    let shown_at = format!(
        "{} UTC",
        proven
            .signed_at
            .replace('T', " ")
            .chars()
            .take(19)
            .collect::<String>()
    );
    view! {
        <p
            class=if verified { "notice notice-ok" } else { "notice notice-error" }
            role="status"
            data-testid="proof-status"
            data-verified=if verified { "yes" } else { "no" }
        >
            {if verified {
                t!(i18n, proof.verified, size = move || size, at = move || shown_at.clone()).into_any()
            } else {
                t!(i18n, proof.not_verified).into_any()
            }}
        </p>
    }
}

/// The audit path and the signed checkpoint, to check by hand.
#[component]
fn Path(proven: ProvenIn) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h3>{t!(i18n, proof.root)}</h3>
        <pre class="proof-data">{proven.root_hash}</pre>
        <h3>{t!(i18n, proof.path)}</h3>
        <ol class="proof-data" data-testid="proof-path">
            {proven.audit_path.into_iter().map(|h| view! { <li><code>{h}</code></li> }).collect_view()}
        </ol>
        <h3>{t!(i18n, proof.checkpoint)}</h3>
        <pre class="proof-data">{proven.note}</pre>
        <p><a href="/api/v1/ledger/checkpoint">{t!(i18n, proof.latest_checkpoint)}</a></p>
    }
}
