//! Rendering into an RGB buffer and encoding it as PNG.

use plotters::prelude::{BitMapBackend, IntoDrawingArea, SVGBackend};

use crate::draw::Area;
use crate::error::{PlotError, drawing};
use crate::style::MAX_PIXELS;

/// Checks that a `width`×`height` image is within [`MAX_PIXELS`].
fn check_size(width: u32, height: u32) -> Result<(), PlotError> {
    if width == 0 || height == 0 || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(PlotError::TooLarge { width, height });
    }
    Ok(())
}

/// Runs `draw` on an SVG backend of the given size and returns the document.
pub(crate) fn render_svg(
    width: u32,
    height: u32,
    draw: impl FnOnce(&Area<SVGBackend<'_>>) -> Result<(), PlotError>,
) -> Result<String, PlotError> {
    // No size limit here: an SVG is text, its size follows the data, not the pixel count.
    let mut out = String::new();
    {
        let area = SVGBackend::with_string(&mut out, (width, height)).into_drawing_area();
        draw(&area)?;
        area.present().map_err(drawing)?;
    }
    Ok(out)
}

/// Runs `draw` on an RGB bitmap of the given size and returns it encoded as PNG.
pub(crate) fn render_png(
    width: u32,
    height: u32,
    draw: impl FnOnce(&Area<BitMapBackend<'_>>) -> Result<(), PlotError>,
) -> Result<Vec<u8>, PlotError> {
    check_size(width, height)?;
    let mut rgb = vec![0u8; width as usize * height as usize * 3];
    {
        let area = BitMapBackend::with_buffer(&mut rgb, (width, height)).into_drawing_area();
        draw(&area)?;
        area.present().map_err(drawing)?;
    }
    encode(&rgb, width, height)
}

/// Encodes an RGB8 buffer as PNG (no timestamps or other varying chunks).
fn encode(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>, PlotError> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let enc = |e: png::EncodingError| PlotError::Encoding(e.to_string());
    let mut writer = encoder.write_header().map_err(enc)?;
    writer.write_image_data(rgb).map_err(enc)?;
    writer.finish().map_err(enc)?;
    Ok(out)
}
