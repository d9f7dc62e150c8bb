//! The heatmap's colour-bar label is printed whole, however few rows the heatmap has.

mod common;

/// One row and a missing cell leave the shortest colour bar (200 px); the sweep's label
/// "mean of 5 replications" used to be cut to "mean of 5 r…" there.
#[test]
fn the_colour_bar_label_is_whole_on_a_one_row_heatmap() {
    let mut h = common::heatmap();
    h.values.truncate(1);
    h.y_ticks.truncate(1);
    h.values[0][0] = f64::NAN;
    for label in [
        "mean of 5 replications",
        "mean of 20 replications of goodput (% of offered)",
    ] {
        h.value_label = label.into();
        let svg = plots::heatmap_svg(&h).expect("draws");
        assert!(svg.contains(label), "{label} is cut");
    }
}
