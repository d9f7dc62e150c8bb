//! The error type of every render function.

use std::fmt;

/// Why a chart could not be rendered. Rendering never panics: every failure ends up here.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PlotError {
    /// The bundled font could not be loaded or registered with plotters.
    Font(String),
    /// The drawing backend (SVG or bitmap) reported an error.
    Drawing(String),
    /// The bitmap could not be encoded as PNG.
    Encoding(String),
    /// The input would need a PNG larger than [`crate::MAX_PIXELS`].
    TooLarge {
        /// Requested width in pixels.
        width: u32,
        /// Requested height in pixels.
        height: u32,
    },
}

impl fmt::Display for PlotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlotError::Font(m) => write!(f, "cannot load the bundled chart font: {m}"),
            PlotError::Drawing(m) => write!(f, "cannot draw the chart: {m}"),
            PlotError::Encoding(m) => write!(f, "cannot encode the chart as PNG: {m}"),
            PlotError::TooLarge { width, height } => write!(
                f,
                "the chart would be {width}×{height} pixels, larger than the supported maximum of {} \
                 pixels; plot fewer panels or rows",
                crate::style::MAX_PIXELS
            ),
        }
    }
}

impl std::error::Error for PlotError {}

/// Converts any plotters drawing error into a [`PlotError::Drawing`].
pub(crate) fn drawing<E: fmt::Display>(e: E) -> PlotError {
    PlotError::Drawing(e.to_string())
}
