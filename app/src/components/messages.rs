//! The conversation between a resident and the privacy office about one request.

use crate::i18n::{t, use_i18n};
use domain::requests::MessageView;
use leptos::prelude::*;

/// The messages, oldest first; each says who wrote it and when.
#[component]
pub fn MessageList(messages: Vec<MessageView>) -> impl IntoView {
    let i18n = use_i18n();
    if messages.is_empty() {
        return view! { <p class="empty">{t!(i18n, requests.no_messages)}</p> }.into_any();
    }
    view! {
        <ol class="log messages" data-testid="request-messages">
            {messages.into_iter().map(|m| {
                let from = if m.from_office { "office" } else { "resident" };
                view! {
                    <li class="card log-entry" data-from=from>
                        <p class="log-head">
                            <strong>{m.author}</strong>
                            " · " <time datetime=m.at.clone()>{m.at.replace('T', " ").chars().take(16).collect::<String>()} " UTC"</time>
                        </p>
                        <p class="pre-wrap">{m.body}</p>
                    </li>
                }
            }).collect_view()}
        </ol>
    }
    .into_any()
}
