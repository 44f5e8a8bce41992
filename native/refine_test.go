package native

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/model"
)

// TestRefineGradient checks Refine's gradient in z against central
// differences of the float64 reference's reconstruction (beta 0, so the
// loss is the reconstruction; d/d eps_k = d/d z_k · sigma_k), on the spec's
// groove model and on every tiny family.
func TestRefineGradient(t *testing.T) {
	names := append(families(), "")
	for _, n := range names {
		c := &model.Config{Format: model.ConfigFormat, Representation: "groove", DrumMap: "gm", StepsPerQuarter: 4,
			Bars: 1, Segments: 2, InputSize: 27, ZSize: 3,
			Encoder: model.LSTMSize{Hidden: 3, Layers: 2}, Conductor: model.LSTMSize{Hidden: 2, Layers: 2},
			Decoder: model.LSTMSize{Hidden: 3, Layers: 2}, MaxBeta: 1}
		if n != "" {
			c = model.TinyFamilies()[n]
		}
		name := n
		if name == "" {
			name = "spec_groove"
		}
		t.Run(name, func(t *testing.T) {
			c, w, m := randomModel(t, c, 9)
			rng := rand.New(rand.NewPCG(9, 9))
			B := 2
			x, eps := randomBatch(c, B, rng)
			ein, err := generate.EncoderInput(c, x, B)
			if err != nil {
				t.Fatal(err)
			}
			Z := c.ZSize
			mu, sigma := make([]float32, B*Z), make([]float32, B*Z)
			if err := m.Encode(ein, B, mu, sigma); err != nil {
				t.Fatal(err)
			}
			z := make([]float32, B*Z)
			for i := range z {
				z[i] = mu[i] + sigma[i]*eps[i]
			}
			dz := make([]float32, B*Z)
			m.reconGradZ(x, z, B, dz)
			r := newRef64(c, w)
			x64, e64 := to64(x), to64(eps)
			for i := range e64 {
				const h = 1e-6
				old := e64[i]
				e64[i] = old + h
				lp := r.loss64(x64, e64, B, 0, 0)
				e64[i] = old - h
				lm := r.loss64(x64, e64, B, 0, 0)
				e64[i] = old
				fd := (lp - lm) / (2 * h)
				got := float64(dz[i]) * float64(sigma[i])
				if math.Abs(fd-got) > 1e-3*math.Max(math.Abs(fd), 1e-2) {
					t.Errorf("z[%d]: gradient %g · sigma %g = %g; central differences %g", i, dz[i], sigma[i], got, fd)
				}
			}
		})
	}
}

// TestRefine: refining lowers the reconstruction loss, leaves x as it was,
// moves each sequence by its own loss (a batch of two gives each the z it
// gets alone), and 0 steps leave z unchanged.
func TestRefine(t *testing.T) {
	c, _, m := tinyFamily(t, "groove_4bar", 3)
	rng := rand.New(rand.NewPCG(3, 3))
	B, Z := 2, c.ZSize
	x, z := randomBatch(c, B, rng)
	x0, z0 := slices.Clone(x), slices.Clone(z)

	same := slices.Clone(z)
	before, after, err := m.Refine(x, same, B, RefineOptions{})
	if err != nil || !slices.Equal(same, z0) || before != after {
		t.Fatalf("0 steps: z changed or before %v != after %v (err %v)", before, after, err)
	}

	before, after, err = m.Refine(x, z, B, RefineOptions{Steps: 30})
	if err != nil {
		t.Fatal(err)
	}
	if !(after < before) {
		t.Errorf("reconstruction %v after 30 steps, %v before: want lower", after, before)
	}
	if !slices.Equal(x, x0) {
		t.Error("Refine changed x")
	}
	T, D := c.T(), c.InputSize
	for b := 0; b < B; b++ {
		zb := slices.Clone(z0[b*Z : (b+1)*Z])
		if _, _, err := m.Refine(x[b*T*D:(b+1)*T*D], zb, 1, RefineOptions{Steps: 30}); err != nil {
			t.Fatal(err)
		}
		for k := range zb {
			if d := math.Abs(float64(zb[k] - z[b*Z+k])); d > 1e-4 {
				t.Errorf("sequence %d refined alone: z[%d] = %v; in the batch %v", b, k, zb[k], z[b*Z+k])
			}
		}
	}
}

// TestRefineRefuses: bad options and shapes are errors; an inference model
// is a programmer error.
func TestRefineRefuses(t *testing.T) {
	c, w, m := tinyFamily(t, "groove_4bar", 3)
	rng := rand.New(rand.NewPCG(3, 4))
	x, z := randomBatch(c, 2, rng)
	for _, o := range []RefineOptions{{Steps: -1}, {Steps: 1, LR: math.NaN()}, {Steps: 1, LR: math.Inf(1)}, {Steps: 1, LR: -1}} {
		if _, _, err := m.Refine(x, z, 2, o); err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
	if _, _, err := m.Refine(x, z[:1], 2, RefineOptions{Steps: 1}); err == nil {
		t.Error("short z: no error")
	}
	bad := slices.Clone(z)
	bad[0] = float32(math.NaN())
	if _, _, err := m.Refine(x, bad, 2, RefineOptions{Steps: 1}); err == nil {
		t.Error("NaN in z: no error")
	}
	inf, err := Open(model.NewBundle(model.Manifest{Config: c}, w, nil))
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if recover() == nil {
			t.Error("Refine on an inference model did not panic")
		}
	}()
	inf.Refine(x, z, 2, RefineOptions{Steps: 1})
}
