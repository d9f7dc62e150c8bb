//! Degenerate and hostile inputs render without panicking: empty data, NaN, infinities,
//! zero-length axes, single buckets, huge or negative values, odd labels.

mod common;

use plots::*;

const NAN: f64 = f64::NAN;
const INF: f64 = f64::INFINITY;

fn lines(series: Vec<Series>, log_y: bool) -> Panel {
    Panel::Lines(LinePanel {
        title: "lines".into(),
        y_label: "requests/s".into(),
        log_y,
        series,
        reference_lines: vec![],
    })
}

fn s(label: &str, values: Vec<f64>) -> Series {
    Series {
        label: label.into(),
        values,
        dashed: false,
    }
}

fn timeline(end_secs: f64, bucket_secs: f64, panels: Vec<Panel>) -> Timeline {
    Timeline {
        title: "t".into(),
        subtitle: String::new(),
        notes: vec![],
        bucket_secs,
        end_secs,
        shaded: vec![],
        panels,
    }
}

/// Renders both formats; both must be Ok and the PNG must decode to the announced size.
fn renders(t: &Timeline) {
    let svg = timeline_svg(t).unwrap_or_else(|e| panic!("svg of {t:?}: {e}"));
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    let png = timeline_png(t).unwrap_or_else(|e| panic!("png of {t:?}: {e}"));
    let (w, h) = timeline_size(t).unwrap();
    let reader = png::Decoder::new(std::io::Cursor::new(png)).read_info().unwrap();
    assert_eq!((reader.info().width, reader.info().height), (w, h));
}

#[test]
fn empty_inputs() {
    renders(&Timeline::default());
    renders(&timeline(120.0, 1.0, vec![]));
    renders(&timeline(
        120.0,
        1.0,
        vec![
            lines(vec![], false),
            lines(vec![], true),
            Panel::Stacked(StackedPanel::default()),
            Panel::Bands(BandPanel::default()),
            lines(vec![s("empty", vec![])], false),
        ],
    ));
}

#[test]
fn all_nan_series() {
    let nan = vec![NAN; 120];
    renders(&timeline(
        120.0,
        1.0,
        vec![
            lines(vec![s("a", nan.clone()), s("b", nan.clone())], false),
            lines(vec![s("a", nan.clone())], true),
            Panel::Stacked(StackedPanel {
                title: "outcomes".into(),
                y_label: "requests/s".into(),
                layers: vec![s("ok", nan.clone()), s("failed", nan)],
            }),
        ],
    ));
}

#[test]
fn zero_and_invalid_time_axes() {
    let data = || vec![lines(vec![s("a", vec![1.0, 2.0, 3.0])], false)];
    for (end, bucket) in [
        (0.0, 1.0),
        (0.0, 0.0),
        (-5.0, 1.0),
        (NAN, NAN),
        (INF, 1.0),
        (120.0, -1.0),
        (120.0, INF),
    ] {
        renders(&timeline(end, bucket, data()));
        renders(&timeline(end, bucket, vec![]));
    }
    // A tiny but valid axis.
    renders(&timeline(1e-9, 1e-10, data()));
}

#[test]
fn one_bucket() {
    renders(&timeline(
        1.0,
        1.0,
        vec![
            lines(vec![s("a", vec![5.0])], false),
            lines(vec![s("a", vec![5.0])], true),
            Panel::Stacked(StackedPanel {
                title: "one".into(),
                y_label: "requests".into(),
                layers: vec![s("ok", vec![3.0]), s("failed", vec![1.0])],
            }),
        ],
    ));
}

#[test]
fn bands_edge_cases() {
    let row = |label: &str, spans: Vec<Span>| BandRow {
        label: label.into(),
        spans,
    };
    let span = |a, b, state| Span {
        start_secs: a,
        end_secs: b,
        state,
    };
    let states = vec![StateStyle {
        name: "ready".into(),
        tone: Tone::Good,
    }];
    let many_rows = (0..500)
        .map(|i| row(&format!("pod-{i}"), vec![span(0.0, f64::from(i), 0)]))
        .collect();
    renders(&timeline(
        60.0,
        1.0,
        vec![
            Panel::Bands(BandPanel {
                title: "pods".into(),
                states: states.clone(),
                rows: vec![
                    row("no spans", vec![]),
                    row("reversed", vec![span(40.0, 10.0, 0)]),
                    row("unknown state", vec![span(0.0, 10.0, 7)]),
                    row("outside", vec![span(-100.0, -50.0, 0), span(70.0, 1e9, 0)]),
                    row("nan", vec![span(NAN, 10.0, 0), span(INF, -INF, 0)]),
                    row("", vec![span(5.0, 5.0, 0)]),
                ],
            }),
            Panel::Bands(BandPanel {
                title: "no states".into(),
                states: vec![],
                rows: vec![row("x", vec![span(0.0, 9.0, 0)])],
            }),
            Panel::Bands(BandPanel {
                title: "many".into(),
                states,
                rows: many_rows,
            }),
        ],
    ));
}

#[test]
fn huge_negative_and_infinite_values() {
    let wild = vec![
        1e300,
        -1e300,
        f64::MAX,
        f64::MIN,
        INF,
        -INF,
        NAN,
        0.0,
        -0.0,
        1e-300,
        -5.0,
        f64::MIN_POSITIVE,
    ];
    let mut t = timeline(
        12.0,
        1.0,
        vec![
            lines(vec![s("wild", wild.clone())], false),
            lines(vec![s("wild", wild.clone())], true),
            lines(vec![s("negative", vec![-1.0, -2.0, -3.0])], false),
            lines(vec![s("negative", vec![-1.0, -2.0, -3.0])], true),
            Panel::Stacked(StackedPanel {
                title: "w".into(),
                y_label: "r".into(),
                layers: vec![s("a", wild.clone()), s("b", wild)],
            }),
            Panel::Stacked(StackedPanel {
                title: "neg".into(),
                y_label: "r".into(),
                layers: vec![s("a", vec![-3.0; 12])],
            }),
            Panel::Lines(LinePanel {
                title: "refs".into(),
                y_label: "ms".into(),
                log_y: true,
                series: vec![s("flat", vec![7.0; 12])],
                reference_lines: vec![
                    RefLine {
                        label: "nan".into(),
                        value: NAN,
                    },
                    RefLine {
                        label: "negative".into(),
                        value: -1.0,
                    },
                    RefLine {
                        label: "huge".into(),
                        value: 1e200,
                    },
                ],
            }),
        ],
    );
    t.shaded = vec![
        Shade {
            start_secs: NAN,
            end_secs: 3.0,
            label: "nan".into(),
        },
        Shade {
            start_secs: 9.0,
            end_secs: 2.0,
            label: "reversed".into(),
        },
        Shade {
            start_secs: -10.0,
            end_secs: 1e300,
            label: "everything".into(),
        },
        Shade {
            start_secs: 500.0,
            end_secs: 600.0,
            label: "after the end".into(),
        },
    ];
    renders(&t);
}

#[test]
fn odd_labels_and_many_series() {
    let long = "x".repeat(2000);
    let series = (0..20)
        .map(|i| {
            s(
                &format!("series {i} <&> \"quoted\" ✓ 日本"),
                vec![f64::from(i); 50],
            )
        })
        .collect();
    let mut t = timeline(
        50.0,
        1.0,
        vec![lines(series, false), lines(vec![s(&long, vec![1.0; 50])], false)],
    );
    t.title = long.clone();
    t.subtitle = long.clone();
    t.shaded = (0..10)
        .map(|i| Shade {
            start_secs: f64::from(i),
            end_secs: f64::from(i) + 5.0,
            label: long.clone(),
        })
        .collect();
    renders(&t);
}

#[test]
fn values_beyond_the_end_and_dense_data() {
    // 100k buckets on a 10 s axis: only the first 10 are shown. 50k buckets on 5000 s: thinned.
    renders(&timeline(
        10.0,
        1.0,
        vec![lines(vec![s("long", vec![1.0; 100_000])], false)],
    ));
    let dense: Vec<f64> = (0..50_000).map(|i| common::noise(i, 1) * 100.0).collect();
    let t = timeline(
        5000.0,
        0.1,
        vec![
            lines(vec![s("dense", dense.clone())], false),
            lines(vec![s("dense", dense)], true),
        ],
    );
    renders(&t);
    assert!(
        timeline_svg(&t).unwrap().len() < 2_000_000,
        "dense data is thinned"
    );
}

/// A band panel with `rows` rows whose labels are `len` characters long.
fn bands(rows: usize, len: usize) -> Panel {
    Panel::Bands(BandPanel {
        title: "x".repeat(len),
        states: vec![StateStyle {
            name: "s".repeat(len),
            tone: Tone::Bad,
        }],
        rows: (0..rows)
            .map(|r| BandRow {
                label: format!("{r}{}", "p".repeat(len)),
                spans: vec![Span {
                    start_secs: 0.0,
                    end_secs: 5.0,
                    state: 0,
                }],
            })
            .collect(),
    })
}

/// The tallest timeline there can be (every panel a full band panel, more panels, notes and
/// fault labels than are drawn, 300-character labels) still draws as a PNG within
/// `MAX_PIXELS`, and says what it left out. (It used to fail with `TooLarge` from about 60
/// panels on, which made `meshsim run --out` fail for 83 or more services.)
#[test]
fn any_number_of_panels_draws_within_the_pixel_cap_and_says_what_it_left_out() {
    let long = "l".repeat(300);
    let mut panels: Vec<Panel> = (0..MAX_PANELS + 976).map(|_| bands(300, 300)).collect();
    panels.push(lines(
        (0..100)
            .map(|i| s(&format!("{i}{long}"), vec![1.0; 10]))
            .collect(),
        false,
    ));
    let t = Timeline {
        title: long.clone(),
        subtitle: long.clone(),
        notes: (0..MAX_NOTES + 4).map(|i| format!("note {i} {long}")).collect(),
        shaded: (0..50)
            .map(|i| Shade {
                start_secs: f64::from(i % 10),
                end_secs: 10.0,
                label: long.clone(),
            })
            .collect(),
        ..timeline(10.0, 1.0, panels)
    };
    renders(&t);
    let (w, h) = timeline_size(&t).unwrap();
    assert!(u64::from(w) * u64::from(h) <= MAX_PIXELS, "{w}x{h}");
    let svg = timeline_svg(&t).unwrap();
    assert!(
        svg.contains("and 977 more panels not drawn"),
        "the left-out panels are counted"
    );
    assert!(svg.contains("note 0 lll"), "the caller's notes are printed");
    // MAX_NOTES - 1 of the 11 notes (10 given, one for the panels) are printed, then the count.
    let more = MAX_NOTES + 5 - (MAX_NOTES - 1);
    assert!(
        svg.contains(&format!("and {more} more notes")),
        "the left-out notes are counted"
    );
}

fn sweep_renders(c: &SweepChart) {
    sweep_svg(c).unwrap_or_else(|e| panic!("svg of {c:?}: {e}"));
    sweep_png(c).unwrap_or_else(|e| panic!("png of {c:?}: {e}"));
}

#[test]
fn sweep_edge_cases() {
    let p = |x, mean, low, high| SweepPoint { x, mean, low, high };
    let line = |points| SweepLine {
        label: "l".into(),
        points,
    };
    sweep_renders(&SweepChart::default());
    for log_x in [false, true] {
        let chart = |lines| SweepChart {
            title: "s".into(),
            x_label: "x".into(),
            y_label: "y".into(),
            log_x,
            lines,
        };
        sweep_renders(&chart(vec![line(vec![])]));
        sweep_renders(&chart(vec![line(vec![p(NAN, NAN, NAN, NAN); 5])]));
        sweep_renders(&chart(vec![line(vec![p(1.0, 5.0, 4.0, 6.0)])]));
        sweep_renders(&chart(vec![line(vec![
            p(1.0, 5.0, NAN, NAN),
            p(1.0, 5.0, 6.0, 4.0),
        ])]));
        sweep_renders(&chart(vec![line(vec![
            p(0.0, 1.0, 0.5, 1.5),
            p(-1.0, 2.0, 1.0, 3.0),
            p(10.0, 3.0, 2.0, 4.0),
        ])]));
        sweep_renders(&chart(vec![line(vec![
            p(1.0, 1e300, -1e300, INF),
            p(2.0, -INF, NAN, 0.0),
            p(3.0, -5.0, -6.0, -4.0),
        ])]));
        sweep_renders(&chart(vec![line(vec![
            p(5.0, 5.0, 5.0, 5.0),
            p(5.0, 5.0, 5.0, 5.0),
        ])]));
        sweep_renders(&chart(
            (0..12)
                .map(|i| {
                    line(vec![
                        p(1.0, f64::from(i), 0.0, 20.0),
                        p(2.0, NAN, 0.0, 1.0),
                        p(3.0, 1.0, NAN, 2.0),
                    ])
                })
                .collect(),
        ));
    }
}

fn heatmap_renders(h: &Heatmap) {
    heatmap_svg(h).unwrap_or_else(|e| panic!("svg of {h:?}: {e}"));
    let png = heatmap_png(h).unwrap_or_else(|e| panic!("png of {h:?}: {e}"));
    let reader = png::Decoder::new(std::io::Cursor::new(png)).read_info().unwrap();
    assert_eq!(
        (reader.info().width, reader.info().height),
        heatmap_size(h).unwrap()
    );
}

#[test]
fn heatmap_edge_cases() {
    let map = |values: Vec<Vec<f64>>, x: usize, y: usize| Heatmap {
        title: "h".into(),
        x_label: "x".into(),
        y_label: "y".into(),
        x_ticks: (0..x).map(|i| format!("x{i}")).collect(),
        y_ticks: (0..y).map(|i| format!("y{i}")).collect(),
        values,
        value_label: "v".into(),
    };
    heatmap_renders(&Heatmap::default());
    heatmap_renders(&map(vec![], 0, 0));
    heatmap_renders(&map(vec![vec![]], 0, 0));
    heatmap_renders(&map(vec![vec![NAN; 3]; 2], 3, 2));
    heatmap_renders(&map(vec![vec![42.0]], 1, 1));
    heatmap_renders(&map(vec![vec![1.0, 2.0, 3.0], vec![4.0]], 0, 0));
    heatmap_renders(&map(vec![vec![1.0]], 5, 5));
    heatmap_renders(&map(vec![vec![1e300, -1e300, INF, -INF, 0.0]], 2, 1));
    heatmap_renders(&map(vec![vec![-0.001, 0.002], vec![0.0005, -0.0]], 2, 2));
    let big: Vec<Vec<f64>> = (0..100)
        .map(|y| (0..150).map(|x| f64::from(x * y)).collect())
        .collect();
    heatmap_renders(&map(big, 150, 100));
    let mut long = map(vec![vec![1.0, 2.0]], 2, 1);
    long.x_ticks = vec![
        "a very long column label indeed".into(),
        "another very long column label".into(),
    ];
    long.y_ticks = vec!["y".repeat(500)];
    long.title = "t".repeat(500);
    long.value_label = "v".repeat(500);
    heatmap_renders(&long);
}

#[test]
fn pseudo_random_timelines() {
    // Deterministic fuzzing: mixes of NaN, gaps, negatives, huge values, odd lengths.
    let pick = |i: usize, salt: u64| -> f64 {
        let r = common::noise(i, salt);
        match ((r + 1.0) * 8.0) as usize {
            0 => NAN,
            1 => -r * 1e12,
            2 => 0.0,
            3 => -1.0,
            4 => 1e-9,
            _ => (r + 1.0) * 100.0,
        }
    };
    for case in 0..40u64 {
        let n = ((common::noise(case as usize, 99) + 1.0) * 40.0) as usize;
        let series: Vec<Series> = (0..(case % 4) as usize)
            .map(|k| Series {
                label: format!("s{k}"),
                values: (0..n).map(|i| pick(i, case * 10 + k as u64)).collect(),
                dashed: k % 2 == 1,
            })
            .collect();
        let t = Timeline {
            title: format!("case {case}"),
            subtitle: String::new(),
            notes: vec![],
            bucket_secs: [1.0, 0.5, 0.0, 7.0][(case % 4) as usize],
            end_secs: [60.0, 0.0, 33.3, 1.0, 1e6][(case % 5) as usize],
            shaded: vec![Shade {
                start_secs: pick(1, case),
                end_secs: pick(2, case),
                label: "f".into(),
            }],
            panels: vec![
                lines(series.clone(), case % 2 == 0),
                Panel::Stacked(StackedPanel {
                    title: "st".into(),
                    y_label: "r".into(),
                    layers: series,
                }),
            ],
        };
        timeline_svg(&t).unwrap_or_else(|e| panic!("case {case}: {e}"));
        if case % 8 == 0 {
            timeline_png(&t).unwrap_or_else(|e| panic!("case {case}: {e}"));
        }
    }
}
