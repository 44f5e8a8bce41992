//go:build cgo

package runtime

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"slices"
	"sync"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/graphs"
	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/music"
)

// ORT runs a bundle's graphs under onnxruntime. Its sessions are created once
// and shared by every request; it is safe for concurrent use, each request
// with its own State.
type ORT struct {
	cfg         *model.Config
	enc, cond   *ort.DynamicAdvancedSession   // cond is nil for a model without a conductor
	dinit, step []*ort.DynamicAdvancedSession // one of each for every split decoder

	// The full graph holds every weight again: it is built and loaded the
	// first time Forward runs, not for generation.
	bundle  *model.Bundle
	opts    Options
	dir     string // the graphs' weights files (graphs.ForBundleExternal), removed by Close
	fullMu  sync.Mutex
	full    *ort.DynamicAdvancedSession
	fullErr error
	onceMu  sync.Mutex // serializes Forward under Options.ReleaseFull
}

var _ generate.Backend = (*ORT)(nil)

// Open loads a bundle's graphs (graphs.NamesOf) into onnxruntime sessions.
// The graphs run are built from the bundle's weights, and every graph the
// bundle stores must be the one built (graphs.ForBundle): onnxruntime never
// runs a graph that disagrees with the weights, nor reads anything a graph
// names outside it.
func Open(b *model.Bundle, o Options) (*ORT, error) {
	if _, err := Init(o.LibPath); err != nil {
		return nil, err
	}
	c := b.Config()
	n := len(c.SplitDepths())
	r := &ORT{cfg: c, dinit: make([]*ort.DynamicAdvancedSession, n), step: make([]*ort.DynamicAdvancedSession, n), bundle: b, opts: o}
	sessions := map[string]**ort.DynamicAdvancedSession{graphs.Encoder: &r.enc, graphs.Conductor: &r.cond}
	for k := 0; k < n; k++ {
		sessions[graphs.DecoderInitOf(c, k)] = &r.dinit[k]
		sessions[graphs.DecoderStepOf(c, k)] = &r.step[k]
	}
	// Every graph the bundle stores is checked here, the full graph too; the
	// full graph itself is loaded when Forward first needs it.
	names := graphs.GenerationGraphs(c)
	if o.DecodeOnly {
		names = slices.DeleteFunc(names, func(n string) bool { return n == graphs.Encoder })
	}
	// Each graph's weights go to a file of a folder of the backend's own,
	// which onnxruntime maps: no serialized graph holding every weight in
	// Go's memory while onnxruntime reads it (seed-size generate: 4.9x the
	// weights at the peak to 2.2x).
	dir, err := os.MkdirTemp("", "mvae-ort-")
	if err != nil {
		return nil, err
	}
	r.dir = dir
	err = graphs.ForBundleExternal(b, names, dir, func(name string, onnx []byte) error {
		s, err := newDynamicSession(onnx, graphs.Inputs(c, name), graphs.Outputs(c, name), o, dir)
		if c.NumParams() > 1<<24 {
			debug.FreeOSMemory() // a big model's garbage of building the graph, before the next one
		}
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
	// The sessions hold what they need (the weights files of dir): the
	// float32 weights a bundle read from its file go back to the system
	// (seed-size import check: 0.7 GB less at the peak).
	b.ReleaseWeights()
	return r, nil
}

// newDynamicSession loads a graph with the session options mvae uses: every
// graph optimisation onnxruntime has (its default, said explicitly).
func newDynamicSession(onnx []byte, ins, outs []string, o Options, dir string) (*ort.DynamicAdvancedSession, error) {
	opts, err := ort.NewSessionOptions()
	if err != nil {
		return nil, err
	}
	defer opts.Destroy()
	if err := opts.AddSessionConfigEntry("session.model_external_initializers_file_folder_path", dir); err != nil {
		return nil, err
	}
	if err := opts.SetGraphOptimizationLevel(ort.GraphOptimizationLevelEnableAll); err != nil {
		return nil, err
	}
	if o.NoPrepacking {
		if err := opts.AddSessionConfigEntry("session.disable_prepacking", "1"); err != nil {
			return nil, err
		}
	}
	if o.NoSpinning {
		if err := opts.AddSessionConfigEntry("session.intra_op.allow_spinning", "0"); err != nil {
			return nil, err
		}
	}
	if o.Threads > 0 {
		if err := opts.SetIntraOpNumThreads(o.Threads); err != nil {
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
	r.fullMu.Lock()
	defer r.fullMu.Unlock()
	all := append([]*ort.DynamicAdvancedSession{r.enc, r.cond, r.full}, r.dinit...)
	for _, s := range append(all, r.step...) {
		if s != nil {
			errs = append(errs, s.Destroy())
		}
	}
	r.enc, r.cond, r.full, r.dinit, r.step, r.bundle = nil, nil, nil, nil, nil, nil
	if r.dir != "" {
		errs = append(errs, os.RemoveAll(r.dir))
		r.dir = ""
	}
	return errors.Join(errs...)
}

// run runs s on freshly wrapped inputs and copies outputs into dst.
func run(s *ort.DynamicAdvancedSession, ins []*tensorIn, dst [][]float32) error {
	for i, in := range ins {
		// onnxruntime_go reads the first values of a longer buffer: a
		// buffer of another size is the caller's mistake, said here.
		if n := numel(in.shape); int64(len(in.data)) != n {
			return fmt.Errorf("onnxruntime: input %d has %d values; its shape %v holds %d", i, len(in.data), in.shape, n)
		}
	}
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

func numel(shape []int64) int64 {
	n := int64(1)
	for _, d := range shape {
		n *= d
	}
	return n
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

// Encode: x [B,T,D_in] (the encoder's input) -> mu, sigma [B,Z].
func (r *ORT) Encode(x []float32, B int, mu, sigma []float32) error {
	if err := checkBatch(B); err != nil {
		return err
	}
	if r.enc == nil {
		return ErrNotLoaded
	}
	c := r.cfg
	return run(r.enc, []*tensorIn{in(x, B, c.T(), c.EncoderIn())}, [][]float32{mu, sigma})
}

// Conduct: z [B,Z] -> cond [B,U,C]; without a conductor, cond is z.
func (r *ORT) Conduct(z []float32, B int, cond []float32) error {
	if err := checkBatch(B); err != nil {
		return err
	}
	if r.cond == nil {
		if n := B * r.cfg.ZSize; len(z) != n || len(cond) != n {
			return fmt.Errorf("onnxruntime: z has %d values and cond %d; want %d x %d", len(z), len(cond), B, r.cfg.ZSize)
		}
		copy(cond, z)
		return nil
	}
	return run(r.cond, []*tensorIn{in(z, B, r.cfg.ZSize)}, [][]float32{cond})
}

// Forward runs the full teacher-forced graph on the tokens x [B,T,D]; for a
// model whose encoder_input transforms them, it feeds the graph the
// encoder's input too (music.EncoderInput.Apply).
func (r *ORT) Forward(x, eps []float32, B int, logits, mu, sigma []float32) error {
	if err := checkBatch(B); err != nil {
		return err
	}
	if r.opts.DecodeOnly {
		return ErrNotLoaded
	}
	c := r.cfg
	T, D := c.T(), c.InputSize
	ins := []*tensorIn{in(x, B, T, D), in(eps, B, c.ZSize)}
	if graphs.HasEncoderInput(c) {
		if len(x) != B*T*D {
			return fmt.Errorf("onnxruntime: x has %d values; want %d x %d x %d", len(x), B, T, D)
		}
		xin := make([]float32, B*T*c.EncoderIn())
		music.EncoderInput(c.EncoderInput).Apply(xin, x, c.Rep(), B, T)
		ins = append(ins, in(xin, B, T, c.EncoderIn()))
	}
	if r.opts.ReleaseFull {
		r.onceMu.Lock()
		defer r.onceMu.Unlock()
		defer r.releaseFull()
	}
	full, err := r.fullSession()
	if err != nil {
		return err
	}
	return run(full, ins, [][]float32{logits, mu, sigma})
}

// releaseFull destroys the full graph's session (Options.ReleaseFull): the
// next Forward builds and loads it again.
func (r *ORT) releaseFull() {
	r.fullMu.Lock()
	defer r.fullMu.Unlock()
	if r.full != nil {
		r.full.Destroy()
		r.full = nil
	}
}

// LoadFull loads the full graph now, as Forward would the first time it
// runs: a caller that holds other copies of the weights later (the import
// check's native model) loads it before, so that the weights this reads
// and the garbage of building the graph never add up with them.
func (r *ORT) LoadFull() error {
	_, err := r.fullSession()
	return err
}

// fullSession loads the full graph, built from the bundle's weights (which
// Open has checked, with every graph the bundle stores), once.
func (r *ORT) fullSession() (*ort.DynamicAdvancedSession, error) {
	r.fullMu.Lock()
	defer r.fullMu.Unlock()
	if r.full != nil || r.fullErr != nil {
		return r.full, r.fullErr
	}
	if r.bundle == nil {
		return nil, errors.New("onnxruntime: the backend is closed")
	}
	onnx, err := r.buildFull()
	if err == nil {
		r.full, err = newDynamicSession(onnx, graphs.Inputs(r.cfg, graphs.Full), graphs.Outputs(r.cfg, graphs.Full), r.opts, r.dir)
	}
	if err != nil {
		r.fullErr = fmt.Errorf("onnxruntime could not load graph %s: %v", graphs.Full, err)
		if r.bundle.Name() != "" {
			r.fullErr = fmt.Errorf("%s: %w", r.bundle.Name(), r.fullErr)
		}
	}
	return r.full, r.fullErr
}

// buildFull builds the full graph, its weights in a file of r.dir; the
// float32 weights a bundle read from its file for it, and the garbage of
// building it, go back to the system before onnxruntime loads it.
func (r *ORT) buildFull() ([]byte, error) {
	w, err := r.bundle.Weights()
	if err != nil {
		return nil, err
	}
	onnx, err := graphs.BuildExternal(r.cfg, w, graphs.Full, r.dir)
	r.bundle.ReleaseWeights()
	if r.cfg.NumParams() > 1<<24 {
		w = nil
		debug.FreeOSMemory()
	}
	return onnx, err
}

// ortState holds a batch's decoder state in onnxruntime tensors made once:
// cu, shared by the split decoders, and each split's own (splitState).
type ortState struct {
	B      int
	cu     *ort.Tensor[float32]
	splits []*splitState
}

// splitState is one split decoder's tensors: two sets of h and c that swap
// roles every step, so a step copies only prev, cu and the logits.
type splitState struct {
	prev   *ort.Tensor[float32]
	logits *ort.Tensor[float32]
	h, c   [2]*ort.Tensor[float32]
	cur    int
	ins    []ort.Value
	outs   []ort.Value
}

func (s *ortState) Batch() int { return s.B }

func (s *ortState) Close() error {
	var errs []error
	ts := []*ort.Tensor[float32]{s.cu}
	for _, sp := range s.splits {
		ts = append(ts, sp.prev, sp.logits, sp.h[0], sp.h[1], sp.c[0], sp.c[1])
	}
	for _, t := range ts {
		if t != nil {
			errs = append(errs, t.Destroy())
		}
	}
	*s = ortState{}
	return errors.Join(errs...)
}

// NewState preallocates every split decoder's step tensors for B sequences.
func (r *ORT) NewState(B int) (generate.State, error) {
	if err := checkBatch(B); err != nil {
		return nil, err
	}
	c := r.cfg
	st := &ortState{B: B}
	var err error
	mk := func(shape ...int) *ort.Tensor[float32] {
		if err != nil {
			return nil
		}
		var t *ort.Tensor[float32]
		t, err = ort.NewEmptyTensor[float32](ort.NewShape(shape64(shape)...))
		return t
	}
	Ld, Hd := c.Decoder.Layers, c.Decoder.Hidden
	st.cu = mk(B, c.CondWidth())
	for _, D := range c.SplitDepths() {
		sp := &splitState{ins: make([]ort.Value, 4), outs: make([]ort.Value, 3)}
		st.splits = append(st.splits, sp)
		sp.prev, sp.logits = mk(B, D), mk(B, D)
		for i := 0; i < 2; i++ {
			sp.h[i], sp.c[i] = mk(Ld, B, Hd), mk(Ld, B, Hd)
		}
	}
	if err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

// split returns split decoder k's state.
func (r *ORT) split(s generate.State, k int) (*ortState, *splitState, error) {
	st, ok := s.(*ortState)
	if !ok || st.cu == nil {
		return nil, nil, fmt.Errorf("onnxruntime: a decoder state that is not an open onnxruntime state (%T)", s)
	}
	if k < 0 || k >= len(st.splits) {
		return nil, nil, fmt.Errorf("onnxruntime: split decoder %d; the model has %d", k, len(st.splits))
	}
	return st, st.splits[k], nil
}

// checkLen is an error when buffer what does not hold want values.
func checkLen(what string, buf []float32, want int) error {
	if len(buf) != want {
		return fmt.Errorf("onnxruntime: %s has %d values, want %d", what, len(buf), want)
	}
	return nil
}

// DecoderInit sets split decoder k's state to init(c_u).
func (r *ORT) DecoderInit(s generate.State, k int, cu []float32) error {
	st, sp, err := r.split(s, k)
	if err != nil {
		return err
	}
	if err := checkLen("cu", cu, st.B*r.cfg.CondWidth()); err != nil {
		return err
	}
	copy(st.cu.GetData(), cu)
	sp.cur = 0
	return r.dinit[k].Run([]ort.Value{st.cu}, []ort.Value{sp.h[0], sp.c[0]})
}

// DecoderStep runs one step of split decoder k with the preallocated tensors.
func (r *ORT) DecoderStep(s generate.State, k int, prev, cu, logits []float32) error {
	st, sp, err := r.split(s, k)
	if err != nil {
		return err
	}
	D := r.cfg.SplitDepths()[k]
	for _, e := range []error{checkLen("cu", cu, st.B*r.cfg.CondWidth()), checkLen("prev", prev, st.B*D), checkLen("logits", logits, st.B*D)} {
		if e != nil {
			return e
		}
	}
	copy(sp.prev.GetData(), prev)
	copy(st.cu.GetData(), cu)
	a, b := sp.cur, 1-sp.cur
	sp.ins[0], sp.ins[1], sp.ins[2], sp.ins[3] = sp.prev, st.cu, sp.h[a], sp.c[a]
	sp.outs[0], sp.outs[1], sp.outs[2] = sp.logits, sp.h[b], sp.c[b]
	if err := r.step[k].Run(sp.ins, sp.outs); err != nil {
		return err
	}
	sp.cur = b
	copy(logits, sp.logits.GetData())
	return nil
}
