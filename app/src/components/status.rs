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
