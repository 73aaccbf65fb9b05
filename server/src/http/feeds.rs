//! `/register/changes.atom`: the register's change feed as Atom (RFC 4287), for feed readers.

use super::AppState;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::lang::Lang;
use domain::register::{ReviewEvent, ReviewStage, VersionKind, VersionView};

/// The latest register changes, in English, as an Atom feed.
pub async fn register_changes_atom(State(state): State<AppState>) -> Response {
    let read = async {
        let versions = store::register::changes(&state.pool, app::register::CHANGES_SHOWN).await?;
        let events =
            store::register::review_events(&state.pool, app::register::REVIEW_EVENTS_SHOWN, Lang::En).await?;
        Ok::<_, store::StoreError>((versions, events))
    };
    match read.await {
        Ok((versions, events)) => {
            let views: Vec<VersionView> = versions.iter().map(|v| v.view(Lang::En)).collect();
            (
                [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
                atom(&state.backend.public_url, &views, &events),
            )
                .into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "could not read the register's changes");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The feed document: one entry per version, linking to the system's history, and one per
/// review milestone, linking to the review.
fn atom(base: &str, versions: &[VersionView], events: &[ReviewEvent]) -> String {
    let updated = versions
        .first()
        .map(|v| v.at.as_str())
        .into_iter()
        .chain(events.first().map(|e| e.at.as_str()))
        .max()
        .unwrap_or("1970-01-01T00:00:00Z");
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n\
         <title>Register changes</title>\n<id>{base}/register/changes</id>\n\
         <link rel=\"alternate\" href=\"{base}/register/changes\"/>\n\
         <link rel=\"self\" href=\"{base}/register/changes.atom\"/>\n<updated>{updated}</updated>\n\
         <author><name>The city's privacy office</name></author>\n",
        base = escape(base)
    );
    for v in versions {
        let link = format!("{base}/systems/{}/history#v{}", v.system_slug, v.version);
        let what = match v.kind {
            VersionKind::Added => "added to the register",
            VersionKind::Changed => "changed",
            VersionKind::Retired => "retired",
        };
        let fields: Vec<&str> = v.changes.iter().map(|c| c.field.as_str()).collect();
        let summary = if fields.is_empty() {
            String::new()
        } else {
            format!("Changed: {}", fields.join(", "))
        };
        out.push_str(&format!(
            "<entry>\n<title>{} {what}</title>\n<id>{}</id>\n<link href=\"{}\"/>\n<updated>{}</updated>\n\
             <summary>{}</summary>\n</entry>\n",
            escape(&v.system_name),
            escape(&link),
            escape(&link),
            escape(&v.at),
            escape(&summary)
        ));
    }
    for e in events {
        let link = format!("{base}/reviews/{}", e.review_id);
        let (what, summary) = match e.stage {
            ReviewStage::Comment => (
                "open for public comment",
                e.closes_on
                    .map(|c| format!("Comments close on {c}."))
                    .unwrap_or_default(),
            ),
            ReviewStage::Rejected => (
                "rejected after public review",
                e.decided_by.clone().unwrap_or_default(),
            ),
            _ => (
                "approved after public review",
                e.decided_by.clone().unwrap_or_default(),
            ),
        };
        out.push_str(&format!(
            "<entry>\n<title>{} {what}</title>\n<id>{}#{}</id>\n<link href=\"{}\"/>\n<updated>{}</updated>\n\
             <summary>{}</summary>\n</entry>\n",
            escape(&e.system_name),
            escape(&link),
            e.stage.code(),
            escape(&link),
            escape(&e.at),
            escape(&summary)
        ));
    }
    out.push_str("</feed>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::register::FieldChange;

    #[test]
    fn the_feed_escapes_what_it_quotes() {
        let v = VersionView {
            version: 2,
            at: "2026-11-26T10:00:00Z".into(),
            kind: VersionKind::Changed,
            system_slug: "cams".into(),
            system_name: "Cameras <&> \"more\"".into(),
            changes: vec![FieldChange {
                field: "retention".into(),
                before: String::new(),
                after: String::new(),
            }],
        };
        let feed = atom("https://city.example", &[v], &[]);
        assert!(
            feed.contains("<title>Cameras &lt;&amp;&gt; &quot;more&quot; changed</title>"),
            "{feed}"
        );
        assert!(feed.contains("<id>https://city.example/systems/cams/history#v2</id>"));
        assert!(feed.contains("<summary>Changed: retention</summary>"));
    }

    #[test]
    fn review_milestones_are_entries_linking_to_the_review() {
        let opened = ReviewEvent {
            at: "2026-11-27T09:00:00Z".into(),
            review_id: "r1".into(),
            system_slug: "plaza-faces".into(),
            system_name: "Plaza faces".into(),
            stage: ReviewStage::Comment,
            closes_on: domain::calendar::Date::parse("2027-01-10").ok(),
            decided_by: None,
        };
        let decided = ReviewEvent {
            at: "2026-11-28T09:00:00Z".into(),
            stage: ReviewStage::Rejected,
            closes_on: None,
            decided_by: Some("City Council".into()),
            ..opened.clone()
        };
        let feed = atom("https://city.example", &[], &[decided, opened]);
        assert!(
            feed.contains("<updated>2026-11-28T09:00:00Z</updated>\n<author>"),
            "{feed}"
        );
        assert!(feed.contains("<title>Plaza faces open for public comment</title>"));
        assert!(feed.contains("<summary>Comments close on 2027-01-10.</summary>"));
        assert!(feed.contains("<title>Plaza faces rejected after public review</title>"));
        assert!(feed.contains("<id>https://city.example/reviews/r1#rejected</id>"));
    }
}
