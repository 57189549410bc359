//! SVG charts drawn on the server: no script, no external resource. Each
//! chart carries a `<title>` and a `<desc>` that says in words what it
//! shows; the page puts the data table beside it, so nothing is only in
//! the picture.

use std::fmt::Write as _;

/// Escapes text for SVG/HTML content and attributes.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn nice_max(v: u64) -> u64 {
    let v = v.max(1);
    let mag = 10u64.pow((v as f64).log10().floor() as u32);
    for m in [1, 2, 5, 10] {
        if m * mag >= v {
            return m * mag;
        }
    }
    10 * mag
}

/// A horizontal bar chart of `(label, value)`.
pub fn bars(id: &str, title: &str, desc: &str, data: &[(String, u64)]) -> String {
    let row = 22;
    let left = 180;
    let width = 640;
    let plot = width - left - 60;
    let height = 20 + row * data.len().max(1);
    let max = nice_max(data.iter().map(|d| d.1).max().unwrap_or(0));
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" aria-labelledby="{id}-t {id}-d" class="chart"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        esc(title),
        esc(desc)
    );
    for (i, (label, v)) in data.iter().enumerate() {
        let y = 10 + i * row;
        let w = (*v as f64 / max as f64 * plot as f64).round() as u64;
        let short: String = label.chars().take(26).collect();
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" text-anchor="end" class="lbl">{}</text><rect x="{left}" y="{}" width="{w}" height="14" class="bar"/><text x="{}" y="{}" class="val">{v}</text>"#,
            left - 6,
            y + 12,
            esc(&short),
            y + 1,
            left as u64 + w + 4,
            y + 12
        );
    }
    s.push_str("</svg>");
    s
}

/// A line chart of `(label, value)` in order.
pub fn line(id: &str, title: &str, desc: &str, data: &[(String, u64)]) -> String {
    let (width, height, left, bottom, top) = (640.0, 260.0, 50.0, 40.0, 10.0);
    let plot_w = width - left - 20.0;
    let plot_h = height - bottom - top;
    let max = nice_max(data.iter().map(|d| d.1).max().unwrap_or(0));
    let n = data.len().max(2) - 1;
    let x = |i: usize| left + plot_w * i as f64 / n as f64;
    let y = |v: u64| top + plot_h - plot_h * v as f64 / max as f64;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" aria-labelledby="{id}-t {id}-d" class="chart"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        esc(title),
        esc(desc)
    );
    for k in 0..=4 {
        let v = max * k / 4;
        let _ = write!(
            s,
            r#"<line x1="{left}" x2="{}" y1="{:.1}" y2="{:.1}" class="grid"/><text x="{}" y="{:.1}" text-anchor="end" class="lbl">{v}</text>"#,
            left + plot_w,
            y(v),
            y(v),
            left - 6.0,
            y(v) + 4.0
        );
    }
    let points: Vec<String> = data
        .iter()
        .enumerate()
        .map(|(i, (_, v))| format!("{:.1},{:.1}", x(i), y(*v)))
        .collect();
    let _ = write!(
        s,
        r#"<polyline points="{}" class="line"/>"#,
        points.join(" ")
    );
    let step = (data.len() / 12).max(1);
    for (i, (label, v)) in data.iter().enumerate() {
        let _ = write!(
            s,
            r#"<circle cx="{:.1}" cy="{:.1}" r="3" class="dot"/>"#,
            x(i),
            y(*v)
        );
        if i % step == 0 {
            let _ = write!(
                s,
                r#"<text x="{:.1}" y="{}" text-anchor="middle" class="lbl">{}</text>"#,
                x(i),
                height - bottom + 18.0,
                esc(label)
            );
        }
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_escape_and_describe() {
        let data = vec![("<script>".to_string(), 3), ("Gŵyr".to_string(), 10)];
        let b = bars("c1", "By organisation", "Gŵyr 10, <script> 3", &data);
        assert!(b.contains("<title id=\"c1-t\">By organisation</title>"));
        assert!(b.contains("&lt;script&gt;"));
        assert!(!b.contains("<script>"));
        assert!(b.contains("Gŵyr"));
        let l = line("c2", "Over time", "rising", &data);
        assert!(l.contains("<polyline"));
        assert!(l.contains("aria-labelledby=\"c2-t c2-d\""));
        assert_eq!(nice_max(0), 1);
        assert_eq!(nice_max(73), 100);
        assert_eq!(nice_max(120), 200);
    }
}
