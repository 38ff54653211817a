//! Charts as inline SVG, drawn on the server: no script, no library, nothing fetched. Each
//! chart is a figure whose numbers are also in a table beside it (for screen readers, and
//! for anyone who would rather read). Colours come from the stylesheet by class.

use maud::{Markup, html};

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 160.0;
const BAR_ROW: f64 = 22.0;

/// One stacked layer: a class for its colour and one value per day.
#[derive(Debug)]
pub struct Layer<'a> {
    pub name: &'a str,
    pub class: String,
    pub values: Vec<u64>,
}

/// Bars per day, layers stacked; `days` label the x axis (first, middle, last shown).
pub fn stacked_days(title: &str, days: &[String], layers: &[Layer<'_>]) -> Markup {
    let n = days.len().max(1);
    let totals: Vec<u64> = (0..n)
        .map(|i| layers.iter().map(|l| l.values.get(i).copied().unwrap_or(0)).sum())
        .collect();
    let max = totals.iter().copied().max().unwrap_or(0).max(1) as f64;
    let slot = WIDTH / n as f64;
    let bar = (slot * 0.8).max(1.0);
    // First, middle and last day, anchored so none runs off the chart.
    let labels = [(0, "start"), (n / 2, "middle"), (n - 1, "end")];
    html! {
        figure.chart {
            figcaption { (title) " " span.count { "(peak " (max as u64) " a day)" } }
            svg viewBox=(format!("0 0 {WIDTH} {}", HEIGHT + 18.0)) role="img" aria-label=(title) {
                @for i in 0..n {
                    @let mut y = HEIGHT;
                    @for layer in layers {
                        @let v = layer.values.get(i).copied().unwrap_or(0);
                        @if v > 0 {
                            @let h = v as f64 / max * HEIGHT;
                            @let top = { y -= h; y };
                            rect class=(layer.class) x=(fmt(i as f64 * slot)) y=(fmt(top)) width=(fmt(bar)) height=(fmt(h)) {
                                title { (days.get(i).map(String::as_str).unwrap_or("")) ": " (v) " " (layer.name) }
                            }
                        }
                    }
                }
                line.axis x1="0" y1=(HEIGHT) x2=(WIDTH) y2=(HEIGHT) {}
                @for (i, anchor) in labels {
                    @let x = match anchor { "start" => 0.0, "end" => WIDTH, _ => i as f64 * slot };
                    text.label x=(fmt(x)) y=(fmt(HEIGHT + 14.0)) text-anchor=(anchor) { (days.get(i).map(String::as_str).unwrap_or("")) }
                }
            }
            div.legend { @for l in layers { span class=(format!("swatch {}", l.class)) {} (l.name) " " } }
        }
    }
}

/// Horizontal bars, one per item, longest first as given.
pub fn bars(title: &str, items: &[(String, u64)]) -> Markup {
    let max = items.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1) as f64;
    let height = BAR_ROW * items.len().max(1) as f64;
    let label_w = WIDTH * 0.55;
    html! {
        figure.chart {
            figcaption { (title) }
            svg viewBox=(format!("0 0 {WIDTH} {height}")) role="img" aria-label=(title) {
                @for (i, (label, v)) in items.iter().enumerate() {
                    @let y = i as f64 * BAR_ROW;
                    text.label x="0" y=(fmt(y + 15.0)) { (short(label)) }
                    rect.bar x=(fmt(label_w)) y=(fmt(y + 4.0)) width=(fmt((*v as f64 / max) * (WIDTH - label_w - 40.0))) height=(fmt(BAR_ROW - 8.0)) {
                        title { (label) ": " (v) }
                    }
                    text.label x=(fmt(label_w + (*v as f64 / max) * (WIDTH - label_w - 40.0) + 4.0)) y=(fmt(y + 15.0)) { (v) }
                }
            }
        }
    }
}

/// A label cut to what fits beside the bars (the whole text is in the bar's tooltip).
fn short(label: &str) -> String {
    const MAX: usize = 56;
    if label.chars().count() <= MAX {
        return label.to_string();
    }
    let mut cut: String = label.chars().take(MAX - 1).collect();
    cut.push('…');
    cut
}

fn fmt(v: f64) -> String {
    format!("{v:.1}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped_and_bars_scale_to_the_largest() {
        let svg = bars("t", &[("<b>x</b>".into(), 10), ("y".into(), 5)]).into_string();
        assert!(svg.contains("&lt;b&gt;x&lt;/b&gt;"), "{svg}");
        assert!(!svg.contains("<b>"));
        let days = vec!["2026-01-01".to_string(), "2026-01-02".to_string()];
        let layer = Layer {
            name: "claude",
            class: "a-claude".into(),
            values: vec![2, 4],
        };
        let svg = stacked_days("s", &days, &[layer]).into_string();
        assert!(
            svg.contains("height=\"160.0\""),
            "the peak day fills the chart: {svg}"
        );
        assert!(
            svg.contains("height=\"80.0\""),
            "half the peak is half as high: {svg}"
        );
    }
}
