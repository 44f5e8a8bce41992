package native

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/musicvae-go/mvae/generate"
)

// latents is z = mu + sigma·eps of m's encoder for tokens x, in float32.
func latents(t *testing.T, m *Model, x, eps []float32, B int) []float32 {
	t.Helper()
	mu, sigma, err := generate.EncodeTokens(m, x, B)
	if err != nil {
		t.Fatal(err)
	}
	for i := range mu {
		mu[i] += sigma[i] * eps[i]
	}
	return mu
}

// TestScheduledSampling: on every family, generate.Scheduled over the
// native backend feeds x's tokens at rate 0 and Decode's at rate 1 (both
// at temperature 0, bit for bit); at rate 0.5 every fed token is x's or the
// float64 reference's greedy token after the fed prefix, and both occur.
// LossAndGradFed on those tokens matches the reference's loss with the same
// inputs, its gradients match central differences of it, the Trainer
// agrees, fed = x gives LossAndGrad's bits, and no input is changed.
func TestScheduledSampling(t *testing.T) {
	for _, name := range append(families(), "trio_hier2_flat", "mel_enc2_dec3") {
		t.Run(name, func(t *testing.T) {
			c, w, m := tinyFamily(t, name, 21)
			r := newRef64(c, w)
			T, D, Z := c.T(), c.InputSize, c.ZSize
			B := 3
			x, eps := randomBatch(c, B, rand.New(rand.NewPCG(21, 1)))
			x0, eps0 := slices.Clone(x), slices.Clone(eps)
			z := latents(t, m, x, eps, B)
			z0 := slices.Clone(z)
			o := generate.Options{Temperature: 0, Seed: 5}

			fed, err := generate.Scheduled(m, z, x, B, 0, o)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(fed, x) {
				t.Error("rate 0 does not feed x's tokens")
			}
			fed, err = generate.Scheduled(m, z, x, B, 1, o)
			if err != nil {
				t.Fatal(err)
			}
			dec, err := generate.Decode(m, z, B, o)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(fed, dec) {
				t.Error("rate 1 at temperature 0 does not feed Decode's tokens")
			}

			fed, err = generate.Scheduled(m, z, x, B, 0.5, o)
			if err != nil {
				t.Fatal(err)
			}
			teacher, own := 0, 0
			throwaway := generate.NewSplitMix64(0)
			for b := 0; b < B; b++ {
				f := window(to64(fed[b*T*D:(b+1)*T*D]), T, D)
				xb := window(to64(x[b*T*D:(b+1)*T*D]), T, D)
				_, _, logits := r.forwardFed(xb, f, to64(eps[b*Z:(b+1)*Z]))
				for tt := 0; tt < T; tt++ {
					for k, Dk := range c.SplitDepths() {
						off := c.SplitOffset(k)
						got := f[tt][off : off+Dk]
						if slices.Equal(got, xb[tt][off:off+Dk]) {
							teacher++
							continue
						}
						own++
						l := logits[tt][off : off+Dk]
						for j, v := range r.token(k, l, 0, throwaway) {
							if math.Abs(got[j]-v) > 1e-5 && !nearZero(l, j, Dk) {
								t.Fatalf("sequence %d step %d split %d: fed %v; neither x's %v nor the greedy token after the fed prefix", b, tt, k, got, xb[tt][off:off+Dk])
							}
						}
					}
				}
			}
			if teacher == 0 || own == 0 {
				t.Errorf("rate 0.5: %d steps fed x's token, %d the decoder's own: want both", teacher, own)
			}
			fed0 := slices.Clone(fed)

			beta, fb := 0.7, 0.5
			g := NewGrads(c)
			p, err := m.LossAndGradFed(x, fed, eps, B, beta, fb, g)
			if err != nil {
				t.Fatal(err)
			}
			x64, f64, e64 := to64(x), to64(fed), to64(eps)
			if l := r.lossFed64(x64, f64, e64, B, beta, fb); math.Abs(l-p.Loss) > 1e-4*math.Abs(l) {
				t.Errorf("loss %v, reference %v", p.Loss, l)
			}
			if tf := r.loss64(x64, e64, B, beta, fb); math.Abs(tf-p.Loss) < 1e-6*math.Abs(tf) {
				t.Errorf("the fed loss %v equals the teacher-forced one: fed was not used", p.Loss)
			}
			rng := rand.New(rand.NewPCG(21, 2))
			entries := 2
			if strings.HasPrefix(name, "trio") { // 692 columns: the slowest reference by far
				entries = 1
			}
			for _, prm := range c.Params() {
				v := r.w[prm.Name]
				maxRef, maxDiff := 0.0, 0.0
				for _, i := range rng.Perm(len(v))[:min(entries, len(v))] {
					const h = 1e-6
					old := v[i]
					v[i] = old + h
					lp := r.lossFed64(x64, f64, e64, B, beta, fb)
					v[i] = old - h
					lm := r.lossFed64(x64, f64, e64, B, beta, fb)
					v[i] = old
					fd := (lp - lm) / (2 * h)
					maxRef = math.Max(maxRef, math.Abs(fd))
					maxDiff = math.Max(maxDiff, math.Abs(fd-float64(g[prm.Name].Data[i])))
				}
				if maxDiff > 1e-3*math.Max(maxRef, 1e-3) {
					t.Errorf("%s: gradient differs from finite differences by %g (max |grad| %g)", prm.Name, maxDiff, maxRef)
				}
			}

			g3 := NewGrads(c)
			p3, err := (&Trainer{M: m, Workers: 2}).LossAndGradFed(x, fed, eps, B, beta, fb, g3)
			if err != nil {
				t.Fatal(err)
			}
			trainerAgrees(t, "Trainer", p, p3, g, g3)

			gx, gtf := NewGrads(c), NewGrads(c)
			px, err := m.LossAndGradFed(x, x, eps, B, beta, fb, gx)
			if err != nil {
				t.Fatal(err)
			}
			ptf, err := m.LossAndGrad(x, eps, B, beta, fb, gtf)
			if err != nil {
				t.Fatal(err)
			}
			if px != ptf {
				t.Errorf("fed = x: %+v; LossAndGrad %+v", px, ptf)
			}
			for n, a := range gtf {
				if !slices.Equal(a.Data, gx[n].Data) {
					t.Fatalf("fed = x: %s differs from LossAndGrad's", n)
				}
			}

			if !slices.Equal(x, x0) || !slices.Equal(eps, eps0) || !slices.Equal(z, z0) || !slices.Equal(fed, fed0) {
				t.Error("an input changed")
			}
		})
	}
}

// nearZero reports whether the greedy choice of column j of logits l could
// go either way between float32 and float64: a hit logit within 1e-4 of 0.
func nearZero(l []float64, j, D int) bool {
	return D == 27 && j < 27 && math.Abs(l[j%9]) < 1e-4
}

// TestScheduledRefuses: a rate outside [0, 1] or NaN, and x or fed of the
// wrong length, are errors.
func TestScheduledRefuses(t *testing.T) {
	c, _, m := tinyFamily(t, families()[0], 1)
	B := 2
	x, eps := randomBatch(c, B, rand.New(rand.NewPCG(1, 1)))
	z := latents(t, m, x, eps, B)
	for _, rate := range []float64{-0.1, 1.5, math.NaN(), math.Inf(1)} {
		if _, err := generate.Scheduled(m, z, x, B, rate, generate.Options{}); err == nil {
			t.Errorf("rate %v: no error", rate)
		}
	}
	if _, err := generate.Scheduled(m, z, x[:len(x)-1], B, 0.5, generate.Options{}); err == nil {
		t.Error("short x: no error")
	}
	if _, err := m.LossAndGradFed(x, x[:len(x)-1], eps, B, 0, 0, nil); err == nil {
		t.Error("short fed: no error")
	}
}
