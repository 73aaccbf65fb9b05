//! Bringing a register in as CSV, in the shape of `GET /api/v1/register/systems.csv` (one row
//! per purpose, texts in one language). The CSV carries less than the register file (no
//! descriptions, one language), so its rows are laid over the register as stored: named
//! fields change, everything else stays. A new system must bring what residents need to
//! read, which a CSV cannot: it is refused with that said.

use super::{Problem, PurposeRecord, RegisterFile, SystemRecord};
use crate::lang::Lang;
use std::collections::BTreeMap;

/// The columns a register CSV has (the export's), in its order.
pub const CSV_COLUMNS: [&str; 16] = [
    "system_slug",
    "system_name",
    "agency_slug",
    "agency_name",
    "technology",
    "status",
    "scope",
    "identifies_people",
    "algorithmic_decisions",
    "retention_days",
    "reviewed_on",
    "purpose_key",
    "purpose_name",
    "legal_basis",
    "data_categories",
    "special_categories",
];

/// One row of the file: its line number and its fields by column name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvRow {
    pub line: u64,
    pub fields: BTreeMap<String, String>,
}

/// The columns of `header` the CSV lacks (every one is needed), as problems.
pub fn missing_columns(header: &[String]) -> Vec<Problem> {
    CSV_COLUMNS
        .iter()
        .filter(|c| !header.iter().any(|h| h.trim() == **c))
        .map(|c| Problem {
            path: "line 1".to_owned(),
            message: format!("the column {c:?} is missing"),
        })
        .collect()
}

impl RegisterFile {
    /// Lays `rows` (texts in `lang`) over this file: each row's system and purpose get the
    /// row's fields. Returns every problem, each at its line and column, or, when the rows
    /// are readable, the first line of each system they name (to place the whole check's
    /// problems back on the CSV).
    pub fn lay_csv(&mut self, rows: &[CsvRow], lang: Lang) -> Result<BTreeMap<String, u64>, Vec<Problem>> {
        let mut problems = Vec::new();
        let mut first_line = BTreeMap::new();
        for row in rows {
            let at = |column: &str| format!("line {}, column {column}", row.line);
            let get = |column: &str| row.fields.get(column).map_or("", |v| v.trim());
            let flag = |column: &str, problems: &mut Vec<Problem>| match get(column) {
                "true" => Some(true),
                "false" => Some(false),
                other => {
                    problems.push(Problem {
                        path: at(column),
                        message: format!("{other:?} is not true or false"),
                    });
                    None
                }
            };
            let identifies = flag("identifies_people", &mut problems);
            let algorithmic = flag("algorithmic_decisions", &mut problems);
            let special = match get("special_categories") {
                "" => None,
                _ => flag("special_categories", &mut problems),
            };
            let retention_days = match get("retention_days") {
                "" => None,
                days => match days.parse::<i64>() {
                    Ok(days) => Some(days),
                    Err(_) => {
                        problems.push(Problem {
                            path: at("retention_days"),
                            message: format!("{days:?} is not a whole number of days"),
                        });
                        None
                    }
                },
            };
            let agency = get("agency_slug");
            if !self.agencies.iter().any(|a| a.slug == agency) {
                problems.push(Problem {
                    path: at("agency_slug"),
                    message: format!(
                        "no agency has the slug {agency:?}; bring agencies in with the register file (JSON)"
                    ),
                });
            }
            let slug = get("system_slug").to_owned();
            first_line.entry(slug.clone()).or_insert(row.line);
            let Some(system) = self.systems.iter_mut().find(|s| s.slug == slug) else {
                problems.push(Problem {
                    path: at("system_slug"),
                    message: format!(
                        "{slug:?} is not in the register; a new system needs its description and the other texts \
                         residents read, which a CSV does not carry: add it with the register file (JSON) or the console"
                    ),
                });
                continue;
            };
            set_text(&mut system.name, lang, get("system_name"));
            system.agency = agency.to_owned();
            system.technology = get("technology").to_owned();
            system.status = get("status").to_owned();
            system.scope = get("scope").to_owned();
            system.identifies_people = identifies.unwrap_or(system.identifies_people);
            system.algorithmic_decisions = algorithmic.unwrap_or(system.algorithmic_decisions);
            system.retention_days = retention_days;
            system.reviewed_on = get("reviewed_on").to_owned();
            lay_purpose(system, row, lang, special);
        }
        if problems.is_empty() {
            Ok(first_line)
        } else {
            Err(problems)
        }
    }
}

fn set_text(text: &mut crate::text::LocalizedText, lang: Lang, value: &str) {
    let mut pairs: Vec<(Lang, String)> = text
        .iter()
        .filter(|(l, _)| *l != lang)
        .map(|(l, t)| (l, t.to_owned()))
        .collect();
    pairs.push((lang, value.to_owned()));
    *text = crate::text::LocalizedText::new(pairs);
}

fn lay_purpose(system: &mut SystemRecord, row: &CsvRow, lang: Lang, special: Option<bool>) {
    let get = |column: &str| row.fields.get(column).map_or("", |v| v.trim());
    let key = get("purpose_key").to_owned();
    let categories: Vec<String> = get("data_categories")
        .split(';')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect();
    let purpose = match system.purposes.iter_mut().find(|p| p.key == key) {
        Some(purpose) => purpose,
        None => {
            // A new purpose has only what the row gives; the check says what else it needs.
            system.purposes.push(PurposeRecord {
                key: key.clone(),
                name: Default::default(),
                description: Default::default(),
                legal_basis: String::new(),
                data_categories: Vec::new(),
                special_categories: None,
            });
            let last = system.purposes.len() - 1;
            &mut system.purposes[last]
        }
    };
    set_text(&mut purpose.name, lang, get("purpose_name"));
    purpose.legal_basis = get("legal_basis").to_owned();
    purpose.data_categories = categories;
    purpose.special_categories = special;
}

/// Places a whole-file problem (`systems[3].purposes[0].description`) on the CSV: the first
/// line of that system, when the CSV named it.
pub fn on_csv_line(problem: Problem, file: &RegisterFile, first_line: &BTreeMap<String, u64>) -> Problem {
    let index = problem
        .path
        .strip_prefix("systems[")
        .and_then(|rest| rest.split_once(']'))
        .and_then(|(i, rest)| Some((i.parse::<usize>().ok()?, rest.trim_start_matches('.'))));
    match index.and_then(|(i, field)| Some((file.systems.get(i)?, field))) {
        Some((system, field)) => {
            let line = first_line
                .get(&system.slug)
                .map_or(String::new(), |l| format!("line {l}, "));
            Problem {
                path: format!("{line}system {} {field}", system.slug),
                message: problem.message,
            }
        }
        None => problem,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> RegisterFile {
        serde_json::from_value(serde_json::json!({
            "format": "glasshouse-register/1", "city": {"en": "Riverton"},
            "agencies": [{"slug": "transit", "name": {"en": "Transit"}, "description": {"en": "Buses."},
                          "public_authority": true, "dpo_email": "dpo@example.org", "website": "https://example.org"}],
            "systems": [{
                "slug": "tram-cameras", "name": {"en": "Tram cameras", "es": "Cámaras"},
                "description": {"en": "Cameras."}, "agency": "transit", "technology": "cctv",
                "status": "active", "scope": "public_space", "identifies_people": true,
                "algorithmic_decisions": false, "location": {"en": "Trams"}, "data_subjects": {"en": "Riders"},
                "retention_days": 30, "retention": {"en": "30 days"}, "access": {}, "recipients": {},
                "transfers": {}, "security": {}, "reviewed_on": "2026-01-01",
                "purposes": [{"key": "safety", "name": {"en": "Safety"}, "description": {"en": "Safety."},
                              "legal_basis": "public_task", "data_categories": ["images_video"]}]
            }]
        }))
        .unwrap()
    }

    fn row(line: u64, changes: &[(&str, &str)]) -> CsvRow {
        let mut fields: BTreeMap<String, String> = [
            ("system_slug", "tram-cameras"),
            ("system_name", "Tram cameras"),
            ("agency_slug", "transit"),
            ("agency_name", "Transit"),
            ("technology", "cctv"),
            ("status", "active"),
            ("scope", "public_space"),
            ("identifies_people", "true"),
            ("algorithmic_decisions", "false"),
            ("retention_days", "30"),
            ("reviewed_on", "2026-01-01"),
            ("purpose_key", "safety"),
            ("purpose_name", "Safety"),
            ("legal_basis", "public_task"),
            ("data_categories", "images_video"),
            ("special_categories", "false"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        for (k, v) in changes {
            fields.insert((*k).to_owned(), (*v).to_owned());
        }
        CsvRow { line, fields }
    }

    #[test]
    fn the_exported_row_changes_nothing_and_a_changed_one_changes_only_its_fields() {
        let mut same = file();
        same.lay_csv(&[row(2, &[])], Lang::En).unwrap();
        let mut expected = file();
        expected.systems[0].purposes[0].special_categories = Some(false);
        assert_eq!(same, expected);

        let mut changed = file();
        changed
            .lay_csv(
                &[row(
                    2,
                    &[("retention_days", "14"), ("system_name", "Cámaras del tranvía")],
                )],
                Lang::Es,
            )
            .unwrap();
        assert_eq!(changed.systems[0].retention_days, Some(14));
        assert_eq!(changed.systems[0].name.get(Lang::Es), "Cámaras del tranvía");
        assert_eq!(
            changed.systems[0].name.get(Lang::En),
            "Tram cameras",
            "other languages stay"
        );
        assert_eq!(changed.systems[0].description, file().systems[0].description);
    }

    #[test]
    fn every_bad_cell_is_reported_at_its_line_and_column() {
        let mut f = file();
        let problems = f
            .lay_csv(
                &[
                    row(2, &[("identifies_people", "yes"), ("retention_days", "a month")]),
                    row(3, &[("system_slug", "new-one")]),
                ],
                Lang::En,
            )
            .unwrap_err();
        let at: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            at,
            [
                "line 2, column identifies_people",
                "line 2, column retention_days",
                "line 3, column system_slug"
            ]
        );
    }

    #[test]
    fn a_missing_column_is_named_and_the_checks_problems_land_on_a_line() {
        let header: Vec<String> = CSV_COLUMNS.iter().skip(1).map(|c| (*c).to_owned()).collect();
        assert_eq!(
            missing_columns(&header)[0].message,
            "the column \"system_slug\" is missing"
        );
        let mut f = file();
        let lines = f
            .lay_csv(&[row(7, &[("technology", "telepathy")])], Lang::En)
            .unwrap();
        let problems = f.check().unwrap_err();
        let placed = on_csv_line(problems[0].clone(), &f, &lines);
        assert_eq!(placed.path, "line 7, system tram-cameras technology");
    }
}
