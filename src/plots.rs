//! SVG plots (placeholder being written).
