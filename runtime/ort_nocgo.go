//go:build !cgo

package runtime

import (
	"fmt"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/npy"
)

// Available reports whether this build can run onnxruntime.
const Available = false

// ErrNoCgo is returned by every onnxruntime call of a build without cgo.
var ErrNoCgo = fmt.Errorf("%w: this mvae was built without cgo (CGO_ENABLED=0); use the native runtime, or build with cgo", ErrUnavailable)

// Init fails: this build has no onnxruntime.
func Init(libFlag string) (string, error) { return "", ErrNoCgo }

// Version is "" in a build without onnxruntime.
func Version() string { return "" }

// OpenBackend fails: this build has no onnxruntime.
func OpenBackend(b *model.Bundle, o Options) (generate.Backend, error) { return nil, ErrNoCgo }

// RunGraph fails: this build has no onnxruntime.
func RunGraph(onnx []byte, inputs, outputs []string, ins ...*npy.Array) ([]*npy.Array, error) {
	return nil, ErrNoCgo
}

// RunGraphExternal needs cgo.
func RunGraphExternal(dir string, onnx []byte, inputs, outputs []string, ins ...*npy.Array) ([]*npy.Array, error) {
	return nil, ErrNoCgo
}
