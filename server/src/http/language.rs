//! The language switch: plain links (`/lang/{code}?next=/path`) that work without
//! JavaScript, remembered in a cookie.

use app::i18n_support::LANG_COOKIE;
use axum::extract::{Path, Query};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::lang::Lang;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub(super) struct SwitchQuery {
    pub(super) next: Option<String>,
}

/// `GET /lang/{code}?next=/path`: remembers the language in a cookie and returns to `next`
/// (a path on this site only, so the link cannot send anyone elsewhere).
pub(super) async fn switch_language(Path(code): Path<String>, Query(query): Query<SwitchQuery>) -> Response {
    let Some(lang) = Lang::from_code(&code) else {
        return (StatusCode::NOT_FOUND, "unsupported language").into_response();
    };
    let next = query
        .next
        .filter(|n| is_local_path(n))
        .unwrap_or_else(|| "/".to_owned());
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        lang.code()
    );
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, next), (header::SET_COOKIE, cookie)],
    )
        .into_response()
}

/// Whether `path` stays on this site: absolute path, not protocol-relative, no backslashes.
fn is_local_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && !path.chars().any(char::is_control)
}

#[cfg(test)]
mod tests {
    use super::is_local_path;

    #[test]
    fn only_local_paths_are_followed_after_a_language_switch() {
        assert!(is_local_path("/systems?q=cctv"));
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "systems",
            "/a\nb",
        ] {
            assert!(!is_local_path(bad), "{bad:?}");
        }
    }
}
