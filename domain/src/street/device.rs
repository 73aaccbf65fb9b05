//! Devices and districts: each located device of a public-space system (a camera of a
//! network, a sensor, a Wi-Fi zone) with the stable short code printed on its sign, and the
//! city's districts whose outlines the map is drawn from.

use super::geometry::{Geometry, Position, ring_contains};
use crate::register::Slug;
use crate::text::LocalizedText;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A device's short code, printed on its sign and in its address `/s/{code}`: 3 to 16
/// lowercase letters, digits and hyphens, starting and ending with a letter or digit.
/// Read case-insensitively (a code typed from a sign in capitals still finds the device).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DeviceCode(String);

/// Why a text is not a device code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not a device code: 3 to 16 letters, digits and hyphens, starting and ending with a letter or digit"
)]
pub struct InvalidDeviceCode(pub String);

impl DeviceCode {
    pub fn parse(text: &str) -> Result<DeviceCode, InvalidDeviceCode> {
        let code = text.trim().to_ascii_lowercase();
        let fits = (3..=16).contains(&code.len())
            && code
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !code.starts_with('-')
            && !code.ends_with('-');
        if fits {
            Ok(DeviceCode(code))
        } else {
            Err(InvalidDeviceCode(text.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DeviceCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for DeviceCode {
    type Error = InvalidDeviceCode;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        DeviceCode::parse(&text)
    }
}

impl From<DeviceCode> for String {
    fn from(code: DeviceCode) -> String {
        code.0
    }
}

/// A located device of a public-space system.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Device {
    pub code: DeviceCode,
    /// The system it belongs to.
    pub system: Slug,
    /// Where a passer-by finds it ("Corner of Main Street and 3rd Avenue").
    pub label: LocalizedText,
    pub geometry: Geometry,
}

/// A district of the city, drawn on the map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct District {
    pub slug: Slug,
    pub name: LocalizedText,
    /// A closed ring of `[longitude, latitude]`, its first position not repeated.
    pub outline: Vec<Position>,
}

/// The district a device lies in (by its anchor position), if any.
pub fn district_of<'a>(device: &Geometry, districts: &'a [District]) -> Option<&'a District> {
    let anchor = device.anchor();
    districts.iter().find(|d| ring_contains(&d.outline, anchor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_short_plain_and_read_in_any_case() {
        assert_eq!(DeviceCode::parse(" DT-Cam-01 ").unwrap().as_str(), "dt-cam-01");
        for wrong in [
            "ab",
            "-abc",
            "abc-",
            "a b c",
            "abcdefghijklmnopq",
            "caméra",
            "a/b/c",
        ] {
            assert!(DeviceCode::parse(wrong).is_err(), "{wrong}");
        }
    }

    #[test]
    fn a_device_lies_in_the_district_around_its_anchor() {
        let district = |slug: &str, west: f64| District {
            slug: Slug::parse(slug).unwrap(),
            name: LocalizedText::default(),
            outline: vec![[west, 0.0], [west + 1.0, 0.0], [west + 1.0, 1.0], [west, 1.0]],
        };
        let districts = [district("west", 0.0), district("east", 1.0)];
        let east = Geometry::Point([1.5, 0.5]);
        assert_eq!(district_of(&east, &districts).unwrap().slug.as_str(), "east");
        assert!(district_of(&Geometry::Point([5.0, 0.5]), &districts).is_none());
    }
}
