package f32

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/musicvae-go/mvae/internal/floatbits"
)

// lowKind is one storage of the low-precision products.
type lowKind int

const (
	kindBF16 lowKind = iota
	kindF16
	kindI8
)

func (k lowKind) String() string { return [...]string{"bf16", "f16", "int8"}[k] }

// The guards of the 16-bit weight buffers are NaNs of their format: a kernel
// that reads one returns NaN. int8 has no NaN: its guards are checked
// unchanged, and a read past a row would also read past x's row, whose
// guards (and gaps) are NaN.
const (
	bf16Sentinel = 0x7fc1
	f16Sentinel  = 0x7e01
	i8Sentinel   = 0x55
)

// lowMatrix is a [rows, cols] weight matrix in one storage, between guards,
// with the float32 values it stands for (widened, scale applied).
type lowMatrix struct {
	kind  lowKind
	rows  int
	cols  int
	u16   []uint16 // guards around rows*cols values
	i8    []int8
	scale []float32 // int8: rows scales between NaN guards
	w     []float32 // the values W stands for, for the reference loop
}

func newLowMatrix(rng *rand.Rand, kind lowKind, rows, cols int) *lowMatrix {
	m := &lowMatrix{kind: kind, rows: rows, cols: cols, w: make([]float32, rows*cols)}
	n := rows * cols
	switch kind {
	case kindBF16, kindF16:
		m.u16 = make([]uint16, n+2*pad)
		s := uint16(bf16Sentinel)
		if kind == kindF16 {
			s = f16Sentinel
		}
		for i := range m.u16 {
			m.u16[i] = s
		}
		for i := range n {
			v := float32(rng.NormFloat64())
			if rng.IntN(5) == 0 {
				v = 0
			}
			if kind == kindBF16 {
				m.u16[pad+i] = floatbits.ToBF16(v)
				m.w[i] = floatbits.FromBF16(m.u16[pad+i])
			} else {
				m.u16[pad+i] = floatbits.ToHalf(v)
				m.w[i] = floatbits.FromHalf(m.u16[pad+i])
			}
		}
	case kindI8:
		m.i8 = make([]int8, n+2*pad)
		for i := range m.i8 {
			m.i8[i] = i8Sentinel
		}
		m.scale = make([]float32, rows+2*pad)
		for i := range m.scale {
			m.scale[i] = sentinel
		}
		for r := range rows {
			m.scale[pad+r] = float32(rng.Float64()*0.02 + 1e-3)
			for c := range cols {
				q := int8(rng.IntN(255) - 127)
				m.i8[pad+r*cols+c] = q
				m.w[r*cols+c] = float32(q)
			}
		}
	}
	return m
}

func (m *lowMatrix) u16Data() []uint16    { n := m.rows * m.cols; return m.u16[pad : pad+n : pad+n] }
func (m *lowMatrix) i8Data() []int8       { n := m.rows * m.cols; return m.i8[pad : pad+n : pad+n] }
func (m *lowMatrix) scaleData() []float32 { return m.scale[pad : pad+m.rows : pad+m.rows] }

// mulAdd runs the exported product of m's storage.
func (m *lowMatrix) mulAdd(B int, x []float32, ldx int, out []float32, ldo int) {
	switch m.kind {
	case kindBF16:
		MulAddBF16(B, m.rows, m.cols, x, ldx, m.u16Data(), out, ldo)
	case kindF16:
		MulAddF16(B, m.rows, m.cols, x, ldx, m.u16Data(), out, ldo)
	case kindI8:
		MulAddI8(B, m.rows, m.cols, x, ldx, m.i8Data(), m.scaleData(), out, ldo)
	}
}

// mulAddRef is the doc comments' reference loop, in float64 for the bound,
// and the sum of absolute terms per entry.
func (m *lowMatrix) mulAddRef(B int, x []float32, ldx int, out []float32, ldo int) (want, abs []float64) {
	want, abs = make([]float64, B*ldo), make([]float64, B*ldo)
	for b := range B {
		for r := range m.rows {
			s, a := 0.0, 0.0
			for c := range m.cols {
				t := float64(x[b*ldx+c]) * float64(m.w[r*m.cols+c])
				s += t
				a += math.Abs(t)
			}
			sc := 1.0
			if m.kind == kindI8 {
				sc = float64(m.scaleData()[r])
			}
			want[b*ldo+r] = float64(out[b*ldo+r]) + sc*s
			abs[b*ldo+r] = math.Abs(float64(out[b*ldo+r])) + sc*a
		}
	}
	return want, abs
}

// checkMulAddLow holds a product of B rows of x (stride ldx >= cols, gaps NaN)
// against m (stride ldo >= rows for out, gaps NaN and left so) to the
// reference loop: inputs unchanged, guards intact.
func checkMulAddLow(t testing.TB, rng *rand.Rand, kind lowKind, B, rows, cols, ldx, ldo int) {
	t.Helper()
	m := newLowMatrix(rng, kind, rows, cols)
	nx := 0
	if B > 0 {
		nx = (B-1)*ldx + cols
	}
	x := newBuffer(rng, nx)
	x.gaps(B, cols, ldx)
	no := 0
	if B > 0 {
		no = (B-1)*ldo + rows
	}
	out := newBuffer(rng, no)
	out.gaps(B, rows, ldo)
	x0, u0, i0, s0 := x.clone(), slices.Clone(m.u16), slices.Clone(m.i8), slices.Clone(m.scale)
	want, abs := m.mulAddRef(B, x.data(), ldx, out.data(), ldo)
	m.mulAdd(B, x.data(), ldx, out.data(), ldo)
	what := fmt.Sprintf("MulAdd %v B %d rows %d cols %d", kind, B, rows, cols)
	x.checkSame(t, what+" x", x0)
	if !slices.Equal(m.u16, u0) || !slices.Equal(m.i8, i0) || !slices.EqualFunc(m.scale, s0, func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }) {
		t.Fatalf("%s: the weights changed", what)
	}
	out.checkGuards(t, what+" out")
	got := out.data()
	for b := range B {
		for r := 0; r < ldo && b*ldo+r < len(got); r++ {
			g := got[b*ldo+r]
			if r >= rows {
				if math.Float32bits(g) != math.Float32bits(sentinel) {
					t.Fatalf("%s: gap out[%d, %d] written", what, b, r)
				}
				continue
			}
			i := b*ldo + r
			if g != g || math.Abs(float64(g)-want[i]) > 2*float64(cols+2)*0x1p-24*abs[i]+1e-30 {
				t.Fatalf("%s: out[%d, %d] = %v, reference %v", what, b, r, g, want[i])
			}
		}
	}
}

func TestLowPrecEveryLength(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for _, kind := range []lowKind{kindBF16, kindF16, kindI8} {
		for cols := 0; cols <= maxLen; cols++ {
			checkMulAddLow(t, rng, kind, 1, 3, cols, cols, 3)
		}
		for _, B := range []int{0, 1, 2, 5} {
			for _, rows := range []int{0, 1, 4, 9} {
				for _, cols := range []int{1, 8, 33, 64} {
					checkMulAddLow(t, rng, kind, B, rows, cols, cols+3, rows+2)
				}
			}
		}
	}
}

// TestLowPrecDots holds each dot kernel (portable and assembly) to the
// reference at every length up to maxLen, its weights between NaN guards.
func TestLowPrecDots(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	for n := 0; n <= maxLen; n++ {
		x := newBuffer(rng, n)
		for _, kind := range []lowKind{kindBF16, kindF16, kindI8} {
			m := newLowMatrix(rng, kind, 1, n)
			want, abs := 0.0, 0.0
			for k := range n {
				v := float64(x.data()[k]) * float64(m.w[k])
				want += v
				abs += math.Abs(v)
			}
			type impl struct {
				name string
				f    func() float32
			}
			var im []impl
			switch kind {
			case kindBF16:
				im = []impl{{"dotBF16", func() float32 { return dotBF16(x.data(), m.u16Data()) }}, {"dotBF16Go", func() float32 { return dotBF16Go(x.data(), m.u16Data()) }}}
				if dotBF16Asm != nil && n%8 == 0 {
					im = append(im, impl{"dotBF16AVX2", func() float32 { return dotBF16Asm(x.data(), m.u16Data()) }})
				}
			case kindF16:
				im = []impl{{"dotF16", func() float32 { return dotF16(x.data(), m.u16Data()) }}, {"dotF16Go", func() float32 { return dotF16Go(x.data(), m.u16Data()) }}}
				if dotF16Asm != nil && n%8 == 0 {
					im = append(im, impl{"dotF16AVX2", func() float32 { return dotF16Asm(x.data(), m.u16Data()) }})
				}
			case kindI8:
				im = []impl{{"dotI8", func() float32 { return dotI8(x.data(), m.i8Data()) }}, {"dotI8Go", func() float32 { return dotI8Go(x.data(), m.i8Data()) }}}
				if dotI8Asm != nil && n%8 == 0 {
					im = append(im, impl{"dotI8AVX2", func() float32 { return dotI8Asm(x.data(), m.i8Data()) }})
				}
			}
			for _, k := range im {
				if g := k.f(); g != g || math.Abs(float64(g)-want) > 2*float64(n+1)*0x1p-24*abs+1e-30 {
					t.Fatalf("%s of %d values = %v, reference %v", k.name, n, g, want)
				}
			}
		}
	}
}

func TestLowPrecPanics(t *testing.T) {
	w := make([]uint16, 6)
	x := make([]float32, 3)
	out := make([]float32, 2)
	for _, c := range []struct {
		name string
		f    func()
	}{
		{"short w", func() { MulAddBF16(1, 3, 3, x, 3, w, out, 3) }},
		{"short x", func() { MulAddF16(2, 2, 3, x, 3, w, out, 2) }},
		{"short out", func() { MulAddBF16(1, 3, 2, x, 2, w, out, 3) }},
		{"short scale", func() { MulAddI8(1, 2, 3, x, 3, make([]int8, 6), make([]float32, 1), out, 2) }},
		{"negative", func() { MulAddBF16(-1, 2, 3, x, 3, w, out, 2) }},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", c.name)
				}
			}()
			c.f()
		}()
	}
}

func fuzzLowPrec(f *testing.F, kind lowKind) {
	f.Add(uint64(1), uint8(1), uint8(3), uint16(17))
	f.Add(uint64(2), uint8(4), uint8(1), uint16(256))
	f.Add(uint64(3), uint8(0), uint8(2), uint16(8))
	f.Fuzz(func(t *testing.T, seed uint64, B, rows uint8, cols uint16) {
		rng := rand.New(rand.NewPCG(seed, uint64(kind)))
		c := int(cols % 1100)
		checkMulAddLow(t, rng, kind, int(B%9), int(rows%17), c, c+rng.IntN(3), int(rows%17)+rng.IntN(3))
	})
}

func FuzzMulAddBF16(f *testing.F) { fuzzLowPrec(f, kindBF16) }
func FuzzMulAddF16(f *testing.F)  { fuzzLowPrec(f, kindF16) }
func FuzzMulAddI8(f *testing.F)   { fuzzLowPrec(f, kindI8) }

// TestLowPrecBatchInvariant: an entry of a product has the same bits
// whatever B and wherever its row of x lies in the batch (the four-row
// kernels sum as the one-row kernels do).
func TestLowPrecBatchInvariant(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for _, kind := range []lowKind{kindBF16, kindF16, kindI8} {
		for _, cols := range []int{1, 7, 8, 9, 31, 32, 33, 64, 100, 257, 300} {
			const B, rows = 9, 5
			m := newLowMatrix(rng, kind, rows, cols)
			x := newBuffer(rng, B*cols)
			all := make([]float32, B*rows)
			m.mulAdd(B, x.data(), cols, all, rows)
			for b := range B {
				one := make([]float32, rows)
				m.mulAdd(1, x.data()[b*cols:(b+1)*cols], cols, one, rows)
				for r := range rows {
					if math.Float32bits(one[r]) != math.Float32bits(all[b*rows+r]) {
						t.Fatalf("%v cols %d: out[%d, %d] is %v at B %d, %v alone", kind, cols, b, r, all[b*rows+r], B, one[r])
					}
				}
			}
		}
	}
}
