package native

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/model"
)

// loss64 is the spec's loss (§2) computed in float64 straight from the
// spec's pseudocode, independently of LossAndGrad: the function whose
// finite differences check the backward pass.
func loss64(c *model.Config, w map[string][]float64, x, eps []float64, B int, beta, fb float64) float64 {
	T, D, Z, U, S := c.T(), c.InputSize, c.ZSize, c.Segments, c.S()
	sig := func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }
	lin := func(name string, v []float64, out int) []float64 {
		W, b := w[name+".weight"], w[name+".bias"]
		in := len(v)
		y := make([]float64, out)
		for j := range y {
			y[j] = b[j]
			for k := 0; k < in; k++ {
				y[j] += W[j*in+k] * v[k]
			}
		}
		return y
	}
	cell := func(name string, x, h, cc []float64) ([]float64, []float64) {
		H := len(h)
		I := len(x)
		wih, whh, bih, bhh := w[name+"weight_ih"], w[name+"weight_hh"], w[name+"bias_ih"], w[name+"bias_hh"]
		g := make([]float64, 4*H)
		for r := range g {
			g[r] = bih[r] + bhh[r]
			for k := 0; k < I; k++ {
				g[r] += wih[r*I+k] * x[k]
			}
			for k := 0; k < H; k++ {
				g[r] += whh[r*H+k] * h[k]
			}
		}
		h2, c2 := make([]float64, H), make([]float64, H)
		for k := 0; k < H; k++ {
			c2[k] = sig(g[H+k])*cc[k] + sig(g[k])*math.Tanh(g[2*H+k])
			h2[k] = sig(g[3*H+k]) * math.Tanh(c2[k])
		}
		return h2, c2
	}
	initS := func(name string, v []float64, L, H int) ([][]float64, [][]float64) {
		s := lin(name, v, 2*L*H)
		h0, c0 := make([][]float64, L), make([][]float64, L)
		for l := 0; l < L; l++ {
			h0[l], c0[l] = make([]float64, H), make([]float64, H)
			for k := 0; k < H; k++ {
				h0[l][k] = math.Tanh(s[l*H+k])
				c0[l][k] = math.Tanh(s[(L+l)*H+k])
			}
		}
		return h0, c0
	}
	total := 0.0
	for b := 0; b < B; b++ {
		xb := func(t int) []float64 { return x[(b*T+t)*D : (b*T+t+1)*D] }
		// Encoder.
		seq := make([][]float64, T)
		for t := range seq {
			seq[t] = xb(t)
		}
		var hf, hb []float64
		He := c.Encoder.Hidden
		for k := 0; k < c.Encoder.Layers; k++ {
			outF, outB := make([][]float64, T), make([][]float64, T)
			h, cc := make([]float64, He), make([]float64, He)
			for t := 0; t < T; t++ {
				h, cc = cell(fmt.Sprintf("encoder.lstm.@l%d", k), seq[t], h, cc)
				outF[t] = h
			}
			hf = h
			h, cc = make([]float64, He), make([]float64, He)
			for t := T - 1; t >= 0; t-- {
				h, cc = cell(fmt.Sprintf("encoder.lstm.@l%d_reverse", k), seq[t], h, cc)
				outB[t] = h
			}
			hb = h
			for t := range seq {
				seq[t] = append(append([]float64{}, outF[t]...), outB[t]...)
			}
		}
		hcat := append(append([]float64{}, hf...), hb...)
		mu := lin("encoder.mu", hcat, Z)
		sp := lin("encoder.sigma", hcat, Z)
		z := make([]float64, Z)
		kl := 0.0
		for k := range z {
			s := math.Log1p(math.Exp(sp[k]))
			z[k] = mu[k] + s*eps[b*Z+k]
			kl += 0.5*(mu[k]*mu[k]+s*s-1) - math.Log(s)
		}
		// Conductor.
		Lc, Hc := c.Conductor.Layers, c.Conductor.Hidden
		h, cc := initS("conductor.init", z, Lc, Hc)
		cond := make([][]float64, U)
		for u := 0; u < U; u++ {
			in := []float64{0}
			for l := 0; l < Lc; l++ {
				h[l], cc[l] = cell(fmt.Sprintf("conductor.lstm.@l%d", l), in, h[l], cc[l])
				in = h[l]
			}
			cond[u] = in
		}
		// Decoder and reconstruction.
		Ld, Hd := c.Decoder.Layers, c.Decoder.Hidden
		r := 0.0
		for u := 0; u < U; u++ {
			h, cc := initS("decoder.init", cond[u], Ld, Hd)
			for s := 0; s < S; s++ {
				t := u*S + s
				prev := make([]float64, D)
				if t > 0 {
					copy(prev, xb(t-1))
				}
				in := append(prev, cond[u]...)
				for l := 0; l < Ld; l++ {
					h[l], cc[l] = cell(fmt.Sprintf("decoder.lstm.@l%d", l), in, h[l], cc[l])
					in = h[l]
				}
				lg := lin("decoder.out", in, D)
				y := xb(t)
				if c.Representation == "groove" {
					for k := 0; k < 9; k++ {
						r += math.Max(lg[k], 0) - lg[k]*y[k] + math.Log1p(math.Exp(-math.Abs(lg[k])))
						r += math.Pow(sig(lg[9+k])-y[9+k], 2) + math.Pow(math.Tanh(lg[18+k])-y[18+k], 2)
					}
				} else {
					tgt, mx := 0, lg[0]
					for i := range y {
						if y[i] > y[tgt] {
							tgt = i
						}
						mx = math.Max(mx, lg[i])
					}
					se := 0.0
					for _, v := range lg {
						se += math.Exp(v - mx)
					}
					r += mx + math.Log(se) - lg[tgt]
				}
			}
		}
		total += r + beta*math.Max(kl-fb*math.Ln2, 0)
	}
	return total / float64(B)
}

// TestFiniteDifferences checks every gradient of a tiny model against central
// differences of loss64 (float64), for groove and a categorical model.
func TestFiniteDifferences(t *testing.T) {
	for _, rep := range []string{"groove", "melody"} {
		c := &model.Config{Format: model.ConfigFormat, Representation: rep, DrumMap: "gm", StepsPerQuarter: 4,
			Bars: 1, Segments: 2, InputSize: map[string]int{"groove": 27, "melody": 90}[rep], ZSize: 3,
			Encoder: model.LSTMSize{Hidden: 3, Layers: 2}, Conductor: model.LSTMSize{Hidden: 2, Layers: 2},
			Decoder: model.LSTMSize{Hidden: 3, Layers: 2}, FreeBits: 0, MaxBeta: 1}
		rng := rand.New(rand.NewPCG(5, 5))
		w := model.Weights{}
		for _, p := range c.Params() {
			tn := model.NewTensorOf(p.Shape)
			for i := range tn.Data {
				tn.Data[i] = float32(rng.NormFloat64() * 0.5)
			}
			w[p.Name] = tn
		}
		B := 2
		x := generate.RandomWindows(c, B, rng)
		eps := make([]float32, B*c.ZSize)
		for i := range eps {
			eps[i] = float32(rng.NormFloat64())
		}
		beta, fb := 0.7, 0.5
		m, err := New(c, w)
		if err != nil {
			t.Fatal(err)
		}
		g := NewGrads(c)
		if _, err := m.LossAndGrad(x, eps, B, beta, fb, g); err != nil {
			t.Fatal(err)
		}
		// float64 copies, keyed as loss64 looks them up.
		w64 := map[string][]float64{}
		key := func(name string) string {
			// encoder.lstm.weight_ih_l0_reverse -> encoder.lstm.@l0_reverseweight_ih
			for _, part := range []string{"weight_ih", "weight_hh", "bias_ih", "bias_hh"} {
				if i := indexOf(name, "."+part+"_l"); i >= 0 {
					return name[:i+1] + "@" + name[i+1+len(part)+1:] + part
				}
			}
			return name
		}
		for n, tn := range w {
			v := make([]float64, len(tn.Data))
			for i, f := range tn.Data {
				v[i] = float64(f)
			}
			w64[key(n)] = v
		}
		x64, e64 := to64(x), to64(eps)
		for n := range w {
			v := w64[key(n)]
			maxRef, maxDiff := 0.0, 0.0
			// Up to 12 entries of each tensor (all of the small ones).
			idx := rng.Perm(len(v))
			if len(idx) > 12 {
				idx = idx[:12]
			}
			for _, i := range idx {
				const h = 1e-6
				old := v[i]
				v[i] = old + h
				lp := loss64(c, w64, x64, e64, B, beta, fb)
				v[i] = old - h
				lm := loss64(c, w64, x64, e64, B, beta, fb)
				v[i] = old
				fd := (lp - lm) / (2 * h)
				maxRef = math.Max(maxRef, math.Abs(fd))
				maxDiff = math.Max(maxDiff, math.Abs(fd-float64(g[n].Data[i])))
			}
			if maxDiff > 1e-3*math.Max(maxRef, 1e-3) {
				t.Errorf("%s %s: analytic gradient differs from finite differences by %g (max |grad| %g)", rep, n, maxDiff, maxRef)
			}
		}
		// The float64 loss agrees with the float32 one.
		parts, err := m.LossAndGrad(x, eps, B, beta, fb, nil)
		if err != nil {
			t.Fatal(err)
		}
		if l := loss64(c, w64, x64, e64, B, beta, fb); math.Abs(l-parts.Loss) > 1e-4*math.Abs(l) {
			t.Errorf("%s: loss %v, float64 reference %v", rep, parts.Loss, l)
		}
	}
}

func to64(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, f := range v {
		out[i] = float64(f)
	}
	return out
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}
