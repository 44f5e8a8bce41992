//go:build cgo

package runtime

import (
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

// Open loads a bundle's graphs into onnxruntime sessions (building any the
// bundle lacks from its weights).
func Open(b *model.Bundle, o Options) (*ORT, error) {
	if _, err := Init(o.LibPath); err != nil {
		return nil, err
	}
	c := b.Config()
	gs := b.Graphs
	need := append([]string{graphs.Full}, graphs.GenerationGraphs...)
	for _, n := range need {
		if _, ok := gs[n]; !ok {
			built, err := graphs.BuildAll(c, b.Weights)
			if err != nil {
				return nil, err
			}
			gs = built
			break
		}
	}
	r := &ORT{cfg: c}
	var err error
	mk := func(name string, ins, outs []string) *ort.DynamicAdvancedSession {
		if err != nil {
			return nil
		}
		var opts *ort.SessionOptions
		opts, err = ort.NewSessionOptions()
		if err != nil {
			return nil
		}
		defer opts.Destroy()
		if o.Threads > 0 {
			if err = opts.SetIntraOpNumThreads(o.Threads); err != nil {
				return nil
			}
		}
		var s *ort.DynamicAdvancedSession
		s, err = ort.NewDynamicAdvancedSessionWithONNXData(gs[name], ins, outs, opts)
		if err != nil {
			err = fmt.Errorf("onnxruntime could not load graph %s: %v", name, err)
		}
		return s
	}
	r.enc = mk(graphs.Encoder, []string{"x"}, []string{"mu", "sigma"})
	r.cond = mk(graphs.Conductor, []string{"z"}, []string{"cond"})
	r.dinit = mk(graphs.DecoderInit, []string{"c"}, []string{"h", "c0"})
	r.step = mk(graphs.DecoderStep, []string{"prev", "cu", "h", "c"}, []string{"logits", "h_out", "c_out"})
	r.full = mk(graphs.Full, []string{"x", "eps"}, []string{"logits", "mu", "sigma"})
	if err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
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
	for _, s := range []*ort.DynamicAdvancedSession{r.enc, r.cond, r.dinit, r.step, r.full} {
		if s != nil {
			s.Destroy()
		}
	}
	r.enc, r.cond, r.dinit, r.step, r.full = nil, nil, nil, nil, nil
	return nil
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
		d := o.(*ort.Tensor[float32]).GetData()
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

// Encode: x [B,T,D] -> mu, sigma [B,Z].
func (r *ORT) Encode(x []float32, B int, mu, sigma []float32) error {
	c := r.cfg
	return run(r.enc, []*tensorIn{in(x, B, c.T(), c.InputSize)}, [][]float32{mu, sigma})
}

// Conduct: z [B,Z] -> cond [B,U,Hc].
func (r *ORT) Conduct(z []float32, B int, cond []float32) error {
	return run(r.cond, []*tensorIn{in(z, B, r.cfg.ZSize)}, [][]float32{cond})
}

// Forward runs the full teacher-forced graph.
func (r *ORT) Forward(x, eps []float32, B int, logits, mu, sigma []float32) error {
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
	for _, t := range []*ort.Tensor[float32]{s.prev, s.cu, s.logits, s.h[0], s.h[1], s.c[0], s.c[1]} {
		if t != nil {
			t.Destroy()
		}
	}
	*s = ortState{}
	return nil
}

// NewState preallocates the step's tensors for B sequences.
func (r *ORT) NewState(B int) (generate.State, error) {
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
func (r *ORT) DecoderInit(s generate.State, cu []float32) error {
	st := s.(*ortState)
	copy(st.cu.GetData(), cu)
	st.cur = 0
	return r.dinit.Run([]ort.Value{st.cu}, []ort.Value{st.h[0], st.c[0]})
}

// DecoderStep runs one step with the preallocated tensors.
func (r *ORT) DecoderStep(s generate.State, prev, cu, logits []float32) error {
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
