//! The report's charts, drawn by plotters into SVG text: flagged and confirmed searches by
//! month, and by agency. Colours are the Okabe–Ito orange and blue (safe for colour-blind
//! readers); every label passes through [`crate::sanitize::visible`] and plotters escapes it
//! for XML.

use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;

use crate::review::summary::Line;

const FLAGGED: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
const CONFIRMED: RGBColor = RGBColor(0x00, 0x72, 0xB2);
/// Agencies in the agency chart (the rest are in the table).
pub const TOP_AGENCIES: usize = 15;

/// A label as it may appear in a chart: visible characters, at most `max` of them.
fn label(s: &str, max: usize) -> String {
    let v = crate::sanitize::visible(s);
    if v.chars().count() <= max {
        v.into_owned()
    } else {
        let mut t: String = v.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

fn chart_error<E: std::fmt::Debug>(e: E) -> std::io::Error {
    std::io::Error::other(format!("drawing a chart: {e:?}"))
}

/// Flagged and confirmed searches per month (bars; confirmed in front).
pub fn by_month(months: &[Line]) -> std::io::Result<String> {
    let months: Vec<&Line> = months.iter().filter(|l| !l.term.is_empty()).collect();
    let n = months.len().max(1) as u32;
    let top = months
        .iter()
        .map(|l| l.tally.flagged.max(l.tally.immigration))
        .max()
        .unwrap_or(0)
        .max(1);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 340)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_error)?;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(50)
            .y_label_area_size(50)
            .build_cartesian_2d((0u32..n).into_segmented(), 0u64..top + top / 10 + 1)
            .map_err(chart_error)?;
        let every = (n as usize).div_ceil(18).max(1);
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(n as usize)
            .x_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) if (*i as usize).is_multiple_of(every) => months
                    .get(*i as usize)
                    .map(|l| l.label.clone())
                    .unwrap_or_default(),
                _ => String::new(),
            })
            .y_desc("searches")
            .draw()
            .map_err(chart_error)?;
        chart
            .draw_series(
                Histogram::vertical(&chart)
                    .style(FLAGGED.filled())
                    .margin(2)
                    .data(
                        months
                            .iter()
                            .enumerate()
                            .map(|(i, l)| (i as u32, l.tally.flagged)),
                    ),
            )
            .map_err(chart_error)?
            .label("flagged")
            .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], FLAGGED.filled()));
        let narrow = (800 / n / 4).clamp(2, 40);
        chart
            .draw_series(
                Histogram::vertical(&chart)
                    .style(CONFIRMED.filled())
                    .margin(narrow)
                    .data(
                        months
                            .iter()
                            .enumerate()
                            .map(|(i, l)| (i as u32, l.tally.immigration)),
                    ),
            )
            .map_err(chart_error)?
            .label("confirmed immigration-related")
            .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], CONFIRMED.filled()));
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK.mix(0.3))
            .position(SeriesLabelPosition::UpperLeft)
            .draw()
            .map_err(chart_error)?;
        root.present().map_err(chart_error)?;
    }
    Ok(svg)
}

/// Flagged and confirmed searches of the agencies with the most (at most [`TOP_AGENCIES`]).
pub fn by_agency(agencies: &[Line]) -> std::io::Result<String> {
    let mut top: Vec<&Line> = agencies.iter().collect();
    top.sort_by(|a, b| {
        (b.tally.immigration, b.tally.flagged)
            .cmp(&(a.tally.immigration, a.tally.flagged))
            .then_with(|| a.label.cmp(&b.label))
    });
    top.truncate(TOP_AGENCIES);
    let n = top.len().max(1) as u32;
    let most = top
        .iter()
        .map(|l| l.tally.flagged.max(l.tally.immigration))
        .max()
        .unwrap_or(0)
        .max(1);
    let mut svg = String::new();
    {
        let height = 80 + 26 * n;
        let root = SVGBackend::with_string(&mut svg, (900, height)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_error)?;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(260)
            .build_cartesian_2d(0u64..most + most / 10 + 1, (0u32..n).into_segmented())
            .map_err(chart_error)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n as usize)
            .y_label_formatter(&|v| match v {
                // The first agency at the top.
                SegmentValue::CenterOf(i) => n
                    .checked_sub(1 + *i)
                    .and_then(|k| top.get(k as usize))
                    .map(|l| label(&l.label, 36))
                    .unwrap_or_default(),
                _ => String::new(),
            })
            .x_desc("searches")
            .draw()
            .map_err(chart_error)?;
        let at = |i: usize| n - 1 - i as u32;
        chart
            .draw_series(
                Histogram::horizontal(&chart)
                    .style(FLAGGED.filled())
                    .margin(3)
                    .data(
                        top.iter()
                            .enumerate()
                            .map(|(i, l)| (at(i), l.tally.flagged)),
                    ),
            )
            .map_err(chart_error)?
            .label("flagged")
            .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], FLAGGED.filled()));
        chart
            .draw_series(
                Histogram::horizontal(&chart)
                    .style(CONFIRMED.filled())
                    .margin(8)
                    .data(
                        top.iter()
                            .enumerate()
                            .map(|(i, l)| (at(i), l.tally.immigration)),
                    ),
            )
            .map_err(chart_error)?
            .label("confirmed immigration-related")
            .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], CONFIRMED.filled()));
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK.mix(0.3))
            .position(SeriesLabelPosition::LowerRight)
            .draw()
            .map_err(chart_error)?;
        root.present().map_err(chart_error)?;
    }
    Ok(svg)
}
