// Package defaultmodel embeds mvae's default model in the binary, so that
// `mvae generate` needs no file: a groove MusicVAE (4 bars, 4 segments, gm
// map) trained on the MMA groove library with the yamaha and zoom libraries
// held out. Its weights are stored as float16 (half the size; they read back
// as float32, and every parity test runs on those float32 values); its ONNX
// graphs are rebuilt from the weights when onnxruntime needs them.
//
// It was made by scripts/train-default.sh; README.md beside this file has
// the training log and the held-out numbers.
package defaultmodel

import (
	_ "embed"

	"github.com/musicvae-go/mvae/model"
)

//go:embed default.mvae
var bundle []byte

var load = model.EmbeddedBundle(bundle, "the embedded default model")

// Bundle returns the embedded model (parsed once). Callers must not change it.
func Bundle() (*model.Bundle, error) { return load() }

// Size is the embedded file's size in bytes.
func Size() int { return len(bundle) }
