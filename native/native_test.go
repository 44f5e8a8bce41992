package native

import (
	"testing"

	"github.com/musicvae-go/mvae/generate"
)

// TestDecodeStepAllocatesNothing: after warm-up a batched decoder step makes
// no allocation.
func TestDecodeStepAllocatesNothing(t *testing.T) {
	m := fixture(t, "groove")
	c := m.Config()
	B := 16
	st, err := m.NewState(B)
	if err != nil {
		t.Fatal(err)
	}
	cu := make([]float32, B*c.Conductor.Hidden)
	prev := make([]float32, B*c.InputSize)
	logits := make([]float32, B*c.InputSize)
	if err := m.DecoderInit(st, 0, cu); err != nil {
		t.Fatal(err)
	}
	if err := m.DecoderStep(st, 0, prev, cu, logits); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() { m.DecoderStep(st, 0, prev, cu, logits) }); n != 0 {
		t.Errorf("DecoderStep allocates %v times a step", n)
	}
	if n := testing.AllocsPerRun(20, func() { m.DecoderInit(st, 0, cu) }); n != 0 {
		t.Errorf("DecoderInit allocates %v times", n)
	}
	// The sampler allocates nothing either.
	smp := &generate.Sampler{Rep: c.Rep(), Temperature: 0.7}
	rng := generate.NewSplitMix64(1)
	tok := make([]float32, c.InputSize)
	if n := testing.AllocsPerRun(100, func() { smp.Token(logits[:c.InputSize], rng, tok) }); n != 0 {
		t.Errorf("Sampler.Token allocates %v times", n)
	}
}

func BenchmarkDecoderStep(b *testing.B) {
	m := fixture(b, "groove")
	c := m.Config()
	for _, B := range []int{1, 16} {
		b.Run("B"+string(rune('0'+B/10))+string(rune('0'+B%10)), func(b *testing.B) {
			st, err := m.NewState(B)
			if err != nil {
				b.Fatal(err)
			}
			cu := make([]float32, B*c.Conductor.Hidden)
			prev := make([]float32, B*c.InputSize)
			logits := make([]float32, B*c.InputSize)
			if err := m.DecoderInit(st, 0, cu); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				m.DecoderStep(st, 0, prev, cu, logits)
			}
		})
	}
}
