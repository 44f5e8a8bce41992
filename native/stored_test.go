package native

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/native/internal/f32"
)

// TestStoredMatchesWidened: for every family and precision below float32, a
// model built from the stored weights (NewStored) gives the logits, mu and
// sigma of the float32 model of the same weights widened, within float32
// rounding (the same sums, the weights widened inside the products) or,
// for bfloat16 products by pairs (f32.PairsBF16, which round x to bfloat16
// too), within bfloat16 rounding; its decode step allocates nothing; and it
// refuses to train.
func TestStoredMatchesWidened(t *testing.T) {
	for _, name := range families() {
		c, w, _ := tinyFamily(t, name, 5)
		for _, p := range []model.Precision{model.BF16, model.F16, model.Int8} {
			sw := model.Store(w, p)
			qm, err := NewStored(c, sw, p)
			if err != nil {
				t.Fatalf("%s %s: %v", name, p, err)
			}
			fm, err := New(c, sw.Float32())
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(4, 4))
			B := 3
			x, eps := randomBatch(c, B, rng)
			ql, qmu, qs, err := generate.Forward(qm, x, eps, B)
			if err != nil {
				t.Fatal(err)
			}
			fl, fmu, fs, err := generate.Forward(fm, x, eps, B)
			if err != nil {
				t.Fatal(err)
			}
			tol := 1e-5
			if p == model.BF16 && f32.PairsBF16 {
				tol = 0x1p-6 // 2^-9 a rounding of x, through a few layers (0.004 seen)
			}
			for _, pair := range [][2][]float32{{ql, fl}, {qmu, fmu}, {qs, fs}} {
				for i := range pair[0] {
					d := math.Abs(float64(pair[0][i]-pair[1][i])) / (1 + math.Abs(float64(pair[1][i])))
					if !(d <= tol) {
						t.Fatalf("%s %s: value %d is %v stored, %v widened", name, p, i, pair[0][i], pair[1][i])
					}
				}
			}
			st, err := qm.NewState(B)
			if err != nil {
				t.Fatal(err)
			}
			cu := make([]float32, B*c.CondWidth())
			for k, D := range c.SplitDepths() {
				prev, logits := make([]float32, B*D), make([]float32, B*D)
				if err := qm.DecoderInit(st, k, cu); err != nil {
					t.Fatal(err)
				}
				if n := testing.AllocsPerRun(20, func() { qm.DecoderStep(st, k, prev, cu, logits) }); n != 0 {
					t.Errorf("%s %s split %d: DecoderStep allocates %v times a step", name, p, k, n)
				}
			}
			_, err = qm.LossAndGrad(x, eps, B, 0.2, 48, NewGrads(c))
			if err == nil || !strings.Contains(err.Error(), string(p)) {
				t.Errorf("%s %s: training: %v", name, p, err)
			}
		}
	}
}

// TestStoredSplitBits: decoder steps of models stored as bfloat16, float16
// and int8 have the same bits split in 1 to 3 parts (the products split by
// panels), at batch 1 and batched.
func TestStoredSplitBits(t *testing.T) {
	for _, name := range []string{"groove_4bar", "trio_hier", "mel_hier"} {
		c, w, _ := tinyFamily(t, name, 3)
		for _, p := range []model.Precision{model.BF16, model.F16, model.Int8} {
			m, err := NewStored(c, model.Store(w, p), p)
			if err != nil {
				t.Fatal(err)
			}
			for _, B := range []int{1, 5} {
				var want []float32
				withSplit(1, func() { want = decodeSteps(t, m, B, 4) })
				for _, parts := range []int{2, 3} {
					var got []float32
					withSplit(parts, func() { got = decodeSteps(t, m, B, 4) })
					for i := range want {
						if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
							t.Fatalf("%s %s, batch %d, %d parts: logit %d is %v, unsplit %v", name, p, B, parts, i, got[i], want[i])
						}
					}
				}
			}
		}
	}
}
