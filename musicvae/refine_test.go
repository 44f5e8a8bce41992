package musicvae

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/native"
)

// TestWithRefine: Encode (and so Interpolate's ends) refines mu with
// native.Refine, sigma stays the encoder's, Humanize is not refined, and
// nonsense steps are refused when the model opens.
func TestWithRefine(t *testing.T) {
	c := model.TinyFamilies()["groove_4bar"]
	b, err := model.RandomBundle(c, 1)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := Open(b, "plain")
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	refined, err := Open(b, "refined", WithRefine(20, 0))
	if err != nil {
		t.Fatal(err)
	}
	defer refined.Close()
	if plain.Refiner() != nil || refined.Refiner() == nil {
		t.Fatal("Refiner: want nil without WithRefine, set with it")
	}
	x := generate.RandomWindows(c, 3, rand.New(rand.NewPCG(1, 2)))
	keep := slices.Clone(x)
	mu, sigma, err := plain.Encode(x, 3)
	if err != nil {
		t.Fatal(err)
	}
	rmu, rsigma, err := refined.Encode(x, 3)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sigma, rsigma) || slices.Equal(mu, rmu) {
		t.Error("refined Encode: want sigma unchanged and mu moved")
	}
	if !slices.Equal(x, keep) {
		t.Error("Encode changed x")
	}
	// The same z as native.Refine from mu.
	w, _ := b.Weights()
	nm, err := native.New(c, w)
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Clone(mu)
	before, after, err := nm.Refine(x, want, 3, native.RefineOptions{Steps: 20})
	if err != nil || !slices.Equal(want, rmu) || !(after < before) {
		t.Errorf("refined mu differs from native.Refine's, or the loss did not fall (%v -> %v, %v)", before, after, err)
	}
	// Interpolate's ends decode the refined vectors.
	T, D := c.T(), c.InputSize
	s, err := refined.Interpolate([][]float32{x[:T*D], x[T*D : 2*T*D]}, 3, Lerp, Options{})
	if err != nil || !near(s.Latent(0), rmu[:c.ZSize], 1e-6) {
		t.Errorf("interpolate does not start at the refined mu (%v)", err)
	}
	h1, err := plain.Humanize(x[:T*D], 1, Options{})
	if err != nil {
		t.Fatal(err)
	}
	h2, err := refined.Humanize(x[:T*D], 1, Options{})
	if err != nil || !slices.Equal(h1.Tokens, h2.Tokens) {
		t.Errorf("humanize is refined (%v)", err)
	}
	for _, steps := range []int{-1, MaxRefineSteps + 1} {
		if _, err := Open(b, "bad", WithRefine(steps, 0)); err == nil {
			t.Errorf("WithRefine(%d): no error", steps)
		}
	}
}
