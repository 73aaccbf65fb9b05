//! The closed vocabularies the API reads and answers, as OpenAPI string enums built from
//! the domain's own lists (`ALL`), so the document names exactly the codes the code knows:
//! a client generated from it gets an enum, and a new code reaches the document with it.

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

/// A string enum of `codes`.
fn enum_schema<'a>(description: &str, codes: impl IntoIterator<Item = &'a str>) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .enum_values(Some(codes))
        .into()
}

/// Declares a schema type named `$name` whose values are `$codes` (an iterator of `&str`).
macro_rules! code_schema {
    ($(#[$meta:meta])* $name:ident, $description:literal, $codes:expr) => {
        $(#[$meta])*
        pub struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                enum_schema($description, $codes)
            }
        }

        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }
    };
}

code_schema!(
    /// `permit` or `deny`.
    DecisionCode,
    "The decision.",
    domain::decision::Decision::ALL.iter().map(|c| c.code())
);
code_schema!(
    /// Why a decision was made.
    ReasonCode,
    "Why the decision was made.",
    domain::decision::Reason::ALL.iter().map(|c| c.code())
);
code_schema!(
    /// A purpose's legal basis.
    LegalBasisCode,
    "The purpose's legal basis (GDPR Art. 6(1)).",
    domain::register::LegalBasis::ALL.iter().map(|c| c.code())
);
code_schema!(
    /// The right a privacy request exercises.
    RequestKindCode,
    "The right the resident exercises.",
    domain::requests::RequestKind::ALL.iter().map(|c| c.code())
);
code_schema!(
    /// How an agency closes its task.
    TaskOutcomeCode,
    "How the agency closed its task.",
    domain::requests::TaskOutcome::ALL.iter().map(|c| c.code())
);
code_schema!(
    /// Where an enrollment code stands.
    CodeStateCode,
    "Where the code stands.",
    domain::consent::CodeState::ALL.iter().map(|c| c.code())
);
code_schema!(
    /// An agency client's scope.
    ScopeCode,
    "A scope of an agency client.",
    domain::account::ApiScope::ALL.iter().map(|c| c.code())
);
code_schema!(
    /// What changed for a resident, in the agencies' consent change feed.
    ConsentChangeKindCode,
    "What changed: a consent withdrawn or granted, an objection upheld, an enrollment ended.",
    domain::consent::ConsentChangeKind::ALL.iter().map(|c| c.code())
);
code_schema!(
    /// A language of the register's texts.
    LangCode,
    "A language of the register's texts.",
    domain::lang::Lang::ALL.iter().map(|l| l.code())
);
code_schema!(
    /// Which of its tasks an agency lists.
    TaskStatusFilter,
    "Which tasks to list.",
    TaskStatusFilter::ALL
);

impl TaskStatusFilter {
    /// Every filter, the default first.
    pub const ALL: [&'static str; 3] = ["open", "completed", "all"];
}

code_schema!(
    /// The kind of technology a system is.
    TechnologyCode,
    "The kind of technology (after the DTPR signage taxonomy).",
    domain::register::Technology::ALL.iter().map(|c| c.code())
);
code_schema!(
    /// Where a system stands in its life.
    SystemStatusCode,
    "Where the system stands: planned, active or retired.",
    domain::register::SystemStatus::ALL.iter().map(|c| c.code())
);
code_schema!(
    /// Whose data a system can hold.
    SystemScopeCode,
    "Whose data the system holds: residents enrolled with it, or anyone in public space.",
    domain::register::Scope::ALL.iter().map(|c| c.code())
);
code_schema!(
    /// A category of personal data.
    DataCategoryCode,
    "A category of personal data.",
    domain::register::DataCategory::ALL.iter().map(|c| c.code())
);
