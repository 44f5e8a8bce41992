// Package conformance holds the one test suite that every runtime of mvae
// must pass, run against each: onnxruntime (runtime/, where the build has cgo
// and the library) and pure Go (native/). It checks, on every fixture of
// testdata/models and shared/fixtures, the teacher-forced outputs, the
// encoder, the conductor, each decoder step and whole generated sequences
// against PyTorch's goldens and against each other.
package conformance
