//! A rendered buffer as an SVG screenshot (colours and bold kept), for the README's `assets/`.

use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use std::fmt::Write as _;

const CELL_W: f32 = 8.4;
const CELL_H: f32 = 17.0;
const FONT: &str = "ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace";
const DEFAULT_FG: &str = "#d4d4d4";
const DEFAULT_BG: &str = "#1e1e2e";

/// The xterm palette for the 16 named colours.
fn hex(color: Color, fallback: &str) -> String {
    let named = |i: u8| {
        [
            "#000000", "#cd3131", "#0dbc79", "#e5e510", "#2472c8", "#bc3fbc", "#11a8cd", "#e5e5e5",
            "#666666", "#f14c4c", "#23d18b", "#f5f543", "#3b8eea", "#d670d6", "#29b8db", "#ffffff",
        ][usize::from(i % 16)]
        .to_owned()
    };
    match color {
        Color::Black => named(0),
        Color::Red => named(1),
        Color::Green => named(2),
        Color::Yellow => named(3),
        Color::Blue => named(4),
        Color::Magenta => named(5),
        Color::Cyan => named(6),
        Color::Gray => named(7),
        Color::DarkGray => named(8),
        Color::LightRed => named(9),
        Color::LightGreen => named(10),
        Color::LightYellow => named(11),
        Color::LightBlue => named(12),
        Color::LightMagenta => named(13),
        Color::LightCyan => named(14),
        Color::White => named(15),
        Color::Indexed(i) if i < 16 => named(i),
        Color::Rgb(r, g, b) => format!("#{r:02x}{g:02x}{b:02x}"),
        Color::Reset | Color::Indexed(_) => fallback.to_owned(),
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// One cell as drawn: its character (taken from `rows`, the redacted text) and its look.
#[derive(Clone, PartialEq)]
struct Look {
    fg: String,
    bg: String,
    bold: bool,
}

fn look(buf: &Buffer, x: u16, y: u16) -> Look {
    let Some(cell) = buf.cell((x, y)) else {
        return Look {
            fg: DEFAULT_FG.into(),
            bg: DEFAULT_BG.into(),
            bold: false,
        };
    };
    let (mut fg, mut bg) = (hex(cell.fg, DEFAULT_FG), hex(cell.bg, DEFAULT_BG));
    if cell.modifier.contains(Modifier::REVERSED) {
        std::mem::swap(&mut fg, &mut bg);
    }
    Look {
        fg,
        bg,
        bold: cell.modifier.contains(Modifier::BOLD),
    }
}

/// An SVG of `buf`, with the characters of `text` (the buffer's text after redaction, one line
/// per row, one character per cell) so ids and times match the text screenshots.
pub fn render(buf: &Buffer, text: &str) -> String {
    let (w, h) = (buf.area.width, buf.area.height);
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{:.0}\" height=\"{:.0}\" font-family=\"{FONT}\" font-size=\"14\">\n<rect width=\"100%\" height=\"100%\" fill=\"{DEFAULT_BG}\"/>\n",
        f32::from(w) * CELL_W + 16.0,
        f32::from(h) * CELL_H + 16.0
    );
    for (y, line) in text.lines().enumerate().take(usize::from(h)) {
        let chars: Vec<char> = line.chars().collect();
        let row = u16::try_from(y).unwrap_or(0);
        let mut x = 0u16;
        while x < w {
            let first = look(buf, x, row);
            let mut end = x + 1;
            while end < w && look(buf, end, row) == first {
                end += 1;
            }
            let run: String = (x..end)
                .map(|i| chars.get(usize::from(i)).copied().unwrap_or(' '))
                .collect();
            let (px, py) = (8.0 + f32::from(x) * CELL_W, 8.0 + f32::from(row) * CELL_H);
            let len = f32::from(end - x) * CELL_W;
            if first.bg != DEFAULT_BG {
                let _ = writeln!(
                    out,
                    "<rect x=\"{px:.1}\" y=\"{py:.1}\" width=\"{len:.1}\" height=\"{CELL_H}\" fill=\"{}\"/>",
                    first.bg
                );
            }
            if !run.trim().is_empty() {
                let _ = writeln!(
                    out,
                    "<text x=\"{px:.1}\" y=\"{:.1}\" fill=\"{}\"{} textLength=\"{len:.1}\" lengthAdjust=\"spacingAndGlyphs\" xml:space=\"preserve\">{}</text>",
                    py + CELL_H - 4.0,
                    first.fg,
                    if first.bold {
                        " font-weight=\"bold\""
                    } else {
                        ""
                    },
                    escape(&run)
                );
            }
            x = end;
        }
    }
    out.push_str("</svg>\n");
    out
}
