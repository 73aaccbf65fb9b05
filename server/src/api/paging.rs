//! Paging in the API, one shape for every list: `limit` (1 to 200, 50 when absent) and
//! `cursor` (the `next_cursor` of the page before) in the query, `next_cursor` in the
//! answer (`null` on the last page). The cursor's pattern in the document is its list's
//! exact shape (`domain::paging::Shape`), so a generated client cannot send one the API
//! refuses.

use super::error::ApiError;
use domain::paging::{self, Cursor, DEFAULT_LIMIT, MAX_LIMIT, Shape};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

/// The `limit` and `cursor` asked for, checked against `shape`: a limit out of range or a
/// cursor of another shape is 422 `invalid_input` with a sentence.
pub fn page(
    shape: Shape,
    limit: Option<u32>,
    cursor: Option<&str>,
) -> Result<(u32, Option<Cursor>), ApiError> {
    let limit = paging::limit(limit).map_err(|e| ApiError::invalid(e.to_string()))?;
    let cursor = shape
        .decode_opt(cursor)
        .map_err(|e| ApiError::invalid(e.to_string()))?;
    Ok((limit, cursor))
}

/// The `limit` parameter's schema.
pub struct PageLimit;

impl utoipa::PartialSchema for PageLimit {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(1))
            .maximum(Some(MAX_LIMIT))
            .default(Some(DEFAULT_LIMIT.into()))
            .description(Some("The most items the page holds."))
            .into()
    }
}

impl utoipa::ToSchema for PageLimit {}

/// Declares the schema of a list's cursor, named `$name`, of shape `$shape`.
macro_rules! cursor_schema {
    ($(#[$meta:meta])* $name:ident, $shape:expr) => {
        $(#[$meta])*
        pub struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some($shape.pattern()))
                    .description(Some(
                        "Where the page starts: the `next_cursor` of the page before, as given.",
                    ))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }
    };
}

cursor_schema!(
    /// Where a page of an agency's tasks starts.
    TaskCursor,
    domain::requests::TASK_CURSOR
);
cursor_schema!(
    /// Where a page of the ledger's checkpoints starts.
    CheckpointCursor,
    domain::ledger::CHECKPOINT_CURSOR
);
cursor_schema!(
    /// Where a page of the register's systems starts.
    SystemCursor,
    domain::register::SYSTEM_CURSOR
);
cursor_schema!(
    /// Where a page of the register's change feed starts.
    ChangeCursor,
    domain::register::CHANGE_CURSOR
);
cursor_schema!(
    /// Where a read of the agencies' consent change feed starts (a ledger position).
    ConsentChangeCursor,
    domain::consent::CONSENT_CHANGE_CURSOR
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_limit_out_of_range_or_a_misshapen_cursor_is_refused_with_a_sentence() {
        assert!(page(domain::ledger::CHECKPOINT_CURSOR, None, None).is_ok());
        for (limit, cursor) in [(Some(0), None), (Some(MAX_LIMIT + 1), None), (None, Some("x"))] {
            match page(domain::ledger::CHECKPOINT_CURSOR, limit, cursor) {
                Err(ApiError::Unprocessable { code, message }) => {
                    assert_eq!(code, "invalid_input");
                    assert!(!message.is_empty());
                }
                other => panic!("{limit:?} {cursor:?}: {other:?}"),
            }
        }
    }
}
