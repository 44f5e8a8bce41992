package native

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/musicvae-go/mvae/model"
)

// TestTrainingRepeatsBitForBit: two runs of a few clipped Adam steps, the
// batch split between goroutines, end with bit-identical weights (every sum
// across tensors and goroutines is in a fixed order).
func TestTrainingRepeatsBitForBit(t *testing.T) {
	run := func() model.Weights {
		c, w := defaultWeights(t)
		m, err := New(c, w)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(7, 7))
		const B = 5
		x, eps := randomBatch(c, B, rng)
		g := NewGrads(c)
		adam := NewAdam(c)
		tr := &Trainer{M: m, Workers: 3}
		for step := 0; step < 4; step++ {
			if _, err := tr.LossAndGrad(x, eps, B, 0.5, 0, g); err != nil {
				t.Fatal(err)
			}
			// The norm does not depend on the order of the map's names.
			n := ClipGlobalNorm(g, 0)
			for range 20 {
				if again := ClipGlobalNorm(g, 0); math.Float64bits(again) != math.Float64bits(n) {
					t.Fatalf("the norm of the same gradients is %v, then %v", n, again)
				}
			}
			if n := ClipGlobalNorm(g, 0.01); !(n > 0.01) {
				t.Fatalf("norm %v: the test wants clipping active", n)
			}
			adam.Update(w, g, 1e-3, nil)
			m.Refresh(w)
		}
		return w
	}
	a := run()
	for try := 0; try < 3; try++ {
		b := run()
		for name, ta := range a {
			for i, v := range ta.Data {
				if math.Float32bits(v) != math.Float32bits(b[name].Data[i]) {
					t.Fatalf("run %d: %s[%d] = %v, first run %v", try+2, name, i, b[name].Data[i], v)
				}
			}
		}
	}
}
