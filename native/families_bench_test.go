package native

import (
	"math/rand/v2"
	"testing"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/model"
)

// benchFamily is TinyFamilies' layout of name at working sizes: encoder
// and decoder hidden 256, conductor 128, z 64.
func benchFamily(b *testing.B, name string) (*model.Config, *Model) {
	c := *model.TinyFamilies()[name]
	c.ZSize, c.Decoder = 64, model.LSTMSize{Hidden: 256, Layers: 2}
	if c.Hierarchical() {
		c.EncoderLevels = []model.LSTMSize{{Hidden: 256, Layers: 1}, {Hidden: 256, Layers: 1}}
	} else {
		c.Encoder.Hidden = 256
	}
	if c.HasConductor() {
		c.Conductor = model.LSTMSize{Hidden: 128, Layers: 2}
	}
	_, _, m := randomModel(b, &c, 1)
	return &c, m
}

// BenchmarkFamilyDecode is one decoder step of every split at batch 16
// (the trio's three splits in turn).
func BenchmarkFamilyDecode(b *testing.B) {
	for _, name := range []string{"drums_2bar", "mel_2bar", "trio_hier"} {
		b.Run(name, func(b *testing.B) {
			c, m := benchFamily(b, name)
			const B = 16
			st, err := m.NewState(B)
			if err != nil {
				b.Fatal(err)
			}
			cu := make([]float32, B*c.CondWidth())
			var prev, logits [][]float32
			for k, D := range c.SplitDepths() {
				p := make([]float32, B*D) // one class a row (a groove step of 1s)
				for i := 0; i < B; i++ {
					p[i*D+1] = 1
				}
				prev, logits = append(prev, p), append(logits, make([]float32, B*D))
				if err := m.DecoderInit(st, k, cu); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				for k := range prev {
					m.DecoderStep(st, k, prev[k], cu, logits[k])
				}
			}
		})
	}
}

// BenchmarkFamilyTrain is LossAndGrad through the Trainer at batch 32;
// it reports examples per second.
func BenchmarkFamilyTrain(b *testing.B) {
	for _, name := range []string{"drums_2bar", "trio_hier"} {
		b.Run(name, func(b *testing.B) {
			c, m := benchFamily(b, name)
			const B = 32
			rng := rand.New(rand.NewPCG(1, 1))
			x := generate.RandomWindows(c, B, rng)
			eps := make([]float32, B*c.ZSize)
			g := NewGrads(c)
			tr := &Trainer{M: m}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := tr.LossAndGrad(x, eps, B, 0.2, 48, g); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(B*b.N)/b.Elapsed().Seconds(), "examples/s")
		})
	}
}
