package generate

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"

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
func Parity(a, b Backend, B int, seed uint64) (*ParityReport, error) {
	c := a.Config()
	rng := rand.New(rand.NewPCG(seed, 2))
	rep := &ParityReport{Batch: B, Seed: seed, TokensAgree: true}
	x := RandomWindows(c, B, rng)
	eps := make([]float32, B*c.ZSize)
	for i := range eps {
		eps[i] = float32(rng.NormFloat64())
	}
	type out struct{ mu, sigma, cond, logits, fl, fmu, fsigma []float32 }
	var outs [2]out
	for i, be := range []Backend{a, b} {
		var err error
		o := &outs[i]
		if o.mu, o.sigma, err = EncodeTokens(be, x, B); err != nil {
			return nil, err
		}
		o.cond = make([]float32, B*c.Segments*c.CondWidth())
		if err = be.Conduct(outs[0].mu, B, o.cond); err != nil {
			return nil, err
		}
		if o.fl, o.fmu, o.fsigma, err = Forward(be, x, eps, B); err != nil {
			return nil, err
		}
	}
	rep.Rows = append(rep.Rows,
		compare("encoder", "mu", outs[0].mu, outs[1].mu),
		compare("encoder", "sigma", outs[0].sigma, outs[1].sigma),
		compare("conductor", "cond", outs[0].cond, outs[1].cond))
	// Decoder steps, both fed the same tokens (sampled from the first runtime).
	steps, err := stepLogits(a, b, outs[0].cond, B, seed)
	if err != nil {
		return nil, err
	}
	rep.Rows = append(rep.Rows, compare("decoder_init+decoder_step", "logits", steps[0], steps[1]),
		compare("full", "logits", outs[0].fl, outs[1].fl),
		compare("full", "mu", outs[0].fmu, outs[1].fmu),
		compare("full", "sigma", outs[0].fsigma, outs[1].fsigma))
	for _, temp := range []float64{0, 0.5, 1} {
		var toks [2][]float32
		for i, be := range []Backend{a, b} {
			if _, toks[i], err = Sample(be, B, Options{Temperature: temp, Seed: seed}); err != nil {
				return nil, err
			}
		}
		D := c.InputSize
		for k := range toks[0] {
			exact := c.Rep() != music.Groove || k%D < music.NumDrumClasses
			d := math.Abs(float64(toks[0][k] - toks[1][k]))
			if (exact && d != 0) || d > 1e-5 {
				rep.TokensAgree = false
				rep.TokenDetails = fmt.Sprintf("temperature %g: sequence %d, step %d, column %d: %v vs %v", temp, k/(c.T()*D), (k/D)%c.T(), k%D, toks[0][k], toks[1][k])
				break
			}
		}
		if !rep.TokensAgree {
			break
		}
	}
	rep.OK = rep.TokensAgree
	for _, r := range rep.Rows {
		rep.OK = rep.OK && r.OK
	}
	return rep, nil
}

// stepLogits runs the decoders of both runtimes over all T steps from the
// same conductor outputs, feeding both the tokens the first runtime samples.
// The logits are listed step by step, split by split.
func stepLogits(a, b Backend, cond []float32, B int, seed uint64) ([2][]float32, error) {
	c := a.Config()
	T, D, U, S, C := c.T(), c.InputSize, c.Segments, c.S(), c.CondWidth()
	var all [2][]float32
	var sts [2]State
	for i, be := range []Backend{a, b} {
		st, err := be.NewState(B)
		if err != nil {
			return all, err
		}
		defer st.Close()
		sts[i] = st
		all[i] = make([]float32, 0, B*T*D)
	}
	rngs := make([]*SplitMix64, B)
	for i := range rngs {
		rngs[i] = NewSplitMix64(seed + uint64(i))
	}
	splits := newSplits(c, B, 1)
	other := make([][]float32, len(splits)) // the second runtime's logits
	for k, sp := range splits {
		other[k] = make([]float32, len(sp.logits))
	}
	cu := make([]float32, B*C)
	for u := 0; u < U; u++ {
		for i := 0; i < B; i++ {
			copy(cu[i*C:(i+1)*C], cond[(i*U+u)*C:(i*U+u+1)*C])
		}
		for k := range splits {
			for j, be := range []Backend{a, b} {
				if err := be.DecoderInit(sts[j], k, cu); err != nil {
					return all, err
				}
			}
		}
		for s := 0; s < S; s++ {
			for k, sp := range splits {
				for j, out := range [][]float32{sp.logits, other[k]} {
					if err := []Backend{a, b}[j].DecoderStep(sts[j], k, sp.prev, cu, out); err != nil {
						return all, err
					}
					all[j] = append(all[j], out...)
				}
				for i := 0; i < B; i++ {
					sp.smp.Token(sp.logits[i*sp.D:(i+1)*sp.D], rngs[i], sp.prev[i*sp.D:(i+1)*sp.D])
				}
			}
		}
	}
	return all, nil
}
