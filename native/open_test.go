package native

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/native/internal/f32"
)

// TestOpenSameBits: a model that packs its float32 weights in place (Open,
// and NewStored of float32) gives the bits of one built by New, in the
// forward pass and in decoder steps at batch 1 and batched, split or not;
// the weights it was given are unchanged (NewStored packs a copy); and it
// refuses to train.
func TestOpenSameBits(t *testing.T) {
	for _, name := range families() {
		c, w, ref := tinyFamily(t, name, 7)
		before := model.Store(w, model.F32).Clone()
		b, err := model.RandomBundle(c, 7)
		if err != nil {
			t.Fatal(err)
		}
		bw, err := b.Weights()
		if err != nil {
			t.Fatal(err)
		}
		bref, err := New(c, bw)
		if err != nil {
			t.Fatal(err)
		}
		opened, err := Open(b)
		if err != nil {
			t.Fatalf("%s: Open: %v", name, err)
		}
		owned, err := NewStored(c, model.Store(w, model.F32), model.F32)
		if err != nil {
			t.Fatal(err)
		}
		for _, pair := range [][2]*Model{{owned, ref}, {opened, bref}} {
			got, want := pair[0], pair[1]
			rng := rand.New(rand.NewPCG(5, 5))
			B := 3
			x, eps := randomBatch(c, B, rng)
			gl, gmu, gs, err := generate.Forward(got, x, eps, B)
			if err != nil {
				t.Fatal(err)
			}
			wl, wmu, ws, err := generate.Forward(want, x, eps, B)
			if err != nil {
				t.Fatal(err)
			}
			sameBits(t, name+" forward", append(append(gl, gmu...), gs...), append(append(wl, wmu...), ws...))
			for _, B := range []int{1, 5} {
				want := decodeSteps(t, want, B, 4)
				for _, parts := range []int{1, 3} {
					var g []float32
					withSplit(parts, func() { g = decodeSteps(t, got, B, 4) })
					sameBits(t, name+" decoder steps", g, want)
				}
			}
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("%s: a model built for inference trained", name)
					}
				}()
				got.LossAndGrad(x, eps, B, 0.2, 48, NewGrads(c))
			}()
		}
		for n, s := range before {
			sameBits(t, name+" "+n+" (given to NewStored)", w[n].Data, s.F32)
		}
	}
}

func sameBits(t *testing.T, what string, got, want []float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("%s: value %d is %v, want %v", what, i, got[i], want[i])
		}
	}
}

// TestOpenWidenedBF16: a bfloat16 bundle opened widened gives the forward
// pass of the float32 model of its weights within float32 rounding; opened
// (by pairs where the CPU has AVX-512 BF16, x rounded to bfloat16), within
// bfloat16 rounding, and other bits.
func TestOpenWidenedBF16(t *testing.T) {
	c, _, _ := tinyFamily(t, "groove_4bar", 7)
	b0, err := model.RandomBundle(c, 7)
	if err != nil {
		t.Fatal(err)
	}
	b, err := model.Quantize(b0, model.BF16)
	if err != nil {
		t.Fatal(err)
	}
	w, err := b.Weights()
	if err != nil {
		t.Fatal(err)
	}
	ref, err := New(c, w)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 5))
	B := 3
	x, eps := randomBatch(c, B, rng)
	want, _, _, err := generate.Forward(ref, x, eps, B)
	if err != nil {
		t.Fatal(err)
	}
	for _, widened := range []bool{true, false} {
		open, tol := Open, 0x1p-6
		if widened {
			open, tol = OpenWidened, 1e-5
		}
		m, err := open(b)
		if err != nil {
			t.Fatal(err)
		}
		got, _, _, err := generate.Forward(m, x, eps, B)
		if err != nil {
			t.Fatal(err)
		}
		same := true
		for i := range got {
			if d := math.Abs(float64(got[i]-want[i])) / (1 + math.Abs(float64(want[i]))); !(d <= tol) {
				t.Fatalf("widened %v: logit %d is %v, float32 %v", widened, i, got[i], want[i])
			}
			same = same && got[i] == want[i]
		}
		if !widened && f32.PairsBF16 && same {
			t.Errorf("opened by pairs: the logits of the widened model, bit for bit")
		}
	}
}
