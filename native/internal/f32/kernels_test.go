package f32

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

const maxLen = 300 // every length up to this

type dotImpl struct {
	name string
	f    func(x, y []float32) float32
}

func dotImpls() []dotImpl {
	im := []dotImpl{{"Dot", Dot}, {"dotGo", dotGo}}
	if dotAsm != nil {
		im = append(im, dotImpl{"dotAVX2", dotAsm})
	}
	return im
}

// checkDot runs every Dot implementation on x, y of n values and holds it
// to the reference loop; inputs unchanged, guards intact.
func checkDot(t testing.TB, rng *rand.Rand, n int) {
	x, y := newBuffer(rng, n), newBuffer(rng, n)
	x0, y0 := x.clone(), y.clone()
	want := dotRef(x.data(), y.data())
	abs := absDot(x.data(), y.data())
	for _, im := range dotImpls() {
		got := im.f(x.data(), y.data())
		if !close(got, want, n, abs) {
			t.Fatalf("%s of %d values = %v, reference %v", im.name, n, got, want)
		}
		x.checkSame(t, im.name+" x", x0)
		y.checkSame(t, im.name+" y", y0)
	}
}

func TestDotEveryLength(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for n := 0; n <= maxLen; n++ {
		checkDot(t, rng, n)
	}
	if dotAsm == nil {
		t.Log("no assembly in this build or on this CPU: the portable loops only")
	}
}

func FuzzDot(f *testing.F) {
	for _, n := range []uint16{0, 1, 7, 8, 15, 16, 31, 32, 33, 100, 257} {
		f.Add(uint64(n), n)
	}
	f.Fuzz(func(t *testing.T, seed uint64, n uint16) {
		checkDot(t, rand.New(rand.NewPCG(seed, 2)), int(n%2048))
	})
}

// checkAxpy runs every Axpy implementation on y, x of n values: y within
// rounding of the reference loop (a fused multiply-add rounds once), x
// unchanged, y's guards intact.
func checkAxpy(t testing.TB, rng *rand.Rand, n int, a float32) {
	x := newBuffer(rng, n)
	x0 := x.clone()
	y0 := newBuffer(rng, n)
	want := append([]float32(nil), y0.data()...)
	axpyRef(want, a, x.data())
	im := []struct {
		name string
		f    func(y []float32, a float32, x []float32)
	}{{"Axpy", Axpy}, {"axpyGo", axpyGo}}
	if axpyAsm != nil {
		im = append(im, struct {
			name string
			f    func(y []float32, a float32, x []float32)
		}{"axpyAVX2", axpyAsm})
	}
	for _, k := range im {
		y := &buffer{all: y0.clone(), n: n}
		k.f(y.data(), a, x.data())
		for i, v := range y.data() {
			if !close(v, want[i], 1, math.Abs(float64(y0.data()[i]))+math.Abs(float64(a)*float64(x.data()[i]))) {
				t.Fatalf("%s of %d values: y[%d] = %v, reference %v", k.name, n, i, v, want[i])
			}
		}
		y.checkGuards(t, k.name+" y")
		x.checkSame(t, k.name+" x", x0)
	}
}

func TestAxpyEveryLength(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	for n := 0; n <= maxLen; n++ {
		checkAxpy(t, rng, n, float32(rng.NormFloat64()))
	}
}

func FuzzAxpy(f *testing.F) {
	for _, n := range []uint16{0, 1, 7, 8, 16, 31, 32, 33, 100, 257} {
		f.Add(uint64(n), n, float32(0.37))
	}
	f.Add(uint64(1), uint16(40), float32(0))
	f.Fuzz(func(t *testing.T, seed uint64, n uint16, a float32) {
		if a != a || math.IsInf(float64(a), 0) || math.Abs(float64(a)) > 1e30 {
			return
		}
		checkAxpy(t, rand.New(rand.NewPCG(seed, 3)), int(n%2048), a)
	})
}

// checkDot4 runs dot4Go and dot4AVX2 (Gemm's four-row kernels) on x of n values and four rows
// of w, ldw >= n apart (the gaps sentinels, never read): each within
// rounding of the reference loop; inputs unchanged, out written whole.
func checkDot4(t testing.TB, rng *rand.Rand, n, ldw int) {
	x := newBuffer(rng, n)
	w := newBuffer(rng, 3*ldw+n)
	w.gaps(4, n, ldw)
	x0, w0 := x.clone(), w.clone()
	im := []struct {
		name string
		f    func(x, w []float32, ldw int, out *[4]float32)
	}{{"dot4Go", dot4Go}}
	if dot4Asm != nil {
		im = append(im, struct {
			name string
			f    func(x, w []float32, ldw int, out *[4]float32)
		}{"dot4AVX2", dot4Asm})
	}
	for _, k := range im {
		out := [4]float32{sentinel, sentinel, sentinel, sentinel}
		k.f(x.data(), w.data(), ldw, &out)
		for q := range out {
			row := w.data()[q*ldw : q*ldw+n]
			if want := dotRef(x.data(), row); !close(out[q], want, n, absDot(x.data(), row)) {
				t.Fatalf("%s of %d values, stride %d: row %d = %v, reference %v", k.name, n, ldw, q, out[q], want)
			}
		}
		x.checkSame(t, k.name+" x", x0)
		w.checkSame(t, k.name+" w", w0)
	}
}

func TestDot4EveryLength(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	for n := 0; n <= maxLen; n++ {
		checkDot4(t, rng, n, n)
		checkDot4(t, rng, n, n+1+rng.IntN(9))
	}
}

func FuzzDot4(f *testing.F) {
	for _, n := range []uint16{0, 1, 7, 8, 9, 16, 63, 64, 65, 300} {
		f.Add(uint64(n), n, uint8(0))
		f.Add(uint64(n), n, uint8(5))
	}
	f.Fuzz(func(t *testing.T, seed uint64, n uint16, gap uint8) {
		m := int(n % 1024)
		checkDot4(t, rand.New(rand.NewPCG(seed, 4)), m, m+int(gap))
	})
}

// checkGemm runs Gemm on random A, B and C of the given sizes and strides
// (gaps, guards and, for beta 0, C's own values sentinels) and holds it to
// the reference loop: A and B unchanged, C's gaps and guards intact.
func checkGemm(t testing.TB, rng *rand.Rand, tA, tB Transpose, m, n, k, padA, padB, padC int, beta float32) {
	ar, ac, br, bc := m, k, k, n
	if tA == Trans {
		ar, ac = k, m
	}
	if tB == Trans {
		br, bc = n, k
	}
	lda, ldb, ldc := max(ac, 1)+padA, max(bc, 1)+padB, max(n, 1)+padC
	size := func(rows, ld, cols int) int {
		if rows == 0 {
			return 0
		}
		return (rows-1)*ld + cols
	}
	a, b, c := newBuffer(rng, size(ar, lda, ac)), newBuffer(rng, size(br, ldb, bc)), newBuffer(rng, size(m, ldc, n))
	a.gaps(ar, ac, lda)
	b.gaps(br, bc, ldb)
	c.gaps(m, n, ldc)
	if beta == 0 {
		for i := range c.data() {
			c.data()[i] = sentinel
		}
	}
	a0, b0 := a.clone(), b.clone()
	want := c.clone()
	gemmRef(tA, tB, m, n, k, a.data(), lda, b.data(), ldb, beta, want[pad:pad+c.n], ldc)
	Gemm(tA, tB, m, n, k, a.data(), lda, b.data(), ldb, beta, c.data(), ldc)
	what := fmt.Sprintf("Gemm(%v, %v, m %d, n %d, k %d, lda %d, ldb %d, beta %v, ldc %d)", tA, tB, m, n, k, lda, ldb, beta, ldc)
	a.checkSame(t, what+" A", a0)
	b.checkSame(t, what+" B", b0)
	c.checkGuards(t, what+" C")
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			abs := 0.0
			for p := 0; p < k; p++ {
				abs += math.Abs(float64(at(tA, a.data(), lda, i, p)) * float64(at(tB, b.data(), ldb, p, j)))
			}
			if beta != 0 {
				abs += math.Abs(float64(beta) * float64(want[pad+i*ldc+j]))
			}
			if got, w := c.data()[i*ldc+j], want[pad+i*ldc+j]; !close(got, w, k+1, abs) {
				t.Fatalf("%s: C[%d, %d] = %v, reference %v", what, i, j, got, w)
			}
		}
		for j := n; j < ldc && i*ldc+j < c.n; j++ {
			if math.Float32bits(c.data()[i*ldc+j]) != math.Float32bits(sentinel) {
				t.Fatalf("%s: wrote into the gap of row %d", what, i)
			}
		}
	}
}

var transposes = []Transpose{NoTrans, Trans}

// TestGemmEverySize: every case of Gemm, every k up to maxLen (the four-row
// blocks and their remainders), strides with and without gaps, beta 0, 1
// and another.
func TestGemmEverySize(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for _, tA := range transposes {
		for _, tB := range transposes {
			for k := 0; k <= maxLen; k++ {
				for _, mn := range [][2]int{{1, 1}, {3, 5}, {2, 9}} {
					for _, beta := range []float32{0, 1, 0.5} {
						p := rng.IntN(4)
						checkGemm(t, rng, tA, tB, mn[0], mn[1], k, p, (p+1)%4, (p+2)%4, beta)
					}
				}
			}
			for m := 0; m <= 13; m++ {
				for n := 0; n <= 13; n++ {
					checkGemm(t, rng, tA, tB, m, n, rng.IntN(40), rng.IntN(3), rng.IntN(3), rng.IntN(3), float32(rng.IntN(2)))
				}
			}
		}
	}
}

func FuzzGemm(f *testing.F) {
	f.Add(uint64(1), uint8(0), uint8(3), uint8(5), uint16(7), uint8(0), uint8(0))
	f.Add(uint64(2), uint8(1), uint8(4), uint8(8), uint16(64), uint8(1), uint8(1))
	f.Add(uint64(3), uint8(2), uint8(9), uint8(4), uint16(300), uint8(2), uint8(2))
	f.Add(uint64(4), uint8(3), uint8(1), uint8(1), uint16(1), uint8(3), uint8(1))
	f.Add(uint64(5), uint8(0), uint8(16), uint8(13), uint16(520), uint8(4), uint8(0))
	f.Fuzz(func(t *testing.T, seed uint64, trans, m, n uint8, k uint16, pads, beta uint8) {
		tA, tB := Transpose(trans&1 != 0), Transpose(trans&2 != 0)
		betas := []float32{0, 1, 0.5, -2}
		checkGemm(t, rand.New(rand.NewPCG(seed, 5)), tA, tB, int(m%24), int(n%24), int(k%1100),
			int(pads%4), int(pads/4%4), int(pads/16%4), betas[beta%4])
	})
}

// TestSizePanics: mismatched sizes are programmer errors.
func TestSizePanics(t *testing.T) {
	for name, f := range map[string]func(){
		"Dot":  func() { Dot(make([]float32, 3), make([]float32, 4)) },
		"Axpy": func() { Axpy(make([]float32, 3), 1, make([]float32, 4)) },
		"Gemm short A": func() {
			Gemm(NoTrans, Trans, 2, 2, 3, make([]float32, 5), 3, make([]float32, 6), 3, 0, make([]float32, 4), 2)
		},
		"Gemm short C": func() {
			Gemm(NoTrans, Trans, 2, 2, 3, make([]float32, 6), 3, make([]float32, 6), 3, 0, make([]float32, 3), 2)
		},
		"Gemm small ld": func() {
			Gemm(NoTrans, NoTrans, 2, 2, 3, make([]float32, 6), 2, make([]float32, 6), 2, 0, make([]float32, 4), 2)
		},
		"Gemm negative": func() { Gemm(NoTrans, NoTrans, -1, 2, 3, nil, 3, make([]float32, 6), 2, 0, nil, 2) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s does not panic", name)
				}
			}()
			f()
		}()
	}
}
