//! `/map`: every located device of the city's public-space systems, on a map drawn on the
//! server as SVG from the districts' outlines (no tile server, no JavaScript), filterable by
//! technology, agency and whether it identifies people, and the same devices as a list for
//! screen readers and keyboards (the map's marks are for pointing only).

use super::{CityMap, DeviceOnMap, MapFilter, Mark, load_city_map};
use crate::components::error_notice::ErrorNotice;
use crate::components::page_title::PageTitle;
use crate::i18n::{t, td_string, use_i18n};
use crate::i18n_support::{technology_name, use_lang, yes_no};
use domain::register::Technology;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The map page.
#[component]
pub fn MapPage() -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let query = use_query_map();
    let filter = Memo::new(move |_| {
        let q = query.read();
        let get = |k: &str| q.get(k).unwrap_or_default();
        MapFilter {
            technology: get("technology"),
            agency: get("agency"),
            identifies: get("identifies"),
        }
    });
    let map = Resource::new(
        move || (lang.get(), filter.get()),
        |(lang, filter)| load_city_map(lang, filter),
    );
    view! {
        <PageTitle text=|l| td_string!(l, street.map_title) />
        <h1>{t!(i18n, street.map_title)}</h1>
        <p class="lead">{t!(i18n, street.map_intro)}</p>
        <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match map.await {
                    Ok(map) => view! { <MapAndList map filter=filter.get_untracked() /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The class that gives a mark its shape and colour: cameras and readers, sensors and
/// meters, networks, the rest.
fn family(t: Technology) -> &'static str {
    match t {
        Technology::Cctv | Technology::FacialRecognition | Technology::LicencePlateReader => "camera",
        Technology::TrafficSensor | Technology::EnvironmentalSensor | Technology::SmartMeter => "sensor",
        Technology::WirelessNetwork => "network",
        _ => "other",
    }
}

#[component]
fn MapAndList(map: CityMap, filter: MapFilter) -> impl IntoView {
    let i18n = use_i18n();
    let (shown, all) = (map.devices.len(), map.all);
    view! {
        <div role="search">
            <form method="get" action="/map" class="filters">
                <div class="field">
                    <label for="technology">{t!(i18n, register.technology_label)}</label>
                    <select id="technology" name="technology">
                        <option value="">{t!(i18n, register.any_technology)}</option>
                        {map.technologies.iter().map(|tech| {
                            let (tech, selected) = (*tech, filter.technology == tech.code());
                            view! { <option value=tech.code() selected=selected>{move || technology_name(i18n.get_locale(), tech)}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="agency">{t!(i18n, register.agency_label)}</label>
                    <select id="agency" name="agency">
                        <option value="">{t!(i18n, register.any_agency)}</option>
                        {map.agencies.iter().cloned().map(|(slug, name)| {
                            let selected = filter.agency == slug;
                            view! { <option value=slug selected=selected>{name}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="identifies">{t!(i18n, street.identifies_label)}</label>
                    <select id="identifies" name="identifies">
                        <option value="">{t!(i18n, street.identifies_any)}</option>
                        <option value="yes" selected=filter.identifies == "yes">{t!(i18n, street.identifies_yes)}</option>
                        <option value="no" selected=filter.identifies == "no">{t!(i18n, street.identifies_no)}</option>
                    </select>
                </div>
                <div class="actions">
                    <button type="submit">{t!(i18n, street.apply)}</button>
                    <a href="/map">{t!(i18n, register.clear)}</a>
                </div>
            </form>
        </div>
        <p class="result-count" role="status" data-testid="device-count">
            {t!(i18n, street.count, shown = move || shown, all = move || all)}
        </p>
        <figure class="city-map">
            <svg
                viewBox=format!("0 0 {} {}", map.width, map.height)
                aria-hidden="true"
                focusable="false"
                data-testid="city-map"
            >
                {map.districts.into_iter().map(|d| view! {
                    <polygon class="district" points=d.points />
                    <text class="district-name" x=d.label_x y=d.label_y text-anchor="middle">{d.name}</text>
                }).collect_view()}
                {map.devices.iter().map(mark).collect_view()}
            </svg>
            <figcaption>
                <ul class="map-legend">
                    <li><span class="key key-camera"></span>{t!(i18n, street.legend_camera)}</li>
                    <li><span class="key key-sensor"></span>{t!(i18n, street.legend_sensor)}</li>
                    <li><span class="key key-network"></span>{t!(i18n, street.legend_network)}</li>
                    <li><span class="key key-identifies"></span>{t!(i18n, street.legend_identifies)}</li>
                </ul>
                <p class="muted">{t!(i18n, street.map_note)}</p>
            </figcaption>
        </figure>
        <h2 id="device-list">{t!(i18n, street.list_title)}</h2>
        <div class="table-scroll" role="region" tabindex="0" aria-labelledby="device-list">
            <table class="device-table" data-testid="device-list">
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, street.where_col)}</th>
                        <th scope="col">{t!(i18n, street.system_col)}</th>
                        <th scope="col">{t!(i18n, register.technology_label)}</th>
                        <th scope="col">{t!(i18n, street.identifies_label)}</th>
                        <th scope="col">{t!(i18n, street.district_col)}</th>
                        <th scope="col">{t!(i18n, street.code_col)}</th>
                    </tr>
                </thead>
                <tbody>
                    {map.devices.into_iter().map(|d| {
                        let (tech, identifies) = (d.technology, d.identifies_people);
                        view! {
                            <tr>
                                <td><a href=format!("/s/{}", d.code)>{d.label}</a></td>
                                <td><a href=format!("/systems/{}", d.system_slug)>{d.system_name}</a><br /><span class="muted">{d.agency_name}</span></td>
                                <td>{move || technology_name(i18n.get_locale(), tech)}</td>
                                <td>{move || yes_no(i18n.get_locale(), identifies)}</td>
                                <td>{d.district.unwrap_or_default()}</td>
                                <td><code>{d.code}</code></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// One device's mark: a link to its page, for pointing (the list is the way for keyboards).
fn mark(d: &DeviceOnMap) -> impl IntoView + use<> {
    let class = format!(
        "mark mark-{}{}",
        family(d.technology),
        if d.identifies_people { " identifies" } else { "" }
    );
    let title = format!("{} · {}", d.label, d.system_name);
    let shape = match d.mark.clone() {
        Mark::Point { x, y } => match family(d.technology) {
            "sensor" => view! { <rect x=x - 5.0 y=y - 5.0 width="10" height="10" /> }.into_any(),
            "network" => view! { <polygon points=format!("{x},{} {},{y} {x},{} {},{y}", y - 7.0, x + 7.0, y + 7.0, x - 7.0) /> }.into_any(),
            _ => view! { <circle cx=x cy=y r="6" /> }.into_any(),
        },
        Mark::Line { points } => view! { <polyline class="line" points=points /> }.into_any(),
        Mark::Area { points } => view! { <polygon class="area" points=points /> }.into_any(),
    };
    view! {
        <a href=format!("/s/{}", d.code) tabindex="-1" class=class>
            <title>{title}</title>
            {shape}
        </a>
    }
}
