//! The PNGs decode, have the expected size, are not blank, and show the palette's colours.

mod common;

use std::collections::BTreeSet;

struct Image {
    width: u32,
    height: u32,
    rgb: Vec<u8>,
}

impl Image {
    fn colours(&self) -> BTreeSet<[u8; 3]> {
        self.rgb.chunks_exact(3).map(|p| [p[0], p[1], p[2]]).collect()
    }
    fn count(&self, hex: &str) -> usize {
        let c = parse_hex(hex);
        self.rgb.chunks_exact(3).filter(|p| **p == c).count()
    }
    fn has_near(&self, hex: &str, tolerance: i32) -> bool {
        let c = parse_hex(hex);
        self.rgb
            .chunks_exact(3)
            .any(|p| (0..3).all(|i| (i32::from(p[i]) - i32::from(c[i])).abs() <= tolerance))
    }
}

fn parse_hex(hex: &str) -> [u8; 3] {
    let h = hex.trim_start_matches('#');
    let v = |i: usize| u8::from_str_radix(&h[i..i + 2], 16).unwrap();
    [v(0), v(2), v(4)]
}

fn decode(bytes: &[u8]) -> Image {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().expect("PNG header");
    let mut buf = vec![0; reader.output_buffer_size().expect("buffer size")];
    let info = reader.next_frame(&mut buf).expect("PNG data");
    assert_eq!(info.color_type, png::ColorType::Rgb);
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    buf.truncate(info.buffer_size());
    Image {
        width: info.width,
        height: info.height,
        rgb: buf,
    }
}

fn assert_not_blank(img: &Image) {
    let colours = img.colours();
    assert!(colours.len() > 100, "only {} distinct colours", colours.len());
    // Text is drawn: anti-aliased dark pixels exist.
    assert!(img.has_near("#222222", 0), "no title/label ink");
    let white = img.count("#ffffff");
    let total = (img.width * img.height) as usize;
    assert!(
        white < total * 95 / 100 && white > total / 4,
        "{white} white of {total}"
    );
}

#[test]
fn timeline_png_decodes_with_series_colours() {
    let t = common::cascade();
    let bytes = plots::timeline_png(&t).unwrap();
    common::maybe_write("timeline.png", &bytes);
    let img = decode(&bytes);
    assert_eq!((img.width, img.height), plots::timeline_size(&t).unwrap());
    assert_eq!(img.width, 1600);
    // 6 panels of ~240-300 px plus header.
    assert!((6 * 180..6 * 330).contains(&img.height), "height {}", img.height);
    assert_not_blank(&img);
    // Lines: series 0 and 1 of each panel.
    for i in 0..2 {
        let hex = plots::series_colour(i);
        assert!(img.count(&hex) > 500, "series colour {hex} missing");
    }
    // Stacked layers and band tones.
    for i in 0..5 {
        let hex = plots::layer_colour(i);
        assert!(img.count(&hex) > 100, "layer colour {hex} missing");
    }
    for tone in [
        plots::Tone::Good,
        plots::Tone::Warn,
        plots::Tone::Bad,
        plots::Tone::Info,
    ] {
        let hex = plots::tone_colour(tone);
        assert!(img.count(&hex) > 100, "tone {tone:?} colour {hex} missing");
    }
}

#[test]
fn sweep_png_decodes_with_line_colours() {
    let c = common::sweep();
    let bytes = plots::sweep_png(&c).unwrap();
    common::maybe_write("sweep.png", &bytes);
    let img = decode(&bytes);
    assert_eq!((img.width, img.height), plots::sweep_size());
    assert_not_blank(&img);
    for i in 0..c.lines.len() {
        let hex = plots::series_colour(i);
        assert!(img.count(&hex) > 200, "line colour {hex} missing");
    }
}

#[test]
fn heatmap_png_decodes_with_viridis_scale() {
    let h = common::heatmap();
    let bytes = plots::heatmap_png(&h).unwrap();
    common::maybe_write("heatmap.png", &bytes);
    let img = decode(&bytes);
    assert_eq!((img.width, img.height), plots::heatmap_size(&h).unwrap());
    assert_not_blank(&img);
    // Both ends of viridis (dark purple, yellow) and the grey of the missing cell.
    assert!(img.has_near("#440154", 12), "no dark end of the scale");
    assert!(img.has_near("#fde725", 12), "no bright end of the scale");
    assert!(img.count("#dddddd") > 1000, "missing cell not grey");
}

#[test]
fn series_are_okabe_ito_in_order() {
    let okabe_ito = [
        "#0072b2", "#e69f00", "#009e73", "#d55e00", "#cc79a7", "#56b4e9", "#000000", "#f0e442",
    ];
    for (i, hex) in okabe_ito.iter().enumerate() {
        assert_eq!(plots::series_colour(i), *hex, "series {i}");
        assert_eq!(plots::series_colour(i + 8), *hex, "series {} wraps", i + 8);
    }
}
