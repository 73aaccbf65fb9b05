//! Transparency where people are: `/map` (every located device on a map drawn on the server
//! from the city's district outlines, with a list of the same devices beside it) and
//! `/s/{code}` (one device's page for someone standing in front of it: what it is, the last
//! 30 days of its system's figures, a way to report a problem). The printable signs are
//! drawn by the server (`server/src/http/signs.rs`).

pub mod device_page;
pub mod map_page;
#[cfg(feature = "ssr")]
pub mod sign;

use crate::error::AppError;
use domain::lang::Lang;
use domain::register::{PurposeView, SystemSummary, Technology};
use domain::street::PurposeFigures;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The map's filters as they arrive in the query string ("" means "any").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MapFilter {
    pub technology: String,
    pub agency: String,
    /// `yes`, `no` or "".
    pub identifies: String,
}

/// Where a device is drawn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Mark {
    Point { x: f64, y: f64 },
    Line { points: String },
    Area { points: String },
}

/// One device on the map and in its list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceOnMap {
    pub code: String,
    pub label: String,
    pub system_slug: String,
    pub system_name: String,
    pub agency_name: String,
    pub technology: Technology,
    pub identifies_people: bool,
    pub district: Option<String>,
    pub mark: Mark,
}

/// A district's outline on the map, and where its name goes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DistrictOnMap {
    pub name: String,
    pub points: String,
    pub label_x: f64,
    pub label_y: f64,
}

/// What `/map` shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CityMap {
    pub width: f64,
    pub height: f64,
    pub districts: Vec<DistrictOnMap>,
    /// The devices the filter keeps, by district then label.
    pub devices: Vec<DeviceOnMap>,
    /// How many devices there are before filtering.
    pub all: usize,
    /// The agencies that run a located device: slug and name.
    pub agencies: Vec<(String, String)>,
    /// The technologies of located devices.
    pub technologies: Vec<Technology>,
}

/// The map's drawing width in SVG units.
pub const MAP_WIDTH: f64 = 800.0;

/// The city map in `lang`, keeping the devices `filter` asks for.
#[server(prefix = "/fn", endpoint = "street/map")]
pub async fn load_city_map(lang: Lang, filter: MapFilter) -> Result<CityMap, AppError> {
    use domain::street::{Geometry, MapFrame, district_of};
    let pool = crate::backend::backend()?.pool;
    let districts = store::street::districts(&pool).await?;
    let devices = store::street::devices(&pool).await?;
    let systems = store::register::systems(&pool).await?;
    let positions = districts.iter().flat_map(|d| d.outline.iter().copied()).chain(
        devices
            .iter()
            .flat_map(|d| d.geometry.positions().iter().copied()),
    );
    let Some(frame) = MapFrame::fit(positions.collect::<Vec<_>>(), MAP_WIDTH) else {
        return Ok(CityMap {
            width: MAP_WIDTH,
            height: 0.0,
            districts: Vec::new(),
            devices: Vec::new(),
            all: 0,
            agencies: Vec::new(),
            technologies: Vec::new(),
        });
    };
    let identifies = match filter.identifies.as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    };
    let mut agencies: Vec<(String, String)> = Vec::new();
    let mut technologies: Vec<Technology> = Vec::new();
    let mut shown = Vec::new();
    for device in &devices {
        let Some(system) = systems.iter().find(|s| s.slug == device.system) else {
            continue;
        };
        let agency = (
            system.agency.slug.to_string(),
            system.agency.name.get(lang).to_owned(),
        );
        if !agencies.contains(&agency) {
            agencies.push(agency.clone());
        }
        if !technologies.contains(&system.technology) {
            technologies.push(system.technology);
        }
        let kept = (filter.technology.is_empty() || filter.technology == system.technology.code())
            && (filter.agency.is_empty() || filter.agency == agency.0)
            && identifies.is_none_or(|i| i == system.identifies_people);
        if !kept {
            continue;
        }
        let mark = match &device.geometry {
            Geometry::Point(p) => {
                let (x, y) = frame.project(*p);
                Mark::Point { x, y }
            }
            Geometry::Line(ps) => Mark::Line {
                points: frame.points(ps),
            },
            Geometry::Area(ps) => Mark::Area {
                points: frame.points(ps),
            },
        };
        shown.push(DeviceOnMap {
            code: device.code.to_string(),
            label: device.label.get(lang).to_owned(),
            system_slug: system.slug.to_string(),
            system_name: system.name.get(lang).to_owned(),
            agency_name: agency.1,
            technology: system.technology,
            identifies_people: system.identifies_people,
            district: district_of(&device.geometry, &districts).map(|d| d.name.get(lang).to_owned()),
            mark,
        });
    }
    shown.sort_by_cached_key(|d| {
        (
            d.district.as_deref().map(domain::search::fold),
            domain::search::fold(&d.label),
        )
    });
    agencies.sort_by_cached_key(|(_, name)| domain::search::fold(name));
    technologies.sort_by_key(|t| t.code());
    Ok(CityMap {
        width: frame.width,
        height: frame.height,
        districts: districts
            .iter()
            .map(|d| {
                let (label_x, label_y) =
                    frame.project(domain::street::Geometry::Area(d.outline.clone()).anchor());
                DistrictOnMap {
                    name: d.name.get(lang).to_owned(),
                    points: frame.points(&d.outline),
                    label_x,
                    label_y,
                }
            })
            .collect(),
        all: devices.len(),
        devices: shown,
        agencies,
        technologies,
    })
}

/// What `/s/{code}` shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceView {
    pub code: String,
    pub label: String,
    pub district: Option<String>,
    pub system: SystemSummary,
    pub identifies_people: bool,
    pub retention: String,
    pub retention_days: Option<i64>,
    pub purposes: Vec<PurposeView>,
    /// The system's figures over the last `DEVICE_FIGURE_DAYS` days, per purpose (the
    /// purpose's name, or `None` for the line of undeclared purposes).
    pub figures: Vec<(Option<String>, PurposeFigures)>,
    /// The first day the figures cover (`YYYY-MM-DD`, UTC).
    pub since: String,
    /// Signed in: how many of those entries named the reader.
    pub mine: Option<i64>,
}

/// Device `code` in `lang`, with its system's figures; `NotFound` for an unknown code.
#[server(prefix = "/fn", endpoint = "street/device")]
pub async fn load_device(lang: Lang, code: String) -> Result<DeviceView, AppError> {
    use domain::street::{DEVICE_FIGURE_DAYS, DeviceCode, district_of, purpose_figures};
    let code = DeviceCode::parse(&code).map_err(|_| AppError::NotFound)?;
    let pool = crate::backend::backend()?.pool;
    let device = store::street::device_by_code(&pool, &code)
        .await?
        .ok_or(AppError::NotFound)?;
    let system = store::register::system(&pool, &device.system)
        .await?
        .ok_or(AppError::NotFound)?;
    let districts = store::street::districts(&pool).await?;
    let since_us = store::now_us() - DEVICE_FIGURE_DAYS * 86_400 * 1_000_000;
    let counts = store::street::system_figures(&pool, &system.slug, since_us).await?;
    let keys: Vec<&str> = system.purposes.iter().map(|p| p.key.as_str()).collect();
    let figures = purpose_figures(&keys, &counts)
        .into_iter()
        .map(|line| {
            let name = line.purpose.as_deref().and_then(|key| {
                system
                    .purposes
                    .iter()
                    .find(|p| p.key.as_str() == key)
                    .map(|p| p.name.get(lang).to_owned())
            });
            (name, line)
        })
        .collect();
    let mine = match crate::backend::session() {
        Some(session) => {
            Some(store::street::resident_entries(&pool, &session.user.id, &system.slug, since_us).await?)
        }
        None => None,
    };
    let view = system.view(lang);
    Ok(DeviceView {
        code: code.to_string(),
        label: device.label.get(lang).to_owned(),
        district: district_of(&device.geometry, &districts).map(|d| d.name.get(lang).to_owned()),
        identifies_people: system.identifies_people,
        retention: system.retention.get(lang).to_owned(),
        retention_days: system.retention_days,
        purposes: view.purposes.clone(),
        system: view.summary,
        figures,
        since: store::rfc3339_us(since_us)
            .get(..10)
            .unwrap_or_default()
            .to_owned(),
        mine,
    })
}

/// Reports a problem with device `code` into the register's report queue: signed in or
/// not (a passer-by is capped per address), at most a few a day.
#[server(prefix = "/fn", endpoint = "street/report")]
pub async fn report_device(code: String, body: String) -> Result<(), AppError> {
    use store::street::Reporter;
    let code = domain::street::DeviceCode::parse(&code).map_err(|_| AppError::NotFound)?;
    let backend = crate::backend::backend()?;
    let session = crate::backend::session();
    let address_key = crate::backend::client_ip()
        .map(|ip| {
            backend
                .accounts
                .keys()
                .keyed_digest(&format!("device report {}", ip.limit_key()))
        })
        .unwrap_or_else(|| "unknown address".to_owned());
    let reporter = match &session {
        Some(s) => Reporter::Resident(&s.user.id),
        None => Reporter::Address(&address_key),
    };
    store::street::file_device_report(&backend.pool, &code, reporter, &body).await??;
    leptos_axum::redirect(&format!(
        "/s/{code}?sent={}#report",
        crate::backend::action_stamp()
    ));
    Ok(())
}
