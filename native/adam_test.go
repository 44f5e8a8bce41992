package native

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/importer"
	"github.com/musicvae-go/mvae/model"
)

func TestAdamStep(t *testing.T) {
	w := model.Weights{"a": {Shape: []int{2}, Data: []float32{1, -1}}}
	g := model.Weights{"a": {Shape: []int{2}, Data: []float32{0.5, -2}}}
	a := &Adam{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, M: model.Weights{"a": model.NewTensorOf([]int{2})}, V: model.Weights{"a": model.NewTensorOf([]int{2})}}
	a.Update(w, g, 0.1, nil)
	// The first Adam step moves each weight by lr * sign(g).
	if math.Abs(float64(w["a"].Data[0])-0.9) > 1e-6 || math.Abs(float64(w["a"].Data[1])+0.9) > 1e-6 {
		t.Errorf("after one step: %v", w["a"].Data)
	}
	if n := ClipGlobalNorm(g, 1); math.Abs(n-math.Sqrt(4.25)) > 1e-6 {
		t.Errorf("norm %v", n)
	}
	if n := ClipGlobalNorm(g, 0); math.Abs(n-1) > 1e-5 {
		t.Errorf("after clipping, norm %v", n)
	}
}

// TestTrainingLowersLoss: a few Adam steps on one batch lower its loss.
func TestTrainingLowersLoss(t *testing.T) {
	r, err := importer.File("../testdata/models/melody/model.pt", importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := r.Config
	m, err := New(c, r.Weights)
	if err != nil {
		t.Fatal(err)
	}
	x := generate.RandomWindows(c, 4, nil2rng())
	eps := make([]float32, 4*c.ZSize)
	g := NewGrads(c)
	adam := NewAdam(c)
	first := 0.0
	var last float64
	for i := 0; i < 10; i++ {
		ZeroGrads(g)
		p, err := m.LossAndGrad(x, eps, 4, 0.2, 0, g)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = p.Loss
		}
		last = p.Loss
		ClipGlobalNorm(g, 1)
		adam.Update(r.Weights, g, 1e-2, nil)
		m.Refresh(r.Weights)
	}
	if !(last < first*0.9) {
		t.Errorf("loss %v -> %v", first, last)
	}
}

func nil2rng() *rand.Rand { return rand.New(rand.NewPCG(1, 2)) }
