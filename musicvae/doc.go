// Package musicvae runs MusicVAE models (Roberts et al. 2018) from Go: load a
// model, sample from its prior, encode MIDI to latent vectors and decode
// them back, interpolate between two or four sequences, make variations of
// a sequence, apply attribute vectors, and humanize or tapify grooves.
//
// It offers what Magenta's MusicVAE offers (the Python TrainedModel and the
// magenta.js MusicVAE class: sample, encode, decode, interpolate, similar)
// on every model family mvae reads (docs/FAMILIES.md), and it is what the
// mvae command itself calls, so the two do the same thing.
//
// A Model runs in pure Go by default (package native). The package does not
// need cgo: onnxruntime is offered through WithRuntime, with a Runtime that
// the caller builds (the mvae command passes one over package runtime).
//
// Beyond Magenta, WithRefine refines every encoded latent vector by
// gradient steps on its sequence's reconstruction (native.Refine), so that
// decoding it follows the input more closely.
//
// Sequences are tokens: n windows of T steps of D values, row-major
// (spec §1; Config().T() and Config().InputSize). Latent vectors are n rows
// of Config().ZSize values. Every sequence draws its random numbers from
// its own stream, Seed+i, so a seed gives the same notes on either runtime.
package musicvae
