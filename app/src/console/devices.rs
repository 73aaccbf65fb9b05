//! `/admin/register/devices`: register staff place the devices of public-space systems on
//! the map — each device's system, sign code, label in every language, and its shape (a
//! point, a line or an area as `longitude latitude` pairs). `/admin/register/devices/new`
//! and `/admin/register/devices/{code}` hold the form; removing a device is audited too.

use super::shared::{action_error, staff_refused};
use crate::components::page_title::PageTitle;
use crate::error::AppError;
use crate::i18n::{t, td_string, use_i18n};
use crate::i18n_support::use_lang;
use domain::lang::Lang;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

/// One device as the desk lists it and the form fills it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceLine {
    pub code: String,
    pub system: String,
    pub system_name: String,
    /// The label in each language, by code.
    pub labels: Vec<(Lang, String)>,
    pub kind: String,
    pub positions: String,
}

/// What the devices desk shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DevicesDesk {
    pub devices: Vec<DeviceLine>,
    /// The public-space systems a device may belong to: slug and name.
    pub systems: Vec<(String, String)>,
}

/// Register staff: every device and the public-space systems, in `lang`.
#[server(prefix = "/fn", endpoint = "console/devices")]
pub async fn load_devices_desk(lang: Lang) -> Result<DevicesDesk, AppError> {
    crate::reviews::require_register_editor().await?;
    let pool = crate::backend::backend()?.pool;
    let systems = store::register::systems(&pool).await?;
    let devices = store::street::devices(&pool).await?;
    let name_of = |slug: &domain::register::Slug| {
        systems
            .iter()
            .find(|s| &s.slug == slug)
            .map(|s| s.name.get(lang).to_owned())
            .unwrap_or_default()
    };
    Ok(DevicesDesk {
        devices: devices
            .iter()
            .map(|d| DeviceLine {
                code: d.code.to_string(),
                system: d.system.to_string(),
                system_name: name_of(&d.system),
                labels: Lang::ALL
                    .iter()
                    .map(|l| {
                        (
                            *l,
                            if d.label.has(*l) {
                                d.label.get(*l).to_owned()
                            } else {
                                String::new()
                            },
                        )
                    })
                    .collect(),
                kind: d.geometry.kind().to_owned(),
                positions: d.geometry.to_form(),
            })
            .collect(),
        systems: systems
            .iter()
            .filter(|s| s.scope == domain::register::Scope::PublicSpace)
            .map(|s| (s.slug.to_string(), s.name.get(lang).to_owned()))
            .collect(),
    })
}

/// Register staff: saves a device from the form (created, or replacing the one with its code).
#[server(prefix = "/fn", endpoint = "console/save_device")]
pub async fn save_device(
    code: String,
    system: String,
    label_en: String,
    label_es: String,
    label_ar: String,
    kind: String,
    positions: String,
) -> Result<(), AppError> {
    let session = crate::reviews::require_register_editor().await?;
    let geometry = domain::street::Geometry::from_form(&kind, &positions)
        .map_err(|problem| AppError::InvalidInput(format!("geometry: {problem}")))?;
    let label =
        domain::text::LocalizedText::new([(Lang::En, label_en), (Lang::Es, label_es), (Lang::Ar, label_ar)]);
    let record = domain::register::DeviceRecord {
        code,
        system,
        label,
        geometry,
    };
    let pool = crate::backend::backend()?.pool;
    let systems = store::register::systems(&pool).await?;
    let device = record.check_one(&systems).map_err(|problems| {
        let listed: Vec<String> = problems.iter().map(ToString::to_string).collect();
        AppError::InvalidInput(listed.join("; "))
    })?;
    store::street::save_device(&pool, &session.user, &device).await??;
    leptos_axum::redirect(&format!("/admin/register/devices?saved={}#devices", device.code));
    Ok(())
}

/// Register staff: removes device `code` (its sign's address then finds nothing).
#[server(prefix = "/fn", endpoint = "console/remove_device")]
pub async fn remove_device(code: String) -> Result<(), AppError> {
    let session = crate::reviews::require_register_editor().await?;
    let code = domain::street::DeviceCode::parse(&code).map_err(|_| AppError::NotFound)?;
    let pool = crate::backend::backend()?.pool;
    store::street::remove_device(&pool, &session.user, &code).await??;
    leptos_axum::redirect(&format!("/admin/register/devices?removed={code}#devices"));
    Ok(())
}

/// The devices desk: every device, with a link to its form, and a way to add one.
#[component]
pub fn DevicesDeskPage() -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let query = use_query_map();
    let desk = Resource::new(
        move || (lang.get(), query.read().get("saved"), query.read().get("removed")),
        |(lang, _, _)| load_devices_desk(lang),
    );
    let saved = move || query.read().get("saved");
    let removed = move || query.read().get("removed");
    view! {
        <PageTitle text=|l| td_string!(l, devices.title) />
        <h1>{t!(i18n, devices.title)}</h1>
        <p>{t!(i18n, devices.intro)}</p>
        {move || saved().map(|code| view! { <p class="notice" role="status" data-testid="device-saved">{t!(i18n, devices.saved)} " " <code>{code}</code></p> })}
        {move || removed().map(|code| view! { <p class="notice" role="status" data-testid="device-removed">{t!(i18n, devices.removed)} " " <code>{code}</code></p> })}
        <p><a class="button-primary" href="/admin/register/devices/new" data-testid="add-device">{t!(i18n, devices.add)}</a></p>
        <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match desk.await {
                    Ok(desk) => view! {
                        <h2 id="devices">{t!(i18n, devices.list)}</h2>
                        <ul class="plain-list columns" data-testid="device-desk">
                            {desk.devices.into_iter().map(|d| view! {
                                <li data-device=d.code.clone()>
                                    <a href=format!("/admin/register/devices/{}", d.code)><code>{d.code.clone()}</code></a>
                                    " · " {d.labels.first().map(|(_, l)| l.clone()).unwrap_or_default()} " · " {d.system_name}
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => staff_refused(error),
                }
            })}
        </Suspense>
    }
}

/// The form of one device (`/admin/register/devices/{code}`), or of a new one (`…/new`).
#[component]
pub fn DevicePage() -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let params = use_params_map();
    let code = move || params.read().get("code");
    let desk = Resource::new(move || lang.get(), load_devices_desk);
    view! {
        <PageTitle text=|l| td_string!(l, devices.form_title) />
        <h1>{t!(i18n, devices.form_title)}</h1>
        <p><a href="/admin/register/devices">{t!(i18n, devices.back)}</a></p>
        <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match desk.await {
                    Ok(desk) => {
                        let wanted = code();
                        let line = wanted.as_deref().filter(|c| *c != "new").map(|c| desk.devices.iter().find(|d| d.code == c).cloned());
                        match line {
                            Some(None) => view! { <crate::components::not_found::NotFound /> }.into_any(),
                            Some(Some(line)) => view! { <DeviceForm line=Some(line) systems=desk.systems /> }.into_any(),
                            None => view! { <DeviceForm line=None systems=desk.systems /> }.into_any(),
                        }
                    }
                    Err(error) => staff_refused(error),
                }
            })}
        </Suspense>
    }
}

#[component]
fn DeviceForm(line: Option<DeviceLine>, systems: Vec<(String, String)>) -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SaveDevice>::new();
    let remove = ServerAction::<RemoveDevice>::new();
    let existing = line.is_some();
    let line = line.unwrap_or(DeviceLine {
        code: String::new(),
        system: String::new(),
        system_name: String::new(),
        labels: Lang::ALL.iter().map(|l| (*l, String::new())).collect(),
        kind: "point".to_owned(),
        positions: String::new(),
    });
    let label_of = |lang: Lang| {
        line.labels
            .iter()
            .find(|(l, _)| *l == lang)
            .map(|(_, t)| t.clone())
            .unwrap_or_default()
    };
    let (label_en, label_es, label_ar) = (label_of(Lang::En), label_of(Lang::Es), label_of(Lang::Ar));
    let (code, page) = (line.code.clone(), format!("/s/{}", line.code));
    view! {
        {action_error(save)}
        <ActionForm action=save attr:class="stack-form" attr:data-testid="device-form">
            <label for="device-code">{t!(i18n, devices.code)}</label>
            <input id="device-code" name="code" required=true maxlength="16" value=line.code.clone() readonly=existing aria-describedby="device-code-hint" />
            <p id="device-code-hint" class="muted">{t!(i18n, devices.code_hint)}</p>
            <label for="device-system">{t!(i18n, devices.system)}</label>
            <select id="device-system" name="system" required=true>
                {systems.into_iter().map(|(slug, name)| {
                    let selected = slug == line.system;
                    view! { <option value=slug selected=selected>{name}</option> }
                }).collect_view()}
            </select>
            <label for="device-label-en">{t!(i18n, devices.label_en)}</label>
            <input id="device-label-en" name="label_en" required=true maxlength="200" value=label_en />
            <label for="device-label-es">{t!(i18n, devices.label_es)}</label>
            <input id="device-label-es" name="label_es" maxlength="200" value=label_es lang="es" />
            <label for="device-label-ar">{t!(i18n, devices.label_ar)}</label>
            <input id="device-label-ar" name="label_ar" maxlength="200" value=label_ar lang="ar" dir="rtl" />
            <label for="device-kind">{t!(i18n, devices.kind)}</label>
            <select id="device-kind" name="kind">
                <option value="point" selected=line.kind == "point">{t!(i18n, devices.point)}</option>
                <option value="line" selected=line.kind == "line">{t!(i18n, devices.line)}</option>
                <option value="area" selected=line.kind == "area">{t!(i18n, devices.area)}</option>
            </select>
            <label for="device-positions">{t!(i18n, devices.positions)}</label>
            <textarea id="device-positions" name="positions" rows="3" required=true maxlength="20000" aria-describedby="device-positions-hint">{line.positions.clone()}</textarea>
            <p id="device-positions-hint" class="muted">{t!(i18n, devices.positions_hint)}</p>
            <button type="submit" class="button-primary">{t!(i18n, devices.save)}</button>
        </ActionForm>
        {existing.then(|| view! {
            <h2>{t!(i18n, devices.remove_title)}</h2>
            {action_error(remove)}
            <ActionForm action=remove attr:class="inline-form">
                <input type="hidden" name="code" value=code.clone() />
                <button type="submit" class="button-secondary">{t!(i18n, devices.remove)}</button>
            </ActionForm>
            <p><a href=page.clone()>{t!(i18n, devices.public_page)}</a></p>
        })}
    }
}
