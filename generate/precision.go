package generate

import (
	"fmt"
	"math"

	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/music"
)

// PrecisionReport measures how far a model with weights stored below float32
// (test) departs from its float32 original (ref) on N windows.
type PrecisionReport struct {
	Windows int `json:"windows"`
	// The teacher-forced logits (z = mu, each model its own encoder):
	// max and mean |test - ref| over every logit.
	LogitMaxAbs  float64 `json:"logit_max_abs_diff"`
	LogitMeanAbs float64 `json:"logit_mean_abs_diff"`
	// Decisions are the tokens at temperature 0 of the teacher-forced
	// logits: per step, a hit or not per drum class (groove) or one class
	// per split (categorical). Agreement is the share equal in both.
	Decisions int     `json:"decisions"`
	Agreement float64 `json:"token_agreement"`
	// The same for the free-running decode at temperature 0 from ref's mu
	// (each model feeding back its own tokens, so that one difference can
	// change the rest of a sequence).
	GeneratedDecisions int     `json:"generated_decisions"`
	GeneratedAgreement float64 `json:"generated_token_agreement"`
}

// String is the report in one line.
func (r *PrecisionReport) String() string {
	return fmt.Sprintf("%d windows: logits max |diff| %.3g, mean %.3g; tokens at temperature 0 agree %.2f%% teacher-forced (%d decisions), %.2f%% generated (%d)",
		r.Windows, r.LogitMaxAbs, r.LogitMeanAbs, 100*r.Agreement, r.Decisions, 100*r.GeneratedAgreement, r.GeneratedDecisions)
}

// ComparePrecision runs ref and test (the same model in two precisions) on
// windows x [N, T, D], batch at a time, and measures their difference (see
// PrecisionReport).
func ComparePrecision(ref, test Backend, x []float32, N, batch int) (*PrecisionReport, error) {
	c := ref.Config()
	if !c.Equal(test.Config()) {
		return nil, fmt.Errorf("the two models have different configs")
	}
	if err := checkBatch(batch); err != nil {
		return nil, err
	}
	T, D := c.T(), c.InputSize
	if N <= 0 || len(x) != N*T*D {
		return nil, fmt.Errorf("%d values are not %d windows of %d x %d", len(x), N, T, D)
	}
	r := &PrecisionReport{Windows: N}
	var sum float64
	var nLogits, agree, gAgree int
	for b0 := 0; b0 < N; b0 += batch {
		B := min(batch, N-b0)
		xb := x[b0*T*D : (b0+B)*T*D]
		eps := make([]float32, B*c.ZSize)
		rl, rmu, _, err := Forward(ref, xb, eps, B)
		if err != nil {
			return nil, err
		}
		tl, _, _, err := Forward(test, xb, eps, B)
		if err != nil {
			return nil, err
		}
		for i := range rl {
			d := math.Abs(float64(tl[i]) - float64(rl[i]))
			if math.IsNaN(d) {
				return nil, fmt.Errorf("logit %d: %v against %v", i, tl[i], rl[i])
			}
			r.LogitMaxAbs = math.Max(r.LogitMaxAbs, d)
			sum += d
		}
		nLogits += len(rl)
		a, n := agreeing(c, rl, tl, B, true)
		agree += a
		r.Decisions += n
		rt, err := Decode(ref, rmu, B, Options{})
		if err != nil {
			return nil, err
		}
		tt, err := Decode(test, rmu, B, Options{})
		if err != nil {
			return nil, err
		}
		a, n = agreeing(c, rt, tt, B, false)
		gAgree += a
		r.GeneratedDecisions += n
	}
	r.LogitMeanAbs = sum / float64(nLogits)
	r.Agreement = float64(agree) / float64(max(r.Decisions, 1))
	r.GeneratedAgreement = float64(gAgree) / float64(max(r.GeneratedDecisions, 1))
	return r, nil
}

// agreeing counts the decisions at temperature 0 that a and b [B, T, D]
// share, and all of them: of logits (tokens drawn by the Sampler at
// temperature 0), or of tokens.
func agreeing(c *model.Config, a, b []float32, B int, logits bool) (agree, n int) {
	T, D := c.T(), c.InputSize
	r := NewSplitMix64(0) // temperature 0 draws uniforms it does not use
	for k, Dk := range c.SplitDepths() {
		off := c.SplitOffset(k)
		smp := &Sampler{Rep: c.SplitRep(k), Unmasked: !c.MaskedFeedback()}
		ta, tb := make([]float32, Dk), make([]float32, Dk)
		for s := 0; s < B*T; s++ {
			va, vb := a[s*D+off:s*D+off+Dk], b[s*D+off:s*D+off+Dk]
			if logits {
				smp.Token(va, r, ta)
				smp.Token(vb, r, tb)
				va, vb = ta, tb
			}
			if smp.Rep == music.Groove {
				for q := 0; q < music.NumDrumClasses; q++ {
					n++
					if (va[q] > 0.5) == (vb[q] > 0.5) {
						agree++
					}
				}
				continue
			}
			n++
			if argmax(va) == argmax(vb) {
				agree++
			}
		}
	}
	return agree, n
}

func argmax(v []float32) int {
	k := 0
	for i, x := range v {
		if x > v[k] {
			k = i
		}
	}
	return k
}
