package native

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/model"
)

// TestRefreshInPlace: training with Refresh (the LSTMs refilled where they
// lie, transposed packs included, and the linears' transposed packs kept) gives the bits of training with a model
// built anew (New) after each step, and keeps the LSTMs' packed memory.
func TestRefreshInPlace(t *testing.T) {
	c, _ := defaultWeights(t)
	rng := rand.New(rand.NewPCG(3, 3))
	const B = 4
	x, eps := randomBatch(c, B, rng)
	run := func(refresh bool) (model.Weights, []float64) {
		_, w := defaultWeights(t)
		m, err := New(c, w)
		if err != nil {
			t.Fatal(err)
		}
		packs := m.lstms()[0].whh.f32
		g, adam := NewGrads(c), NewAdam(c)
		var losses []float64
		for step := 0; step < 3; step++ {
			tr := &Trainer{M: m, Workers: 2}
			p, err := tr.LossAndGrad(x, eps, B, 0.5, 0, g)
			if err != nil {
				t.Fatal(err)
			}
			losses = append(losses, p.Loss)
			ClipGlobalNorm(g, 1)
			adam.Update(w, g, 1e-3, nil)
			if refresh {
				m.Refresh(w)
				if l := m.lstms()[0]; &l.whh.f32[0] != &packs[0] || l.whhT.m == nil {
					t.Fatal("Refresh made new packs for an LSTM")
				}
				if m.muT.m == nil || m.decs[0].outT.m == nil {
					t.Fatal("Refresh let go of the linears' transposed packs")
				}
			} else if m, err = New(c, w); err != nil {
				t.Fatal(err)
			}
		}
		return w, losses
	}
	wa, la := run(true)
	wb, lb := run(false)
	for i := range la {
		if math.Float64bits(la[i]) != math.Float64bits(lb[i]) {
			t.Fatalf("step %d: loss %v with Refresh, %v with New", i, la[i], lb[i])
		}
	}
	for name, ta := range wa {
		for i, v := range ta.Data {
			if math.Float32bits(v) != math.Float32bits(wb[name].Data[i]) {
				t.Fatalf("%s[%d] = %v with Refresh, %v with New", name, i, v, wb[name].Data[i])
			}
		}
	}
}

// TestRefreshNonFinite: Refresh does not check the weights' values (New
// does, where a file's enter): weights that training made NaN refresh the
// model without a panic, and the next loss and gradient norm are NaN, which
// is where a training loop stops (finetune.Run does). Weights of the wrong
// shape are a programmer's error: a panic.
func TestRefreshNonFinite(t *testing.T) {
	c, w := defaultWeights(t)
	m, err := New(c, w)
	if err != nil {
		t.Fatal(err)
	}
	w["decoder.out.bias"].Data[0] = float32(math.NaN())
	m.Refresh(w)
	const B = 2
	x := generate.RandomWindows(c, B, rand.New(rand.NewPCG(1, 2)))
	g := NewGrads(c)
	p, err := (&Trainer{M: m, Workers: 2}).LossAndGrad(x, make([]float32, B*c.ZSize), B, 0.5, 0, g)
	if err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(p.Loss) {
		t.Errorf("loss %v with a NaN weight", p.Loss)
	}
	if n := ClipGlobalNorm(g, 1); !math.IsNaN(n) {
		t.Errorf("gradient norm %v with a NaN weight", n)
	}
	w["decoder.out.bias"] = model.NewTensorOf([]int{1})
	defer func() {
		if recover() == nil {
			t.Error("Refresh took a mis-shaped tensor")
		}
	}()
	m.Refresh(w)
}
