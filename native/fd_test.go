package native

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/musicvae-go/mvae/model"
)

// TestFiniteDifferences checks every gradient of LossAndGrad against central
// differences of the float64 reference's loss (ref64), on two spec models
// (groove and melody, two segments, two-layer stacks) and on every family of
// model.TinyFamilies.
func TestFiniteDifferences(t *testing.T) {
	type tc struct {
		name    string
		c       *model.Config
		entries int // checked per tensor
	}
	var cases []tc
	for _, rep := range []string{"groove", "melody"} {
		cases = append(cases, tc{"spec_" + rep, &model.Config{Format: model.ConfigFormat, Representation: rep, DrumMap: "gm", StepsPerQuarter: 4,
			Bars: 1, Segments: 2, InputSize: map[string]int{"groove": 27, "melody": 90}[rep], ZSize: 3,
			Encoder: model.LSTMSize{Hidden: 3, Layers: 2}, Conductor: model.LSTMSize{Hidden: 2, Layers: 2},
			Decoder: model.LSTMSize{Hidden: 3, Layers: 2}, FreeBits: 0, MaxBeta: 1}, 12})
	}
	for _, n := range families() {
		e := 5
		if n == "trio_hier" { // 692 columns: the slowest reference by far
			e = 3
		}
		cases = append(cases, tc{n, model.TinyFamilies()[n], e})
	}
	for n, c := range extraFamilies() {
		cases = append(cases, tc{n, c, 3})
	}
	for _, k := range cases {
		t.Run(k.name, func(t *testing.T) {
			c, w, m := randomModel(t, k.c, 5)
			rng := rand.New(rand.NewPCG(5, 5))
			B := 2
			x, eps := randomBatch(c, B, rng)
			beta, fb := 0.7, 0.5
			g := NewGrads(c)
			if _, err := m.LossAndGrad(x, eps, B, beta, fb, g); err != nil {
				t.Fatal(err)
			}
			r := newRef64(c, w)
			x64, e64 := to64(x), to64(eps)
			for _, p := range c.Params() {
				n := p.Name
				v := r.w[n]
				maxRef, maxDiff := 0.0, 0.0
				idx := rng.Perm(len(v))
				if len(idx) > k.entries {
					idx = idx[:k.entries]
				}
				for _, i := range idx {
					const h = 1e-6
					old := v[i]
					v[i] = old + h
					lp := r.loss64(x64, e64, B, beta, fb)
					v[i] = old - h
					lm := r.loss64(x64, e64, B, beta, fb)
					v[i] = old
					fd := (lp - lm) / (2 * h)
					maxRef = math.Max(maxRef, math.Abs(fd))
					maxDiff = math.Max(maxDiff, math.Abs(fd-float64(g[n].Data[i])))
				}
				if maxDiff > 1e-3*math.Max(maxRef, 1e-3) {
					t.Errorf("%s: analytic gradient differs from finite differences by %g (max |grad| %g)", n, maxDiff, maxRef)
				}
			}
			// The float64 loss agrees with the float32 one.
			parts, err := m.LossAndGrad(x, eps, B, beta, fb, nil)
			if err != nil {
				t.Fatal(err)
			}
			if l := r.loss64(x64, e64, B, beta, fb); math.Abs(l-parts.Loss) > 1e-4*math.Abs(l) {
				t.Errorf("loss %v, float64 reference %v", parts.Loss, l)
			}
		})
	}
}
