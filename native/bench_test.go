package native

import (
	"math/rand/v2"
	"testing"

	"github.com/musicvae-go/mvae/generate"
)

// BenchmarkTrainStep is one fine-tuning step (forward, backward, Adam) of the
// embedded default model at batch 64, the batch split over every CPU as
// mvae finetune does; it reports examples per second.
func BenchmarkTrainStep(b *testing.B) {
	c, w := defaultWeights(b)
	m, err := New(c, w)
	if err != nil {
		b.Fatal(err)
	}
	const B = 64
	rng := rand.New(rand.NewPCG(1, 1))
	x := generate.RandomWindows(c, B, rng)
	eps := make([]float32, B*c.ZSize)
	g := NewGrads(c)
	adam := NewAdam(c)
	tr := &Trainer{M: m}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := tr.LossAndGrad(x, eps, B, 0.2, 48, g); err != nil {
			b.Fatal(err)
		}
		ClipGlobalNorm(g, 1)
		adam.Update(w, g, 1e-4, nil)
		m.Refresh(w)
	}
	b.ReportMetric(float64(B*b.N)/b.Elapsed().Seconds(), "examples/s")
}
