package native_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/musicvae-go/mvae/bench"
	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/native"
)

// BenchmarkPresetStep is one decoder step of mvae bench's presets (random
// weights) at batch 1, 16 and 64: the products and the cell, no sampling;
// parts0 splits as native does, parts1 never. NAME-bf16 is the model with
// its matrices stored as bfloat16 (NewStored), side by side.
func BenchmarkPresetStep(b *testing.B) {
	for _, name := range []string{"small", "seed"} {
		c, err := bench.Preset(name)
		if err != nil {
			b.Fatal(err)
		}
		var w model.Weights
		for _, p := range []model.Precision{model.F32, model.BF16} {
			var m *native.Model
			for _, run := range []struct {
				B, parts int
			}{{1, 0}, {1, 1}, {16, 0}, {16, 1}, {64, 0}, {64, 1}} {
				B, label := run.B, name
				if p != model.F32 {
					label += "-" + string(p)
				}
				b.Run(fmt.Sprintf("%s/B%d/parts%d", label, B, run.parts), func(b *testing.B) {
					defer native.SplitParts(native.SplitParts(run.parts))
					if w == nil {
						bd, err := bench.RandomBundle(c, 1)
						if err != nil {
							b.Fatal(err)
						}
						if w, err = bd.Weights(); err != nil {
							b.Fatal(err)
						}
					}
					if m == nil {
						var err error
						if p == model.F32 {
							m, err = native.New(c, w)
						} else {
							m, err = native.NewStored(c, model.Store(w, p), p)
						}
						if err != nil {
							b.Fatal(err)
						}
					}
					st, err := m.NewState(B)
					if err != nil {
						b.Fatal(err)
					}
					C, D := c.CondWidth(), c.InputSize
					cu := make([]float32, B*C)
					prev := make([]float32, B*D)
					logits := make([]float32, B*D)
					if err := m.DecoderInit(st, 0, cu); err != nil {
						b.Fatal(err)
					}
					b.ReportAllocs()
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						if err := m.DecoderStep(st, 0, prev, cu, logits); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/step")
				})
			}
		}
	}
}

// BenchmarkPresetTrain is one training step (forward, backward, clipping,
// Adam, Refresh) of the small preset at batch 64, as mvae bench --train
// times it (after one untimed step); it reports examples per second and
// the allocations of a step.
func BenchmarkPresetTrain(b *testing.B) {
	c, err := bench.Preset("small")
	if err != nil {
		b.Fatal(err)
	}
	bd, err := bench.RandomBundle(c, 1)
	if err != nil {
		b.Fatal(err)
	}
	bw, err := bd.Weights()
	if err != nil {
		b.Fatal(err)
	}
	w := native.NewGrads(c)
	for n, t := range bw {
		copy(w[n].Data, t.Data)
	}
	m, err := native.New(c, w)
	if err != nil {
		b.Fatal(err)
	}
	const B = 64
	x := generate.RandomWindows(c, B, rand.New(rand.NewPCG(1, 1)))
	eps := make([]float32, B*c.ZSize)
	g := native.NewGrads(c)
	adam := native.NewAdam(c)
	tr := &native.Trainer{M: m}
	step := func() {
		if _, err := tr.LossAndGrad(x, eps, B, c.MaxBeta, c.FreeBits, g); err != nil {
			b.Fatal(err)
		}
		native.ClipGlobalNorm(g, 1)
		adam.Update(w, g, 1e-4, nil)
		m.Refresh(w)
	}
	// Untimed, as mvae bench --train: the first step allocates the
	// workers' gradients and workspaces.
	step()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		step()
	}
	b.ReportMetric(float64(B*b.N)/b.Elapsed().Seconds(), "examples/s")
}
