//! Where sign-in returns to: `/login?next=/s/dt-cam-01` signs in and lands on the device's
//! page. `next` comes from a link anybody can write, so only a path of this site is taken:
//! an open redirect would let a phishing mail send residents through the city's real sign-in
//! page on to a look-alike site.

/// The path sign-in lands on when there is no (acceptable) `next`.
pub const DEFAULT_RETURN_TO: &str = "/account";

/// The longest `next` taken; a longer one falls back to [`DEFAULT_RETURN_TO`].
const MAX_LEN: usize = 512;

/// A path of this site to return to after signing in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnTo(String);

impl ReturnTo {
    /// `next` if it is a path of this site, else `None`:
    /// - it starts with one `/` and the next character is neither `/` nor `\` (browsers read
    ///   `//host` and `/\host` as another site);
    /// - no backslash, control character or whitespace anywhere (browsers drop tabs and
    ///   newlines, so `/\t/host` would become `//host`);
    /// - not the sign-in pages themselves, nor `/fn/` (server functions) or `/api/` (JSON),
    ///   which a person never means to land on;
    /// - at most 512 bytes.
    pub fn parse(next: &str) -> Option<Self> {
        let rest = next.strip_prefix('/')?;
        let acceptable = next.len() <= MAX_LEN
            && !rest.starts_with(['/', '\\'])
            && !next
                .chars()
                .any(|c| c == '\\' || c.is_control() || c.is_whitespace())
            && !["login", "logout", "fn/", "api/"]
                .iter()
                .any(|p| rest.starts_with(p));
        acceptable.then(|| Self(next.to_owned()))
    }

    /// Where to go after signing in with `next` (given or not, acceptable or not).
    pub fn or_default(next: Option<&str>) -> String {
        next.and_then(Self::parse)
            .map_or_else(|| DEFAULT_RETURN_TO.to_owned(), |r| r.0)
    }

    /// `path` (a page of this site) as the `next` parameter of a link to a sign-in page:
    /// `next=` and the path percent-encoded, or nothing if the path would not be taken back.
    pub fn query_of(path: &str) -> String {
        match Self::parse(path) {
            Some(r) => format!("next={}", crate::query::query_value(&r.0)),
            None => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_of_this_site_is_taken() {
        for path in [
            "/s/dt-cam-01",
            "/my/access-log?system=downtown-cctv",
            "/register/reports#new",
            "/",
        ] {
            assert_eq!(ReturnTo::or_default(Some(path)), path);
        }
    }

    #[test]
    fn another_site_is_refused() {
        for next in [
            "https://evil.example/",
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/ /evil.example",
            "javascript:alert(1)",
            "evil.example",
            "/s/x\\..\\..",
            "/s/x\r\nSet-Cookie: a=b",
        ] {
            assert_eq!(ReturnTo::parse(next), None, "{next:?}");
            assert_eq!(ReturnTo::or_default(Some(next)), DEFAULT_RETURN_TO);
        }
    }

    #[test]
    fn a_path_travels_encoded_in_a_query() {
        assert_eq!(ReturnTo::query_of("/s/dt-cam-01"), "next=/s/dt-cam-01");
        assert_eq!(
            ReturnTo::query_of("/my/access-log?system=a&page=2"),
            "next=/my/access-log%3Fsystem%3Da%26page%3D2"
        );
        assert_eq!(ReturnTo::query_of("/s/é"), "next=/s/%C3%A9");
        assert_eq!(ReturnTo::query_of("//evil.example"), "");
    }

    #[test]
    fn the_sign_in_pages_and_machine_paths_fall_back() {
        for next in [
            "/login",
            "/login/second-factor",
            "/logout",
            "/fn/auth/sign_in",
            "/api/v1/stats",
        ] {
            assert_eq!(ReturnTo::parse(next), None, "{next}");
        }
        assert_eq!(ReturnTo::or_default(None), "/account");
        assert_eq!(ReturnTo::or_default(Some("")), "/account");
        let long = format!("/{}", "a".repeat(512));
        assert_eq!(ReturnTo::parse(&long), None);
    }
}
