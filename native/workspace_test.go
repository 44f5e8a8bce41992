package native

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/model/defaultmodel"
)

// TestWorkspaceWrittenBeforeRead: with every buffer of the workspaces
// handed out full of NaN (floats, get), a step gives the same loss and
// gradients, bit for bit, as with fresh zeroed buffers, and so does a
// second step on the same Trainer (its workspaces reused): nothing reads
// what a previous step or user left in a buffer. Model.LossAndGrad, on a
// pooled workspace, agrees too.
func TestWorkspaceWrittenBeforeRead(t *testing.T) {
	bd, err := defaultmodel.Bundle()
	if err != nil {
		t.Fatal(err)
	}
	c := bd.Config()
	w, err := bd.Weights()
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(c, w)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 9))
	const B = 4
	x := generate.RandomWindows(c, B, rng)
	eps := make([]float32, B*c.ZSize)
	for i := range eps {
		eps[i] = float32(rng.NormFloat64())
	}
	step := func(tr *Trainer) (LossParts, model.Weights) {
		g := NewGrads(c)
		parts, err := tr.LossAndGrad(x, eps, B, 0.5, 0, g)
		if err != nil {
			t.Fatal(err)
		}
		return parts, g
	}
	same := func(what string, p0, p1 LossParts, g0, g1 model.Weights) {
		t.Helper()
		if p0 != p1 {
			t.Fatalf("%s: loss %+v, fresh %+v", what, p1, p0)
		}
		for name, ta := range g0 {
			for i, v := range ta.Data {
				if math.Float32bits(v) != math.Float32bits(g1[name].Data[i]) {
					t.Fatalf("%s: %s[%d] = %v, %v fresh", what, name, i, g1[name].Data[i], v)
				}
			}
		}
	}
	p0, g0 := step(&Trainer{M: m, Workers: 2})
	func() {
		poisonWork = true
		defer func() { poisonWork = false }()
		tr := &Trainer{M: m, Workers: 2}
		p1, g1 := step(tr)
		same("poisoned workspaces", p0, p1, g0, g1)
		p1, g1 = step(tr)
		same("poisoned workspaces, second step", p0, p1, g0, g1)
	}()
	tr := &Trainer{M: m, Workers: 2}
	step(tr)
	p1, g1 := step(tr)
	same("second step", p0, p1, g0, g1)
	// One worker: the whole batch in one share, summed in another order,
	// as Model.LossAndGrad does.
	p2, g2 := step(&Trainer{M: m, Workers: 1})
	g3 := NewGrads(c)
	p3, err := m.LossAndGrad(x, eps, B, 0.5, 0, g3)
	if err != nil {
		t.Fatal(err)
	}
	same("Model.LossAndGrad", p2, p3, g2, g3)
}
