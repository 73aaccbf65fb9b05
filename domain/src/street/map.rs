//! The map's frame: which part of the earth the drawing shows, and where a position lands
//! on it. An equirectangular projection scaled by the cosine of the middle latitude, which
//! is true enough at a city's size; y grows downwards as in SVG.

use super::geometry::Position;

/// The rectangle the map draws, and its size in drawing units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MapFrame {
    west: f64,
    north: f64,
    /// Drawing units per degree of longitude and of latitude.
    x_scale: f64,
    y_scale: f64,
    pub width: f64,
    pub height: f64,
}

impl MapFrame {
    /// The frame around `positions` (with a small margin), `width` units wide; `None`
    /// when there is nothing to draw.
    pub fn fit(positions: impl IntoIterator<Item = Position>, width: f64) -> Option<MapFrame> {
        let (mut west, mut east, mut south, mut north) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        let mut any = false;
        for [lon, lat] in positions {
            any = true;
            west = west.min(lon);
            east = east.max(lon);
            south = south.min(lat);
            north = north.max(lat);
        }
        if !any {
            return None;
        }
        let margin_lon = ((east - west) * 0.03).max(0.001);
        let margin_lat = ((north - south) * 0.03).max(0.001);
        let (west, east) = (west - margin_lon, east + margin_lon);
        let (south, north) = (south - margin_lat, north + margin_lat);
        let shrink = ((south + north) / 2.0).to_radians().cos().max(0.01);
        let x_scale = width / (east - west);
        let y_scale = x_scale / shrink;
        Some(MapFrame {
            west,
            north,
            x_scale,
            y_scale,
            width,
            height: ((north - south) * y_scale).round(),
        })
    }

    /// Where `p` lands on the drawing, to a tenth of a unit.
    pub fn project(&self, [lon, lat]: Position) -> (f64, f64) {
        let round = |v: f64| (v * 10.0).round() / 10.0;
        (
            round((lon - self.west) * self.x_scale),
            round((self.north - lat) * self.y_scale),
        )
    }

    /// An SVG path's points for a ring or line: `x,y x,y …`.
    pub fn points(&self, positions: &[Position]) -> String {
        positions
            .iter()
            .map(|p| {
                let (x, y) = self.project(*p);
                format!("{x},{y}")
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_frame_keeps_north_up_and_shapes_true_at_the_latitude() {
        let frame = MapFrame::fit([[-93.3, 44.9], [-93.1, 45.1]], 1000.0).unwrap();
        let (x0, y0) = frame.project([-93.3, 45.1]);
        let (x1, y1) = frame.project([-93.1, 44.9]);
        assert!(x0 < x1 && y0 < y1, "west is left and north is up");
        // 0.2° of latitude is longer on the ground than 0.2° of longitude at 45°N.
        let ratio = (y1 - y0) / (x1 - x0);
        assert!((ratio - 1.0 / 45f64.to_radians().cos()).abs() < 0.01, "{ratio}");
        assert!(x0 > 0.0 && x1 < 1000.0 && y0 > 0.0 && y1 < frame.height);
        assert_eq!(frame.points(&[[-93.3, 45.1]]), format!("{x0},{y0}"));
    }

    #[test]
    fn nothing_to_draw_is_no_frame() {
        assert_eq!(MapFrame::fit([], 100.0), None);
    }
}
