//! The facts every decision needs, held in memory: the register's systems and purposes, each
//! resident's consents, enrollments and upheld objections, and the agencies' API clients.
//!
//! A server keeps one `FactsIndex`, loads it whole at start and replaces parts of it as the
//! facts change (the store reads them; this module only holds and answers). `decide` here
//! finds what a question names in the same order of refusals as before, then applies the
//! one rule, `super::decide`, so deciding from memory can never disagree with the rule.
//!
//! Sizes are kept small for a city of a million residents: resident numbers are packed into
//! a `u64`, purposes and systems are numbered once (`Interned`) and residents refer to them
//! by number.

use super::{ConsentState, Decision, Facts, Reason, decide};
use crate::account::{ApiScope, ResidentNumber};
use crate::register::{LegalBasis, Scope, SystemStatus};
use std::collections::HashMap;

/// A purpose as a decision needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurposeFacts {
    pub id: String,
    pub legal_basis: LegalBasis,
    /// The notice version of the purpose's last material change.
    pub material_version: i64,
}

/// A system as a decision needs it, with its purposes by key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemFacts {
    pub id: String,
    /// The slug of the agency that runs it.
    pub agency: String,
    pub status: SystemStatus,
    pub scope: Scope,
    pub purposes: HashMap<String, PurposeFacts>,
}

/// A resident's consent to one purpose, by the purpose's id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentFact {
    pub purpose_id: String,
    pub state: ConsentState,
    /// The notice version the current consent event was made on.
    pub agreed_version: i64,
}

/// What is known of one resident, as the store reads it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResidentFacts {
    pub consents: Vec<ConsentFact>,
    /// The ids of the systems the resident is enrolled in.
    pub enrolled: Vec<String>,
    /// The ids of the purposes whose objection was upheld.
    pub objections: Vec<String>,
}

/// An agency's API client as a call needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientFacts {
    /// The slug of the agency that owns it.
    pub agency: String,
    pub scopes: Vec<ApiScope>,
    pub revoked: bool,
    /// Changes when the secret is rotated; a token of an older generation is refused.
    pub secret_generation: i64,
}

/// Why a client's call is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientRefusal {
    /// Unknown, revoked, of another agency, or its secret was rotated since the token.
    InvalidToken,
    /// The client does not (or no longer) hold the scope.
    MissingScope,
}

/// What a token claims about its client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenClaims<'a> {
    pub client_id: &'a str,
    pub agency: &'a str,
    pub secret_generation: i64,
}

/// The outcome of a question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub decision: Decision,
    pub reason: Reason,
    /// The purpose's legal basis, when the purpose exists and the agency may know it.
    pub legal_basis: Option<LegalBasis>,
    /// The resident the subject named, when one does (they see every question about them).
    pub user_id: Option<String>,
    /// The purpose, when the decision got that far (for data queries).
    pub purpose_id: Option<String>,
    /// Whether the system holds residents' data by enrollment.
    pub by_enrollment: bool,
}

/// Small numbers for purpose and system ids, given once and kept.
#[derive(Debug, Default)]
struct Interned {
    numbers: HashMap<String, u32>,
}

impl Interned {
    fn number(&mut self, id: &str) -> u32 {
        if let Some(n) = self.numbers.get(id) {
            return *n;
        }
        let n = u32::try_from(self.numbers.len()).unwrap_or(u32::MAX);
        self.numbers.insert(id.to_owned(), n);
        n
    }

    fn get(&self, id: &str) -> Option<u32> {
        self.numbers.get(id).copied()
    }
}

/// A resident as held: ids by number, a few bytes per consent.
#[derive(Debug)]
struct Resident {
    user_id: Box<str>,
    /// (purpose, state, agreed notice version), sorted by purpose.
    consents: Vec<(u32, ConsentState, i64)>,
    enrolled: Vec<u32>,
    objections: Vec<u32>,
}

/// Every fact a decision needs, and the version of the facts it reflects.
#[derive(Debug, Default)]
pub struct FactsIndex {
    /// The facts version (the database's `facts_head`) this index is current with.
    pub version: i64,
    systems: HashMap<String, SystemFacts>,
    clients: HashMap<String, ClientFacts>,
    residents: HashMap<u64, Resident>,
    /// Resident number by account id, for changes that name the account.
    numbers: HashMap<Box<str>, u64>,
    ids: Interned,
}

/// A resident number packed into a `u64` (eight characters of a 30-letter alphabet).
pub fn pack(number: &ResidentNumber) -> u64 {
    let body = number.as_str().bytes().filter(|b| *b != b'-').skip(2);
    body.fold(0_u64, |acc, b| {
        let digit = ResidentNumber::ALPHABET.iter().position(|a| *a == b).unwrap_or(0);
        acc * ResidentNumber::ALPHABET.len() as u64 + digit as u64
    })
}

impl FactsIndex {
    /// An empty index at `version`.
    pub fn new(version: i64) -> FactsIndex {
        FactsIndex {
            version,
            ..FactsIndex::default()
        }
    }

    /// Replaces the whole register.
    pub fn set_register(&mut self, systems: Vec<(String, SystemFacts)>) {
        for (_, system) in &systems {
            self.ids.number(&system.id);
            for purpose in system.purposes.values() {
                self.ids.number(&purpose.id);
            }
        }
        self.systems = systems.into_iter().collect();
    }

    /// Sets what is known of client `client_id` (`None`: it no longer exists).
    pub fn set_client(&mut self, client_id: &str, client: Option<ClientFacts>) {
        match client {
            Some(c) => {
                self.clients.insert(client_id.to_owned(), c);
            }
            None => {
                self.clients.remove(client_id);
            }
        }
    }

    /// Sets what is known of account `user_id` (`None`: no resident has that id now).
    pub fn set_resident(&mut self, user_id: &str, resident: Option<(ResidentNumber, ResidentFacts)>) {
        if let Some(old) = self.numbers.remove(user_id) {
            self.residents.remove(&old);
        }
        let Some((number, facts)) = resident else {
            return;
        };
        let packed = pack(&number);
        let mut consents: Vec<(u32, ConsentState, i64)> = facts
            .consents
            .iter()
            .map(|c| (self.ids.number(&c.purpose_id), c.state, c.agreed_version))
            .collect();
        consents.sort_unstable_by_key(|c| c.0);
        let mut enrolled: Vec<u32> = facts.enrolled.iter().map(|s| self.ids.number(s)).collect();
        enrolled.sort_unstable();
        let mut objections: Vec<u32> = facts.objections.iter().map(|p| self.ids.number(p)).collect();
        objections.sort_unstable();
        let user_id: Box<str> = user_id.into();
        self.numbers.insert(user_id.clone(), packed);
        self.residents.insert(
            packed,
            Resident {
                user_id,
                consents,
                enrolled,
                objections,
            },
        );
    }

    /// How many residents are held.
    pub fn residents(&self) -> usize {
        self.residents.len()
    }

    /// Whether a token's client may make a call that needs `scope`.
    pub fn client_allows(&self, token: TokenClaims<'_>, scope: ApiScope) -> Result<(), ClientRefusal> {
        let live = self.clients.get(token.client_id).filter(|c| {
            !c.revoked && c.agency == token.agency && c.secret_generation == token.secret_generation
        });
        match live {
            None => Err(ClientRefusal::InvalidToken),
            Some(c) if !c.scopes.contains(&scope) => Err(ClientRefusal::MissingScope),
            Some(_) => Ok(()),
        }
    }

    /// The client's current scopes, if its token is still good.
    pub fn client_scopes(&self, token: TokenClaims<'_>) -> Option<&[ApiScope]> {
        self.clients
            .get(token.client_id)
            .filter(|c| {
                !c.revoked && c.agency == token.agency && c.secret_generation == token.secret_generation
            })
            .map(|c| c.scopes.as_slice())
    }

    /// Decides `agency`'s question about `subject`, `system` and `purpose`. The order of the
    /// refusals matters: an agency not entitled to a system learns nothing about its purposes
    /// or about the resident; a system that is planned or retired permits nothing. The
    /// resident is still named in the outcome, so they see every question that named them.
    pub fn decide(&self, agency: &str, subject: &ResidentNumber, system: &str, purpose: &str) -> Outcome {
        let resident = self.residents.get(&pack(subject));
        let user_id = resident.map(|r| r.user_id.to_string());
        let refused = |reason, legal_basis, user_id| Outcome {
            decision: Decision::Deny,
            reason,
            legal_basis,
            user_id,
            purpose_id: None,
            by_enrollment: false,
        };
        let Some(system) = self.systems.get(system) else {
            return refused(Reason::UnknownSystem, None, user_id);
        };
        if system.agency != agency {
            return refused(Reason::AgencyNotEntitled, None, user_id);
        }
        if system.status != SystemStatus::Active {
            return refused(Reason::SystemNotActive, None, user_id);
        }
        let Some(found) = system.purposes.get(purpose) else {
            return refused(Reason::UnknownPurpose, None, user_id);
        };
        let Some(resident) = resident else {
            return refused(Reason::UnknownSubject, Some(found.legal_basis), None);
        };
        let purpose_n = self.ids.get(&found.id);
        let system_n = self.ids.get(&system.id);
        let consent = purpose_n.and_then(|p| {
            resident
                .consents
                .binary_search_by_key(&p, |c| c.0)
                .ok()
                .map(|i| resident.consents[i])
        });
        let by_enrollment = system.scope == Scope::Enrollment;
        let facts = Facts {
            legal_basis: found.legal_basis,
            consent: consent.map_or(ConsentState::NeverAsked, |c| c.1),
            objection_upheld: purpose_n.is_some_and(|p| resident.objections.binary_search(&p).is_ok()),
            stale_grant: consent.is_some_and(|c| !crate::consent::grant_stands(c.2, found.material_version)),
            enrolled: by_enrollment
                .then(|| system_n.is_some_and(|s| resident.enrolled.binary_search(&s).is_ok())),
        };
        let (decision, reason) = decide(facts);
        Outcome {
            decision,
            reason,
            legal_basis: Some(found.legal_basis),
            user_id,
            purpose_id: Some(found.id.clone()),
            by_enrollment,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(raw: &str) -> ResidentNumber {
        ResidentNumber::parse(raw).unwrap()
    }

    fn index() -> FactsIndex {
        let purpose = |id: &str, basis| PurposeFacts {
            id: id.to_owned(),
            legal_basis: basis,
            material_version: 2,
        };
        let card = SystemFacts {
            id: "s-card".to_owned(),
            agency: "transit".to_owned(),
            status: SystemStatus::Active,
            scope: Scope::Enrollment,
            purposes: HashMap::from([
                ("offers".to_owned(), purpose("p-offers", LegalBasis::Consent)),
                ("fares".to_owned(), purpose("p-fares", LegalBasis::Contract)),
            ]),
        };
        let camera = SystemFacts {
            id: "s-cam".to_owned(),
            agency: "police".to_owned(),
            status: SystemStatus::Retired,
            scope: Scope::PublicSpace,
            purposes: HashMap::from([("safety".to_owned(), purpose("p-safety", LegalBasis::PublicTask))]),
        };
        let mut index = FactsIndex::new(7);
        index.set_register(vec![("card".to_owned(), card), ("cam".to_owned(), camera)]);
        index.set_resident(
            "u-1",
            Some((
                number("GH-7K3M-Q9TX"),
                ResidentFacts {
                    consents: vec![ConsentFact {
                        purpose_id: "p-offers".to_owned(),
                        state: ConsentState::Given,
                        agreed_version: 2,
                    }],
                    enrolled: vec!["s-card".to_owned()],
                    objections: vec![],
                },
            )),
        );
        index
    }

    fn reason(index: &FactsIndex, agency: &str, subject: &str, system: &str, purpose: &str) -> Reason {
        index.decide(agency, &number(subject), system, purpose).reason
    }

    #[test]
    fn packing_keeps_numbers_apart() {
        assert_ne!(pack(&number("GH-2222-2223")), pack(&number("GH-2222-2232")));
        assert_eq!(pack(&number("gh7k3mq9tx")), pack(&number("GH-7K3M-Q9TX")));
        assert_eq!(pack(&number("GH-ZZZZ-ZZZZ")), 30_u64.pow(8) - 1);
    }

    #[test]
    fn refusals_come_in_their_order() {
        let index = index();
        let me = "GH-7K3M-Q9TX";
        assert_eq!(
            reason(&index, "transit", me, "nope", "offers"),
            Reason::UnknownSystem
        );
        assert_eq!(
            reason(&index, "police", me, "card", "offers"),
            Reason::AgencyNotEntitled
        );
        assert_eq!(
            reason(&index, "police", me, "cam", "safety"),
            Reason::SystemNotActive
        );
        assert_eq!(
            reason(&index, "transit", me, "card", "nope"),
            Reason::UnknownPurpose
        );
        assert_eq!(
            reason(&index, "transit", "GH-2222-2222", "card", "offers"),
            Reason::UnknownSubject
        );
        let outcome = index.decide("transit", &number(me), "card", "offers");
        assert_eq!(
            (outcome.decision, outcome.reason),
            (Decision::Permit, Reason::ConsentGiven)
        );
        assert_eq!(outcome.user_id.as_deref(), Some("u-1"));
        assert_eq!(reason(&index, "transit", me, "card", "fares"), Reason::LegalBasis);
        // Another agency learns nothing, yet the resident still sees the question.
        let refused = index.decide("police", &number(me), "card", "offers");
        assert_eq!(
            (refused.legal_basis, refused.user_id.as_deref()),
            (None, Some("u-1"))
        );
    }

    #[test]
    fn a_changed_resident_is_decided_on_the_new_facts() {
        let mut index = index();
        let me = number("GH-7K3M-Q9TX");
        let withdrawn = ResidentFacts {
            consents: vec![ConsentFact {
                purpose_id: "p-offers".to_owned(),
                state: ConsentState::Withdrawn,
                agreed_version: 2,
            }],
            enrolled: vec!["s-card".to_owned()],
            objections: vec![],
        };
        index.set_resident("u-1", Some((me.clone(), withdrawn)));
        assert_eq!(
            index.decide("transit", &me, "card", "offers").reason,
            Reason::ConsentWithdrawn
        );
        let stale = ResidentFacts {
            consents: vec![ConsentFact {
                purpose_id: "p-offers".to_owned(),
                state: ConsentState::Given,
                agreed_version: 1,
            }],
            enrolled: vec!["s-card".to_owned()],
            objections: vec![],
        };
        index.set_resident("u-1", Some((me.clone(), stale)));
        assert_eq!(
            index.decide("transit", &me, "card", "offers").reason,
            Reason::ReconsentRequired
        );
        let objected = ResidentFacts {
            enrolled: vec!["s-card".to_owned()],
            objections: vec!["p-fares".to_owned()],
            ..ResidentFacts::default()
        };
        index.set_resident("u-1", Some((me.clone(), objected)));
        assert_eq!(
            index.decide("transit", &me, "card", "fares").reason,
            Reason::ObjectionUpheld
        );
        index.set_resident("u-1", Some((me.clone(), ResidentFacts::default())));
        assert_eq!(
            index.decide("transit", &me, "card", "fares").reason,
            Reason::NotEnrolled
        );
        index.set_resident("u-1", None);
        assert_eq!(
            index.decide("transit", &me, "card", "fares").reason,
            Reason::UnknownSubject
        );
        assert_eq!(index.residents(), 0);
    }

    #[test]
    fn a_revoked_rotated_or_narrowed_client_is_refused() {
        let mut index = index();
        let token = TokenClaims {
            client_id: "c-1",
            agency: "transit",
            secret_generation: 0,
        };
        assert_eq!(
            index.client_allows(token, ApiScope::ConsentCheck),
            Err(ClientRefusal::InvalidToken)
        );
        let client = ClientFacts {
            agency: "transit".to_owned(),
            scopes: vec![ApiScope::ConsentCheck],
            revoked: false,
            secret_generation: 0,
        };
        index.set_client("c-1", Some(client.clone()));
        assert_eq!(index.client_allows(token, ApiScope::ConsentCheck), Ok(()));
        assert_eq!(
            index.client_allows(token, ApiScope::SubjectsRead),
            Err(ClientRefusal::MissingScope)
        );
        let other_agency = TokenClaims {
            agency: "police",
            ..token
        };
        assert_eq!(
            index.client_allows(other_agency, ApiScope::ConsentCheck),
            Err(ClientRefusal::InvalidToken)
        );
        let rotated = ClientFacts {
            secret_generation: 5,
            ..client.clone()
        };
        index.set_client("c-1", Some(rotated));
        assert_eq!(
            index.client_allows(token, ApiScope::ConsentCheck),
            Err(ClientRefusal::InvalidToken)
        );
        let revoked = ClientFacts {
            revoked: true,
            ..client
        };
        index.set_client("c-1", Some(revoked));
        assert_eq!(
            index.client_allows(token, ApiScope::ConsentCheck),
            Err(ClientRefusal::InvalidToken)
        );
    }
}
