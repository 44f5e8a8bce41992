// Package melodymodel embeds mvae's melody model in the binary, so that
// `mvae generate --model melody` needs no file: a melody MusicVAE (2 bars, 2
// segments; one monophonic line, tokens 0 no event, 1 note off, 2+pitch-21)
// trained on the melodic lines of the MMA groove library with the yamaha and
// zoom libraries held out. Its weights are stored as float16 (they read back
// as float32); its ONNX graphs are rebuilt from the weights when onnxruntime
// needs them.
//
// It was made by scripts/train-melody.sh; README.md beside this file has the
// training log and the held-out numbers.
package melodymodel

import (
	_ "embed"

	"github.com/musicvae-go/mvae/model"
)

//go:embed melody.mvae
var bundle []byte

var load = model.EmbeddedBundle(bundle, "the embedded melody model")

// Bundle returns the embedded model (parsed once). Callers must not change it.
func Bundle() (*model.Bundle, error) { return load() }

// Size is the embedded file's size in bytes.
func Size() int { return len(bundle) }
