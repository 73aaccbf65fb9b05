//! Progressive enhancement for GET forms: with JavaScript, a change submits the form (which
//! Leptos' router turns into a client-side navigation); without it, the submit button does.

use leptos::prelude::*;

/// Submits the form around the event's target after `delay_ms`, replacing any submit still
/// pending, so typing a word sends one request instead of one per key.
pub fn submit_after(ev: &leptos::ev::Event, delay_ms: u64, pending: StoredValue<Option<TimeoutHandle>>) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let form = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.closest("form").ok().flatten())
            .and_then(|f| f.dyn_into::<web_sys::HtmlFormElement>().ok());
        let Some(form) = form else { return };
        if let Some(handle) = pending.get_value() {
            handle.clear();
        }
        let handle = set_timeout_with_handle(
            move || {
                // A form that cannot be submitted just keeps its button.
                let _ = form.request_submit();
            },
            std::time::Duration::from_millis(delay_ms),
        )
        .ok();
        pending.set_value(handle);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (ev, delay_ms, pending);
}
