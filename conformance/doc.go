// Package conformance holds the one test suite that every runtime of mvae
// must pass, run against each: onnxruntime (runtime/, where the build has cgo
// and the library) and pure Go (native/). It checks, on every fixture of
// testdata/models (always) and of shared/fixtures (where present; required in
// CI), the teacher-forced outputs, the encoder, the conductor, each decoder
// step and whole generated sequences against PyTorch's goldens and against
// each other. Where onnxruntime is missing its subtests are skipped (and fail
// in CI); the native ones run.
//
// The magenta.js suite (magentajs_test.go, magentajs_spec_test.go) runs
// magenta.js 1.23.1 under Node (conformance/magentajs, installed by
// scripts/fetch-magentajs.sh; skipped where missing, failing in CI): it
// writes magenta.js checkpoints of every family of model.TinyFamilies with
// Magenta's TF names, checks what magenta.js loads, encodes, decodes (its
// categorical draws forced onto the spec's SplitMix64 streams) and reads
// from MIDI, and compares it with mvae where today's runtimes run the
// layout (TF's hierdec decodes, flat encoders).
package conformance
