// Package bench measures how fast a model generates (and trains) on mvae's
// runtimes, side by side in one process: sequences a second, milliseconds a
// decoder step, the peak resident memory, native's ratio to each other
// runtime, and, at batch 1, the step time that memory bandwidth alone
// allows. mvae bench and make bench run it; graphs/torch/bench.py writes
// PyTorch's records in the same form.
package bench

import (
	"fmt"
	"math/rand/v2"
	rt "runtime"
	"slices"
	"time"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/native"
	"github.com/musicvae-go/mvae/runtime"
)

// Runtimes mvae bench knows.
const (
	Native = "native"
	ORT    = "ort"
)

// Options of a benchmark run.
type Options struct {
	Bundle   *model.Bundle
	Model    string   // how records name the model: a preset's name or a file
	Batches  []int    // batch sizes, each at least 1
	Runtimes []string // Native, ORT
	// Precisions are the weights' precisions native runs at (nil: f32):
	// the bundle's float32 weights rounded (model.Quantize) for each.
	// onnxruntime runs the float32 weights once (it would widen the others
	// back to float32).
	Precisions []model.Precision
	// Train measures native training steps (forward, backward, gradient
	// clipping, Adam) instead of generation; onnxruntime does not train.
	Train bool
	// A cell (one runtime at one batch) is timed for Steps runs (a run is
	// one generate.Sample of a batch, or one training step) or Seconds,
	// whichever comes first; 0 bounds nothing, and with both 0 a cell is
	// one run.
	Steps   int
	Seconds float64
	// Threads is onnxruntime's intra-op threads; 0: every CPU.
	Threads int
	// ORTSpin lets onnxruntime's idle threads spin (its default); without
	// it they sleep (runtime.Options.NoSpinning), which is faster on a
	// machine whose cores other work shares.
	ORTSpin bool
	LibPath string // onnxruntime's library (runtime.Options.LibPath)
	Seed    uint64
	// Log, if set, is told what runs.
	Log func(format string, args ...any)
	// Progress, if set, is told after each cell how many of all are done.
	Progress func(done, total int)
}

// Record is one cell's result, as mvae bench --json prints it.
type Record struct {
	Model     string `json:"model"`
	Runtime   string `json:"runtime"`
	Mode      string `json:"mode"` // "generate" or "train"
	Batch     int    `json:"batch"`
	Precision string `json:"precision"` // f32, bf16, int8, f16 (model.Precision.Short)
	Threads   int    `json:"threads"`   // threads the runtime computes on
	Params    int    `json:"params"`
	// SequencesPerSecond: sequences generated a second (the whole loop:
	// conductor, decoder steps, sampling).
	SequencesPerSecond float64 `json:"sequences_per_second,omitempty"`
	// ExamplesPerSecond: training examples a second (--train).
	ExamplesPerSecond float64 `json:"examples_per_second,omitempty"`
	// StepMS: milliseconds of one decoder step of the batch (every split
	// decoder's, sampling excluded); for training, of one optimizer step.
	StepMS       float64 `json:"step_ms"`
	PeakRSSBytes int64   `json:"peak_rss_bytes"`
	Runs         int     `json:"runs"`    // runs timed
	Seconds      float64 `json:"seconds"` // their time
	// At batch 1 of the native runtime's generation: the bytes of weights
	// a step reads (StepBytes), this machine's memcpy bandwidth on every core, bytes read
	// and written a second (MemcpyBandwidth), and their quotient, the
	// fastest step memory bandwidth allows a model whose weights do not
	// fit in the caches.
	WeightBytesPerStep   int64   `json:"weight_bytes_per_step,omitempty"`
	MemcpyBytesPerSecond float64 `json:"memcpy_bytes_per_second,omitempty"`
	BoundStepMS          float64 `json:"bandwidth_bound_step_ms,omitempty"`
	// NativeRatio, on another runtime's record: native's throughput at the
	// same batch and precision divided by this one's (above 1: native is
	// faster).
	NativeRatio float64 `json:"native_ratio,omitempty"`
	// F32Ratio, on a native record below float32: its throughput over
	// native float32's at the same batch, measured in the same run.
	F32Ratio float64 `json:"f32_ratio,omitempty"`
}

// memcpyTime is how long Run measures the memcpy rate (tests shorten it).
var memcpyTime = 300 * time.Millisecond

// Run measures every runtime at every batch, runtime by runtime, and
// returns the records in that order.
func Run(o Options) ([]Record, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	c := o.Bundle.Config()
	var recs []Record
	var bw float64
	precs := o.Precisions
	if len(precs) == 0 {
		precs = []model.Precision{model.F32}
	}
	for _, name := range o.Runtimes {
		for _, p := range precs {
			if name != Native && p != model.F32 {
				continue
			}
			b := o.Bundle
			if p != b.Precision() {
				var err error
				if b, err = model.Quantize(o.Bundle, p); err != nil {
					return nil, err
				}
			}
			be, threads, err := o.open(name, b)
			if err != nil {
				return nil, err
			}
			for _, B := range o.Batches {
				if o.Progress != nil {
					o.Progress(len(recs), len(o.Runtimes)*len(precs)*len(o.Batches))
				}
				o.logf("%s: %s %s, batch %d ...", o.Model, name, p.Short(), B)
				r := Record{Model: o.Model, Runtime: name, Mode: "generate", Batch: B, Precision: p.Short(), Threads: threads, Params: c.NumParams()}
				if o.Train {
					r.Mode = "train"
					err = o.train(be.(*native.Model), B, &r)
				} else {
					err = o.generate(be, B, &r)
				}
				if err != nil {
					be.Close()
					return nil, fmt.Errorf("%s %s at batch %d: %w", name, p.Short(), B, err)
				}
				if name == Native && B == 1 && !o.Train {
					if bw == 0 {
						bw = MemcpyBandwidth(memcpyTime)
					}
					r.WeightBytesPerStep, r.MemcpyBytesPerSecond = StepBytes(c, p), bw
					r.BoundStepMS = float64(r.WeightBytesPerStep) / bw * 1e3
				}
				recs = append(recs, r)
			}
			if err := be.Close(); err != nil {
				return nil, err
			}
		}
	}
	if o.Progress != nil {
		o.Progress(len(recs), len(recs))
	}
	SetNativeRatios(recs)
	return recs, nil
}

// SetNativeRatios sets NativeRatio on every record of a runtime other than
// native that has a native record of the same model, mode and batch.
func SetNativeRatios(recs []Record) {
	for i := range recs {
		r := &recs[i]
		for _, n := range recs {
			if n.Runtime != Native || n.Model != r.Model || n.Mode != r.Mode || n.Batch != r.Batch {
				continue
			}
			t := r.throughput()
			switch {
			case t <= 0:
			case r.Runtime != Native && n.Precision == r.Precision:
				r.NativeRatio = n.throughput() / t
			case r.Runtime == Native && r.Precision != "f32" && n.Precision == "f32" && n.throughput() > 0:
				r.F32Ratio = t / n.throughput()
			}
		}
	}
}

func (r *Record) throughput() float64 { return r.SequencesPerSecond + r.ExamplesPerSecond }

func (o *Options) check() error {
	if o.Bundle == nil {
		return fmt.Errorf("bench: no model")
	}
	for _, p := range o.Precisions {
		if !slices.Contains(model.Precisions, p) {
			return fmt.Errorf("bench: precision %q (want float32, bfloat16, int8 or float16)", p)
		}
		if p != model.F32 && o.Train {
			return fmt.Errorf("training runs in float32 only: --precision %s measures inference", p.Short())
		}
	}
	if len(o.Batches) == 0 || len(o.Runtimes) == 0 {
		return fmt.Errorf("bench: no batch or no runtime to measure")
	}
	for _, B := range o.Batches {
		if B < 1 {
			return fmt.Errorf("batch %d: want at least 1", B)
		}
	}
	for _, r := range o.Runtimes {
		switch r {
		case Native:
		case ORT:
			if o.Train {
				return fmt.Errorf("onnxruntime does not train in mvae: measure training with the native runtime alone")
			}
		default:
			return fmt.Errorf("unknown runtime %q (want native or ort)", r)
		}
	}
	if o.Steps < 0 || o.Seconds < 0 || o.Seconds != o.Seconds {
		return fmt.Errorf("bench: steps %d and seconds %v must be at least 0", o.Steps, o.Seconds)
	}
	return nil
}

func (o *Options) logf(format string, args ...any) {
	if o.Log != nil {
		o.Log(format, args...)
	}
}

// open opens runtime name on the model and says how many threads it
// computes on.
func (o *Options) open(name string, b *model.Bundle) (generate.Backend, int, error) {
	switch name {
	case ORT:
		th := o.Threads
		if th <= 0 {
			th = rt.NumCPU()
		}
		be, err := runtime.OpenBackend(b, runtime.Options{LibPath: o.LibPath, Threads: th, DecodeOnly: true, NoSpinning: !o.ORTSpin})
		return be, th, err
	default:
		if o.Train {
			// A model that trains keeps its weights as they are (New).
			w, err := b.Weights()
			if err != nil {
				return nil, 0, err
			}
			m, err := native.New(b.Config(), w)
			return m, rt.GOMAXPROCS(0), err // the Trainer splits the batch
		}
		m, err := native.Open(b)
		return m, rt.GOMAXPROCS(0), err // large products and cells split over every CPU
	}
}

// done reports whether a cell that has timed runs runs in d is done.
func (o *Options) done(runs int, d time.Duration) bool {
	if o.Steps == 0 && o.Seconds == 0 {
		return runs >= 1
	}
	return o.Steps > 0 && runs >= o.Steps || o.Seconds > 0 && d.Seconds() >= o.Seconds
}

// timed is a backend whose decoder steps are timed.
type timed struct {
	generate.Backend
	steps int
	d     time.Duration
}

func (t *timed) DecoderStep(st generate.State, k int, prev, cu, logits []float32) error {
	start := time.Now()
	err := t.Backend.DecoderStep(st, k, prev, cu, logits)
	t.d += time.Since(start)
	t.steps++
	return err
}

// warm runs the conductor and one decoder step of every split at batch B,
// so that the first timed run pays no first-call costs.
func warm(be generate.Backend, B int) error {
	c := be.Config()
	if err := be.Conduct(make([]float32, B*c.ZSize), B, make([]float32, B*c.Segments*c.CondWidth())); err != nil {
		return err
	}
	st, err := be.NewState(B)
	if err != nil {
		return err
	}
	defer st.Close()
	cu := make([]float32, B*c.CondWidth())
	for k, D := range c.SplitDepths() {
		if err := be.DecoderInit(st, k, cu); err != nil {
			return err
		}
		if err := be.DecoderStep(st, k, make([]float32, B*D), cu, make([]float32, B*D)); err != nil {
			return err
		}
	}
	return nil
}

func (o *Options) generate(be generate.Backend, B int, r *Record) error {
	if err := warm(be, B); err != nil {
		return err
	}
	t := &timed{Backend: be}
	resetPeakRSS()
	start := time.Now()
	runs := 0
	for !o.done(runs, time.Since(start)) {
		if _, _, err := generate.Sample(t, B, generate.Options{Temperature: 1, Seed: o.Seed + uint64(runs*B)}); err != nil {
			return err
		}
		runs++
	}
	d := time.Since(start)
	r.PeakRSSBytes = PeakRSS()
	r.Runs, r.Seconds = runs, d.Seconds()
	r.SequencesPerSecond = float64(runs*B) / d.Seconds()
	steps := runs * be.Config().T()
	r.StepMS = t.d.Seconds() * 1e3 / float64(steps)
	return nil
}

// train times optimizer steps at batch B: LossAndGrad over every CPU
// (native.Trainer), gradient clipping, Adam, and the model refreshed from
// the new weights, as mvae finetune does.
func (o *Options) train(m *native.Model, B int, r *Record) error {
	c := m.Config()
	// Adam updates a private copy of the weights, which each step's Refresh
	// builds the model from: the bundle's are never written.
	w := native.NewGrads(c)
	bw, err := o.Bundle.Weights()
	if err != nil {
		return err
	}
	for n, t := range bw {
		copy(w[n].Data, t.Data)
	}
	rng := rand.New(rand.NewPCG(o.Seed, 1))
	x := generate.RandomWindows(c, B, rng)
	eps := make([]float32, B*c.ZSize)
	for i := range eps {
		eps[i] = float32(rng.NormFloat64())
	}
	g := native.NewGrads(c)
	adam := native.NewAdam(c)
	tr := &native.Trainer{M: m}
	step := func() error {
		if _, err := tr.LossAndGrad(x, eps, B, c.MaxBeta, c.FreeBits, g); err != nil {
			return err
		}
		native.ClipGlobalNorm(g, 1)
		adam.Update(w, g, 1e-4, nil)
		tr.M.Refresh(w)
		return nil
	}
	if err := step(); err != nil { // untimed: the first step allocates the workers' gradients
		return err
	}
	resetPeakRSS()
	start := time.Now()
	runs := 0
	for !o.done(runs, time.Since(start)) {
		if err := step(); err != nil {
			return err
		}
		runs++
	}
	d := time.Since(start)
	r.PeakRSSBytes = PeakRSS()
	r.Runs, r.Seconds = runs, d.Seconds()
	r.ExamplesPerSecond = float64(runs*B) / d.Seconds()
	r.StepMS = d.Seconds() * 1e3 / float64(runs)
	return nil
}
