//! Setting the HTTP status of a server-rendered page.

/// Answers the current server render with `code` (does nothing in the browser).
pub fn set_http_status(code: u16) {
    #[cfg(feature = "ssr")]
    {
        if let (Some(options), Ok(status)) = (
            leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
            http::StatusCode::from_u16(code),
        ) {
            options.set_status(status);
        }
    }
    #[cfg(not(feature = "ssr"))]
    let _ = code;
}

/// Sends the visitor of a server-rendered page to `path` (302 with `Location`); in the
/// browser it does nothing, the page offers a link instead.
pub fn redirect_during_render(path: &str) {
    #[cfg(feature = "ssr")]
    {
        leptos_axum::redirect(path);
        // In an async render `redirect` sets only the header: the status must follow it.
        set_http_status(302);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = path;
}
