//! Two timelines side by side (run A left, run B right) on shared axes, for comparing two runs.
//!
//! The panels are paired by title in A's order (a panel only one run has is placed where it
//! falls in that run's order, and the other column shows an empty frame saying so). At most
//! [`MAX_PANELS`] rows are drawn: beyond that each side's panels are taken in its own order, in
//! turn, and each column's notes say how many of its panels are left out. Both
//! columns share: the time axis (0 to the later of the two ends, at the same pixels), each row's
//! y axis (one range over both panels' values, so equal heights mean equal values), each row's
//! plot height and top, and the plots' left edge and legend width. Each column keeps its own
//! title, subtitle, notes and fault windows; a thin rule separates them.

use plotters::prelude::DrawingBackend;

use super::prep::{Prep, Time, YAxis};
use super::{Frame, Layout, MAX_PANELS, left_column, legend_column, legend_height, prepare_panel, y_values};
use crate::data::{Panel, Timeline};
use crate::draw::{self, Area, Rect, Res};
use crate::hover::Tooltips;
use crate::style::FRAME;

/// Width of one column of a pair (the image is twice as wide).
pub(crate) const COLUMN: i32 = 1400;

/// The two columns laid out.
pub(crate) struct Pair<'a> {
    pub(crate) width: u32,
    pub(crate) height: u32,
    a: Layout<'a>,
    b: Layout<'a>,
}

/// A row of the pair: A's panel and B's panel with the same title (either may be missing).
type Row<'a> = (Option<&'a Panel>, Option<&'a Panel>);

/// A panel's title.
fn title(p: &Panel) -> &str {
    match p {
        Panel::Lines(l) => &l.title,
        Panel::Stacked(s) => &s.title,
        Panel::Bands(b) => &b.title,
    }
}

/// Pairs the panels of `a` and `b` by title (as indices into each one's panels): A's panels in
/// order, each with the first unused B panel of that title after the last one paired; B's
/// panels passed over come before, B's left after the end.
fn pair_by_title(a: &Timeline, b: &Timeline) -> Vec<(Option<usize>, Option<usize>)> {
    let mut rows = Vec::new();
    let mut next_b = 0;
    for (i, pa) in a.panels.iter().enumerate() {
        let found = (next_b..b.panels.len()).find(|&j| title(&b.panels[j]) == title(pa));
        match found {
            Some(j) => {
                rows.extend((next_b..j).map(|k| (None, Some(k))));
                rows.push((Some(i), Some(j)));
                next_b = j + 1;
            }
            None => rows.push((Some(i), None)),
        }
    }
    rows.extend((next_b..b.panels.len()).map(|k| (None, Some(k))));
    rows
}

/// The rows of the pair, at most [`MAX_PANELS`], and how many of A's and of B's panels they
/// leave out. When there are more rows, each side's panels are taken in that side's own order
/// (its most important first), one of A's then one of B's in turn, until the rows are full;
/// the rows kept stay in their paired order.
fn align<'a>(a: &'a Timeline, b: &'a Timeline) -> (Vec<Row<'a>>, usize, usize) {
    let all = pair_by_title(a, b);
    let mut keep = vec![all.len() <= MAX_PANELS; all.len()];
    if all.len() > MAX_PANELS {
        let mut row_of_a = vec![0; a.panels.len()];
        let mut row_of_b = vec![0; b.panels.len()];
        for (r, &(i, j)) in all.iter().enumerate() {
            if let Some(i) = i {
                row_of_a[i] = r;
            }
            if let Some(j) = j {
                row_of_b[j] = r;
            }
        }
        let turns = (0..a.panels.len().max(b.panels.len()))
            .flat_map(|k| [row_of_a.get(k), row_of_b.get(k)])
            .flatten();
        let mut kept = 0;
        for &r in turns {
            if kept == MAX_PANELS {
                break;
            }
            if !keep[r] {
                keep[r] = true;
                kept += 1;
            }
        }
    }
    let (mut out_a, mut out_b) = (0, 0);
    let mut rows = Vec::new();
    for (&(i, j), kept) in all.iter().zip(keep) {
        if kept {
            rows.push((i.map(|i| &a.panels[i]), j.map(|j| &b.panels[j])));
        } else {
            out_a += usize::from(i.is_some());
            out_b += usize::from(j.is_some());
        }
    }
    (rows, out_a, out_b)
}

/// The note saying how many of `side`'s panels the pair leaves out, if any.
fn left_out(side: &str, n: usize) -> Option<String> {
    (n > 0).then(|| {
        format!("and {n} more panels of {side} not drawn (the pair shows at most {MAX_PANELS} rows)")
    })
}

/// One column's panels: its own where it has one, else an empty frame saying that only
/// `other` (the other column's name) has it.
fn column<'a>(rows: &[Row<'a>], a_side: bool, time: &Time, other: &str) -> Vec<Prep<'a>> {
    rows.iter()
        .map(|&(pa, pb)| {
            let (mine, theirs) = if a_side { (pa, pb) } else { (pb, pa) };
            match (mine, theirs) {
                (Some(p), _) => prepare_panel(p, time),
                (None, Some(t)) => Prep::Absent(format!("only in {other}: {}", title(t))),
                (None, None) => Prep::Empty,
            }
        })
        .collect()
}

/// Gives each row whose two panels are both lines or both stacked one y axis over the values
/// of both (log if the panel asks for it).
fn share_y_axes(rows: &[Row<'_>], ca: &mut [Prep<'_>], cb: &mut [Prep<'_>], (ta, tb): (&Time, &Time)) {
    for (i, &(pa, pb)) in rows.iter().enumerate() {
        let (Some(pa), Some(pb)) = (pa, pb) else { continue };
        let values = || y_values(pa, ta).into_iter().chain(y_values(pb, tb));
        match (&mut ca[i], &mut cb[i]) {
            (Prep::Lines(la, ya), Prep::Lines(lb, yb)) => {
                *ya = YAxis::from_values(values(), la.log_y);
                *yb = YAxis::from_values(values(), lb.log_y);
            }
            (Prep::Stacked(_, ya, _), Prep::Stacked(_, yb, _)) => {
                *ya = YAxis::from_values(values(), false);
                *yb = YAxis::from_values(values(), false);
            }
            _ => {}
        }
    }
}

impl<'a> Pair<'a> {
    /// Lays out `a` and `b` side by side on shared axes.
    pub(crate) fn new(a: &'a Timeline, b: &'a Timeline) -> Pair<'a> {
        let (mut ta, mut tb) = (Time::new(a), Time::new(b));
        let end = ta.end.max(tb.end);
        (ta.end, tb.end) = (end, end);
        let (rows, out_a, out_b) = align(a, b);
        let preps = |ta: &Time, tb: &Time| {
            let mut ca = column(&rows, true, ta, "B");
            let mut cb = column(&rows, false, tb, "A");
            share_y_axes(&rows, &mut ca, &mut cb, (ta, tb));
            (ca, cb)
        };
        let (ca, cb) = preps(&ta, &tb);
        let heights = ca
            .iter()
            .zip(&cb)
            .map(|(x, y)| x.plot_height().max(y.plot_height()))
            .collect::<Vec<_>>();
        let legend_w = legend_column(&ca).max(legend_column(&cb));
        let legends = ca
            .iter()
            .zip(&cb)
            .zip(&heights)
            .map(|((x, y), &h)| {
                let plot = Rect {
                    x0: 0,
                    y0: 0,
                    x1: 1,
                    y1: h,
                };
                legend_height(x, legend_w, plot).max(legend_height(y, legend_w, plot))
            })
            .collect::<Vec<_>>();
        let mut frame = Frame {
            width: COLUMN,
            left: left_column(&ca).max(left_column(&cb)),
            legend_w,
            top: 0,
            heights: Some(heights),
            legends: Some(legends),
        };
        // Placed once to learn where each column's panels would start, then again with both
        // starting at the lower of the two, so that the rows line up.
        let la = Layout::place(a, ta, ca, &frame, left_out("A", out_a));
        let lb = Layout::place(b, tb, cb, &frame, left_out("B", out_b));
        frame.top = la.panels_top.max(lb.panels_top);
        let (ca, cb) = preps(&ta, &tb);
        let mut la = Layout::place(a, ta, ca, &frame, left_out("A", out_a));
        let mut lb = Layout::place(b, tb, cb, &frame, left_out("B", out_b));
        lb.dx = COLUMN;
        la.tag.clone_from(&a.title);
        lb.tag.clone_from(&b.title);
        Pair {
            width: 2 * COLUMN as u32,
            height: la.height.max(lb.height),
            a: la,
            b: lb,
        }
    }
}

/// Draws the pair: A's column, B's column, and a rule between them.
pub(crate) fn draw<DB: DrawingBackend>(area: &Area<DB>, (a, b): (&Timeline, &Timeline), p: &Pair<'_>) -> Res {
    let (left, right) = area.split_horizontally(COLUMN);
    super::draw(&left, a, &p.a)?;
    super::draw(&right, b, &p.b)?;
    let h = p.height as i32;
    draw::polyline(
        area,
        &[(COLUMN, super::MARGIN), (COLUMN, h - super::MARGIN)],
        FRAME,
        1,
        false,
    )
}

/// `svg` with both columns' tooltips added (B's shifted onto its column), each ending with
/// its column's title.
pub(crate) fn add_tooltips(svg: String, p: &Pair<'_>) -> String {
    let mut tips = Tooltips::new();
    super::hover::column_tooltips(&mut tips, &p.a);
    super::hover::column_tooltips(&mut tips, &p.b);
    tips.insert(svg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{BandPanel, BandRow, LinePanel, Series, Span, StackedPanel};

    fn lines(title: &str, top: f64, n: usize) -> Panel {
        Panel::Lines(LinePanel {
            title: title.into(),
            y_label: "requests/s".into(),
            log_y: false,
            series: vec![Series {
                label: "load".into(),
                values: (0..n).map(|i| top * i as f64 / n as f64).collect(),
                dashed: false,
            }],
            reference_lines: vec![],
        })
    }

    fn stacked(top: f64, n: usize) -> Panel {
        Panel::Stacked(StackedPanel {
            title: "Client outcomes".into(),
            y_label: "requests/s".into(),
            layers: vec![Series {
                label: "ok".into(),
                values: vec![top; n],
                dashed: false,
            }],
        })
    }

    fn bands(title: &str, rows: usize, end: f64) -> Panel {
        Panel::Bands(BandPanel {
            title: title.into(),
            states: vec![],
            rows: (0..rows)
                .map(|i| BandRow {
                    label: format!("{title}-{i}"),
                    spans: vec![Span {
                        start_secs: 0.0,
                        end_secs: end,
                        state: 0,
                    }],
                })
                .collect(),
        })
    }

    fn timeline(title: &str, end: f64, panels: Vec<Panel>) -> Timeline {
        Timeline {
            title: title.into(),
            subtitle: String::new(),
            notes: vec![],
            bucket_secs: 1.0,
            end_secs: end,
            shaded: vec![],
            panels,
        }
    }

    fn ticks(p: &Prep<'_>) -> Option<Vec<(f64, String)>> {
        match p {
            Prep::Lines(_, y) | Prep::Stacked(_, y, _) => Some(y.ticks.major.clone()),
            _ => None,
        }
    }

    /// A and B differ in end, value ranges, band rows, notes and panels; the pair still puts
    /// every row at the same pixels with the same y ticks in both columns, on one time axis.
    #[test]
    fn both_columns_share_the_time_axis_and_each_rows_y_axis_and_height() {
        let a = timeline(
            "A: small",
            100.0,
            vec![
                lines("Load", 10.0, 100),
                stacked(5.0, 100),
                bands("Pods", 2, 100.0),
            ],
        );
        let mut b = timeline(
            "B: large",
            250.0,
            vec![
                lines("Load", 900.0, 250),
                stacked(40.0, 250),
                bands("Pods", 5, 250.0),
                bands("Circuit breakers", 3, 250.0),
            ],
        );
        b.notes = vec!["a note only B has".into()];
        let p = Pair::new(&a, &b);
        assert_eq!(p.a.time.end, 250.0, "A's axis runs to B's later end");
        assert_eq!(p.b.time.end, 250.0);
        assert_eq!(
            (p.a.left, p.a.right),
            (p.b.left, p.b.right),
            "the same plot edges"
        );
        assert_eq!(p.a.panels.len(), 4, "A gets a stand-in for B's breakers");
        assert_eq!(p.b.panels.len(), 4);
        for ((pa, ta, ra), (pb, tb, rb)) in p.a.panels.iter().zip(&p.b.panels) {
            assert_eq!(ta, tb, "row tops line up");
            assert_eq!((ra.y0, ra.y1), (rb.y0, rb.y1), "rows have one height");
            assert_eq!(ticks(pa), ticks(pb), "rows have one y axis");
        }
        let top = |p: &Prep<'_>| ticks(p).and_then(|t| t.last().map(|l| l.0));
        assert!(
            top(&p.a.panels[0].0).is_some_and(|t| t >= 900.0),
            "A's load axis covers B's values"
        );
        assert!(top(&p.a.panels[1].0).is_some_and(|t| t >= 40.0));
        assert!(matches!(&p.a.panels[3].0, Prep::Absent(w) if w == "only in B: Circuit breakers"));
        assert_eq!(p.b.dx, COLUMN);
        assert_eq!(p.width, 2 * COLUMN as u32);
    }

    #[test]
    fn panels_pair_by_title_in_order_with_each_sides_extras_in_place() {
        let a = timeline(
            "A",
            10.0,
            vec![lines("x", 1.0, 5), lines("only a", 1.0, 5), lines("y", 1.0, 5)],
        );
        let b = timeline(
            "B",
            10.0,
            vec![lines("x", 1.0, 5), lines("only b", 1.0, 5), lines("y", 1.0, 5)],
        );
        let rows: Vec<(Option<&str>, Option<&str>)> = align(&a, &b)
            .0
            .into_iter()
            .map(|(x, y)| (x.map(title), y.map(title)))
            .collect();
        assert_eq!(
            rows,
            [
                (Some("x"), Some("x")),
                (Some("only a"), None),
                (None, Some("only b")),
                (Some("y"), Some("y")),
            ]
        );
    }

    /// More rows than fit: each side keeps its first panels (its own order), in turn, and the
    /// notes say how many of each side's panels are left out. Before, the rows were cut at
    /// [`MAX_PANELS`] in paired order, so B's extra panels at the end all vanished unsaid.
    #[test]
    fn too_many_rows_keep_each_sides_first_panels_and_say_what_is_left_out() {
        let names = |p: &str, n: usize| (0..n).map(|i| lines(&format!("{p}{i}"), 1.0, 5)).collect();
        let mut pa: Vec<Panel> = names("shared", 20);
        pa.extend(names("a only ", 4));
        let mut pb: Vec<Panel> = names("shared", 20);
        pb.extend(names("b only ", 6));
        let mut b_first: Vec<Panel> = names("b only ", 6);
        b_first.extend(names("shared", 20));
        let (a, b) = (timeline("A", 10.0, pa), timeline("B", 10.0, b_first));
        let (rows, out_a, out_b) = align(&a, &b);
        assert_eq!(rows.len(), MAX_PANELS);
        // B's own first panels (its extras) are among the first it chose, so they are kept.
        let kept_b: Vec<&str> = rows.iter().filter_map(|r| r.1.map(title)).collect();
        assert!(kept_b.contains(&"b only 0") && kept_b.contains(&"b only 5"));
        let kept_a = rows.iter().filter(|r| r.0.is_some()).count();
        assert_eq!((out_a, out_b), (24 - kept_a, 26 - kept_b.len()));
        assert!(out_a > 0 && out_b > 0, "both sides give up some rows");
        // Extras at the end of B's order: the pair must still name what it leaves out.
        let b = timeline("B", 10.0, pb);
        let p = Pair::new(&a, &b);
        let (out_a, out_b) = (align(&a, &b).1, align(&a, &b).2);
        assert_eq!(out_a + out_b, 30 - MAX_PANELS, "30 rows, 24 drawn");
        assert!(out_b > 0, "B's six extras cannot all fit");
        let said = |l: &Layout<'_>, side: &str, n: usize| {
            l.notes
                .iter()
                .any(|s| s.starts_with(&format!("and {n} more panels of {side}")))
        };
        assert!(
            said(&p.a, "A", out_a) && said(&p.b, "B", out_b),
            "{:?} {:?}",
            p.a.notes,
            p.b.notes
        );
    }

    /// The longest titles the charts give, in a pair with wide legends and band labels (the
    /// narrowest plots), are drawn whole. Before, a title was cut at the plot's right edge:
    /// "Offered load and attempts at each callee (retries…".
    #[test]
    fn long_titles_are_drawn_whole_in_a_pair() {
        let long = "Offered load and attempts at each callee (retries show as the gap)";
        let service = "classification-frontend: in flight and queued (time-averaged per bucket)";
        let mut wide = lines(long, 1.0, 5);
        if let Panel::Lines(l) = &mut wide {
            l.series[0].label = "a legend entry long enough to widen the legend column".into();
        }
        let panels = vec![
            wide,
            lines(service, 1.0, 5),
            bands("a-long-pod-name-for-the-band-rows", 3, 5.0),
        ];
        let (a, b) = (timeline("A", 5.0, panels.clone()), timeline("B", 5.0, panels));
        let p = Pair::new(&a, &b);
        for l in [&p.a, &p.b] {
            for t in [long, service] {
                let (drawn, _) = super::super::panel_title(l, t);
                assert_eq!(drawn, t, "cut in a column {} wide", l.width);
            }
        }
    }
}
