// Package plot draws MusicVAE sequences and results as PNG images with
// gonum.org/v1/plot: drum grids (one row per drum class, named) and piano
// rolls, with velocity as shade and timing offset as a horizontal shift, one
// panel per sequence; and bar charts (per-instrument F1). It reads music's
// types; music knows nothing of it.
package plot
