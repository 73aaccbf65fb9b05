//! The agencies' consent change feed: `GET /api/v1/consent/changes` (a page at a time) and
//! `GET /api/v1/consent/changes/stream` (server-sent events), so an agency stops processing
//! and purges its copies within seconds of a withdrawal instead of polling consent checks.
//!
//! Streams never poll the database themselves: one ticker per process reads the latest
//! ledger entry a change could be in, once a second while a stream is open, and wakes the
//! streams (a `watch` channel) only when it moved; each woken stream then reads its own
//! agency's changes from where it stood.

use super::caller::{AgencyCaller, bearer_token};
use super::codes::ConsentChangeKindCode;
use super::error::{ApiError, ErrorBody};
use super::extract::ApiQuery;
use super::paging::{ConsentChangeCursor, PageLimit};
use crate::http::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use domain::account::ApiScope;
use domain::consent::{CONSENT_CHANGE_CURSOR, ConsentChange, ConsentChangePage};
use domain::paging::MAX_LIMIT;
use futures_util::Stream;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(changes))
        .routes(routes!(stream))
}

/// How often the ticker looks at the ledger while a stream is open.
const TICK: Duration = Duration::from_secs(1);
/// How often a stream says it is alive (a comment line), and checks its token still holds.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// The most streams one client may hold open at once.
pub const MAX_STREAMS_PER_CLIENT: usize = 4;

/// `?after=&limit=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ConsentChangesQuery {
    /// Where to start: a change's `cursor` or a page's `next_cursor` (the beginning when absent).
    #[param(value_type = Option<ConsentChangeCursor>)]
    after: Option<String>,
    /// The most changes the page holds (1 to 200; 50 when absent).
    #[param(value_type = Option<PageLimit>)]
    limit: Option<u32>,
}

/// `?after=` of the stream.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ConsentStreamQuery {
    /// Where to start (the beginning when absent); a `Last-Event-ID` header takes its place.
    #[param(value_type = Option<ConsentChangeCursor>)]
    after: Option<String>,
}

/// One change for a resident enrolled with one of the agency's systems.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ConsentChangeRecord {
    #[schema(value_type = ConsentChangeKindCode, example = "consent_withdrawn")]
    pub kind: String,
    /// The resident number; `null` when the account was deleted (its number is erased).
    #[schema(example = "GH-7K3M-Q9TX")]
    pub subject: Option<String>,
    /// The system's slug.
    #[schema(example = "riverpass-fare-card")]
    pub system: String,
    /// The purpose's key; `null` for an ended enrollment.
    #[schema(example = "journey-offers")]
    pub purpose: Option<String>,
    /// When it happened (RFC 3339, UTC).
    #[schema(example = "2026-11-27T10:15:00.123456Z")]
    pub at: String,
    /// The feed's position after this change: pass it as `after` to read on from here.
    #[schema(value_type = ConsentChangeCursor)]
    pub cursor: String,
}

impl From<ConsentChange> for ConsentChangeRecord {
    fn from(c: ConsentChange) -> Self {
        ConsentChangeRecord {
            kind: c.kind.code().to_owned(),
            subject: c.subject,
            system: c.system,
            purpose: c.purpose,
            at: c.at,
            cursor: c.cursor,
        }
    }
}

/// One read of the feed.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ConsentChangesDocument {
    /// Oldest first.
    pub changes: Vec<ConsentChangeRecord>,
    /// Where the next read starts: pass it as `after`. Never `null`: the feed has no last
    /// page, only an end for now (see `caught_up`).
    #[schema(value_type = ConsentChangeCursor)]
    pub next_cursor: String,
    /// Whether this read reached the feed's end: nothing more has happened yet. While it is
    /// `false`, read again from `next_cursor` at once (a read looks through a bounded
    /// stretch of the ledger, so a page can be short, even empty, and more follow).
    pub caught_up: bool,
}

/// The position `after` names: 0 when absent; 422 with a sentence for anything but a
/// cursor of this feed.
fn position(after: Option<&str>) -> Result<i64, ApiError> {
    let cursor = CONSENT_CHANGE_CURSOR.decode_opt(after).map_err(|_| {
        ApiError::invalid(
            "after must be a cursor of the consent change feed (a whole number of 1 to 18 digits, \
             as a change's cursor or a page's next_cursor gave it)",
        )
    })?;
    Ok(cursor.map_or(0, |c| c.number(0)))
}

/// Changes for residents enrolled with the calling agency's systems, oldest first: consent
/// withdrawals and grants, upheld objections (GDPR Art. 21) and ended enrollments.
///
/// Needs the scope `consent:changes`. Only the agency's own systems, and a consent change
/// or objection only once the resident had enrolled with the system. Follow `next_cursor`
/// while `caught_up` is `false`; then keep it and read again later (or use the stream).
#[utoipa::path(
    get,
    path = "/api/v1/consent/changes",
    tag = "consent",
    params(ConsentChangesQuery),
    security(("agency_token" = ["consent:changes"])),
    responses(
        (status = 200, description = "A page of changes", body = ConsentChangesDocument),
        (status = 400, description = "A query parameter other than after and limit, or one that is not a number", body = ErrorBody),
        (status = 401, description = "No valid bearer token", body = ErrorBody),
        (status = 403, description = "The token lacks the scope consent:changes", body = ErrorBody),
        (status = 422, description = "A limit out of range or a cursor that is not of this feed", body = ErrorBody),
    )
)]
pub async fn changes(
    caller: AgencyCaller,
    State(state): State<AppState>,
    query: Result<ApiQuery<ConsentChangesQuery>, ApiError>,
) -> Result<Json<ConsentChangesDocument>, ApiError> {
    caller.require(ApiScope::ConsentChanges)?;
    let ApiQuery(query) = query?;
    let limit = domain::paging::limit(query.limit).map_err(|e| ApiError::invalid(e.to_string()))?;
    let after = position(query.after.as_deref())?;
    let page = store::consent::consent_changes(&state.pool, &caller.agency, after, limit)
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(ConsentChangesDocument {
        next_cursor: page.next.to_string(),
        caught_up: page.caught_up,
        changes: page.changes.into_iter().map(ConsentChangeRecord::from).collect(),
    }))
}

/// The same changes as a stream of server-sent events, as they happen (within about a
/// second): each event's `data` is a change as JSON and its `id` the change's cursor, so a
/// client that reconnects with `Last-Event-ID` (which takes the place of `after`) misses
/// nothing and repeats nothing. A comment line every 15 seconds keeps the connection open.
///
/// Needs the scope `consent:changes`. The stream ends when its token stops being valid
/// (expired, revoked, the scope taken): reconnect with a fresh token and `Last-Event-ID`. A
/// client holds at most 4 streams at once.
#[utoipa::path(
    get,
    path = "/api/v1/consent/changes/stream",
    tag = "consent",
    params(
        ConsentStreamQuery,
        ("Last-Event-ID" = Option<ConsentChangeCursor>, Header, description = "The id of the last event received; takes the place of after"),
    ),
    security(("agency_token" = ["consent:changes"])),
    responses(
        (status = 200, description = "Server-sent events, one per change (`data`: a ConsentChangeRecord, `id`: its cursor)", content_type = "text/event-stream", body = String),
        (status = 400, description = "A query parameter other than after", body = ErrorBody),
        (status = 401, description = "No valid bearer token", body = ErrorBody),
        (status = 403, description = "The token lacks the scope consent:changes", body = ErrorBody),
        (status = 422, description = "A cursor (after or Last-Event-ID) that is not of this feed", body = ErrorBody),
        (status = 429, description = "The client already holds 4 open streams", body = ErrorBody),
    )
)]
pub async fn stream(
    caller: AgencyCaller,
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<ApiQuery<ConsentStreamQuery>, ApiError>,
) -> Result<Sse<impl Stream<Item = Result<Event, std::convert::Infallible>>>, ApiError> {
    caller.require(ApiScope::ConsentChanges)?;
    let ApiQuery(query) = query?;
    let last_event_id = headers.get("last-event-id").map(|v| v.to_str().unwrap_or("?"));
    let after = position(last_event_id.or(query.after.as_deref()))?;
    let slot = state.change_ticker.slots.take(&caller.client_id)?;
    let follow = Follow {
        state: state.clone(),
        token: bearer_token(&headers).unwrap_or_default().to_owned(),
        agency: caller.agency,
        position: after,
        pending: VecDeque::new(),
        ticks: state.change_ticker.subscribe(),
        _slot: slot,
    };
    let events = futures_util::stream::unfold(follow, |mut follow| async move {
        let change = follow.next().await?;
        let event = Event::default()
            .id(change.cursor.clone())
            .json_data(ConsentChangeRecord::from(change))
            .unwrap_or_else(|_| Event::default().comment("unserialisable change"));
        Some((Ok(event), follow))
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)))
}

/// One open stream: where it stands in the feed, and what it read but has not sent.
struct Follow {
    state: AppState,
    token: String,
    agency: String,
    position: i64,
    pending: VecDeque<ConsentChange>,
    ticks: watch::Receiver<i64>,
    _slot: StreamSlot,
}

impl Follow {
    /// The next change, waiting for it as long as the token holds; `None` ends the stream.
    async fn next(&mut self) -> Option<ConsentChange> {
        loop {
            if let Some(change) = self.pending.pop_front() {
                return Some(change);
            }
            // Seen now: a tick after this read wakes the stream again.
            self.ticks.borrow_and_update();
            let page = self.read().await?;
            self.position = page.next;
            self.pending.extend(page.changes);
            if !self.pending.is_empty() || !page.caught_up {
                continue;
            }
            loop {
                match tokio::time::timeout(KEEP_ALIVE, self.ticks.changed()).await {
                    Ok(Ok(())) => break,
                    Ok(Err(_)) => return None,
                    Err(_) if self.still_allowed().await => {}
                    Err(_) => return None,
                }
            }
        }
    }

    async fn read(&self) -> Option<ConsentChangePage> {
        let read = store::consent::consent_changes(&self.state.pool, &self.agency, self.position, MAX_LIMIT);
        match read.await {
            Ok(page) => Some(page),
            Err(e) => {
                tracing::warn!(error = %e, agency = %self.agency, "a consent change stream ended on a storage error");
                None
            }
        }
    }

    /// Whether the stream's token still holds the scope (not expired, revoked or rotated).
    async fn still_allowed(&self) -> bool {
        let keys = self.state.accounts.keys();
        match auth::clients::verify_caller(&self.state.pool, keys, &self.token).await {
            Ok(Some(caller)) => caller.scopes.contains(&ApiScope::ConsentChanges),
            Ok(None) => false,
            Err(e) => {
                tracing::warn!(error = %e, "could not check a stream's token; the stream ends");
                false
            }
        }
    }
}

/// The process's one look at the ledger for every open stream, and the streams it counts.
#[derive(Clone)]
pub struct ChangeTicker {
    latest: Arc<watch::Sender<i64>>,
    slots: StreamSlots,
}

impl ChangeTicker {
    /// Starts the ticker: once a second, while any stream is open, it reads the latest
    /// entry a change could be in and wakes the streams if it moved.
    pub fn start(pool: sqlx::AnyPool) -> Self {
        let latest = Arc::new(watch::channel(-1).0);
        let ticker = latest.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(TICK);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if ticker.receiver_count() == 0 {
                    continue;
                }
                match store::consent::latest_change_entry(&pool).await {
                    Ok(entry) => {
                        ticker.send_if_modified(|seen| std::mem::replace(seen, entry) != entry);
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "the consent change ticker could not read the ledger")
                    }
                }
            }
        });
        ChangeTicker {
            latest,
            slots: StreamSlots::default(),
        }
    }

    fn subscribe(&self) -> watch::Receiver<i64> {
        self.latest.subscribe()
    }
}

/// Open streams per client.
#[derive(Clone, Default)]
struct StreamSlots(Arc<Mutex<HashMap<String, usize>>>);

/// One open stream of a client; dropping it (the stream ends) frees the slot.
struct StreamSlot {
    slots: StreamSlots,
    client_id: String,
}

impl StreamSlots {
    /// A slot for one more stream of `client_id`; 429 `too_many_streams` when it holds
    /// `MAX_STREAMS_PER_CLIENT` already.
    fn take(&self, client_id: &str) -> Result<StreamSlot, ApiError> {
        let mut open = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let count = open.entry(client_id.to_owned()).or_insert(0);
        if *count >= MAX_STREAMS_PER_CLIENT {
            tracing::warn!(client = %client_id, "refused a consent change stream over the client's limit");
            return Err(ApiError::TooManyStreams {
                limit: MAX_STREAMS_PER_CLIENT,
            });
        }
        *count += 1;
        Ok(StreamSlot {
            slots: self.clone(),
            client_id: client_id.to_owned(),
        })
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut open = self
            .slots
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(count) = open.get_mut(&self.client_id) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&self.client_id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_of_another_shape_is_refused_with_a_sentence() {
        assert_eq!(position(None).ok(), Some(0));
        assert_eq!(position(Some("42")).ok(), Some(42));
        for bad in ["", "-1", "x", "1~2", "1234567890123456789"] {
            match position(Some(bad)) {
                Err(ApiError::Unprocessable { code, message }) => {
                    assert_eq!(code, "invalid_input");
                    assert!(message.contains("cursor of the consent change feed"), "{message}");
                }
                other => panic!("{bad:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_client_holds_a_bounded_number_of_streams_and_ending_one_frees_its_slot() {
        let slots = StreamSlots::default();
        let held: Vec<StreamSlot> = (0..MAX_STREAMS_PER_CLIENT)
            .map(|_| slots.take("c1").ok().unwrap_or_else(|| panic!("a slot")))
            .collect();
        assert!(matches!(slots.take("c1"), Err(ApiError::TooManyStreams { .. })));
        assert!(slots.take("c2").is_ok(), "another client's streams are its own");
        drop(held);
        assert!(slots.take("c1").is_ok());
    }
}
