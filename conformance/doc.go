// Package conformance holds the one test suite that every runtime of mvae
// must pass, run against each: onnxruntime (runtime/, where the build has cgo
// and the library) and pure Go (native/). It checks, on every fixture of
// testdata/models (always) and of shared/fixtures (where present; required in
// CI), the teacher-forced outputs, the encoder, the conductor, each decoder
// step and whole generated sequences against PyTorch's goldens and against
// each other. Where onnxruntime is missing its subtests are skipped (and fail
// in CI); the native ones run.
package conformance
