//! Where a device is: a point, a line or an area, in longitude and latitude (WGS 84, the
//! order GeoJSON uses), and the checks every position and shape must pass.

use serde::{Deserialize, Serialize};

/// A position: `[longitude, latitude]` in degrees.
pub type Position = [f64; 2];

/// The most positions one shape may have (keeps the map page light).
pub const MAX_POSITIONS: usize = 500;

/// Where a device is, as written in the register file: `{"point": [lon, lat]}`,
/// `{"line": [[lon, lat], …]}` or `{"area": [[lon, lat], …]}` (a closed ring whose first
/// position is not repeated at its end).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum Geometry {
    /// One camera, sensor or reader.
    Point(Position),
    /// Devices along a road: at least two positions.
    Line(Vec<Position>),
    /// A zone (a Wi-Fi area, a park's coverage): at least three positions.
    Area(Vec<Position>),
}

impl Geometry {
    /// `point`, `line` or `area`.
    pub fn kind(&self) -> &'static str {
        match self {
            Geometry::Point(_) => "point",
            Geometry::Line(_) => "line",
            Geometry::Area(_) => "area",
        }
    }

    /// Every position of the shape.
    pub fn positions(&self) -> &[Position] {
        match self {
            Geometry::Point(p) => std::slice::from_ref(p),
            Geometry::Line(ps) | Geometry::Area(ps) => ps,
        }
    }

    /// The position that stands for the shape (a point itself; the mean of a line's or an
    /// area's positions), e.g. to find its district.
    pub fn anchor(&self) -> Position {
        let ps = self.positions();
        let n = ps.len().max(1) as f64;
        let (lon, lat) = ps.iter().fold((0.0, 0.0), |(x, y), p| (x + p[0], y + p[1]));
        [lon / n, lat / n]
    }

    /// What is wrong with the shape, if anything: a sentence for the officer.
    pub fn problem(&self) -> Option<String> {
        let (least, ps) = match self {
            Geometry::Point(p) => (1, std::slice::from_ref(p)),
            Geometry::Line(ps) => (2, ps.as_slice()),
            Geometry::Area(ps) => (3, ps.as_slice()),
        };
        if ps.len() < least {
            return Some(format!("a {} needs at least {least} positions", self.kind()));
        }
        if ps.len() > MAX_POSITIONS {
            return Some(format!("at most {MAX_POSITIONS} positions are allowed"));
        }
        ps.iter().find_map(|p| position_problem(*p))
    }

    /// The shape as the officer's form writes it: `lon lat` pairs separated by `;`.
    pub fn to_form(&self) -> String {
        self.positions()
            .iter()
            .map(|p| format!("{} {}", p[0], p[1]))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Reads the officer's form: the kind and `lon lat; lon lat; …`.
    pub fn from_form(kind: &str, positions: &str) -> Result<Geometry, String> {
        let mut parsed = Vec::new();
        for (i, pair) in positions
            .split(';')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .enumerate()
        {
            let numbers: Vec<&str> = pair
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|s| !s.is_empty())
                .collect();
            let [lon, lat] = numbers.as_slice() else {
                return Err(format!("position {} is not \"longitude latitude\"", i + 1));
            };
            let (Ok(lon), Ok(lat)) = (lon.parse::<f64>(), lat.parse::<f64>()) else {
                return Err(format!("position {} is not two numbers", i + 1));
            };
            parsed.push([lon, lat]);
        }
        let geometry = match kind {
            "point" => match parsed.as_slice() {
                [p] => Geometry::Point(*p),
                _ => return Err("a point is exactly one position".to_owned()),
            },
            "line" => Geometry::Line(parsed),
            "area" => Geometry::Area(parsed),
            other => return Err(format!("{other:?} is not point, line or area")),
        };
        match geometry.problem() {
            Some(problem) => Err(problem),
            None => Ok(geometry),
        }
    }
}

/// What is wrong with one position, if anything.
pub fn position_problem(p: Position) -> Option<String> {
    let [lon, lat] = p;
    if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
        return Some(format!("longitude {lon} is not between -180 and 180"));
    }
    if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
        return Some(format!("latitude {lat} is not between -90 and 90"));
    }
    None
}

/// What is wrong with a district's outline (a closed ring, first position not repeated).
pub fn outline_problem(outline: &[Position]) -> Option<String> {
    if outline.len() < 3 {
        return Some("an outline needs at least 3 positions".to_owned());
    }
    if outline.len() > MAX_POSITIONS * 2 {
        return Some(format!("at most {} positions are allowed", MAX_POSITIONS * 2));
    }
    outline.iter().find_map(|p| position_problem(*p))
}

/// Whether `p` lies inside the ring `outline` (even-odd rule; a point on an edge may fall
/// either way).
pub fn ring_contains(outline: &[Position], p: Position) -> bool {
    let [x, y] = p;
    let mut inside = false;
    let mut j = outline.len().wrapping_sub(1);
    for i in 0..outline.len() {
        let ([xi, yi], [xj, yj]) = (outline[i], outline[j]);
        if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
            inside = !inside;
        }
        j = i;
    }
    inside
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_need_enough_positions_within_range() {
        assert_eq!(Geometry::Point([10.0, 50.0]).problem(), None);
        assert!(
            Geometry::Line(vec![[10.0, 50.0]])
                .problem()
                .unwrap()
                .contains("at least 2")
        );
        assert!(
            Geometry::Area(vec![[0.0, 0.0], [1.0, 1.0]])
                .problem()
                .unwrap()
                .contains("at least 3")
        );
        assert!(
            Geometry::Point([181.0, 0.0])
                .problem()
                .unwrap()
                .contains("longitude")
        );
        assert!(
            Geometry::Point([0.0, -90.5])
                .problem()
                .unwrap()
                .contains("latitude")
        );
        assert!(Geometry::Point([f64::NAN, 0.0]).problem().is_some());
    }

    #[test]
    fn the_file_writes_a_shape_by_its_kind() {
        let g: Geometry = serde_json::from_str(r#"{"line": [[1.5, 2.0], [1.6, 2.1]]}"#).unwrap();
        assert_eq!(g, Geometry::Line(vec![[1.5, 2.0], [1.6, 2.1]]));
        assert_eq!(
            serde_json::to_string(&Geometry::Point([1.0, 2.0])).unwrap(),
            r#"{"point":[1.0,2.0]}"#
        );
        assert!(serde_json::from_str::<Geometry>(r#"{"circle": [1.0, 2.0]}"#).is_err());
    }

    #[test]
    fn the_form_reads_pairs_and_says_which_is_wrong() {
        assert_eq!(
            Geometry::from_form("point", " -93.2 44.9 "),
            Ok(Geometry::Point([-93.2, 44.9]))
        );
        let line = Geometry::from_form("line", "-93.2 44.9; -93.1, 44.95").unwrap();
        assert_eq!(line.to_form(), "-93.2 44.9; -93.1 44.95");
        assert_eq!(
            Geometry::from_form("line", "-93.2 44.9; north").unwrap_err(),
            "position 2 is not \"longitude latitude\""
        );
        assert!(
            Geometry::from_form("point", "1 2; 3 4")
                .unwrap_err()
                .contains("exactly one")
        );
        assert!(
            Geometry::from_form("circle", "1 2")
                .unwrap_err()
                .contains("not point")
        );
        assert!(
            Geometry::from_form("point", "1 95")
                .unwrap_err()
                .contains("latitude")
        );
    }

    #[test]
    fn a_ring_contains_what_is_inside_it_only() {
        let square = [[0.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.0, 2.0]];
        assert!(ring_contains(&square, [1.0, 1.0]));
        assert!(!ring_contains(&square, [3.0, 1.0]));
        assert!(!ring_contains(&square, [1.0, -0.1]));
        assert_eq!(Geometry::Line(vec![[0.0, 0.0], [2.0, 4.0]]).anchor(), [1.0, 2.0]);
    }
}
