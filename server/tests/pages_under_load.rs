//! Pages answer every request when many arrive at once: a page that panics or stalls on one
//! request in a hundred fails here, not in a resident's browser.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Backend, spawn_app};
use std::sync::Arc;

on_both_databases!(every_page_answers_under_concurrent_load);

/// Pages with resources, a title and the signed-out header, in both languages.
const PAGES: &[&str] = &[
    "/login",
    "/systems?q=camara",
    "/systems?technology=toaster",
    "/systems/central-station-cctv",
    "/",
];

/// How many requests are in flight at once, and how many rounds of them.
const IN_FLIGHT: usize = 16;
const ROUNDS: usize = 25;

async fn every_page_answers_under_concurrent_load(backend: Backend) {
    let app = Arc::new(spawn_app(backend).await);
    let mut failures = Vec::new();
    for round in 0..ROUNDS {
        let requests: Vec<_> = (0..IN_FLIGHT)
            .map(|i| {
                let app = Arc::clone(&app);
                let path = PAGES[(round + i) % PAGES.len()];
                let lang = if i % 2 == 0 { "en" } else { "es" };
                tokio::spawn(async move {
                    let response = app
                        .client
                        .get(app.url(path))
                        .header("cookie", format!("{}={lang}", app::i18n_support::LANG_COOKIE))
                        .timeout(std::time::Duration::from_secs(20))
                        .send()
                        .await;
                    let outcome = match response {
                        Ok(r) => {
                            let status = r.status().as_u16();
                            match r.text().await {
                                Ok(body)
                                    if status == 200
                                        && body.contains("· Glasshouse</title>")
                                        && body.contains("</html>") =>
                                {
                                    Ok(())
                                }
                                Ok(body) => Err(format!("status {status}, {} bytes", body.len())),
                                Err(e) => Err(format!("body: {e}")),
                            }
                        }
                        Err(e) => Err(format!("no answer: {e}")),
                    };
                    outcome.map_err(|e| format!("{path} ({lang}): {e}"))
                })
            })
            .collect();
        for handle in requests {
            if let Err(e) = handle.await.unwrap() {
                failures.push(e);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} requests failed: {failures:#?}",
        failures.len(),
        IN_FLIGHT * ROUNDS
    );
}
