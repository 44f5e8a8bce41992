//go:build cgo

package runtime

import (
	"errors"
	"fmt"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/graphs"
	"github.com/musicvae-go/mvae/model"
)

// ORT runs a bundle's graphs under onnxruntime. Its sessions are created once
// and shared by every request; it is safe for concurrent use, each request
// with its own State.
type ORT struct {
	cfg                          *model.Config
	enc, cond, dinit, step, full *ort.DynamicAdvancedSession
}

var _ generate.Backend = (*ORT)(nil)

// Open loads a bundle's graphs into onnxruntime sessions. The graphs run are
// built from the bundle's weights, and every graph the bundle stores must be
// the one built (graphs.ForBundle): onnxruntime never runs a graph that
// disagrees with the weights, nor reads anything a graph names outside it.
func Open(b *model.Bundle, o Options) (*ORT, error) {
	if _, err := Init(o.LibPath); err != nil {
		return nil, err
	}
	r := &ORT{cfg: b.Config()}
	sessions := map[string]**ort.DynamicAdvancedSession{
		graphs.Encoder: &r.enc, graphs.Conductor: &r.cond, graphs.DecoderInit: &r.dinit,
		graphs.DecoderStep: &r.step, graphs.Full: &r.full,
	}
	ports := map[string][2][]string{
		graphs.Encoder:     {{"x"}, {"mu", "sigma"}},
		graphs.Conductor:   {{"z"}, {"cond"}},
		graphs.DecoderInit: {{"c"}, {"h", "c0"}},
		graphs.DecoderStep: {{"prev", "cu", "h", "c"}, {"logits", "h_out", "c_out"}},
		graphs.Full:        {{"x", "eps"}, {"logits", "mu", "sigma"}},
	}
	need := append([]string{graphs.Full}, graphs.GenerationGraphs(b.Config())...)
	err := graphs.ForBundle(b, need, func(name string, onnx []byte) error {
		s, err := newDynamicSession(onnx, ports[name][0], ports[name][1], o.Threads)
		if err != nil {
			err = fmt.Errorf("onnxruntime could not load graph %s: %v", name, err)
			if b.Name() != "" {
				err = fmt.Errorf("%s: %w", b.Name(), err)
			}
			return err
		}
		*sessions[name] = s
		return nil
	})
	if err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// newDynamicSession loads a graph with the session options mvae uses.
func newDynamicSession(onnx []byte, ins, outs []string, threads int) (*ort.DynamicAdvancedSession, error) {
	opts, err := ort.NewSessionOptions()
	if err != nil {
		return nil, err
	}
	defer opts.Destroy()
	if threads > 0 {
		if err := opts.SetIntraOpNumThreads(threads); err != nil {
			return nil, err
		}
	}
	return ort.NewDynamicAdvancedSessionWithONNXData(onnx, ins, outs, opts)
}

// OpenBackend is Open as a generate.Backend.
func OpenBackend(b *model.Bundle, o Options) (generate.Backend, error) {
	r, err := Open(b, o)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// Config is the model's config.
func (r *ORT) Config() *model.Config { return r.cfg }

// Close frees every session.
func (r *ORT) Close() error {
	var errs []error
	for _, s := range []*ort.DynamicAdvancedSession{r.enc, r.cond, r.dinit, r.step, r.full} {
		if s != nil {
			errs = append(errs, s.Destroy())
		}
	}
	r.enc, r.cond, r.dinit, r.step, r.full = nil, nil, nil, nil, nil
	return errors.Join(errs...)
}

// run runs s on freshly wrapped inputs and copies outputs into dst.
func run(s *ort.DynamicAdvancedSession, ins []*tensorIn, dst [][]float32) error {
	vals := make([]ort.Value, len(ins))
	for i, in := range ins {
		t, err := ort.NewTensor(ort.NewShape(in.shape...), in.data)
		if err != nil {
			destroy(vals)
			return err
		}
		vals[i] = t
	}
	defer destroy(vals)
	outs := make([]ort.Value, len(dst))
	if err := s.Run(vals, outs); err != nil {
		return err
	}
	defer destroy(outs)
	for i, o := range outs {
		t, ok := o.(*ort.Tensor[float32])
		if !ok {
			return fmt.Errorf("output %d is not a float32 tensor", i)
		}
		d := t.GetData()
		if len(d) != len(dst[i]) {
			return fmt.Errorf("output %d has %d values, want %d", i, len(d), len(dst[i]))
		}
		copy(dst[i], d)
	}
	return nil
}

type tensorIn struct {
	shape []int64
	data  []float32
}

func in(data []float32, shape ...int) *tensorIn {
	s := make([]int64, len(shape))
	for i, d := range shape {
		s[i] = int64(d)
	}
	return &tensorIn{s, data}
}

// ErrEmptyBatch is returned for a batch of no sequences: onnxruntime would
// abort the process on one.
var ErrEmptyBatch = errors.New("onnxruntime: the batch is empty (no sequences)")

// checkBatch refuses an empty batch; a negative one is a programmer error.
func checkBatch(B int) error {
	if B < 0 {
		panic(fmt.Sprintf("runtime: batch %d", B))
	}
	if B == 0 {
		return ErrEmptyBatch
	}
	return nil
}

// Encode: x [B,T,D] -> mu, sigma [B,Z].
func (r *ORT) Encode(x []float32, B int, mu, sigma []float32) error {
	if err := checkBatch(B); err != nil {
		return err
	}
	c := r.cfg
	return run(r.enc, []*tensorIn{in(x, B, c.T(), c.InputSize)}, [][]float32{mu, sigma})
}

// Conduct: z [B,Z] -> cond [B,U,Hc].
func (r *ORT) Conduct(z []float32, B int, cond []float32) error {
	if err := checkBatch(B); err != nil {
		return err
	}
	return run(r.cond, []*tensorIn{in(z, B, r.cfg.ZSize)}, [][]float32{cond})
}

// Forward runs the full teacher-forced graph.
func (r *ORT) Forward(x, eps []float32, B int, logits, mu, sigma []float32) error {
	if err := checkBatch(B); err != nil {
		return err
	}
	c := r.cfg
	return run(r.full, []*tensorIn{in(x, B, c.T(), c.InputSize), in(eps, B, c.ZSize)}, [][]float32{logits, mu, sigma})
}

// ortState holds a batch's decoder state in onnxruntime tensors made once:
// two sets of h and c that swap roles every step, so a step copies only prev,
// cu and the logits.
type ortState struct {
	B      int
	prev   *ort.Tensor[float32]
	cu     *ort.Tensor[float32]
	logits *ort.Tensor[float32]
	h, c   [2]*ort.Tensor[float32]
	cur    int
	ins    []ort.Value
	outs   []ort.Value
}

func (s *ortState) Batch() int { return s.B }

func (s *ortState) Close() error {
	var errs []error
	for _, t := range []*ort.Tensor[float32]{s.prev, s.cu, s.logits, s.h[0], s.h[1], s.c[0], s.c[1]} {
		if t != nil {
			errs = append(errs, t.Destroy())
		}
	}
	*s = ortState{}
	return errors.Join(errs...)
}

// NewState preallocates the step's tensors for B sequences.
func (r *ORT) NewState(B int) (generate.State, error) {
	if err := checkBatch(B); err != nil {
		return nil, err
	}
	c := r.cfg
	st := &ortState{B: B, ins: make([]ort.Value, 4), outs: make([]ort.Value, 3)}
	var err error
	mk := func(shape ...int64) *ort.Tensor[float32] {
		if err != nil {
			return nil
		}
		var t *ort.Tensor[float32]
		t, err = ort.NewEmptyTensor[float32](ort.NewShape(shape...))
		return t
	}
	Ld, Hd := int64(c.Decoder.Layers), int64(c.Decoder.Hidden)
	st.prev = mk(int64(B), int64(c.InputSize))
	st.cu = mk(int64(B), int64(c.Conductor.Hidden))
	st.logits = mk(int64(B), int64(c.InputSize))
	for i := 0; i < 2; i++ {
		st.h[i] = mk(Ld, int64(B), Hd)
		st.c[i] = mk(Ld, int64(B), Hd)
	}
	if err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

// DecoderInit sets the state to init(c_u).
func (r *ORT) DecoderInit(s generate.State, k int, cu []float32) error {
	if k != 0 {
		return fmt.Errorf("onnxruntime: split decoder %d; the model has 1", k)
	}
	st := s.(*ortState)
	copy(st.cu.GetData(), cu)
	st.cur = 0
	return r.dinit.Run([]ort.Value{st.cu}, []ort.Value{st.h[0], st.c[0]})
}

// DecoderStep runs one step with the preallocated tensors.
func (r *ORT) DecoderStep(s generate.State, k int, prev, cu, logits []float32) error {
	if k != 0 {
		return fmt.Errorf("onnxruntime: split decoder %d; the model has 1", k)
	}
	st := s.(*ortState)
	copy(st.prev.GetData(), prev)
	copy(st.cu.GetData(), cu)
	a, b := st.cur, 1-st.cur
	st.ins[0], st.ins[1], st.ins[2], st.ins[3] = st.prev, st.cu, st.h[a], st.c[a]
	st.outs[0], st.outs[1], st.outs[2] = st.logits, st.h[b], st.c[b]
	if err := r.step.Run(st.ins, st.outs); err != nil {
		return err
	}
	st.cur = b
	copy(logits, st.logits.GetData())
	return nil
}
