package native

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/model/defaultmodel"
)

// TestSlabsWrittenBeforeRead: with every reused buffer handed out full of
// NaN, a step gives the same loss and gradients, bit for bit, as with fresh
// zeroed buffers: nothing reads what a previous step left in a slab.
func TestSlabsWrittenBeforeRead(t *testing.T) {
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
	run := func(poison bool) (LossParts, model.Weights) {
		poisonSlabs = poison
		defer func() { poisonSlabs = false }()
		g := NewGrads(c)
		tr := &Trainer{M: m, Workers: 2}
		parts, err := tr.LossAndGrad(x, eps, B, 0.5, 0, g)
		if err != nil {
			t.Fatal(err)
		}
		return parts, g
	}
	p0, g0 := run(false)
	p1, g1 := run(true)
	if p0 != p1 {
		t.Fatalf("loss with poisoned slabs %+v, fresh %+v", p1, p0)
	}
	for name, ta := range g0 {
		for i, v := range ta.Data {
			if math.Float32bits(v) != math.Float32bits(g1[name].Data[i]) {
				t.Fatalf("%s[%d] = %v with poisoned slabs, %v fresh", name, i, g1[name].Data[i], v)
			}
		}
	}
}
