package native

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/musicvae-go/mvae/internal/floatbits"
	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/native/internal/f32"
)

// withSplit runs f with products split in parts (from any size); parts 0
// is the default rule.
func withSplit(parts int, f func()) {
	oldMin, oldParts := splitMin, splitParts
	defer func() { splitMin, splitParts = oldMin, oldParts }()
	if parts > 0 {
		splitMin, splitParts = 0, parts
	}
	f()
}

func randSlice(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	return x
}

// TestMatrixSplitBits: a product split in 1 to 7 parts (by column panels,
// between the caller and the pool), run again and again, has the bits of
// the product in one part, and agrees with the plain loop within float32
// rounding; x and the output's other rows are untouched.
func TestMatrixSplitBits(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for _, sz := range [][3]int{{1, 200, 77}, {3, 640, 160}, {16, 97, 33}, {5, 16, 1}} {
		B, rows, cols := sz[0], sz[1], sz[2]
		W := randSlice(rng, rows*cols)
		w := newMatrix(W, rows, cols)
		x := randSlice(rng, B*cols)
		x0 := append([]float32(nil), x...)
		out0 := randSlice(rng, B*rows)
		var want []float32
		withSplit(1, func() {
			want = append([]float32(nil), out0...)
			w.mulAdd(want, x, B)
		})
		for b := 0; b < B; b++ {
			for j := 0; j < rows; j++ {
				s, abs := float64(out0[b*rows+j]), math.Abs(float64(out0[b*rows+j]))
				for q := 0; q < cols; q++ {
					s += float64(x[b*cols+q]) * float64(W[j*cols+q])
					abs += math.Abs(float64(x[b*cols+q]) * float64(W[j*cols+q]))
				}
				if d := math.Abs(float64(want[b*rows+j]) - s); d > float64(cols+2)*0x1p-23*abs {
					t.Fatalf("[%d, %d] x [%d]: out(%d, %d) = %v, float64 %v", rows, cols, B, b, j, want[b*rows+j], s)
				}
			}
		}
		for parts := 1; parts <= 7; parts++ {
			for run := 0; run < 5; run++ {
				got := append([]float32(nil), out0...)
				withSplit(parts, func() { w.mulAdd(got, x, B) })
				for i := range got {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("[%d, %d] x [%d] in %d parts, run %d: entry %d is %v, in one part %v", rows, cols, B, parts, run, i, got[i], want[i])
					}
				}
			}
		}
		for i := range x {
			if math.Float32bits(x[i]) != math.Float32bits(x0[i]) {
				t.Fatalf("x changed")
			}
		}
	}
}

// TestMatrixBF16SplitBits: a bfloat16 matrix (by pairs of columns where
// the CPU has AVX-512 BF16: odd columns, a last panel of fewer than 16 rows)
// split in 1 to 5 parts has the bits of its product in one part, which
// are, by pairs, those of f32.MulAddPairsBF16 on the matrix packed apart.
func TestMatrixBF16SplitBits(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	for _, sz := range [][3]int{{1, 200, 77}, {3, 640, 160}, {16, 97, 33}, {5, 16, 1}, {6, 48, 64}} {
		B, rows, cols := sz[0], sz[1], sz[2]
		W := make([]uint16, rows*cols)
		for i, v := range randSlice(rng, rows*cols) {
			W[i] = floatbits.ToBF16(v)
		}
		u16 := append([]uint16(nil), W...)
		w := newMatrixStored(&model.Stored{DType: model.BF16, Shape: []int{rows, cols}, U16: u16}, rows, cols, false, true)
		if w.pairs != f32.PairsBF16 {
			t.Fatalf("[%d, %d]: by pairs %v, AVX-512 BF16 %v", rows, cols, w.pairs, f32.PairsBF16)
		}
		x := randSlice(rng, B*cols)
		out0 := randSlice(rng, B*rows)
		var want []float32
		withSplit(1, func() {
			want = append([]float32(nil), out0...)
			w.mulAdd(want, x, B)
		})
		if w.pairs {
			p := make([]uint16, f32.PairsLen(rows, cols))
			f32.PackPairsBF16(p, W, rows, cols, cols)
			ref := append([]float32(nil), out0...)
			f32.MulAddPairsBF16(B, rows, cols, x, cols, p, ref, rows)
			for i := range ref {
				if math.Float32bits(ref[i]) != math.Float32bits(want[i]) {
					t.Fatalf("[%d, %d] x [%d]: entry %d is %v, MulAddPairsBF16 %v", rows, cols, B, i, want[i], ref[i])
				}
			}
		}
		for parts := 1; parts <= 5; parts++ {
			got := append([]float32(nil), out0...)
			withSplit(parts, func() { w.mulAdd(got, x, B) })
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("[%d, %d] x [%d] in %d parts: entry %d is %v, in one part %v", rows, cols, B, parts, i, got[i], want[i])
				}
			}
		}
	}
}

// decodeSteps runs DecoderInit and a few DecoderSteps of every split on B
// sequences of m (prev fed from the logits' signs) and returns every
// logit.
func decodeSteps(t testing.TB, m *Model, B, steps int) []float32 {
	c := m.Config()
	st, err := m.NewState(B)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(9, 9))
	cu := randSlice(rng, B*c.CondWidth())
	var all []float32
	for k, D := range c.SplitDepths() {
		prev := make([]float32, B*D)
		logits := make([]float32, B*D)
		if err := m.DecoderInit(st, k, cu); err != nil {
			t.Fatal(err)
		}
		for s := 0; s < steps; s++ {
			if err := m.DecoderStep(st, k, prev, cu, logits); err != nil {
				t.Fatal(err)
			}
			all = append(all, logits...)
			clear(prev)
			for b := 0; b < B; b++ { // one-hot or a hit: the argmax
				best := 0
				for j := range D {
					if logits[b*D+j] > logits[b*D+best] {
						best = j
					}
				}
				prev[b*D+best] = 1
			}
		}
	}
	return all
}

// TestDecoderStepSplitBits: decoding with every product split in 2 or 3
// parts gives the bits of decoding with none, in every family.
func TestDecoderStepSplitBits(t *testing.T) {
	for _, name := range families() {
		_, _, m := tinyFamily(t, name, 3)
		for _, B := range []int{1, 5} {
			var want []float32
			withSplit(1, func() { want = decodeSteps(t, m, B, 4) })
			for _, parts := range []int{2, 3} {
				var got []float32
				withSplit(parts, func() { got = decodeSteps(t, m, B, 4) })
				for i := range want {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%s, batch %d, %d parts: logit %d is %v, unsplit %v", name, B, parts, i, got[i], want[i])
					}
				}
			}
		}
	}
}

// TestDecoderStepAllocs: a decoder step allocates nothing, at batch 1 and
// batched, split or not, in every family.
func TestDecoderStepAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates in channel operations")
	}
	for _, name := range families() {
		c, _, m := tinyFamily(t, name, 4)
		for _, B := range []int{1, 8} {
			st, err := m.NewState(B)
			if err != nil {
				t.Fatal(err)
			}
			cu := make([]float32, B*c.CondWidth())
			for k, D := range c.SplitDepths() {
				prev, logits := make([]float32, B*D), make([]float32, B*D)
				if err := m.DecoderInit(st, k, cu); err != nil {
					t.Fatal(err)
				}
				for _, parts := range []int{0, 1, 2} {
					withSplit(parts, func() {
						n := testing.AllocsPerRun(20, func() {
							if err := m.DecoderStep(st, k, prev, cu, logits); err != nil {
								t.Fatal(err)
							}
						})
						if n != 0 {
							t.Errorf("%s, batch %d, split %d, %d parts: %v allocations a step", name, B, k, parts, n)
						}
					})
				}
			}
		}
	}
}
