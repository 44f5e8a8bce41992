//go:build cgo

package runtime

import (
	"fmt"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/musicvae-go/mvae/npy"
)

// Session is one ONNX graph loaded into onnxruntime, created once and run
// many times. Run is safe to call from several goroutines (onnxruntime's
// Run is thread safe; tensors are made per call).
type Session struct {
	s       *ort.DynamicAdvancedSession
	inputs  []string
	outputs []string
}

// NewSession loads an ONNX graph. Init must have succeeded.
func NewSession(onnx []byte, inputs, outputs []string, threads int) (*Session, error) {
	return newSession(onnx, inputs, outputs, threads, nil)
}

// newSession is NewSession with session config entries (key, value).
func newSession(onnx []byte, inputs, outputs []string, threads int, entries [][2]string) (*Session, error) {
	opts, err := ort.NewSessionOptions()
	if err != nil {
		return nil, err
	}
	defer opts.Destroy()
	for _, kv := range entries {
		if err := opts.AddSessionConfigEntry(kv[0], kv[1]); err != nil {
			return nil, fmt.Errorf("onnxruntime session option %s: %v", kv[0], err)
		}
	}
	if threads > 0 {
		if err := opts.SetIntraOpNumThreads(threads); err != nil {
			return nil, err
		}
		if err := opts.SetInterOpNumThreads(1); err != nil {
			return nil, err
		}
	}
	s, err := ort.NewDynamicAdvancedSessionWithONNXData(onnx, inputs, outputs, opts)
	if err != nil {
		return nil, fmt.Errorf("onnxruntime could not load the graph: %v", err)
	}
	return &Session{s: s, inputs: inputs, outputs: outputs}, nil
}

// Run runs the graph on float32 inputs (in the order given to NewSession)
// and returns its outputs in order.
func (s *Session) Run(ins ...*npy.Array) ([]*npy.Array, error) {
	if len(ins) != len(s.inputs) {
		panic(fmt.Sprintf("runtime: %d inputs for a graph of %d", len(ins), len(s.inputs)))
	}
	for i, a := range ins {
		for _, d := range a.Shape {
			if d == 0 {
				// onnxruntime aborts the process on some empty inputs.
				return nil, fmt.Errorf("input %s of shape %v is empty: %w", s.inputs[i], a.Shape, ErrEmptyBatch)
			}
		}
	}
	vals := make([]ort.Value, len(ins))
	for i, a := range ins {
		t, err := ort.NewTensor(ort.NewShape(shape64(a.Shape)...), a.Data)
		if err != nil {
			destroy(vals)
			return nil, fmt.Errorf("input %s: %v", s.inputs[i], err)
		}
		vals[i] = t
	}
	defer destroy(vals)
	outs := make([]ort.Value, len(s.outputs))
	if err := s.s.Run(vals, outs); err != nil {
		return nil, err
	}
	defer destroy(outs)
	res := make([]*npy.Array, len(outs))
	for i, o := range outs {
		t, ok := o.(*ort.Tensor[float32])
		if !ok {
			return nil, fmt.Errorf("output %s is not a float32 tensor", s.outputs[i])
		}
		sh := t.GetShape()
		a := &npy.Array{Shape: make([]int, len(sh)), Data: append([]float32(nil), t.GetData()...)}
		for k, d := range sh {
			a.Shape[k] = int(d)
		}
		res[i] = a
	}
	return res, nil
}

// Close frees the session.
func (s *Session) Close() error {
	if s.s == nil {
		return nil
	}
	err := s.s.Destroy()
	s.s = nil
	return err
}

func shape64(s []int) []int64 {
	out := make([]int64, len(s))
	for i, d := range s {
		out[i] = int64(d)
	}
	return out
}

func destroy(vs []ort.Value) {
	for _, v := range vs {
		if v != nil {
			v.Destroy()
		}
	}
}

// RunGraph loads a graph, runs it once and frees it (for checks, not for
// repeated work).
func RunGraph(onnx []byte, inputs, outputs []string, ins ...*npy.Array) ([]*npy.Array, error) {
	s, err := NewSession(onnx, inputs, outputs, 1)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	return s.Run(ins...)
}

// RunGraphExternal is RunGraph for a graph whose weights lie in files of
// folder dir (graphs.BuildExternal). onnxruntime maps them from the files
// and, with prepacking off, computes from the mapped pages: it holds no
// copy of the weights, so a check of a big model adds little to the memory
// of the process that holds the model.
func RunGraphExternal(dir string, onnx []byte, inputs, outputs []string, ins ...*npy.Array) ([]*npy.Array, error) {
	s, err := newSession(onnx, inputs, outputs, 1, [][2]string{
		{"session.model_external_initializers_file_folder_path", dir},
		{"session.disable_prepacking", "1"},
	})
	if err != nil {
		return nil, err
	}
	defer s.Close()
	return s.Run(ins...)
}
