package native

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/musicvae-go/mvae/generate"
)

// FuzzLinear checks the fast kernels against their reference loops.
func FuzzLinear(f *testing.F) {
	f.Add(uint64(1), uint8(3), uint8(5), uint8(7))
	f.Add(uint64(2), uint8(1), uint8(1), uint8(1))
	f.Add(uint64(3), uint8(8), uint8(64), uint8(13))
	f.Fuzz(func(t *testing.T, seed uint64, b, in, out uint8) {
		B, nIn, nOut := int(b%9)+1, int(in)%130+1, int(out)%70+1
		rng := rand.New(rand.NewPCG(seed, 7))
		vec := func(n int) []float32 {
			v := make([]float32, n)
			for i := range v {
				v[i] = float32(rng.NormFloat64())
			}
			return v
		}
		x, W, bias := vec(B*nIn), vec(nOut*nIn), vec(nOut)
		got, want := make([]float32, B*nOut), make([]float32, B*nOut)
		Linear(got, x, W, bias, B, nIn, nOut)
		linearRef(want, x, W, bias, B, nIn, nOut)
		for i := range got {
			// Four partial sums round differently: allow float32 accumulation error.
			tol := 1e-5 * float64(nIn)
			if math.Abs(float64(got[i]-want[i])) > tol {
				t.Fatalf("out[%d] = %v, reference %v", i, got[i], want[i])
			}
		}
		if d := Dot(x[:nIn], W[:nIn]) - dotRef(x[:nIn], W[:nIn]); math.Abs(float64(d)) > 1e-5*float64(nIn) {
			t.Fatalf("Dot differs by %v", d)
		}
	})
}

func TestActivations(t *testing.T) {
	for _, x := range []float32{-100, -20, -1, -1e-3, 0, 1e-3, 1, 20, 21, 100} {
		if s := Sigmoid(x); math.Abs(float64(s)-1/(1+math.Exp(-float64(x)))) > 1e-7 {
			t.Errorf("Sigmoid(%v) = %v", x, s)
		}
		want := math.Log1p(math.Exp(float64(x)))
		if float64(x) > 20 {
			want = float64(x)
		}
		if s := Softplus(x); math.Abs(float64(s)-want) > 1e-6*math.Max(1, want) {
			t.Errorf("Softplus(%v) = %v, want %v", x, s, want)
		}
	}
}

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
	if err := m.DecoderInit(st, cu); err != nil {
		t.Fatal(err)
	}
	if err := m.DecoderStep(st, prev, cu, logits); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() { m.DecoderStep(st, prev, cu, logits) }); n != 0 {
		t.Errorf("DecoderStep allocates %v times a step", n)
	}
	if n := testing.AllocsPerRun(20, func() { m.DecoderInit(st, cu) }); n != 0 {
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
			if err := m.DecoderInit(st, cu); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				m.DecoderStep(st, prev, cu, logits)
			}
		})
	}
}

// TestKernelsEveryLength checks Dot and axpy (AVX2 where the CPU has it)
// against the reference loops for every length up to 200 and unaligned starts.
func TestKernelsEveryLength(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	buf := make([]float32, 300)
	buf2 := make([]float32, 300)
	for i := range buf {
		buf[i] = float32(rng.NormFloat64())
		buf2[i] = float32(rng.NormFloat64())
	}
	for off := 0; off < 3; off++ {
		for n := 0; n <= 200; n++ {
			x, y := buf[off:off+n], buf2[off+1:off+1+n]
			if d := float64(Dot(x, y) - dotRef(x, y)); math.Abs(d) > 1e-5*float64(n+1) {
				t.Fatalf("Dot n=%d off=%d differs by %g", n, off, d)
			}
			got := append([]float32(nil), y...)
			want := append([]float32(nil), y...)
			axpy(got, 0.37, x)
			for k := range want {
				want[k] += 0.37 * x[k]
			}
			for k := range got {
				if math.Abs(float64(got[k]-want[k])) > 1e-6 {
					t.Fatalf("axpy n=%d off=%d: value %d: %v, want %v", n, off, k, got[k], want[k])
				}
			}
			// axpy writes nothing past len(x).
			guard := buf2[off+1+n : off+1+n+1]
			g0 := guard[0]
			tmp := buf2[off+1 : off+1+n]
			axpy(tmp, 0, x)
			if guard[0] != g0 {
				t.Fatalf("axpy n=%d wrote past its end", n)
			}
		}
	}
}

// TestLinearEverySize checks Linear (the four-row kernel and its remainder)
// against the reference loop for every input size up to 70 and 1 to 9 outputs.
func TestLinearEverySize(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	for nIn := 1; nIn <= 70; nIn++ {
		for nOut := 1; nOut <= 9; nOut++ {
			B := 2
			x, W, b := make([]float32, B*nIn), make([]float32, nOut*nIn), make([]float32, nOut)
			for _, v := range [][]float32{x, W, b} {
				for i := range v {
					v[i] = float32(rng.NormFloat64())
				}
			}
			got, want := make([]float32, B*nOut), make([]float32, B*nOut)
			Linear(got, x, W, b, B, nIn, nOut)
			linearRef(want, x, W, b, B, nIn, nOut)
			for i := range got {
				if math.Abs(float64(got[i]-want[i])) > 1e-5*float64(nIn) {
					t.Fatalf("in %d out %d: out[%d] = %v, reference %v", nIn, nOut, i, got[i], want[i])
				}
			}
		}
	}
}

// TestFastActivations holds Expf, Sigmoid and Tanh to the float64 functions.
func TestFastActivations(t *testing.T) {
	worstE, worstS, worstT := 0.0, 0.0, 0.0
	for i := -200000; i <= 200000; i++ {
		x := float32(i) / 2000 // -100 .. 100
		if x > -87 && x < 88 {
			e := math.Exp(float64(x))
			worstE = math.Max(worstE, math.Abs(float64(Expf(x))-e)/e)
		}
		worstS = math.Max(worstS, math.Abs(float64(Sigmoid(x))-1/(1+math.Exp(-float64(x)))))
		worstT = math.Max(worstT, math.Abs(float64(Tanh(x))-math.Tanh(float64(x))))
	}
	if worstE > 3e-7 || worstS > 1.5e-7 || worstT > 2.5e-7 {
		t.Errorf("worst errors: Expf relative %g, Sigmoid %g, Tanh %g", worstE, worstS, worstT)
	}
	if Expf(100) != float32(math.Inf(1)) || Expf(-100) != 0 || Sigmoid(-100) != 0 || Sigmoid(100) != 1 || Tanh(30) != 1 || Tanh(-30) != -1 {
		t.Error("wrong limits")
	}
}
