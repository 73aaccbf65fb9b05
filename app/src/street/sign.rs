//! A device's printable sign, drawn as SVG in millimetres (A4 or A6) for the print shop:
//! what it is and who runs it, whether it identifies people, what it is used for, how long
//! data is kept, a QR code of its page and the short address under it, in one or more
//! languages (each block in each language, Arabic set right to left).

use crate::i18n::td_string;
use crate::i18n_support::{locale_of, technology_name};
use domain::lang::{Direction, Lang};
use domain::register::System;
use domain::street::Device;

/// A sign's paper size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignSize {
    A4,
    A6,
}

impl SignSize {
    /// `a4` or `a6`.
    pub fn from_code(code: &str) -> Option<SignSize> {
        match code {
            "a4" => Some(SignSize::A4),
            "a6" => Some(SignSize::A6),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            SignSize::A4 => "a4",
            SignSize::A6 => "a6",
        }
    }

    /// Width and height in millimetres.
    fn paper(self) -> (f64, f64) {
        match self {
            SignSize::A4 => (210.0, 297.0),
            SignSize::A6 => (105.0, 148.0),
        }
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `text` broken into lines of at most `width` characters, at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Lays out lines of text down the page.
struct Page {
    svg: String,
    y: f64,
    left: f64,
    right: f64,
    scale: f64,
}

impl Page {
    /// Writes `text` wrapped to the column, in `lang`'s direction, at `size` (points at A4).
    fn text(&mut self, lang: Lang, text: &str, size: f64, bold: bool) {
        let size = size * self.scale;
        // About half an em per character on average (more in bold and in Arabic script), for
        // the column's width in characters.
        let em = if bold || lang.direction() == Direction::RightToLeft {
            0.62
        } else {
            0.52
        };
        let width = (((self.right - self.left) / (size * em)) as usize).max(8);
        let (x, dir) = match lang.direction() {
            Direction::LeftToRight => (self.left, "ltr"),
            Direction::RightToLeft => (self.right, "rtl"),
        };
        for line in wrap(text, width) {
            self.y += size * 1.2;
            self.svg.push_str(&format!(
                r#"<text x="{x:.1}" y="{:.1}" font-size="{size:.2}" direction="{dir}" xml:lang="{}"{}>{}</text>"#,
                self.y,
                lang.code(),
                if bold { r#" font-weight="700""# } else { "" },
                escape(&line)
            ));
        }
    }

    fn gap(&mut self, mm: f64) {
        self.y += mm * self.scale;
    }
}

/// The sign of `device` (of `system`) in `langs`, pointing at `url` (its page's address).
pub fn draw(device: &Device, system: &System, url: &str, size: SignSize, langs: &[Lang]) -> String {
    let (width, height) = size.paper();
    let scale = width / 210.0;
    let margin = 12.0 * scale;
    let mut page = Page {
        svg: String::new(),
        y: 0.0,
        left: margin,
        right: width - margin,
        scale,
    };
    // The header band: what it is, in each language.
    let band = 16.0 * scale + 8.0 * scale * langs.len() as f64;
    page.svg.push_str(&format!(
        r##"<rect width="{width}" height="{band:.1}" fill="#123a5a"/>"##
    ));
    page.svg.push_str(r##"<g fill="#ffffff">"##);
    page.gap(4.0);
    for &lang in langs {
        page.text(
            lang,
            technology_name(locale_of(lang), system.technology),
            7.0 * 2.4,
            true,
        );
    }
    page.svg.push_str("</g>");
    page.y = band;
    page.gap(4.0);
    for &lang in langs {
        let l = locale_of(lang);
        page.gap(3.0);
        page.text(lang, system.name.get(lang), 6.0 * 2.0, true);
        page.text(lang, device.label.get(lang), 4.2 * 2.0, false);
        page.text(
            lang,
            &format!(
                "{}: {}",
                td_string!(l, street.sign_run_by),
                system.agency.name.get(lang)
            ),
            4.2 * 2.0,
            false,
        );
        let identifies = if system.identifies_people {
            td_string!(l, street.sign_identifies_yes)
        } else {
            td_string!(l, street.sign_identifies_no)
        };
        page.text(lang, identifies, 4.6 * 2.0, true);
        let purposes: Vec<&str> = system.purposes.iter().map(|p| p.name.get(lang)).collect();
        let comma = if lang == Lang::Ar { "، " } else { ", " };
        page.text(
            lang,
            &format!("{}: {}", td_string!(l, street.sign_why), purposes.join(comma)),
            4.2 * 2.0,
            false,
        );
        let kept = match system.retention_days {
            Some(days) => format!(
                "{} {days} {}",
                td_string!(l, street.sign_kept_before),
                td_string!(l, street.sign_kept_after)
            ),
            None => system.retention.get(lang).to_owned(),
        };
        page.text(lang, &kept, 4.2 * 2.0, false);
    }
    // The QR code and the short address, at the foot of the page.
    let qr = qrcode::QrCode::new(url.as_bytes()).ok();
    let side = 52.0 * scale;
    let foot = height - margin - side;
    if let Some(code) = qr {
        let modules = code.width();
        let cell = side / (modules + 8) as f64;
        let mut path = String::new();
        for (i, color) in code.to_colors().iter().enumerate() {
            if *color == qrcode::Color::Dark {
                let (x, y) = ((i % modules + 4) as f64 * cell, (i / modules + 4) as f64 * cell);
                path.push_str(&format!("M{x:.2} {y:.2}h{cell:.2}v{cell:.2}h-{cell:.2}z"));
            }
        }
        page.svg.push_str(&format!(
            r##"<g transform="translate({margin:.1} {foot:.1})"><rect width="{side:.1}" height="{side:.1}" fill="#ffffff"/><path d="{path}" fill="#000000"/></g>"##
        ));
    }
    let text_left = margin + side + 6.0 * scale;
    page.left = text_left;
    page.y = foot + 4.0 * scale;
    for &lang in langs {
        page.text(
            lang,
            td_string!(locale_of(lang), street.sign_more),
            3.6 * 2.0,
            false,
        );
    }
    page.gap(2.0);
    page.left = text_left;
    let address = url.trim_start_matches("https://").trim_start_matches("http://");
    // The address on one line: as large as fits, never larger than the texts' headings.
    let fits = (page.right - page.left) / (address.chars().count().max(1) as f64 * 0.62) / scale;
    page.text(Lang::En, address, fits.min(5.0 * 2.0), true);
    format!(
        r##"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="{width}mm" height="{height}mm" viewBox="0 0 {width} {height}" font-family="Noto Sans, DejaVu Sans, Arial, sans-serif" fill="#111111" role="img" aria-label="{}"><rect width="{width}" height="{height}" fill="#ffffff"/>{}</svg>
"##,
        escape(device.label.get(langs.first().copied().unwrap_or_default())),
        page.svg
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_break_at_spaces_within_the_width() {
        assert_eq!(wrap("one two three four", 9), ["one two", "three", "four"]);
        assert_eq!(wrap("", 9), Vec::<String>::new());
        assert_eq!(wrap("unbreakable-long-word", 5), ["unbreakable-long-word"]);
        assert_eq!(escape("<a & \"b\">"), "&lt;a &amp; &quot;b&quot;&gt;");
    }
}
