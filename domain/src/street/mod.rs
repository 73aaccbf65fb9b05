//! Transparency where people are: the city's districts, the located devices of its
//! public-space systems (each with the stable short code printed on its sign and in its
//! address `/s/{code}`), and the frame the map is drawn in.

mod device;
mod figures;
mod geometry;
mod map;

pub use device::{Device, DeviceCode, District, InvalidDeviceCode, district_of};
pub use figures::{Answered, LogCount, PurposeFigures, purpose_figures};
pub use geometry::{Geometry, MAX_POSITIONS, Position, outline_problem, position_problem, ring_contains};
pub use map::MapFrame;

/// How many days the figures on a device's page cover.
pub const DEVICE_FIGURE_DAYS: i64 = 30;
