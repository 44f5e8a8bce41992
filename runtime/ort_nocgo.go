//go:build !cgo

package runtime

import "errors"

// Available reports whether this build can run onnxruntime.
const Available = false

// ErrNoCgo is returned by every onnxruntime call of a build without cgo.
var ErrNoCgo = errors.New("this mvae was built without onnxruntime (CGO_ENABLED=0); use --runtime native, or build with cgo")

// Init fails: this build has no onnxruntime.
func Init(libFlag string) (string, error) { return "", ErrNoCgo }

// Version is "" in a build without onnxruntime.
func Version() string { return "" }
