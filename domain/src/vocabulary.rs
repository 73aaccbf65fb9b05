//! Closed vocabularies: enums whose values have stable machine codes.

/// Declares a closed vocabulary: an enum with stable snake_case codes, `ALL`, `code()`,
/// `FromStr` and serde that use the codes.
#[macro_export]
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $code:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, ::serde::Serialize, ::serde::Deserialize)]
        pub enum $name { $($(#[$vmeta])* #[serde(rename = $code)] $variant,)+ }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The stable machine code, as stored and as served by the API.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code,)+ }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.code())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::vocabulary::UnknownCode;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($code => Ok($name::$variant),)+
                    other => Err($crate::vocabulary::UnknownCode { kind: stringify!($name), code: other.to_owned() }),
                }
            }
        }
    };
}

/// A code that is not part of one of the register's vocabularies.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} {code:?}")]
pub struct UnknownCode {
    /// Which vocabulary was asked.
    pub kind: &'static str,
    /// The code that was given.
    pub code: String,
}
