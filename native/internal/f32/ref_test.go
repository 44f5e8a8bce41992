package f32

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The reference loops of the doc comments.

func dotRef(x, y []float32) float32 {
	s := float32(0)
	for k := range x {
		s += x[k] * y[k]
	}
	return s
}

func axpyRef(y []float32, a float32, x []float32) {
	for k := range x {
		y[k] += a * x[k]
	}
}

func gemmRef(tA, tB Transpose, m, n, k int, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			s := float32(0)
			for p := 0; p < k; p++ {
				s += at(tA, a, lda, i, p) * at(tB, b, ldb, p, j)
			}
			if beta == 0 {
				c[i*ldc+j] = s
			} else {
				c[i*ldc+j] = s + beta*c[i*ldc+j]
			}
		}
	}
}

// at is op(X)[r, c] for X of row stride ld.
func at(t Transpose, x []float32, ld, r, c int) float32 {
	if t == Trans {
		return x[c*ld+r]
	}
	return x[r*ld+c]
}

// sentinel is the NaN that fills the guards around every buffer (and the
// gaps between strided rows): a kernel that reads one returns NaN, one that
// writes one changes its bits.
var sentinel = math.Float32frombits(0x7fc0dead)

const pad = 11

// buffer is n values between two guards of sentinels.
type buffer struct {
	all []float32
	n   int
}

// newBuffer fills n values from rng (normals; every fifth an exact zero, for
// the kernels that skip zeros).
func newBuffer(rng *rand.Rand, n int) *buffer {
	b := &buffer{all: make([]float32, n+2*pad), n: n}
	for i := range b.all {
		b.all[i] = sentinel
	}
	d := b.data()
	for i := range d {
		d[i] = 0
		if rng.IntN(5) != 0 {
			d[i] = float32(rng.NormFloat64())
		}
	}
	return b
}

// data is the values, capped so that Go code cannot reach the guards.
func (b *buffer) data() []float32 { return b.all[pad : pad+b.n : pad+b.n] }

// gaps sets the gaps of a strided [rows, cols] matrix of stride ld in
// data to sentinels.
func (b *buffer) gaps(rows, cols, ld int) {
	d := b.data()
	for r := 0; r < rows; r++ {
		for c := cols; c < ld && r*ld+c < len(d); c++ {
			d[r*ld+c] = sentinel
		}
	}
}

func (b *buffer) clone() []float32 { return append([]float32(nil), b.all...) }

// checkGuards fails the test if a guard changed.
func (b *buffer) checkGuards(t testing.TB, what string) {
	t.Helper()
	for i, v := range b.all {
		if (i < pad || i >= pad+b.n) && math.Float32bits(v) != math.Float32bits(sentinel) {
			t.Fatalf("%s: guard %d of the buffer of %d values overwritten with %v", what, i-pad, b.n, v)
		}
	}
}

// checkSame fails the test unless every value of the buffer (guards
// included) has the bits of before: an input left unchanged.
func (b *buffer) checkSame(t testing.TB, what string, before []float32) {
	t.Helper()
	for i, v := range b.all {
		if math.Float32bits(v) != math.Float32bits(before[i]) {
			t.Fatalf("%s: input value %d changed from %v to %v", what, i-pad, before[i], v)
		}
	}
}

// close reports whether got is within float32 accumulation error of want,
// for a sum of n terms of absolute sum abs.
func close(got, want float32, n int, abs float64) bool {
	if got != got || want != want {
		return false
	}
	return math.Abs(float64(got)-float64(want)) <= 2*float64(n+1)*0x1p-24*abs+1e-30
}

// absDot is sum_k |x[k] y[k]|.
func absDot(x, y []float32) float64 {
	s := 0.0
	for k := range x {
		s += math.Abs(float64(x[k]) * float64(y[k]))
	}
	return s
}
