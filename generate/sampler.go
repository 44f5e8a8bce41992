package generate

import (
	"math"

	"github.com/musicvae-go/mvae/music"
)

// Sampler turns one step's logits into the token fed back as the next
// step's input (spec §4). Probabilities are computed in float64 from the
// float32 logits; the token's velocities and offsets in float32.
type Sampler struct {
	Rep         music.Representation
	Temperature float64
	// Unmasked feeds back a groove step as [hit, σ(l_vel), tanh(l_off)]
	// (Magenta's GrooVAE), not multiplied by hit (the spec).
	Unmasked bool
	p        []float64 // scratch for categorical sampling
}

// Token samples tok (D values, overwritten) from logits l with stream r.
// groove draws 9 uniforms, one per class in order; a categorical
// representation draws 1; both also at temperature 0.
func (s *Sampler) Token(l []float32, r *SplitMix64, tok []float32) {
	clear(tok)
	if s.Rep == music.Groove {
		const C = music.NumDrumClasses
		for k := 0; k < C; k++ {
			u := r.Uniform()
			var hit bool
			if s.Temperature == 0 {
				hit = l[k] > 0
			} else {
				hit = below(u, float64(l[k])/s.Temperature)
			}
			if hit {
				tok[k] = 1
			}
			if hit || s.Unmasked {
				tok[C+k] = sigmoid32(l[C+k])
				tok[2*C+k] = float32(math.Tanh(float64(l[2*C+k])))
			}
		}
		return
	}
	u := r.Uniform()
	k := 0
	if s.Temperature == 0 {
		for i, v := range l {
			if v > l[k] {
				k = i
			}
		}
	} else {
		k = s.categorical(l, u)
	}
	tok[k] = 1
}

// categorical returns the smallest k with u < c_k, c the cumulative sums of
// softmax(l / temperature), or the last class.
func (s *Sampler) categorical(l []float32, u float64) int {
	if cap(s.p) < len(l) {
		s.p = make([]float64, len(l))
	}
	p := s.p[:len(l)]
	m := math.Inf(-1)
	for i, v := range l {
		p[i] = float64(v) / s.Temperature
		m = math.Max(m, p[i])
	}
	sum := 0.0
	for i := range p {
		p[i] = math.Exp(p[i] - m)
		sum += p[i]
	}
	c := 0.0
	for i := range p {
		c += p[i] / sum
		if u < c {
			return i
		}
	}
	return len(l) - 1
}

// below reports u < sigmoid64(x), the hit test of a groove class. Where
// sigmoidGrid bounds sigmoid64(x) clear of u it answers from the bounds,
// without an exponential (all but about one time in 128 for a uniform u);
// otherwise it computes sigmoid64(x). The answer is always that of
// u < sigmoid64(x): the bounds hold sigmoid64's value, not an estimate.
func below(u, x float64) bool {
	var lo, hi float64
	switch {
	case x > sigmoidMin && x < sigmoidMax:
		k := min(int((x-sigmoidMin)*(1/sigmoidStep)), sigmoidN-1)
		lo, hi = sigmoidGrid[k]-sigmoidMargin, sigmoidGrid[k+1]+sigmoidMargin
	case x <= sigmoidMin:
		lo, hi = -1, sigmoidGrid[0]+sigmoidMargin
	case x >= sigmoidMax:
		lo, hi = sigmoidGrid[sigmoidN]-sigmoidMargin, 2
	default: // NaN
		return u < sigmoid64(x)
	}
	if u < lo {
		return true
	}
	if u >= hi {
		return false
	}
	return u < sigmoid64(x)
}

// sigmoidGrid[k] is sigmoid64(sigmoidMin + k sigmoidStep). The logistic
// function rises, so for x in [x_k, x_{k+1}] its value lies in [grid[k],
// grid[k+1]]; sigmoid64 is within a few ulps (< 1e-15) of it, and an x
// that rounds into the neighbouring interval moves it by less than that, so
// sigmoidMargin (1e-12) covers both.
var sigmoidGrid = func() (g [sigmoidN + 1]float64) {
	for k := range g {
		g[k] = sigmoid64(sigmoidMin + float64(k)*sigmoidStep)
	}
	return g
}()

const (
	sigmoidMin    = -16.0
	sigmoidMax    = 16.0
	sigmoidN      = 1024
	sigmoidStep   = (sigmoidMax - sigmoidMin) / sigmoidN
	sigmoidMargin = 1e-12
)

// sigmoid64 is the logistic function in float64.
func sigmoid64(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// sigmoid32 is the logistic function of a float32, rounded to float32.
func sigmoid32(x float32) float32 {
	return float32(sigmoid64(float64(x)))
}
