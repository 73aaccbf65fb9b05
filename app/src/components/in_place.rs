//! `InPlace`: the one island of the app. A region of a page whose forms update it in place.
//!
//! Every page is rendered on the server and works as plain HTML: a form posts, the server
//! answers with a redirect, the browser loads the page again. With JavaScript, this island
//! does the same round trip with `fetch` — the same request, the same redirect, the same
//! server-rendered answer — and puts the answer's copy of the region where the region is,
//! so the page does not reload, focus stays where the resident is, and the submit button
//! shows that it is working (`aria-busy` on the region, the button disabled). When the
//! answer is another page (a sign-in leading to `/account`), the browser goes there: the
//! server hands such a redirect over rather than letting `fetch` follow it
//! (`in_place_redirects` in server/src/http/layers.rs), so that page loads once.
//!
//! Nothing is rendered in the browser: the region's content comes from the server in the
//! resident's language, so the WebAssembly holds no page, no translation and no router.
//!
//! - `region` names the region; the answer's element with the same `data-in-place` name
//!   replaces it. Inside, an element marked `data-in-place-target` narrows what is
//!   replaced (the register's results, not the search box being typed in).
//! - `live`: changing a field submits its form (typing after a pause of 300 ms), for GET
//!   filters whose results follow the form; the address bar follows too.
//! - A form marked `data-in-place="off"` inside a region is left to the browser.

use leptos::prelude::*;

/// A region whose forms update it in place (see the module's documentation).
#[island]
pub fn InPlace(
    /// The region's name, unique on the page.
    region: String,
    /// Whether changing a field submits its form.
    live: bool,
    children: Children,
) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    let handlers = browser::Handlers::new(live);
    #[cfg(not(feature = "hydrate"))]
    let _ = live;
    view! {
        <div
            class="in-place"
            data-in-place=region
            on:submit=move |ev| {
                #[cfg(feature = "hydrate")]
                handlers.on_submit(ev);
                #[cfg(not(feature = "hydrate"))]
                let _ = ev;
            }
            on:input=move |ev| {
                #[cfg(feature = "hydrate")]
                handlers.on_input(ev);
                #[cfg(not(feature = "hydrate"))]
                let _ = ev;
            }
            on:change=move |ev| {
                #[cfg(feature = "hydrate")]
                handlers.on_change(ev);
                #[cfg(not(feature = "hydrate"))]
                let _ = ev;
            }
        >
            {children()}
        </div>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use leptos::prelude::*;
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{Element, Event, HtmlElement, HtmlFormElement, SubmitEvent};

    /// How long typing must pause before a live form is submitted.
    const TYPING_PAUSE: std::time::Duration = std::time::Duration::from_millis(300);

    /// The island's state: whether it is live, the pending typing timer, and the number of
    /// the latest request (an older answer arriving late is dropped).
    #[derive(Clone, Copy)]
    pub struct Handlers {
        live: bool,
        timer: StoredValue<Option<TimeoutHandle>, LocalStorage>,
        latest: StoredValue<u32, LocalStorage>,
    }

    impl Handlers {
        pub fn new(live: bool) -> Self {
            Self {
                live,
                timer: StoredValue::new_local(None),
                latest: StoredValue::new_local(0),
            }
        }

        pub fn on_input(self, ev: Event) {
            if !self.live || !is_typed_field(&ev) {
                return;
            }
            let Some(form) = form_of(&ev) else { return };
            if let Some(handle) = self.timer.get_value() {
                handle.clear();
            }
            let handle = set_timeout_with_handle(move || submit(&form), TYPING_PAUSE).ok();
            self.timer.set_value(handle);
        }

        pub fn on_change(self, ev: Event) {
            // Typed fields are submitted by `on_input`; a choice (select, checkbox) at once.
            if !self.live || is_typed_field(&ev) {
                return;
            }
            if let Some(form) = form_of(&ev) {
                submit(&form);
            }
        }

        pub fn on_submit(self, ev: SubmitEvent) {
            let Some(form) = ev.target().and_then(|t| t.dyn_into::<HtmlFormElement>().ok()) else {
                return;
            };
            if form.get_attribute("data-in-place").as_deref() == Some("off") {
                return;
            }
            let Some(region) = ev.current_target().and_then(|t| t.dyn_into::<Element>().ok()) else {
                return;
            };
            ev.prevent_default();
            let number = self.latest.get_value().wrapping_add(1);
            self.latest.set_value(number);
            let submitter = ev.submitter();
            // Taken before the buttons are disabled, which moves the focus away.
            let focused = focus_position(&region);
            leptos::task::spawn_local(async move {
                let busy = Busy::start(&region, &form);
                let outcome = round_trip(&form, submitter.as_ref()).await;
                drop(busy);
                if self.latest.get_value() != number {
                    return; // a newer request is on its way; its answer counts
                }
                match outcome {
                    Ok(Answer::Page(url, html)) => show(&region, &url, &html, !is_post(&form), focused),
                    Ok(Answer::Elsewhere(url)) => {
                        if let Some(window) = web_sys::window() {
                            let _ = window.location().assign(&url);
                        }
                    }
                    // The network failed: the resident can send the form again.
                    Err(error) => leptos::logging::warn!("in-place request failed: {error:?}"),
                }
            });
        }
    }

    /// The form is being sent: the region says so to assistive technology and the form's
    /// buttons cannot send it twice. Undone when dropped.
    struct Busy {
        region: Element,
        buttons: Vec<Element>,
    }

    impl Busy {
        fn start(region: &Element, form: &HtmlFormElement) -> Self {
            let _ = region.set_attribute("aria-busy", "true");
            let mut buttons = Vec::new();
            if let Ok(list) = form.query_selector_all("button:not([disabled])") {
                for i in 0..list.length() {
                    if let Some(button) = list.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                        let _ = button.set_attribute("disabled", "");
                        buttons.push(button);
                    }
                }
            }
            Self {
                region: region.clone(),
                buttons,
            }
        }
    }

    impl Drop for Busy {
        fn drop(&mut self) {
            let _ = self.region.remove_attribute("aria-busy");
            for button in &self.buttons {
                let _ = button.remove_attribute("disabled");
            }
        }
    }

    fn is_typed_field(ev: &Event) -> bool {
        ev.target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .is_some_and(|el| {
                el.tag_name().eq_ignore_ascii_case("textarea")
                    || el
                        .matches("input:not([type=checkbox]):not([type=radio])")
                        .unwrap_or(false)
            })
    }

    fn form_of(ev: &Event) -> Option<HtmlFormElement> {
        ev.target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|el| el.closest("form").ok().flatten())
            .and_then(|f| f.dyn_into::<HtmlFormElement>().ok())
    }

    fn submit(form: &HtmlFormElement) {
        // `requestSubmit` validates and fires `submit`, which `on_submit` takes.
        let _ = form.request_submit();
    }

    /// The form's `method` attribute: a field named `method` would shadow the property.
    fn is_post(form: &HtmlFormElement) -> bool {
        form.get_attribute("method")
            .is_some_and(|m| m.eq_ignore_ascii_case("post"))
    }

    /// The address the form is sent to, from its `action` attribute (a field named `action`,
    /// as the consent form has, shadows the property), resolved against the page's address.
    fn action_of(form: &HtmlFormElement, window: &web_sys::Window) -> Result<String, JsValue> {
        let here = window.location().href()?;
        match form.get_attribute("action").filter(|a| !a.is_empty()) {
            Some(action) => Ok(web_sys::Url::new_with_base(&action, &here)?.href()),
            None => Ok(here),
        }
    }

    /// Sends the form as the browser would (its fields and the button pressed, as
    /// `application/x-www-form-urlencoded`), asking for HTML so the server answers as it does
    /// a plain form. A redirect to this page is followed here; to another page, it is left to
    /// the browser.
    async fn round_trip(form: &HtmlFormElement, submitter: Option<&HtmlElement>) -> Result<Answer, JsValue> {
        let window = web_sys::window().ok_or("no window")?;
        let data = web_sys::FormData::new_with_form(form)?;
        // The button pressed is one of the fields, as in a plain submission.
        if let Some(name) = submitter
            .and_then(|b| b.get_attribute("name"))
            .filter(|n| !n.is_empty())
        {
            let value = submitter
                .and_then(|b| b.get_attribute("value"))
                .unwrap_or_default();
            data.append_with_str(&name, &value)?;
        }
        let fields = web_sys::UrlSearchParams::new_with_str_sequence_sequence(&data)?;
        let init = web_sys::RequestInit::new();
        let headers = web_sys::Headers::new()?;
        headers.set("Accept", "text/html")?;
        // Asks the server to hand a redirect over instead of following it (server/src/http/layers.rs).
        headers.set("Glasshouse-In-Place", "1")?;
        init.set_headers(&headers);
        let action = action_of(form, &window)?;
        let request = if is_post(form) {
            init.set_method("POST");
            init.set_body(&fields);
            web_sys::Request::new_with_str_and_init(&action, &init)?
        } else {
            let url = web_sys::Url::new(&action)?;
            url.set_search(&String::from(fields.to_string()));
            web_sys::Request::new_with_str_and_init(&url.href(), &init)?
        };
        let response = fetch(&window, &request).await?;
        match response.headers().get("Glasshouse-Location")? {
            Some(location) => {
                let url = web_sys::Url::new_with_base(&location, &window.location().href()?)?.href();
                if web_sys::Url::new(&url)?.pathname() != window.location().pathname()? {
                    // Another page: the browser goes there; nothing to put in the region.
                    return Ok(Answer::Elsewhere(url));
                }
                let again = web_sys::RequestInit::new();
                again.set_headers(&headers);
                let request = web_sys::Request::new_with_str_and_init(&url, &again)?;
                let page = fetch(&window, &request).await?;
                Ok(Answer::Page(page.url(), text(&page).await?))
            }
            None => Ok(Answer::Page(response.url(), text(&response).await?)),
        }
    }

    /// What a submission led to.
    enum Answer {
        /// This page again, at this address, with this HTML.
        Page(String, String),
        /// Another page.
        Elsewhere(String),
    }

    async fn fetch(
        window: &web_sys::Window,
        request: &web_sys::Request,
    ) -> Result<web_sys::Response, JsValue> {
        JsFuture::from(window.fetch_with_request(request))
            .await?
            .dyn_into()
    }

    async fn text(response: &web_sys::Response) -> Result<String, JsValue> {
        Ok(JsFuture::from(response.text()?)
            .await?
            .as_string()
            .unwrap_or_default())
    }

    /// Puts the answer on the page: the region's new content if the answer is this page,
    /// otherwise the browser goes to the answer's page.
    fn show(region: &Element, url: &str, html: &str, from_get: bool, focused: Option<usize>) {
        let Some(window) = web_sys::window() else { return };
        let Some(document) = window.document() else { return };
        let here = window.location().pathname().unwrap_or_default();
        let there = web_sys::Url::new(url).map(|u| u.pathname()).unwrap_or_default();
        let name = region.get_attribute("data-in-place").unwrap_or_default();
        let answer = web_sys::DomParser::new()
            .and_then(|parser| parser.parse_from_string(html, web_sys::SupportedType::TextHtml))
            .ok();
        let selector = format!("[data-in-place=\"{name}\"]");
        let new_region = answer
            .as_ref()
            .and_then(|doc| doc.query_selector(&selector).ok().flatten());
        let (true, Some(new_region)) = (here == there, new_region) else {
            let _ = window.location().assign(url);
            return;
        };
        let (old, new) = match (
            region.query_selector("[data-in-place-target]").ok().flatten(),
            new_region.query_selector("[data-in-place-target]").ok().flatten(),
        ) {
            (Some(old), Some(new)) => (old, new),
            _ => (region.clone(), new_region),
        };
        old.set_inner_html(&new.inner_html());
        if let Some(title) = answer.map(|doc| doc.title()) {
            document.set_title(&title);
        }
        if let Ok(history) = window.history() {
            let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(url));
        }
        follow_address(&document, url);
        // After a post, an error or a confirmation the answer brought is read out and
        // focused (a live filter's count is not: the resident is still typing).
        if from_get {
            return;
        }
        let alert = ["[role=alert]", ".notice[role=status]"]
            .iter()
            .find_map(|selector| old.query_selector(selector).ok().flatten());
        if let Some(alert) = alert {
            if !alert.has_attribute("tabindex") {
                let _ = alert.set_attribute("tabindex", "-1");
            }
            if let Ok(alert) = alert.dyn_into::<HtmlElement>() {
                let _ = alert.focus();
            }
        } else if let Some(control) = focused.and_then(|i| controls(region).get(i).cloned()) {
            // Otherwise the keyboard stays where it was: the control at the same place (the
            // consent button that now offers the opposite choice).
            let _ = control.focus();
        }
    }

    /// Links that carry the page's address (`data-here`: the language switch's `next`)
    /// follow the address a live filter gave the page, so switching language keeps the filters.
    fn follow_address(document: &web_sys::Document, url: &str) {
        let Ok(address) = web_sys::Url::new(url) else {
            return;
        };
        let here = format!("{}{}", address.pathname(), address.search());
        let Ok(links) = document.query_selector_all("a[data-here]") else {
            return;
        };
        for i in 0..links.length() {
            let Some(link) = links.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
                continue;
            };
            let Some(href) = link.get_attribute("href") else {
                continue;
            };
            if let Ok(target) = web_sys::Url::new_with_base(&href, url) {
                target.search_params().set("next", &here);
                let _ = link.set_attribute("href", &format!("{}{}", target.pathname(), target.search()));
            }
        }
    }

    /// The controls a keyboard reaches in `container`, in order.
    fn controls(container: &Element) -> Vec<HtmlElement> {
        let Ok(list) = container.query_selector_all("a[href], button, input, select, textarea") else {
            return Vec::new();
        };
        (0..list.length())
            .filter_map(|i| list.item(i).and_then(|n| n.dyn_into::<HtmlElement>().ok()))
            .collect()
    }

    /// Where the focused control is among `container`'s, if it is inside.
    fn focus_position(container: &Element) -> Option<usize> {
        let active = web_sys::window()?.document()?.active_element()?;
        controls(container).iter().position(|c| {
            let c: &Element = c.as_ref();
            *c == active
        })
    }
}
