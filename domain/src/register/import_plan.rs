//! The import plan: what bringing a checked register in changes, entry by entry, against
//! what is stored. Pure: the store applies it.

use super::{Agency, Purpose, Register, System};
use std::collections::BTreeMap;

/// What importing a register changes, entry by entry, against what is stored.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ImportPlan {
    pub agencies: Vec<(Agency, Change)>,
    pub systems: Vec<SystemPlan>,
}

/// Whether an entry is new, changed or the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Created,
    Updated,
    Unchanged,
}

/// One system of an import: the system as the file has it and what happens to it and to
/// each purpose (purposes the file leaves out are kept as stored).
#[derive(Debug, Clone, PartialEq)]
pub struct SystemPlan {
    pub system: System,
    pub change: Change,
    pub purposes: Vec<PurposePlan>,
}

/// One purpose of an import.
#[derive(Debug, Clone, PartialEq)]
pub enum PurposePlan {
    /// A new purpose: its first notice.
    Created(Purpose),
    /// What residents are shown changed: the next notice version, with the material changes.
    Revised(Purpose, Vec<crate::consent::MaterialChange>),
    Unchanged(Purpose),
}

impl ImportPlan {
    /// Compares `incoming` with the stored agencies and systems.
    pub fn new(incoming: &Register, agencies: &[Agency], systems: &[System]) -> ImportPlan {
        let agency_plans = incoming
            .agencies
            .iter()
            .map(|a| {
                let change = match agencies.iter().find(|s| s.slug == a.slug) {
                    None => Change::Created,
                    Some(stored) if stored == a => Change::Unchanged,
                    Some(_) => Change::Updated,
                };
                (a.clone(), change)
            })
            .collect();
        let system_plans = incoming
            .systems
            .iter()
            .map(|s| SystemPlan::new(s, systems.iter().find(|stored| stored.slug == s.slug)))
            .collect();
        ImportPlan {
            agencies: agency_plans,
            systems: system_plans,
        }
    }

    /// How many agencies and systems are created, updated and unchanged.
    pub fn tally(&self) -> BTreeMap<&'static str, [usize; 3]> {
        let count = |changes: &mut dyn Iterator<Item = Change>| {
            changes.fold([0; 3], |mut n, c| {
                n[c as usize] += 1;
                n
            })
        };
        BTreeMap::from([
            ("agencies", count(&mut self.agencies.iter().map(|(_, c)| *c))),
            ("systems", count(&mut self.systems.iter().map(|s| s.change))),
        ])
    }
}

impl SystemPlan {
    /// Compares one system with its stored entry (`None`: a new system).
    pub fn new(system: &System, stored: Option<&System>) -> SystemPlan {
        let Some(stored) = stored else {
            return SystemPlan {
                system: system.clone(),
                change: Change::Created,
                purposes: system
                    .purposes
                    .iter()
                    .cloned()
                    .map(PurposePlan::Created)
                    .collect(),
            };
        };
        let purposes: Vec<PurposePlan> = system
            .purposes
            .iter()
            .map(|p| match stored.purposes.iter().find(|sp| sp.key == p.key) {
                None => PurposePlan::Created(p.clone()),
                Some(before) => {
                    let (old, new) = (
                        crate::consent::Terms::of(stored, before),
                        crate::consent::Terms::of(system, p),
                    );
                    if before == p && old == new {
                        PurposePlan::Unchanged(p.clone())
                    } else {
                        PurposePlan::Revised(p.clone(), crate::consent::material_changes(&old, &new))
                    }
                }
            })
            .collect();
        // Stored purposes the file leaves out stay: compare the system without them.
        let mut kept = stored.clone();
        kept.purposes
            .retain(|sp| system.purposes.iter().any(|p| p.key == sp.key));
        let mut ordered = system.clone();
        if ordered.agency.slug == kept.agency.slug {
            // A change to the agency itself is the agency's, not the system's.
            ordered.agency = kept.agency.clone();
        }
        ordered
            .purposes
            .sort_by_key(|p| kept.purposes.iter().position(|k| k.key == p.key));
        let change = if ordered == kept && purposes.iter().all(|p| matches!(p, PurposePlan::Unchanged(_))) {
            Change::Unchanged
        } else {
            Change::Updated
        };
        SystemPlan {
            system: system.clone(),
            change,
            purposes,
        }
    }
}
