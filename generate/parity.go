package generate

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/music"
)

// ParityTolerance is the largest absolute difference mvae parity accepts.
const ParityTolerance = 1e-4

// ParityRow compares one output of two runtimes.
type ParityRow struct {
	Graph  string  `json:"graph"`
	Output string  `json:"output"`
	MaxAbs float64 `json:"max_abs_diff"`
	MaxRel float64 `json:"max_rel_diff"` // |a-b| / max(|a|, |b|), over values of magnitude >= 1e-3
	OK     bool    `json:"ok"`
}

// MarshalJSON writes a difference that is not finite (NaN outputs, shapes
// that differ) as null: JSON has no Inf.
func (r ParityRow) MarshalJSON() ([]byte, error) {
	finite := func(x float64) *float64 {
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return nil
		}
		return &x
	}
	return json.Marshal(struct {
		Graph  string   `json:"graph"`
		Output string   `json:"output"`
		MaxAbs *float64 `json:"max_abs_diff"`
		MaxRel *float64 `json:"max_rel_diff"`
		OK     bool     `json:"ok"`
	}{r.Graph, r.Output, finite(r.MaxAbs), finite(r.MaxRel), r.OK})
}

// ParityReport is what Parity found.
type ParityReport struct {
	Batch        int         `json:"batch"`
	Seed         uint64      `json:"seed"`
	Rows         []ParityRow `json:"rows"`
	TokensAgree  bool        `json:"tokens_agree"`
	TokenDetails string      `json:"token_details,omitempty"`
	OK           bool        `json:"ok"`
}

// MaxAbsDiff returns max_i |a[i] - b[i]| in float64: +Inf where the lengths
// differ or any difference is NaN, so that "within tolerance" can never hold
// by accident. Reference loop:
//
//	for i := range a {
//	    d = max(d, |a[i] - b[i]|)
//	}
func MaxAbsDiff(a, b []float32) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	d := 0.0
	for i := range a {
		x := math.Abs(float64(a[i]) - float64(b[i]))
		if math.IsNaN(x) {
			return math.Inf(1)
		}
		d = math.Max(d, x)
	}
	return d
}

func compare(graph, output string, a, b []float32) ParityRow {
	r := ParityRow{Graph: graph, Output: output, MaxAbs: MaxAbsDiff(a, b)}
	if math.IsInf(r.MaxAbs, 1) {
		r.MaxRel = math.Inf(1)
		return r
	}
	for i := range a {
		d := math.Abs(float64(a[i]) - float64(b[i]))
		m := math.Max(math.Abs(float64(a[i])), math.Abs(float64(b[i])))
		if m >= 1e-3 {
			r.MaxRel = math.Max(r.MaxRel, d/m)
		}
	}
	r.OK = r.MaxAbs <= ParityTolerance
	return r
}

// Parity runs two runtimes of one model on the same random inputs (seeded):
// the encoder, the conductor, the decoder step by step (both fed the same
// tokens), the teacher-forced forward, and sequences sampled at temperatures
// 0, 0.5 and 1, whose hits and classes must agree exactly.
//
// It runs in two passes, RecordParity(a, B, seed) then Compare(b): a runs
// the whole check first and what it computed is recorded, then b runs on
// the same inputs and is compared with the recording, so that a caller can
// let a go before it opens b (the two models' weights are never held at
// once). The inputs are the same as when the two ran side by side: the
// conductors both run on a's mu, the decoders both on a's conductor
// outputs, fed at each step the tokens sampled from a's logits (recorded
// step by step), and the sampled sequences come from the same seed.
func Parity(a, b Backend, B int, seed uint64) (*ParityReport, error) {
	rec, err := RecordParity(a, B, seed)
	if err != nil {
		return nil, err
	}
	return rec.Compare(b)
}

// ParityRecord is what the first runtime of Parity computed, and the inputs
// it was given, for Compare to run a second runtime on.
type ParityRecord struct {
	c     *model.Config
	b     int
	seed  uint64
	x     []float32 // [B,T,D] random windows
	eps   []float32 // [B,Z]
	outs  parityOuts
	steps []float32   // the decoder steps' logits, step by step, split by split
	fed   [][]float32 // the tokens fed to each of those steps (prev)
	toks  [][]float32 // the sequences sampled at each of parityTemperatures
}

// parityOuts are one runtime's outputs of the encoder, the conductor and the
// teacher-forced forward.
type parityOuts struct{ mu, sigma, cond, logits, mu2, sigma2 []float32 }

// parityTemperatures are the temperatures Parity samples at.
var parityTemperatures = []float64{0, 0.5, 1}

// RecordParity runs the first pass of Parity on a: B random windows from
// seed, and every output the check compares.
func RecordParity(a Backend, B int, seed uint64) (*ParityRecord, error) {
	c := a.Config()
	rng := rand.New(rand.NewPCG(seed, 2))
	r := &ParityRecord{c: c, b: B, seed: seed, x: RandomWindows(c, B, rng)}
	r.eps = make([]float32, B*c.ZSize)
	for i := range r.eps {
		r.eps[i] = float32(rng.NormFloat64())
	}
	var err error
	if r.outs, err = r.run(a, nil); err != nil {
		return nil, err
	}
	if r.steps, err = r.stepLogits(a, true); err != nil {
		return nil, err
	}
	for _, temp := range parityTemperatures {
		_, toks, err := Sample(a, B, Options{Temperature: temp, Seed: seed})
		if err != nil {
			return nil, err
		}
		r.toks = append(r.toks, toks)
	}
	return r, nil
}

// run runs the teacher-forced forward, the encoder and the conductor (on
// the recorded mu, or its own for the first runtime) of be.
func (r *ParityRecord) run(be Backend, first *parityOuts) (parityOuts, error) {
	c, B := r.c, r.b
	var o parityOuts
	var err error
	// The forward first: a backend that loads a graph of its own for it
	// can let that go before the others run (runtime.Options.ReleaseFull).
	if o.logits, o.mu2, o.sigma2, err = Forward(be, r.x, r.eps, B); err != nil {
		return o, err
	}
	if o.mu, o.sigma, err = EncodeTokens(be, r.x, B); err != nil {
		return o, err
	}
	mu := o.mu
	if first != nil {
		mu = first.mu
	}
	o.cond = make([]float32, B*c.Segments*c.CondWidth())
	if err = be.Conduct(mu, B, o.cond); err != nil {
		return o, err
	}
	return o, nil
}

// Compare runs the second pass of Parity on b, on the recorded inputs, and
// reports how its outputs differ from the recorded ones.
func (r *ParityRecord) Compare(b Backend) (*ParityReport, error) {
	c, B := r.c, r.b
	if bc := b.Config(); bc.T() != c.T() || bc.InputSize != c.InputSize || bc.ZSize != c.ZSize ||
		bc.Segments != c.Segments || bc.CondWidth() != c.CondWidth() || !slices.Equal(bc.SplitDepths(), c.SplitDepths()) {
		return nil, fmt.Errorf("parity: the second runtime's model has other sizes than the first's")
	}
	rep := &ParityReport{Batch: B, Seed: r.seed, TokensAgree: true}
	o, err := r.run(b, &r.outs)
	if err != nil {
		return nil, err
	}
	rep.Rows = append(rep.Rows,
		compare("encoder", "mu", r.outs.mu, o.mu),
		compare("encoder", "sigma", r.outs.sigma, o.sigma),
		compare("conductor", "cond", r.outs.cond, o.cond))
	steps, err := r.stepLogits(b, false)
	if err != nil {
		return nil, err
	}
	rep.Rows = append(rep.Rows, compare("decoder_init+decoder_step", "logits", r.steps, steps),
		compare("full", "logits", r.outs.logits, o.logits),
		compare("full", "mu", r.outs.mu2, o.mu2),
		compare("full", "sigma", r.outs.sigma2, o.sigma2))
	for j, temp := range parityTemperatures {
		_, toks, err := Sample(b, B, Options{Temperature: temp, Seed: r.seed})
		if err != nil {
			return nil, err
		}
		D := c.InputSize
		want := r.toks[j]
		if len(toks) != len(want) {
			rep.TokensAgree = false
			rep.TokenDetails = fmt.Sprintf("temperature %g: %d token values vs %d", temp, len(want), len(toks))
			break
		}
		for k := range want {
			exact := c.Rep() != music.Groove || k%D < music.NumDrumClasses
			d := math.Abs(float64(want[k] - toks[k]))
			if (exact && d != 0) || d > 1e-5 {
				rep.TokensAgree = false
				rep.TokenDetails = fmt.Sprintf("temperature %g: sequence %d, step %d, column %d: %v vs %v", temp, k/(c.T()*D), (k/D)%c.T(), k%D, want[k], toks[k])
				break
			}
		}
		if !rep.TokensAgree {
			break
		}
	}
	rep.OK = rep.TokensAgree
	for _, row := range rep.Rows {
		rep.OK = rep.OK && row.OK
	}
	return rep, nil
}

// stepLogits runs be's decoders over all T steps from the first runtime's
// conductor outputs and returns the logits, step by step, split by split.
// The first runtime (first) samples the token each step feeds the next
// from its own logits and records it; the second is fed the recorded ones.
func (r *ParityRecord) stepLogits(be Backend, first bool) ([]float32, error) {
	c, B := r.c, r.b
	T, D, U, S, C := c.T(), c.InputSize, c.Segments, c.S(), c.CondWidth()
	st, err := be.NewState(B)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	all := make([]float32, 0, B*T*D)
	rngs := make([]*SplitMix64, B)
	for i := range rngs {
		rngs[i] = NewSplitMix64(r.seed + uint64(i))
	}
	splits := newSplits(c, B, 1)
	cu := make([]float32, B*C)
	n := 0 // steps run
	for u := 0; u < U; u++ {
		for i := 0; i < B; i++ {
			copy(cu[i*C:(i+1)*C], r.outs.cond[(i*U+u)*C:(i*U+u+1)*C])
		}
		for k := range splits {
			if err := be.DecoderInit(st, k, cu); err != nil {
				return nil, err
			}
		}
		for s := 0; s < S; s++ {
			for k, sp := range splits {
				prev := sp.prev
				if first {
					r.fed = append(r.fed, slices.Clone(prev))
				} else {
					prev = r.fed[n]
				}
				n++
				if err := be.DecoderStep(st, k, prev, cu, sp.logits); err != nil {
					return nil, err
				}
				all = append(all, sp.logits...)
				if first {
					for i := 0; i < B; i++ {
						sp.smp.Token(sp.logits[i*sp.D:(i+1)*sp.D], rngs[i], sp.prev[i*sp.D:(i+1)*sp.D])
					}
				}
			}
		}
	}
	return all, nil
}
