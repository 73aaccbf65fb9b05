//! The languages a city publishes its register in, and the rule that holds the register's
//! texts to them: a text the register gives at all is given in every language the city
//! declares, and in no other. A gap is a problem with its place (`systems[3].description`)
//! that names the system or agency, the field and the missing language, so the register
//! import (`glasshouse register import`) and the demo city report it the same way.

use super::file::{Problem, RegisterFile};
use crate::lang::Lang;
use crate::text::LocalizedText;

/// Reads the codes a city declares (`"languages": ["en", "es", "ar"]`): each must be a
/// language Glasshouse speaks, none twice, the default language among them. Problems are
/// at `languages[i]` (or `languages` for a missing default).
pub fn declared_languages(codes: &[String]) -> Result<Vec<Lang>, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut declared = Vec::with_capacity(codes.len());
    for (i, code) in codes.iter().enumerate() {
        let path = format!("languages[{i}]");
        match Lang::from_code(code) {
            // Only the bare code: a region (`ar-EG`) is not a language of the register's texts.
            Some(lang) if lang.code() == code.as_str() => {
                if declared.contains(&lang) {
                    problems.push(Problem {
                        path,
                        message: format!("the language {code} is declared twice"),
                    });
                } else {
                    declared.push(lang);
                }
            }
            _ => problems.push(Problem {
                path,
                message: format!(
                    "{code:?} is not a language Glasshouse speaks; declare one of {}",
                    Lang::codes()
                ),
            }),
        }
    }
    if !declared.contains(&Lang::default()) {
        problems.push(Problem {
            path: "languages".to_owned(),
            message: format!(
                "the default language {} must be among the city's languages",
                Lang::default().code()
            ),
        });
    }
    if problems.is_empty() {
        Ok(declared)
    } else {
        Err(problems)
    }
}

/// The problems of one text: `owner` names whose text it is (`system tram-cameras`,
/// `agency transit`, `purpose safety of system tram-cameras`), `field` which of its texts,
/// `path` where it is in the file. A text given in no language at all (an optional text
/// left out) has no gap.
pub fn text_problems(
    owner: &str,
    field: &str,
    path: &str,
    text: &LocalizedText,
    declared: &[Lang],
) -> Vec<Problem> {
    if text.is_empty() {
        return Vec::new();
    }
    let listed = || declared.iter().map(|l| l.code()).collect::<Vec<_>>().join(", ");
    let missing = declared
        .iter()
        .filter(|lang| !text.has(**lang))
        .map(|lang| Problem {
            path: path.to_owned(),
            message: format!(
                "{owner}: the {field} has no {} translation, and the city declares {}",
                lang.code(),
                lang.code()
            ),
        });
    let undeclared = text
        .iter()
        .filter(|(lang, _)| !declared.contains(lang))
        .map(|(lang, _)| Problem {
            path: format!("{path}.{}", lang.code()),
            message: format!(
                "{owner}: the {field} is translated into {}, which is not among the city's languages ({}): declare it or leave the translation out",
                lang.code(),
                listed()
            ),
        });
    missing.chain(undeclared).collect()
}

/// Every gap between the file's texts and the languages it declares, in file order.
pub fn translation_gaps(file: &RegisterFile, declared: &[Lang]) -> Vec<Problem> {
    let mut problems = text_problems("the city", "name", "city", &file.city, declared);
    for (i, agency) in file.agencies.iter().enumerate() {
        let owner = format!("agency {}", agency.slug);
        for (field, text) in [("name", &agency.name), ("description", &agency.description)] {
            problems.extend(text_problems(
                &owner,
                field,
                &format!("agencies[{i}].{field}"),
                text,
                declared,
            ));
        }
    }
    for (i, system) in file.systems.iter().enumerate() {
        let owner = format!("system {}", system.slug);
        let texts = [
            ("name", Some(&system.name)),
            ("description", Some(&system.description)),
            ("algorithm", system.algorithm.as_ref()),
            ("location", Some(&system.location)),
            ("data_subjects", Some(&system.data_subjects)),
            ("retention", Some(&system.retention)),
            ("access", Some(&system.access)),
            ("recipients", Some(&system.recipients)),
            ("transfers", Some(&system.transfers)),
            ("security", Some(&system.security)),
        ];
        for (field, text) in texts.into_iter().filter_map(|(field, text)| Some((field, text?))) {
            let path = format!("systems[{i}].{field}");
            problems.extend(text_problems(&owner, field, &path, text, declared));
        }
        for (j, purpose) in system.purposes.iter().enumerate() {
            let owner = format!("purpose {} of system {}", purpose.key, system.slug);
            for (field, text) in [("name", &purpose.name), ("description", &purpose.description)] {
                let path = format!("systems[{i}].purposes[{j}].{field}");
                problems.extend(text_problems(&owner, field, &path, text, declared));
            }
        }
    }
    for (i, district) in file.districts.iter().enumerate() {
        let owner = format!("district {}", district.slug);
        let path = format!("districts[{i}].name");
        problems.extend(text_problems(&owner, "name", &path, &district.name, declared));
    }
    for (i, device) in file.devices.iter().enumerate() {
        let owner = format!("device {}", device.code);
        let path = format!("devices[{i}].label");
        problems.extend(text_problems(&owner, "label", &path, &device.label, declared));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(list: &[&str]) -> Vec<String> {
        list.iter().map(|c| (*c).to_owned()).collect()
    }

    fn text(pairs: &[(Lang, &str)]) -> LocalizedText {
        LocalizedText::new(pairs.iter().map(|(l, t)| (*l, (*t).to_owned())))
    }

    fn file() -> RegisterFile {
        serde_json::from_value(serde_json::json!({
            "format": "glasshouse-register/1",
            "city": {"en": "Riverton", "es": "Riverton", "ar": "ريفرتون"},
            "languages": ["en", "es", "ar"],
            "agencies": [{"slug": "transit", "name": {"en": "Transit", "es": "Tránsito", "ar": "النقل"},
                          "description": {"en": "Buses.", "es": "Autobuses.", "ar": "الحافلات."},
                          "public_authority": true, "dpo_email": "dpo@example.org", "website": "https://example.org"}],
            "systems": [{
                "slug": "tram-cameras", "name": {"en": "Tram cameras", "es": "Cámaras", "ar": "كاميرات الترام"},
                "description": {"en": "Cameras.", "es": "Cámaras.", "ar": "كاميرات."},
                "agency": "transit", "technology": "cctv",
                "status": "active", "scope": "public_space", "identifies_people": true,
                "algorithmic_decisions": false, "location": {"en": "Trams", "es": "Tranvías", "ar": "عربات الترام"},
                "data_subjects": {}, "retention_days": 30,
                "retention": {"en": "30 days", "es": "30 días", "ar": "30 يومًا"}, "access": {}, "recipients": {},
                "transfers": {}, "security": {}, "reviewed_on": "2026-01-01",
                "purposes": [{"key": "safety", "name": {"en": "Safety", "es": "Seguridad", "ar": "السلامة"},
                              "description": {"en": "Safety.", "es": "Seguridad.", "ar": "السلامة."},
                              "legal_basis": "public_task", "data_categories": ["images_video"]}]
            }]
        }))
        .unwrap()
    }

    #[test]
    fn the_declared_languages_are_read_in_order() {
        assert_eq!(
            declared_languages(&codes(&["en", "ar", "es"])),
            Ok(vec![Lang::En, Lang::Ar, Lang::Es])
        );
    }

    #[test]
    fn an_unknown_a_repeated_or_a_regional_code_and_a_missing_default_are_problems() {
        let problems = declared_languages(&codes(&["es", "fr", "es", "ar-EG"])).unwrap_err();
        let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            ["languages[1]", "languages[2]", "languages[3]", "languages"]
        );
        assert!(
            problems[0].message.contains("\"fr\" is not a language"),
            "{}",
            problems[0]
        );
        assert!(problems[0].message.contains("en, es, ar"), "{}", problems[0]);
        assert!(problems[1].message.contains("twice"), "{}", problems[1]);
        assert!(
            problems[3].message.contains("default language en"),
            "{}",
            problems[3]
        );
    }

    #[test]
    fn a_complete_register_has_no_gap() {
        assert_eq!(translation_gaps(&file(), &Lang::ALL), Vec::new());
    }

    #[test]
    fn a_missing_translation_names_the_system_the_field_and_the_language() {
        let mut f = file();
        f.systems[0].description = text(&[(Lang::En, "Cameras."), (Lang::Es, "Cámaras.")]);
        f.systems[0].purposes[0].name = text(&[(Lang::En, "Safety")]);
        f.agencies[0].name = text(&[(Lang::En, "Transit"), (Lang::Ar, "النقل")]);
        let gaps = translation_gaps(&f, &Lang::ALL);
        let found: Vec<(&str, &str)> = gaps
            .iter()
            .map(|p| (p.path.as_str(), p.message.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "agencies[0].name",
                    "agency transit: the name has no es translation, and the city declares es"
                ),
                (
                    "systems[0].description",
                    "system tram-cameras: the description has no ar translation, and the city declares ar"
                ),
                (
                    "systems[0].purposes[0].name",
                    "purpose safety of system tram-cameras: the name has no es translation, and the city declares es"
                ),
                (
                    "systems[0].purposes[0].name",
                    "purpose safety of system tram-cameras: the name has no ar translation, and the city declares ar"
                ),
            ]
        );
    }

    #[test]
    fn a_translation_into_an_undeclared_language_is_a_problem_and_a_left_out_text_is_not() {
        let f = file();
        let gaps = translation_gaps(&f, &[Lang::En, Lang::Es]);
        assert!(!gaps.is_empty());
        assert!(gaps.iter().all(|p| p.path.ends_with(".ar")), "{gaps:?}");
        assert_eq!(gaps[0].path, "city.ar");
        assert!(
            gaps[0]
                .message
                .contains("not among the city's languages (en, es)"),
            "{}",
            gaps[0]
        );
        // `data_subjects`, `access`… are left out entirely: no gap.
        assert!(!gaps.iter().any(|p| p.path.contains("data_subjects")));
    }

    #[test]
    fn the_register_check_reports_a_gap_and_a_wrong_language_at_their_place() {
        assert!(file().check().is_ok());
        let mut gap = file();
        gap.systems[0].retention = text(&[(Lang::En, "30 days"), (Lang::Ar, "30 يومًا")]);
        let problems = gap.check().unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(
            problems[0].to_string(),
            "systems[0].retention: system tram-cameras: the retention has no es translation, and the city declares es"
        );
        let mut wrong = file();
        wrong.languages = Some(codes(&["en", "es", "ar", "tlh"]));
        let problems = wrong.check().unwrap_err();
        assert_eq!(problems[0].path, "languages[3]", "{problems:?}");
        // A file that declares nothing is held only to the default language.
        let mut legacy = gap;
        legacy.languages = None;
        assert!(legacy.check().is_ok());
    }

    #[test]
    fn devices_and_districts_are_checked_and_held_to_the_languages() {
        let mut f = file();
        f.districts = serde_json::from_value(serde_json::json!([
            {"slug": "old-town", "name": {"en": "Old Town", "es": "Casco Antiguo", "ar": "البلدة القديمة"},
             "outline": [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0]]}
        ]))
        .unwrap();
        f.devices = serde_json::from_value(serde_json::json!([
            {"code": "TRAM-01", "system": "tram-cameras", "geometry": {"point": [0.5, 0.2]},
             "label": {"en": "Stop A", "es": "Parada A", "ar": "المحطة أ"}}
        ]))
        .unwrap();
        let register = f.check().unwrap();
        assert_eq!(register.devices[0].code.as_str(), "tram-01");
        assert_eq!(register.districts[0].slug.as_str(), "old-town");
        let round_trip = RegisterFile::from_json(&f.to_json()).unwrap();
        assert_eq!(round_trip.devices, f.devices);

        let mut wrong = f.clone();
        wrong.devices[0].label = text(&[(Lang::En, "Stop A")]);
        wrong.devices[0].geometry = crate::street::Geometry::Line(vec![[0.5, 0.2]]);
        wrong.devices.push(wrong.devices[0].clone());
        wrong.devices[1].system = "nowhere".to_owned();
        wrong.districts[0].outline.truncate(2);
        let paths: Vec<String> = wrong.check().unwrap_err().into_iter().map(|p| p.path).collect();
        for expected in [
            "devices[0].label",
            "devices[0].geometry",
            "devices[1].system",
            "districts[0].outline",
        ] {
            assert!(paths.iter().any(|p| p == expected), "{expected} in {paths:?}");
        }

        let mut enrolment = f.clone();
        enrolment.systems[0].scope = "enrolment".to_owned();
        let problems = enrolment.check().unwrap_err();
        assert!(
            problems
                .iter()
                .any(|p| p.path == "devices[0].system" && p.message.contains("not in public space")),
            "{problems:?}"
        );
    }
}
