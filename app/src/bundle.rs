//! The site's published files under `/pkg/`: their names (hashed by `cargo leptos build`,
//! `hash-files = true`, so a returning visitor's cache never serves a stale copy), and the
//! loader that fetches the WebAssembly only on a page that has an island.

use leptos::prelude::*;

/// The names of the stylesheet, the JavaScript glue and the WebAssembly under `/pkg/`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bundle {
    pub css: String,
    pub js: String,
    pub wasm: String,
}

impl Bundle {
    /// The names for an output name and the hash file's text (`cargo leptos build` writes
    /// `js: …`, `wasm: …`, `css: …` lines), or the plain names without one.
    pub fn from_hashes(output_name: &str, hashes: Option<&str>) -> Self {
        let hash_of = |kind: &str| {
            hashes.and_then(|text| {
                text.lines()
                    .filter_map(|line| line.split_once(':'))
                    .find(|(file, _)| file.trim() == kind)
                    .map(|(_, hash)| hash.trim().to_owned())
                    .filter(|hash| {
                        !hash.is_empty()
                            && hash
                                .chars()
                                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                    })
            })
        };
        let name = |kind: &str, extension: &str| match hash_of(kind) {
            Some(hash) => format!("{output_name}.{hash}.{extension}"),
            None => format!("{output_name}.{extension}"),
        };
        Self {
            css: name("css", "css"),
            js: name("js", "js"),
            wasm: name("wasm", "wasm"),
        }
    }

    /// This process's names, read once: the hash file lies beside the server's executable,
    /// where `cargo leptos build` puts it.
    #[cfg(feature = "ssr")]
    pub fn current(options: &LeptosOptions) -> &'static Bundle {
        static BUNDLE: std::sync::OnceLock<Bundle> = std::sync::OnceLock::new();
        BUNDLE.get_or_init(|| {
            let hashes = std::env::current_exe()
                .ok()
                .and_then(|exe| exe.parent().map(|dir| dir.join(options.hash_file.as_ref())))
                .and_then(|path| std::fs::read_to_string(path).ok());
            Bundle::from_hashes(&options.output_name, hashes.as_deref())
        })
    }

    /// The loader script: on a page with islands it imports the glue, instantiates the
    /// WebAssembly and hydrates each island (as Leptos' own island script does); on a page
    /// without, it fetches nothing.
    pub fn loader(&self, pkg_dir: &str) -> String {
        let Bundle { js, wasm, .. } = self;
        format!(
            "const islands = document.querySelectorAll(\"leptos-island\");\n\
             if (islands.length) import(\"/{pkg_dir}/{js}\").then(async (m) => {{\n\
             await m.default({{ module_or_path: \"/{pkg_dir}/{wasm}\" }});\n\
             m.hydrate();\n\
             for (const el of islands) {{ const island = m[el.dataset.component]; if (island) island(el); }}\n\
             }});"
        )
    }
}

/// The stylesheet link, for the document's `<head>`.
#[component]
pub fn BundleStylesheet(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    let href = format!("/{}/{}", options.site_pkg_dir, Bundle::current(&options).css);
    #[cfg(not(feature = "ssr"))]
    let href = {
        let _ = options;
        String::new()
    };
    view! { <link rel="stylesheet" href=href /> }
}

/// The island loader, for the end of the document's `<body>`, with this response's nonce.
#[component]
pub fn IslandLoader(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    let script = Bundle::current(&options).loader(&options.site_pkg_dir);
    #[cfg(not(feature = "ssr"))]
    let script = {
        let _ = options;
        String::new()
    };
    let nonce = leptos::nonce::use_nonce();
    view! { <script type="module" nonce=nonce>{script}</script> }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names_come_from_the_hash_file() {
        let bundle = Bundle::from_hashes("glasshouse", Some("js: abc123\nwasm: def456\ncss: 0f0f\n"));
        assert_eq!(bundle.js, "glasshouse.abc123.js");
        assert_eq!(bundle.wasm, "glasshouse.def456.wasm");
        assert_eq!(bundle.css, "glasshouse.0f0f.css");
    }

    #[test]
    fn without_a_hash_file_the_names_are_plain() {
        let bundle = Bundle::from_hashes("glasshouse", None);
        assert_eq!(
            bundle,
            Bundle {
                css: "glasshouse.css".into(),
                js: "glasshouse.js".into(),
                wasm: "glasshouse.wasm".into()
            }
        );
    }

    #[test]
    fn a_hash_that_is_not_a_plain_word_is_ignored() {
        let bundle = Bundle::from_hashes("glasshouse", Some("js: ../../evil\"\ncss:\n"));
        assert_eq!(bundle.js, "glasshouse.js");
        assert_eq!(bundle.css, "glasshouse.css");
    }

    #[test]
    fn the_loader_fetches_nothing_without_islands() {
        let loader = Bundle::from_hashes("glasshouse", Some("js: a1\nwasm: b2")).loader("pkg");
        assert!(loader.starts_with("const islands = document.querySelectorAll(\"leptos-island\");\nif (islands.length) import(\"/pkg/glasshouse.a1.js\")"));
        assert!(loader.contains("module_or_path: \"/pkg/glasshouse.b2.wasm\""));
    }
}
