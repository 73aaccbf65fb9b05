//! What a request asks for — the right a resident exercises (GDPR Arts. 15–21) — and the
//! channel it reached the privacy office by.

use crate::vocabulary;

vocabulary! {
    /// The right a resident exercises.
    RequestKind {
        /// Art. 15: a copy of the data held about them.
        Access => "access",
        /// Art. 16: correct inaccurate data.
        Rectification => "rectification",
        /// Art. 17: delete data.
        Erasure => "erasure",
        /// Art. 18: keep data but stop using it.
        Restriction => "restriction",
        /// Art. 20: the data in a machine-readable form.
        Portability => "portability",
        /// Art. 21: stop a processing that rests on public task or legitimate interests.
        Objection => "objection",
    }
}

impl RequestKind {
    /// The GDPR article that grants the right.
    pub fn article(self) -> u8 {
        match self {
            RequestKind::Access => 15,
            RequestKind::Rectification => 16,
            RequestKind::Erasure => 17,
            RequestKind::Restriction => 18,
            RequestKind::Portability => 20,
            RequestKind::Objection => 21,
        }
    }

    /// Whether fulfilling it hands the resident a package of their data.
    pub fn delivers_data(self) -> bool {
        matches!(self, RequestKind::Access | RequestKind::Portability)
    }
}

vocabulary! {
    /// How a request reached the privacy office.
    RequestChannel {
        /// Filed by the resident on the website.
        Web => "web",
        /// Filed by an officer for a resident who came to a city office or phoned.
        Assisted => "assisted",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_name_their_articles() {
        let articles: Vec<u8> = RequestKind::ALL.iter().map(|k| k.article()).collect();
        assert_eq!(articles, [15, 16, 17, 18, 20, 21]);
        assert!(RequestKind::Portability.delivers_data());
        assert!(!RequestKind::Erasure.delivers_data());
    }
}
