//! Hydrates the islands of the server-rendered pages in the browser.

// The islands (`#[island]` components of `app`) are exported from the app crate: linking it
// is what puts them in the bundle.
use app as _;

/// Entry point called by the page's loader script once the WASM bundle has loaded.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
