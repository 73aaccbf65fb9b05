//! Cursor paging, one shape for every list: a page holds at most `limit` items in a fixed
//! order, and a cursor names where the next page starts — the sort key of the last item
//! shown, so a page never repeats or skips an item when rows are added or removed between
//! two requests (as an offset would). A row whose own sort key changes in between (a
//! request that closes, a due date extended) moves to its new place like any new row: it is
//! met there, or was met already.
//!
//! A cursor is the key itself, its parts joined by `~` (`2026-12-01~3f9c…`, `1042`), and
//! every string of its list's shape is a position: rows sort by the key, so a cursor that
//! no page gave out still names a place between two rows and reads the rows after it,
//! within what the list's own filter lets the reader see. That makes the OpenAPI pattern of
//! a cursor exact — a client generated from the document cannot send one the API refuses —
//! and a cursor of the wrong shape is refused with a sentence, never guessed at. Callers
//! should still treat it as opaque: the shape may change with the list's order.

/// Items per page when the caller does not say.
pub const DEFAULT_LIMIT: u32 = 50;
/// The most items one page may hold.
pub const MAX_LIMIT: u32 = 200;
/// Items per page of a resident's own lists (requests, consent history, notifications):
/// few enough to scroll on a phone.
pub const RESIDENT_PAGE_SIZE: u32 = 25;

/// Separates a cursor's parts.
const SEPARATOR: char = '~';
/// The longest text part, in characters.
const MAX_TEXT_CHARS: usize = 100;
/// The most digits of a number part (18 always fit in an `i64`).
const MAX_DIGITS: usize = 18;

/// Why a page could not be read as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PagingError {
    #[error("limit {0} is out of range: use 1 to {MAX_LIMIT}")]
    Limit(u32),
    #[error("the cursor is not of this list's shape: pass `next_cursor` as the page before gave it")]
    Cursor,
}

/// How many items a page may hold: `limit` if given (1 to `MAX_LIMIT`), else the default.
pub fn limit(asked: Option<u32>) -> Result<u32, PagingError> {
    match asked {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(n) => Err(PagingError::Limit(n)),
    }
}

/// One part of a sort key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Letters, digits and `_ . : -` (ids, slugs, dates), 1 to 100 of them.
    Text,
    /// A whole number of 1 to 18 digits (sizes, times in microseconds).
    Number,
}

impl Part {
    fn accepts(self, text: &str) -> bool {
        match self {
            Part::Text => {
                (1..=MAX_TEXT_CHARS).contains(&text.len())
                    && text
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"_.:-".contains(&b))
            }
            Part::Number => {
                (1..=MAX_DIGITS).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit())
            }
        }
    }

    fn pattern(self) -> String {
        match self {
            Part::Text => format!("[A-Za-z0-9_.:-]{{1,{MAX_TEXT_CHARS}}}"),
            Part::Number => format!("[0-9]{{1,{MAX_DIGITS}}}"),
        }
    }
}

/// The shape of a list's cursors: the parts of its sort key, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape(pub &'static [Part]);

impl Shape {
    /// The regular expression (for the OpenAPI document) that every cursor of this shape
    /// matches, and nothing else.
    pub fn pattern(self) -> String {
        let parts: Vec<String> = self.0.iter().map(|p| p.pattern()).collect();
        format!("^{}$", parts.join(&SEPARATOR.to_string()))
    }

    /// Reads a cursor of this shape.
    pub fn decode(self, text: &str) -> Result<Cursor, PagingError> {
        let parts: Vec<&str> = text.split(SEPARATOR).collect();
        if parts.len() != self.0.len() || !self.0.iter().zip(&parts).all(|(p, t)| p.accepts(t)) {
            return Err(PagingError::Cursor);
        }
        Ok(Cursor {
            parts: parts.into_iter().map(str::to_owned).collect(),
        })
    }

    /// Reads an optional cursor: `None` is the first page.
    pub fn decode_opt(self, text: Option<&str>) -> Result<Option<Cursor>, PagingError> {
        text.map(|t| self.decode(t)).transpose()
    }
}

/// Where a page starts: the sort key of the last item of the page before.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Cursor {
    parts: Vec<String>,
}

impl Cursor {
    /// The cursor after an item whose sort key is `parts`.
    pub fn after(parts: &[&str]) -> Self {
        Cursor {
            parts: parts.iter().map(|p| (*p).to_owned()).collect(),
        }
    }

    /// The cursor as callers carry it.
    pub fn encode(&self) -> String {
        self.parts.join(&SEPARATOR.to_string())
    }

    /// Key part `i` as text (empty past the end, which `decode` rules out).
    pub fn part(&self, i: usize) -> &str {
        self.parts.get(i).map(String::as_str).unwrap_or("")
    }

    /// Key part `i` as a whole number (0 if it is not one, which `decode` rules out).
    pub fn number(&self, i: usize) -> i64 {
        self.part(i).parse().unwrap_or(0)
    }
}

/// One page of a list, and where the next one starts (`None` on the last page).
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<Cursor>,
}

impl<T> Page<T> {
    /// A page from rows read with `LIMIT limit + 1`: the extra row, if it came, only says
    /// that there is a next page, which starts after the last row kept (`key` gives its
    /// cursor).
    pub fn from_rows(mut rows: Vec<T>, limit: u32, key: impl Fn(&T) -> Cursor) -> Self {
        let limit = limit as usize;
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next = if more { rows.last().map(key) } else { None };
        Page { items: rows, next }
    }

    /// The same page with each item turned into another type.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next: self.next,
        }
    }

    /// The next page's cursor as callers carry it.
    pub fn next_cursor(&self) -> Option<String> {
        self.next.as_ref().map(Cursor::encode)
    }
}

/// A page as a reader's page shows it: its items, where the next page starts, and whether
/// it is a later page (which links back to the first, even when it came out empty).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PageView<T> {
    pub items: Vec<T>,
    /// The next page's cursor; `None` on the last page.
    pub next_cursor: Option<String>,
    /// Whether the page was read after a cursor (not the first page).
    pub later: bool,
}

impl<T> Page<T> {
    /// The page to show, read after a cursor if `later`.
    pub fn view(self, later: bool) -> PageView<T> {
        PageView {
            next_cursor: self.next_cursor(),
            items: self.items,
            later,
        }
    }
}

/// The SQL `LIMIT` that reads one row past a page of `limit`, telling whether more follow.
pub fn fetch_limit(limit: u32) -> i64 {
    i64::from(limit) + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    const TASKS: Shape = Shape(&[Part::Text, Part::Text]);
    const SIZES: Shape = Shape(&[Part::Number]);

    #[test]
    fn a_cursor_reads_back_as_it_was_written() {
        let cursor = Cursor::after(&["2026-12-01", "3f9c0aa1"]);
        assert_eq!(cursor.encode(), "2026-12-01~3f9c0aa1");
        let back = TASKS.decode(&cursor.encode()).unwrap();
        assert_eq!(back, cursor);
        assert_eq!(back.part(0), "2026-12-01");
        assert_eq!(back.part(1), "3f9c0aa1");
        assert_eq!(SIZES.decode("1042").unwrap().number(0), 1042);
    }

    #[test]
    fn a_cursor_of_another_shape_is_refused() {
        for bad in ["", "2026-12-01", "a~b~c", "a~", "~b", "a b~c", "a~b/c", "é~b"] {
            assert_eq!(TASKS.decode(bad), Err(PagingError::Cursor), "{bad:?}");
        }
        let long = "a".repeat(MAX_TEXT_CHARS + 1);
        assert_eq!(TASKS.decode(&format!("{long}~b")), Err(PagingError::Cursor));
        for bad in ["", "-1", "1.5", "x", "1~2", "1234567890123456789"] {
            assert_eq!(SIZES.decode(bad), Err(PagingError::Cursor), "{bad:?}");
        }
        assert_eq!(
            SIZES.decode("123456789012345678").unwrap().number(0),
            123_456_789_012_345_678
        );
    }

    #[test]
    fn the_pattern_says_exactly_what_decode_accepts() {
        assert_eq!(TASKS.pattern(), "^[A-Za-z0-9_.:-]{1,100}~[A-Za-z0-9_.:-]{1,100}$");
        assert_eq!(SIZES.pattern(), "^[0-9]{1,18}$");
    }

    #[test]
    fn limits_default_and_stay_in_range() {
        assert_eq!(limit(None), Ok(DEFAULT_LIMIT));
        assert_eq!(limit(Some(1)), Ok(1));
        assert_eq!(limit(Some(MAX_LIMIT)), Ok(MAX_LIMIT));
        assert_eq!(limit(Some(0)), Err(PagingError::Limit(0)));
        assert_eq!(limit(Some(MAX_LIMIT + 1)), Err(PagingError::Limit(MAX_LIMIT + 1)));
    }

    #[test]
    fn the_row_past_the_limit_only_says_that_more_follow() {
        let key = |n: &i32| Cursor::after(&[&n.to_string()]);
        let page = Page::from_rows(vec![1, 2, 3], 2, key);
        assert_eq!(page.items, vec![1, 2]);
        assert_eq!(page.next, Some(Cursor::after(&["2"])));
        let last = Page::from_rows(vec![1, 2], 2, key);
        assert_eq!(last.items, vec![1, 2]);
        assert_eq!(last.next, None);
        let empty = Page::from_rows(Vec::<i32>::new(), 2, key);
        assert!(empty.items.is_empty() && empty.next.is_none());
    }

    #[test]
    fn a_page_view_carries_the_next_cursor_and_whether_it_is_later() {
        let key = |n: &i32| Cursor::after(&[&n.to_string()]);
        let view = Page::from_rows(vec![5, 4, 3], 2, key).view(true);
        assert_eq!(view.items, vec![5, 4]);
        assert_eq!(view.next_cursor.as_deref(), Some("4"));
        assert!(view.later);
        let last = Page::from_rows(vec![1], 2, key).view(false);
        assert_eq!((last.next_cursor, last.later), (None, false));
    }
}
