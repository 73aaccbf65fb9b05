//! `/register/changes.atom`: the register's change feed as Atom (RFC 4287), for feed readers.

use super::AppState;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::lang::Lang;
use domain::register::{VersionKind, VersionView};

/// The latest register changes, in English, as an Atom feed.
pub async fn register_changes_atom(State(state): State<AppState>) -> Response {
    match store::register::changes(&state.pool, app::register::CHANGES_SHOWN).await {
        Ok(versions) => {
            let views: Vec<VersionView> = versions.iter().map(|v| v.view(Lang::En)).collect();
            (
                [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
                atom(&state.backend.public_url, &views),
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

/// The feed document: one entry per version, linking to the system's history.
fn atom(base: &str, versions: &[VersionView]) -> String {
    let updated = versions.first().map_or("1970-01-01T00:00:00Z", |v| v.at.as_str());
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
        let feed = atom("https://city.example", &[v]);
        assert!(
            feed.contains("<title>Cameras &lt;&amp;&gt; &quot;more&quot; changed</title>"),
            "{feed}"
        );
        assert!(feed.contains("<id>https://city.example/systems/cams/history#v2</id>"));
        assert!(feed.contains("<summary>Changed: retention</summary>"));
    }
}
