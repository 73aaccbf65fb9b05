//! The officer's register form: one system, every field the public pages show, in every
//! language, as flat form fields. Field names are the register file's paths, except that a
//! purpose's fields are `p{i}.{field}` (`p0.name.en`), so a checked record's problems map
//! back to the field they belong beside.

use super::{AgencyRecord, DataCategory, PurposeRecord, SystemRecord};
use crate::lang::Lang;
use crate::text::LocalizedText;
use std::collections::BTreeMap;

/// The system's texts the form edits, in the public page's order.
pub const SYSTEM_TEXTS: [&str; 10] = [
    "name",
    "description",
    "location",
    "data_subjects",
    "retention",
    "access",
    "recipients",
    "transfers",
    "security",
    "algorithm",
];

/// The form's fields, by name.
pub type FormFields = BTreeMap<String, String>;

fn localized(fields: &FormFields, name: &str) -> LocalizedText {
    LocalizedText::new(Lang::ALL.iter().map(|l| {
        (
            *l,
            fields
                .get(&format!("{name}.{}", l.code()))
                .cloned()
                .unwrap_or_default(),
        )
    }))
}

fn field<'a>(fields: &'a FormFields, name: &str) -> &'a str {
    fields.get(name).map_or("", |v| v.trim())
}

/// Reads the form into a register record (checked afterwards by `SystemRecord::check_one`).
/// A purpose block whose key is left empty is no purpose (the form's blank "add" block).
pub fn record_from_form(fields: &FormFields) -> SystemRecord {
    let text = |name: &str| localized(fields, name);
    let checked = |name: &str| matches!(field(fields, name), "on" | "true" | "1");
    let mut purposes = Vec::new();
    for i in 0.. {
        let p = |f: &str| format!("p{i}.{f}");
        if !fields.keys().any(|k| k.starts_with(&format!("p{i}."))) {
            break;
        }
        let key = field(fields, &p("key"));
        if key.is_empty() {
            continue;
        }
        purposes.push(PurposeRecord {
            key: key.to_owned(),
            name: text(&p("name")),
            description: text(&p("description")),
            legal_basis: field(fields, &p("legal_basis")).to_owned(),
            data_categories: DataCategory::ALL
                .iter()
                .filter(|c| checked(&p(&format!("category.{}", c.code()))))
                .map(|c| c.code().to_owned())
                .collect(),
            special_categories: None,
        });
    }
    let algorithm = text("algorithm");
    SystemRecord {
        slug: field(fields, "slug").to_owned(),
        name: text("name"),
        description: text("description"),
        agency: field(fields, "agency").to_owned(),
        technology: field(fields, "technology").to_owned(),
        status: field(fields, "status").to_owned(),
        scope: field(fields, "scope").to_owned(),
        identifies_people: checked("identifies_people"),
        algorithmic_decisions: checked("algorithmic_decisions"),
        algorithm: (!algorithm.is_empty()).then_some(algorithm),
        location: text("location"),
        data_subjects: text("data_subjects"),
        retention_days: field(fields, "retention_days").parse().ok(),
        retention: text("retention"),
        access: text("access"),
        recipients: text("recipients"),
        transfers: text("transfers"),
        security: text("security"),
        reviewed_on: field(fields, "reviewed_on").to_owned(),
        purposes,
    }
}

/// The form's fields for `record` (to fill the form with what is stored, or what was sent).
pub fn form_from_record(record: &SystemRecord) -> FormFields {
    let mut fields = FormFields::new();
    let put_text = |fields: &mut FormFields, name: &str, text: &LocalizedText| {
        for (lang, value) in text.iter() {
            fields.insert(format!("{name}.{}", lang.code()), value.to_owned());
        }
    };
    for (name, value) in [
        ("slug", &record.slug),
        ("agency", &record.agency),
        ("technology", &record.technology),
        ("status", &record.status),
        ("scope", &record.scope),
        ("reviewed_on", &record.reviewed_on),
    ] {
        fields.insert(name.to_owned(), value.clone());
    }
    for (name, on) in [
        ("identifies_people", record.identifies_people),
        ("algorithmic_decisions", record.algorithmic_decisions),
    ] {
        if on {
            fields.insert(name.to_owned(), "on".to_owned());
        }
    }
    if let Some(days) = record.retention_days {
        fields.insert("retention_days".to_owned(), days.to_string());
    }
    for (name, text) in [
        ("name", &record.name),
        ("description", &record.description),
        ("location", &record.location),
        ("data_subjects", &record.data_subjects),
        ("retention", &record.retention),
        ("access", &record.access),
        ("recipients", &record.recipients),
        ("transfers", &record.transfers),
        ("security", &record.security),
    ] {
        put_text(&mut fields, name, text);
    }
    if let Some(algorithm) = &record.algorithm {
        put_text(&mut fields, "algorithm", algorithm);
    }
    for (i, purpose) in record.purposes.iter().enumerate() {
        let p = |f: &str| format!("p{i}.{f}");
        fields.insert(p("key"), purpose.key.clone());
        fields.insert(p("legal_basis"), purpose.legal_basis.clone());
        put_text(&mut fields, &p("name"), &purpose.name);
        put_text(&mut fields, &p("description"), &purpose.description);
        for category in &purpose.data_categories {
            fields.insert(p(&format!("category.{category}")), "on".to_owned());
        }
    }
    fields
}

/// Reads the agency form (`slug`, `name.{lang}`, `description.{lang}`, `public_authority`,
/// `dpo_email`, `website`) into a record (checked afterwards by `AgencyRecord::check_one`).
pub fn agency_from_form(fields: &FormFields) -> AgencyRecord {
    AgencyRecord {
        slug: field(fields, "slug").to_owned(),
        name: localized(fields, "name"),
        description: localized(fields, "description"),
        public_authority: matches!(field(fields, "public_authority"), "on" | "true" | "1"),
        dpo_email: field(fields, "dpo_email").to_owned(),
        website: field(fields, "website").to_owned(),
    }
}

/// The agency form's fields for `record`.
pub fn form_from_agency(record: &AgencyRecord) -> FormFields {
    let mut fields = FormFields::new();
    for (name, text) in [("name", &record.name), ("description", &record.description)] {
        for (lang, value) in text.iter() {
            fields.insert(format!("{name}.{}", lang.code()), value.to_owned());
        }
    }
    fields.insert("slug".to_owned(), record.slug.clone());
    fields.insert("dpo_email".to_owned(), record.dpo_email.clone());
    fields.insert("website".to_owned(), record.website.clone());
    if record.public_authority {
        fields.insert("public_authority".to_owned(), "on".to_owned());
    }
    fields
}

/// The form field a checked record's problem belongs beside (`purposes[1].name.en` →
/// `p1.name.en`; `purposes[0].data_categories[2]` → `p0.data_categories`).
pub fn field_of_problem(path: &str) -> String {
    let Some(rest) = path.strip_prefix("purposes[") else {
        return path.to_owned();
    };
    let Some((index, field)) = rest.split_once("].") else {
        return "purposes".to_owned();
    };
    let field = field.split('[').next().unwrap_or(field);
    format!("p{index}.{field}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored() -> SystemRecord {
        serde_json::from_value(serde_json::json!({
            "slug": "tram-cameras", "name": {"en": "Tram cameras", "es": "Cámaras del tranvía"},
            "description": {"en": "Cameras."}, "agency": "transit", "technology": "cctv",
            "status": "active", "scope": "public_space", "identifies_people": true,
            "algorithmic_decisions": false, "location": {"en": "Trams"}, "data_subjects": {"en": "Riders"},
            "retention_days": 30, "retention": {"en": "30 days"}, "access": {}, "recipients": {},
            "transfers": {}, "security": {}, "reviewed_on": "2026-01-01",
            "purposes": [{"key": "safety", "name": {"en": "Safety"}, "description": {"en": "Safety."},
                          "legal_basis": "public_task", "data_categories": ["location", "images_video"]}]
        }))
        .unwrap()
    }

    #[test]
    fn a_record_survives_the_form_both_ways() {
        let record = stored();
        assert_eq!(record_from_form(&form_from_record(&record)), record);
    }

    #[test]
    fn a_blank_purpose_block_is_no_purpose_and_a_filled_one_is_added() {
        let mut fields = form_from_record(&stored());
        fields.insert("p1.key".into(), String::new());
        fields.insert("p1.name.en".into(), "ignored".into());
        assert_eq!(record_from_form(&fields).purposes.len(), 1);
        fields.insert("p1.key".into(), "planning".into());
        fields.insert("p1.category.biometric".into(), "on".into());
        let record = record_from_form(&fields);
        assert_eq!(record.purposes[1].key, "planning");
        assert_eq!(record.purposes[1].data_categories, ["biometric"]);
    }

    #[test]
    fn an_agency_survives_its_form_and_a_bad_address_is_named() {
        let record = AgencyRecord {
            slug: "transit".into(),
            name: LocalizedText::new([
                (Lang::En, "Transit".to_owned()),
                (Lang::Es, "Tránsito".to_owned()),
            ]),
            description: LocalizedText::new([(Lang::En, "Buses.".to_owned())]),
            public_authority: true,
            dpo_email: "dpo@example.org".into(),
            website: "https://example.org".into(),
        };
        assert_eq!(agency_from_form(&form_from_agency(&record)), record);
        let mut fields = form_from_agency(&record);
        fields.insert("dpo_email".into(), "nobody".into());
        let problems = agency_from_form(&fields).check_one().unwrap_err();
        assert_eq!(problems[0].path, "dpo_email");
    }

    #[test]
    fn problems_land_beside_their_field() {
        assert_eq!(field_of_problem("name"), "name");
        assert_eq!(field_of_problem("name.es"), "name.es");
        assert_eq!(field_of_problem("purposes[1].name.en"), "p1.name.en");
        assert_eq!(
            field_of_problem("purposes[0].data_categories[2]"),
            "p0.data_categories"
        );
        assert_eq!(field_of_problem("purposes"), "purposes");
    }

    #[test]
    fn a_checked_form_lists_every_problem_by_field() {
        let mut fields = form_from_record(&stored());
        fields.insert("technology".into(), "telepathy".into());
        fields.remove("name.en");
        fields.insert("reviewed_on".into(), "soon".into());
        let agencies = [super::super::Agency {
            slug: super::super::Slug::parse("transit").unwrap(),
            public_authority: true,
            name: LocalizedText::new([(Lang::En, "Transit".to_owned())]),
            description: LocalizedText::default(),
            dpo_email: "dpo@example.org".into(),
            website: "https://example.org".into(),
        }];
        let problems = record_from_form(&fields).check_one(&agencies).unwrap_err();
        let fields: Vec<String> = problems.iter().map(|p| field_of_problem(&p.path)).collect();
        assert_eq!(fields, ["technology", "name", "reviewed_on"]);
    }
}
