//! `GET /s/{code}/sign.svg`: a device's printable sign (A4 or A6, print-ready SVG in
//! millimetres), with a QR code of its page `/s/{code}`. Public, like the device itself.
//!
//! `size` is `a4` (the default) or `a6`; `lang` lists the sign's languages, comma-separated
//! (`en,es`), by default the first two the city's name is given in.

use super::state::AppState;
use app::street::sign::{SignSize, draw};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::lang::Lang;
use domain::street::DeviceCode;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub(super) struct SignQuery {
    size: Option<String>,
    lang: Option<String>,
}

/// The most languages one sign carries.
const MOST_LANGUAGES: usize = 3;

pub(super) async fn sign_svg(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(query): Query<SignQuery>,
) -> Response {
    let size = match query.size.as_deref().filter(|s| !s.is_empty()) {
        None => SignSize::A4,
        Some(code) => match SignSize::from_code(code) {
            Some(size) => size,
            None => return (StatusCode::BAD_REQUEST, "size must be a4 or a6").into_response(),
        },
    };
    let mut langs = Vec::new();
    for code in query
        .lang
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        match Lang::from_code(code) {
            Some(lang) if !langs.contains(&lang) => langs.push(lang),
            Some(_) => {}
            None => {
                let known = Lang::codes();
                return (
                    StatusCode::BAD_REQUEST,
                    format!("{code:?} is not a language of the sign; choose from {known}"),
                )
                    .into_response();
            }
        }
    }
    if langs.len() > MOST_LANGUAGES {
        return (StatusCode::BAD_REQUEST, "a sign carries at most three languages").into_response();
    }
    let Ok(code) = DeviceCode::parse(&code) else {
        return (StatusCode::NOT_FOUND, "no device has this code").into_response();
    };
    let pool = &state.backend.pool;
    let loaded = async {
        let Some(device) = store::street::device_by_code(pool, &code).await? else {
            return Ok(None);
        };
        let system = store::register::system(pool, &device.system).await?;
        let city = store::register::city_name(pool).await?.unwrap_or_default();
        Ok::<_, store::StoreError>(system.map(|s| (device, s, city)))
    };
    match loaded.await {
        Ok(Some((device, system, city))) => {
            if langs.is_empty() {
                langs = city.iter().map(|(lang, _)| lang).take(2).collect();
            }
            if langs.is_empty() {
                langs.push(Lang::default());
            }
            let url = format!("{}/s/{code}", state.backend.public_url);
            let svg = draw(&device, &system, &url, size, &langs);
            let name = format!("sign-{code}-{}.svg", size.code());
            let headers = [
                (header::CONTENT_TYPE, "image/svg+xml; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("inline; filename=\"{name}\""),
                ),
            ];
            (headers, svg).into_response()
        }
        Ok(None) => (StatusCode::NOT_FOUND, "no device has this code").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "storage failed drawing a sign");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "the sign cannot be drawn right now; try again shortly",
            )
                .into_response()
        }
    }
}
