//! Notifications: what a resident is told about their requests, and the one list, newest
//! first, that merges them with the register's notices.

use super::kind::RequestKind;
use super::status::RequestStatus;
use crate::paging::{Cursor, Page, PageView, Part, Shape};
use crate::register::SystemNotice;
use serde::{Deserialize, Serialize};

/// What a notification tells the resident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NotificationKind {
    /// The request changed to this status.
    Status(RequestStatus),
    /// The privacy office wrote.
    Message,
}

/// One notification about one of the resident's requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub id: String,
    pub request_id: String,
    pub request_kind: RequestKind,
    /// RFC 3339.
    pub at: String,
    pub kind: NotificationKind,
    pub read: bool,
}

/// A resident's notifications are two lists merged by time, newest first: what changed in
/// their requests, and changes to the register's systems they follow or hold data in. At
/// the same instant a request's notification comes first (the larger rank).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeList {
    Register = 0,
    Request = 1,
}

impl NoticeList {
    fn rank(self) -> i64 {
        self as i64
    }
}

/// A page of notifications starts after a notification's (time in microseconds, list
/// rank, id): the ids of two lists are never compared with each other, so the merged order
/// does not depend on how a database collates text.
pub const NOTICE_CURSOR: Shape = Shape(&[Part::Number, Part::Number, Part::Text]);

/// One notification of either list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Notice {
    Request(Notification),
    Register(SystemNotice),
}

impl Notice {
    fn list(&self) -> NoticeList {
        match self {
            Notice::Request(_) => NoticeList::Request,
            Notice::Register(_) => NoticeList::Register,
        }
    }

    fn id(&self) -> &str {
        match self {
            Notice::Request(n) => &n.id,
            Notice::Register(n) => &n.id,
        }
    }

    /// Whether the resident has read it.
    pub fn read(&self) -> bool {
        match self {
            Notice::Request(n) => n.read,
            Notice::Register(n) => n.read,
        }
    }
}

/// A notification with its time, as its list reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    pub at_us: i64,
    pub notice: Notice,
}

impl Placed {
    /// The cursor of the page that starts after this notification.
    fn cursor(&self) -> Cursor {
        let (at, rank) = (self.at_us.to_string(), self.notice.list().rank().to_string());
        Cursor::after(&[&at, &rank, self.notice.id()])
    }

    /// Whether it comes before `other` (of the other list) in the merged order.
    fn before(&self, other: &Placed) -> bool {
        (self.at_us, self.notice.list().rank()) > (other.at_us, other.notice.list().rank())
    }
}

/// Which of a list's rows at the cursor's own instant follow the cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameInstant {
    /// None: the list comes before the cursor's list at that instant.
    None = 0,
    /// Those with an id below the cursor's (the cursor's own list).
    BelowId = 1,
    /// All: the list comes after the cursor's list at that instant.
    All = 2,
}

/// Where one list resumes after a cursor of the merged list: its rows older than `at_us`,
/// and at `at_us` those `same_instant` lets through (newest first by time, then id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resume {
    pub at_us: i64,
    pub same_instant: SameInstant,
    pub id: String,
}

impl Resume {
    /// Where `list` resumes after `cursor` (a `NOTICE_CURSOR`; `None`: from the newest).
    pub fn of(cursor: Option<&Cursor>, list: NoticeList) -> Resume {
        let Some(cursor) = cursor else {
            return Resume {
                at_us: i64::MAX,
                same_instant: SameInstant::All,
                id: String::new(),
            };
        };
        let same_instant = match list.rank().cmp(&cursor.number(1)) {
            std::cmp::Ordering::Less => SameInstant::All,
            std::cmp::Ordering::Equal => SameInstant::BelowId,
            std::cmp::Ordering::Greater => SameInstant::None,
        };
        Resume {
            at_us: cursor.number(0),
            same_instant,
            id: cursor.part(2).to_owned(),
        }
    }

    /// `same_instant` as the number a query compares.
    pub fn mode(&self) -> i64 {
        self.same_instant as i64
    }
}

/// The page of the merged list from each list's rows after the same `Resume`s, each read
/// newest first with `fetch_limit(limit)`: the rows of the page are among them, in order.
/// Each list keeps its own order (the database's), so only times and ranks are compared.
pub fn merge_notices(requests: Vec<Placed>, register: Vec<Placed>, limit: u32) -> Page<Notice> {
    let mut merged = Vec::with_capacity(requests.len() + register.len());
    let (mut a, mut b) = (requests.into_iter().peekable(), register.into_iter().peekable());
    loop {
        let take_a = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) => x.before(y),
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        merged.extend(if take_a { a.next() } else { b.next() });
    }
    Page::from_rows(merged, limit, Placed::cursor).map(|p| p.notice)
}

/// What the notifications page shows: a page of the merged list, and how many
/// notifications of every kind are unread (for "mark all as read").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoticesPage {
    pub notices: PageView<Notice>,
    pub unread: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::register::VersionKind;

    fn request(at_us: i64, id: &str) -> Placed {
        Placed {
            at_us,
            notice: Notice::Request(Notification {
                id: id.to_owned(),
                request_id: "r".to_owned(),
                request_kind: RequestKind::Access,
                at: String::new(),
                kind: NotificationKind::Message,
                read: false,
            }),
        }
    }

    fn register(at_us: i64, id: &str) -> Placed {
        Placed {
            at_us,
            notice: Notice::Register(SystemNotice {
                id: id.to_owned(),
                system_slug: "s".to_owned(),
                system_name: "S".to_owned(),
                version: 1,
                kind: VersionKind::Changed,
                at: String::new(),
                read: false,
            }),
        }
    }

    fn ids(page: &Page<Notice>) -> Vec<&str> {
        page.items.iter().map(Notice::id).collect()
    }

    /// Both lists as a store reads them after `cursor`: newest first, the id breaking ties
    /// (in this test's own order, which the merge never looks at).
    fn read(all: &[Placed], list: NoticeList, cursor: Option<&Cursor>, limit: u32) -> Vec<Placed> {
        let resume = Resume::of(cursor, list);
        all.iter()
            .filter(|p| p.notice.list() == list)
            .filter(|p| {
                p.at_us < resume.at_us
                    || (p.at_us == resume.at_us
                        && match resume.same_instant {
                            SameInstant::All => true,
                            SameInstant::BelowId => p.notice.id() < resume.id.as_str(),
                            SameInstant::None => false,
                        })
            })
            .take(crate::paging::fetch_limit(limit) as usize)
            .cloned()
            .collect()
    }

    #[test]
    fn the_merged_list_walks_by_time_requests_first_at_the_same_instant() {
        // Each list newest first, ids descending within an instant; ties across the lists.
        let all = vec![
            request(9, "q9"),
            request(7, "q7b"),
            request(7, "q7a"),
            request(5, "q5"),
            register(9, "zz"),
            register(7, "s7b"),
            register(7, "s7a"),
            register(3, "s3"),
            register(1, "s1"),
        ];
        let expected = ["q9", "zz", "q7b", "q7a", "s7b", "s7a", "q5", "s3", "s1"];
        for limit in 1..=10 {
            let mut seen = Vec::new();
            let mut cursor: Option<Cursor> = None;
            for _ in 0..20 {
                let page = merge_notices(
                    read(&all, NoticeList::Request, cursor.as_ref(), limit),
                    read(&all, NoticeList::Register, cursor.as_ref(), limit),
                    limit,
                );
                assert!(page.items.len() <= limit as usize);
                seen.extend(ids(&page).into_iter().map(str::to_owned));
                match page.next {
                    Some(next) => {
                        // Every cursor a page gives out reads back in its shape.
                        assert_eq!(NOTICE_CURSOR.decode(&next.encode()), Ok(next.clone()));
                        cursor = Some(next);
                    }
                    None => break,
                }
            }
            assert_eq!(seen, expected, "limit {limit}");
        }
    }

    #[test]
    fn a_list_resumes_by_its_rank_against_the_cursors() {
        let cursor = NOTICE_CURSOR.decode("7~1~q7b").unwrap();
        let mine = Resume::of(Some(&cursor), NoticeList::Request);
        assert_eq!(
            (mine.at_us, mine.same_instant, mine.id.as_str()),
            (7, SameInstant::BelowId, "q7b")
        );
        let other = Resume::of(Some(&cursor), NoticeList::Register);
        assert_eq!(other.same_instant, SameInstant::All);
        let after_register = NOTICE_CURSOR.decode("7~0~s").unwrap();
        assert_eq!(
            Resume::of(Some(&after_register), NoticeList::Request).same_instant,
            SameInstant::None
        );
        // A rank no list has is still a place: after every list, or before every list.
        let past = NOTICE_CURSOR.decode("7~9~x").unwrap();
        assert_eq!(
            Resume::of(Some(&past), NoticeList::Request).mode(),
            SameInstant::All as i64
        );
        let first = Resume::of(None, NoticeList::Register);
        assert_eq!((first.at_us, first.same_instant), (i64::MAX, SameInstant::All));
    }
}
