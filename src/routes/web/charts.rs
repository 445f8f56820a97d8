//! Charts drawn on the server as inline SVG: no script, no CDN, direct labels instead of
//! legends, numbers written the Vietnamese way. Colours are presentation attributes (the
//! content security policy forbids inline styles).

use std::fmt::Write as _;

use chrono::NaiveDate;

use super::format::{date, number, percent};
use crate::service::attainment::{AttainmentLine, FieldLine, TimelinePoint};

const BLUE: &str = "#1d4ed8";
const GREEN: &str = "#166534";
const GREY: &str = "#9ca3af";
const INK: &str = "#111827";
const MUTED: &str = "#4b5563";
const LINE: &str = "#d1d5db";
const SOFT: &str = "#e5e7eb";

/// Text made safe inside SVG.
fn esc(s: &str) -> String {
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

/// Shortens a label to `max` characters with an ellipsis.
fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// A coordinate written to a tenth, as `{:.1}` would, without the general float formatter
/// (a cumulative chart of a year writes about 2,400 of them).
struct Px(f64);

impl std::fmt::Display for Px {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tenths = tenths(self.0);
        let sign = if tenths < 0 { "-" } else { "" };
        let t = tenths.unsigned_abs();
        write!(out, "{sign}{}.{}", t / 10, t % 10)
    }
}

/// A coordinate in tenths of a pixel, to tell whether two points draw apart.
#[expect(
    clippy::cast_possible_truncation,
    reason = "chart coordinates are small"
)]
fn tenths(v: f64) -> i64 {
    (v * 10.0).round() as i64
}

#[expect(clippy::cast_precision_loss, reason = "chart coordinates")]
fn f(n: i64) -> f64 {
    n as f64
}

fn open(out: &mut String, id: &str, width: u32, height: u32, title: &str, desc: &str) {
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{id}" viewBox="0 0 {width} {height}" width="100%" role="img" aria-labelledby="{id}-t {id}-d" font-family="system-ui, 'Segoe UI', Roboto, 'Noto Sans', Arial, sans-serif" font-size="12"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        esc(title),
        esc(desc)
    );
}

/// A round step for an axis reaching `max`.
fn nice_max(max: i64) -> i64 {
    if max <= 10 {
        return 10;
    }
    let mut step = 1;
    while step * 10 < max {
        step *= 10;
    }
    for m in [1, 2, 5, 10] {
        if step * m >= max {
            return step * m;
        }
    }
    step * 10
}

/// Cumulative approved (and submitted) over the period against the target line, with the
/// even pace from zero to the target as a dotted diagonal.
pub fn cumulative(
    timeline: &[TimelinePoint],
    period: Option<(NaiveDate, NaiveDate)>,
    target: Option<i64>,
) -> String {
    let (w, h) = (720_u32, 280_u32);
    let (left, right, top, bottom) = (64.0, 150.0, 16.0, 36.0);
    let (pw, ph) = (f64::from(w) - left - right, f64::from(h) - top - bottom);
    let mut out = String::new();
    let last = timeline.last().copied();
    let desc = format!(
        "Thông qua {} trên chỉ tiêu {}; lượt tham gia {}.",
        number(last.map_or(0, |p| p.approved)),
        target.map_or_else(|| "chưa giao".to_owned(), number),
        number(last.map_or(0, |p| p.submitted))
    );
    open(
        &mut out,
        "chart-cumulative",
        w,
        h,
        "Số sáng kiến được thông qua cộng dồn so với chỉ tiêu",
        &desc,
    );
    let Some((from, to)) = period.or_else(|| Some((timeline.first()?.day, timeline.last()?.day)))
    else {
        out.push_str(r##"<text x="16" y="40" fill="#4b5563">Chưa có số liệu.</text></svg>"##);
        return out;
    };
    let days = f(((to - from).num_days()).max(1));
    let peak = timeline
        .iter()
        .map(|p| p.submitted.max(p.approved))
        .max()
        .unwrap_or(0)
        .max(target.unwrap_or(0));
    let ymax = f(nice_max(peak));
    let x = |d: NaiveDate| left + pw * (f((d - from).num_days()).clamp(0.0, days) / days);
    let y = |n: i64| top + ph - ph * (f(n) / ymax).clamp(0.0, 1.05);
    // Grid and y axis.
    for i in 0..=4 {
        let v = nice_max(peak) * i / 4;
        let yy = y(v);
        let _ = write!(
            out,
            r#"<line x1="{left}" x2="{:.1}" y1="{yy:.1}" y2="{yy:.1}" stroke="{LINE}" stroke-width="1"/><text x="{:.1}" y="{:.1}" text-anchor="end" fill="{MUTED}">{}</text>"#,
            left + pw,
            left - 6.0,
            yy + 4.0,
            number(v)
        );
    }
    let _ = write!(
        out,
        r#"<text x="{left}" y="{:.1}" fill="{MUTED}">{}</text><text x="{:.1}" y="{:.1}" text-anchor="end" fill="{MUTED}">{}</text>"#,
        f64::from(h) - 12.0,
        date(from),
        left + pw,
        f64::from(h) - 12.0,
        date(to)
    );
    if let Some(t) = target.filter(|t| *t > 0) {
        let ty = y(t);
        let _ = write!(
            out,
            r#"<line x1="{left}" x2="{:.1}" y1="{ty:.1}" y2="{ty:.1}" stroke="{INK}" stroke-width="1.5" stroke-dasharray="6 4"/><text x="{:.1}" y="{:.1}" fill="{INK}">Chỉ tiêu {}</text>"#,
            left + pw,
            left + pw + 6.0,
            ty + 4.0,
            number(t)
        );
        let _ = write!(
            out,
            r#"<line x1="{left}" y1="{:.1}" x2="{:.1}" y2="{ty:.1}" stroke="{GREY}" stroke-width="1" stroke-dasharray="2 3"/><text x="{:.1}" y="{:.1}" fill="{MUTED}" text-anchor="end">Tiến độ đều</text>"#,
            y(0),
            left + pw,
            left + pw - 4.0,
            ty - 6.0
        );
    }
    let series = |out: &mut String, pick: fn(&TimelinePoint) -> i64, colour: &str, label: &str| {
        if timeline.is_empty() {
            return;
        }
        // Steps as one path: the count holds (H) until the day it changes (V), and only a
        // change that moves the line by a tenth of a pixel is written.
        let mut d = format!("M{},{}", Px(left), Px(y(0)));
        let mut drawn = tenths(y(0));
        let mut prev = 0;
        for p in timeline {
            let v = pick(p);
            prev = v;
            let yy = y(v);
            if tenths(yy) != drawn {
                let _ = write!(d, "H{}V{}", Px(x(p.day)), Px(yy));
                drawn = tenths(yy);
            }
        }
        let end = timeline.last().map_or(to, |p| p.day).max(from);
        let _ = write!(
            out,
            r#"<path d="{d}H{}" fill="none" stroke="{colour}" stroke-width="2.5"/><text x="{:.1}" y="{:.1}" fill="{colour}" font-weight="600">{} {}</text>"#,
            Px(x(end)),
            x(end) + 6.0,
            y(prev) + 4.0,
            esc(label),
            number(prev)
        );
    };
    series(&mut out, |p| p.submitted, BLUE, "Lượt tham gia");
    series(&mut out, |p| p.approved, GREEN, "Thông qua");
    out.push_str("</svg>");
    out
}

/// The children's attainment as horizontal bars with the 100% line.
pub fn attainment_bars(lines: &[AttainmentLine], limit: usize) -> String {
    let shown = &lines[..lines.len().min(limit)];
    let row = 24.0;
    let (label_w, value_w, top) = (270.0, 70.0, 22.0);
    let w = 720.0;
    let h = top + row * f(i64::try_from(shown.len()).unwrap_or(0)).max(1.0) + 8.0;
    let mut out = String::new();
    let desc = if lines.len() > shown.len() {
        format!(
            "{} đơn vị đầu tiên trong {} đơn vị trực thuộc, theo thứ tự của bảng.",
            shown.len(),
            lines.len()
        )
    } else {
        format!("{} đơn vị trực thuộc.", lines.len())
    };
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "pixel sizes"
    )]
    let (wi, hi) = (w as u32, h.ceil() as u32);
    open(
        &mut out,
        "chart-children",
        wi,
        hi,
        "Tỷ lệ đạt chỉ tiêu của các đơn vị trực thuộc",
        &desc,
    );
    if shown.is_empty() {
        out.push_str(
            r##"<text x="16" y="30" fill="#4b5563">Không có đơn vị trực thuộc.</text></svg>"##,
        );
        return out;
    }
    let max = shown
        .iter()
        .filter_map(|l| l.attainment)
        .fold(100.0_f64, f64::max)
        * 1.05;
    let pw = w - label_w - value_w;
    let x = |p: f64| label_w + pw * (p / max).clamp(0.0, 1.0);
    let hundred = x(100.0);
    for (i, l) in shown.iter().enumerate() {
        let yy = top + row * f(i64::try_from(i).unwrap_or(0));
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end" fill="{INK}">{}</text>"#,
            label_w - 8.0,
            yy + 16.0,
            esc(&clip(&l.name, 36))
        );
        match l.attainment {
            Some(a) => {
                let colour = if a >= 100.0 { GREEN } else { BLUE };
                let _ = write!(
                    out,
                    r#"<rect x="{label_w}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{colour}" rx="2"/><text x="{:.1}" y="{:.1}" fill="{INK}">{}</text>"#,
                    yy + 4.0,
                    (x(a) - label_w).max(1.0),
                    row - 8.0,
                    x(a) + 5.0,
                    yy + 16.0,
                    percent(a)
                );
            }
            None => {
                let _ = write!(
                    out,
                    r#"<text x="{:.1}" y="{:.1}" fill="{MUTED}">chưa giao chỉ tiêu</text>"#,
                    label_w + 4.0,
                    yy + 16.0
                );
            }
        }
    }
    let _ = write!(
        out,
        r#"<line x1="{hundred:.1}" x2="{hundred:.1}" y1="14" y2="{:.1}" stroke="{INK}" stroke-width="1.5" stroke-dasharray="4 3"/><text x="{hundred:.1}" y="11" text-anchor="middle" fill="{INK}">100%</text></svg>"#,
        h - 4.0
    );
    out
}

/// Submitted and approved per field, approved drawn over submitted.
pub fn by_field(fields: &[FieldLine]) -> String {
    let row = 26.0;
    let (label_w, value_w, top) = (270.0, 110.0, 8.0);
    let w = 720.0;
    let h = top + row * f(i64::try_from(fields.len()).unwrap_or(0)).max(1.0) + 8.0;
    let mut out = String::new();
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "pixel sizes"
    )]
    let (wi, hi) = (w as u32, h.ceil() as u32);
    open(
        &mut out,
        "chart-fields",
        wi,
        hi,
        "Sáng kiến theo lĩnh vực",
        "Thanh nhạt: lượt tham gia; thanh đậm: được thông qua.",
    );
    if fields.is_empty() {
        out.push_str(r##"<text x="16" y="26" fill="#4b5563">Chưa có số liệu.</text></svg>"##);
        return out;
    }
    let max = f(fields
        .iter()
        .map(|l| l.submitted.max(l.approved))
        .max()
        .unwrap_or(1)
        .max(1));
    let pw = w - label_w - value_w;
    for (i, l) in fields.iter().enumerate() {
        let yy = top + row * f(i64::try_from(i).unwrap_or(0));
        let ws = pw * f(l.submitted.max(0)) / max;
        let wa = pw * f(l.approved.max(0)) / max;
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end" fill="{INK}">{}</text><rect x="{label_w}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{SOFT}" rx="2"/><rect x="{label_w}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{GREEN}" rx="2"/><text x="{:.1}" y="{:.1}" fill="{INK}">{} / {}</text>"#,
            label_w - 8.0,
            yy + 17.0,
            esc(&clip(&l.name, 36)),
            yy + 4.0,
            ws.max(1.0),
            row - 8.0,
            yy + 4.0,
            wa.max(if l.approved > 0 { 1.0 } else { 0.0 }),
            row - 8.0,
            label_w + ws.max(wa) + 6.0,
            yy + 17.0,
            number(l.approved),
            number(l.submitted)
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_are_written_as_the_float_formatter_would() {
        for v in [0.0, 0.04, 0.05, 1.25, 12.34, 99.96, 216.0, 505.449, -3.26] {
            assert_eq!(
                Px(v).to_string(),
                format!("{:.1}", (v * 10.0_f64).round() / 10.0)
            );
        }
        assert_eq!(Px(64.0).to_string(), "64.0");
        assert_eq!(Px(-0.04).to_string(), "0.0");
    }

    #[test]
    fn labels_are_escaped_and_numbers_vietnamese() {
        let fields = vec![FieldLine {
            field_id: Some(1),
            name: "An toàn <lao động> & PCCN".to_owned(),
            submitted: 1900,
            approved: 1038,
        }];
        let svg = by_field(&fields);
        assert!(svg.contains("An toàn &lt;lao động&gt; &amp; PCCN"), "{svg}");
        assert!(svg.contains("1.038 / 1.900"), "{svg}");
        assert!(!svg.contains("style="));
    }

    #[test]
    fn the_cumulative_line_steps_only_where_the_count_changes() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 3, d).expect("date");
        let point = |d, submitted, approved| TimelinePoint {
            day: day(d),
            submitted,
            approved,
        };
        let timeline = [point(2, 10, 0), point(3, 10, 0), point(5, 40, 20)];
        let svg = cumulative(&timeline, Some((day(1), day(11))), Some(100));
        // Axis 0..100 over 228 px from y = 244; x from 64 over 506 px for 10 days.
        let submitted = "M64.0,244.0H114.6V221.2H266.4V152.8H266.4";
        let approved = "M64.0,244.0H266.4V198.4H266.4";
        assert!(svg.contains(submitted), "{svg}");
        assert!(svg.contains(approved), "{svg}");
        assert!(svg.contains("Thông qua 20"), "{svg}");
        assert!(!svg.contains("polyline"));
    }

    #[test]
    fn axes_round_up() {
        assert_eq!(nice_max(7), 10);
        assert_eq!(nice_max(1_038), 2_000);
        assert_eq!(nice_max(1_000_000), 1_000_000);
        assert_eq!(nice_max(130_000), 200_000);
    }
}
