//! Writing a value into a link's query string.

/// `value` percent-encoded for a query's value (RFC 3986): unreserved characters and `/`
/// (allowed in a query, and kept so a path passed as `next=` stays readable) as they are,
/// every other byte of its UTF-8 as `%XX`.
pub fn query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_and_non_ascii_bytes_are_escaped() {
        assert_eq!(query_value("a b&c=d?e#f"), "a%20b%26c%3Dd%3Fe%23f");
        assert_eq!(query_value("/s/é~x"), "/s/%C3%A9~x");
        assert_eq!(query_value("a+b%"), "a%2Bb%25");
    }
}
