//! The public register, through the running server: pages, search, filters, open data.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Backend, city, linked_systems, spawn_app};
use server::api::register::CSV_HEADER;
use std::collections::BTreeSet;

on_both_databases!(
    the_register_lists_every_system_of_the_demo_city,
    each_filter_returns_exactly_the_matching_systems,
    search_matches_words_in_any_case_and_accent,
    an_unknown_filter_value_is_explained_not_ignored,
    a_system_page_shows_what_why_how_long_and_who,
    an_unknown_system_is_a_real_404_page,
    the_json_register_agrees_with_the_data_file,
    the_csv_register_has_one_row_per_purpose_and_agrees_with_the_json,
    pages_speak_spanish_when_asked,
);

fn sorted(v: impl IntoIterator<Item = String>) -> Vec<String> {
    let set: BTreeSet<String> = v.into_iter().collect();
    set.into_iter().collect()
}

async fn the_register_lists_every_system_of_the_demo_city(backend: Backend) {
    let app = spawn_app(backend).await;
    let (status, html) = app.get("/systems").await;
    assert_eq!(status, 200);
    let expected = sorted(city().systems.iter().map(|s| s.slug.to_string()));
    assert_eq!(sorted(linked_systems(&html)), expected);
}

async fn each_filter_returns_exactly_the_matching_systems(backend: Backend) {
    let app = spawn_app(backend).await;
    let city = city();
    type Predicate = Box<dyn Fn(&domain::register::System) -> bool>;
    let cases: Vec<(&str, Predicate)> = vec![
        (
            "agency=riverton-parking",
            Box::new(|s| s.agency.slug.as_str() == "riverton-parking"),
        ),
        ("technology=cctv", Box::new(|s| s.technology.code() == "cctv")),
        (
            "basis=vital_interests",
            Box::new(|s| {
                s.purposes
                    .iter()
                    .any(|p| p.legal_basis.code() == "vital_interests")
            }),
        ),
        (
            "category=biometric",
            Box::new(|s| {
                s.purposes
                    .iter()
                    .any(|p| p.categories.iter().any(|c| c.code() == "biometric"))
            }),
        ),
        (
            "technology=licence_plate_reader&agency=riverton-police",
            Box::new(|s| {
                s.technology.code() == "licence_plate_reader" && s.agency.slug.as_str() == "riverton-police"
            }),
        ),
    ];
    for (query, predicate) in cases {
        let expected = sorted(
            city.systems
                .iter()
                .filter(|s| predicate(s))
                .map(|s| s.slug.to_string()),
        );
        assert!(
            !expected.is_empty(),
            "{query} should match something in the demo city"
        );
        let (status, html) = app.get(&format!("/systems?{query}")).await;
        assert_eq!(status, 200, "{query}");
        assert_eq!(sorted(linked_systems(&html)), expected, "{query}");
    }
}

async fn search_matches_words_in_any_case_and_accent(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, html) = app.get("/systems?q=FACIAL").await;
    assert!(linked_systems(&html).contains(&"central-station-facial-recognition".to_owned()));
    // Spanish, without the accent: "cámara" is written "camara".
    let (_, html) = app.get("/systems?q=camara+estacion").await;
    assert!(
        linked_systems(&html).contains(&"central-station-cctv".to_owned()),
        "{html}"
    );
    let (_, html) = app.get("/systems?q=zzzz-nothing-like-this").await;
    assert!(linked_systems(&html).is_empty());
    assert!(html.contains("No system matches"));
}

async fn an_unknown_filter_value_is_explained_not_ignored(backend: Backend) {
    let app = spawn_app(backend).await;
    let (status, html) = app.get("/systems?technology=toaster").await;
    assert_eq!(status, 200);
    assert!(linked_systems(&html).is_empty());
    assert!(html.contains("role=\"alert\""), "{html}");
    assert!(html.contains("toaster"));
}

async fn a_system_page_shows_what_why_how_long_and_who(backend: Backend) {
    let app = spawn_app(backend).await;
    let city = city();
    let system = city
        .systems
        .iter()
        .find(|s| s.slug.as_str() == "smart-water-meters")
        .unwrap();
    let (status, html) = app.get("/systems/smart-water-meters").await;
    assert_eq!(status, 200);
    let en = domain::lang::Lang::En;
    for expected in [
        system.name.get(en),
        &system.agency.dpo_email,
        "Why it collects data",
        "How long data is kept",
    ] {
        let escaped = expected
            .replace('&', "&amp;")
            .replace('\'', "&#x27;")
            .replace('"', "&quot;");
        assert!(
            html.contains(&escaped) || html.contains(expected),
            "missing {expected:?}"
        );
    }
    for purpose in &system.purposes {
        let name = purpose.name.get(en).replace('&', "&amp;").replace('\'', "&#x27;");
        assert!(html.contains(&name), "missing purpose {name:?}");
    }
}

async fn an_unknown_system_is_a_real_404_page(backend: Backend) {
    let app = spawn_app(backend).await;
    for path in ["/systems/no-such-system", "/systems/NOT_A_SLUG", "/no/such/page"] {
        let (status, html) = app.get(path).await;
        assert_eq!(status, 404, "{path}");
        assert!(html.contains("Page not found"), "{path}");
    }
}

async fn the_json_register_agrees_with_the_data_file(backend: Backend) {
    let app = spawn_app(backend).await;
    let document = app.anonymous().register_json(None).await.ok();
    let city = city();
    assert_eq!(document.systems.len(), city.systems.len());
    let en = domain::lang::Lang::En;
    for expected in &city.systems {
        let got = document
            .systems
            .iter()
            .find(|s| s.slug == expected.slug.as_str())
            .expect("system served");
        assert_eq!(got.name, expected.name.get(en));
        assert_eq!(got.agency.slug, expected.agency.slug.as_str());
        assert_eq!(got.technology, expected.technology.code());
        assert_eq!(got.retention_days, expected.retention_days);
        assert_eq!(got.reviewed_on, expected.reviewed_on);
        let keys: Vec<(&str, &str)> = got
            .purposes
            .iter()
            .map(|p| (p.key.as_str(), p.legal_basis.code()))
            .collect();
        let want: Vec<(&str, &str)> = expected
            .purposes
            .iter()
            .map(|p| (p.key.as_str(), p.legal_basis.code()))
            .collect();
        assert_eq!(keys, want, "{}", expected.slug);
        for (g, e) in got.purposes.iter().zip(&expected.purposes) {
            assert_eq!(g.data_categories, e.categories, "{}/{}", expected.slug, e.key);
        }
    }
}

async fn the_csv_register_has_one_row_per_purpose_and_agrees_with_the_json(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app.anonymous().register_csv().await;
    assert!(response.header("content-type").unwrap().starts_with("text/csv"));
    let body = response.text();
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(), CSV_HEADER);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let city = city();
    let purposes: usize = city.systems.iter().map(|s| s.purposes.len()).sum();
    assert_eq!(rows.len(), purposes);
    for system in &city.systems {
        for purpose in &system.purposes {
            let row = rows
                .iter()
                .find(|r| &r[0] == system.slug.as_str() && &r[11] == purpose.key.as_str())
                .expect("a row per purpose");
            assert_eq!(&row[13], purpose.legal_basis.code());
            let categories: Vec<&str> = purpose.categories.iter().map(|c| c.code()).collect();
            assert_eq!(&row[14], categories.join(";"));
        }
    }
}

async fn pages_speak_spanish_when_asked(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, html) = app
        .get_with("/systems", &[("accept-language", "es-ES,es;q=0.9")])
        .await;
    assert!(
        html.contains("Registro de sistemas municipales"),
        "Accept-Language: es"
    );
    assert!(html.contains("lang=\"es\""));

    let response = app
        .client
        .get(app.url("/lang/es?next=/systems%3Fq%3Dwifi"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/systems?q=wifi");
    let cookie = response.headers()["set-cookie"].to_str().unwrap().to_owned();
    let offsite = app
        .client
        .get(app.url("/lang/es?next=https://evil.example/"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        offsite.headers()["location"],
        "/",
        "the switch never sends anyone off the site"
    );
    let unsupported = app
        .client
        .get(app.url("/lang/fr?next=/systems"))
        .send()
        .await
        .unwrap();
    assert_eq!(unsupported.status(), 404);
    assert!(unsupported.headers().get("set-cookie").is_none());
    assert!(cookie.starts_with("i18n_pref_locale=es"), "{cookie}");
    let (_, html) = app
        .get_with(
            "/systems",
            &[("cookie", "i18n_pref_locale=es"), ("accept-language", "en")],
        )
        .await;
    assert!(
        html.contains("Registro de sistemas municipales"),
        "the cookie wins over the header"
    );

    let document = app.anonymous().register_json(Some("es")).await.ok();
    let city = city();
    let first = city
        .systems
        .iter()
        .find(|s| s.slug.as_str() == document.systems[0].slug)
        .unwrap();
    assert_eq!(document.systems[0].name, first.name.get(domain::lang::Lang::Es));

    // Only the document's codes, exactly: what its enum allows and nothing looser.
    for code in ["xx", "es-MX", "ES", " es"] {
        let response = app.anonymous().register_json(Some(code)).await;
        assert_eq!(response.status, 400, "{code:?}");
        assert_eq!(response.error().error, "unsupported_language");
    }
}
