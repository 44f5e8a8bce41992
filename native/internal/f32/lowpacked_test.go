package f32

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// packLow packs m's storage in place (PackLowU16, PackLowI8).
func (m *lowMatrix) packLow() {
	if m.kind == kindI8 {
		PackLowI8(m.i8Data(), m.rows, m.cols, make([]int8, PanelWidth*m.cols))
	} else {
		PackLowU16(m.u16Data(), m.rows, m.cols, make([]uint16, PanelWidth*m.cols))
	}
}

// mulAddPacked runs the packed product of m's (packed) storage.
func (m *lowMatrix) mulAddPacked(B int, x []float32, ldx int, out []float32, ldo int) {
	switch m.kind {
	case kindBF16:
		MulAddPackedBF16(B, m.rows, m.cols, x, ldx, m.u16Data(), out, ldo)
	case kindF16:
		MulAddPackedF16(B, m.rows, m.cols, x, ldx, m.u16Data(), out, ldo)
	case kindI8:
		MulAddPackedI8(B, m.rows, m.cols, x, ldx, m.i8Data(), m.scaleData(), out, ldo)
	}
}

// checkPackedLow holds a packed product to the reference loop (m.w is W
// row-major as it stood before packing): inputs unchanged, guards intact;
// and each row of x alone gives the bits it gives in the batch.
func checkPackedLow(t testing.TB, rng *rand.Rand, kind lowKind, B, rows, cols, ldx, ldo int) {
	t.Helper()
	m := newLowMatrix(rng, kind, rows, cols)
	m.packLow()
	// The packed values are W's, rearranged: lowAt says where.
	for j := range rows {
		for q := range cols {
			e := lowAt(rows, cols, j, q)
			var got float32
			switch kind {
			case kindI8:
				got = float32(m.i8Data()[e])
			case kindBF16:
				got = lowBF16.widen(m.u16Data(), nil, e)
			case kindF16:
				got = lowF16.widen(m.u16Data(), nil, e)
			}
			if got != m.w[j*cols+q] {
				t.Fatalf("%v [%d, %d]: packed W[%d, %d] = %v, want %v", kind, rows, cols, j, q, got, m.w[j*cols+q])
			}
		}
	}
	nx, no := 0, 0
	if B > 0 {
		nx, no = (B-1)*ldx+cols, (B-1)*ldo+rows
	}
	x := newBuffer(rng, nx)
	x.gaps(B, cols, ldx)
	out := newBuffer(rng, no)
	out.gaps(B, rows, ldo)
	out0 := out.clone()
	x0, u0, i0 := x.clone(), slices.Clone(m.u16), slices.Clone(m.i8)
	want, abs := m.mulAddRef(B, x.data(), ldx, out.data(), ldo)
	m.mulAddPacked(B, x.data(), ldx, out.data(), ldo)
	what := fmt.Sprintf("MulAddPacked %v B %d rows %d cols %d", kind, B, rows, cols)
	x.checkSame(t, what+" x", x0)
	if !slices.Equal(m.u16, u0) || !slices.Equal(m.i8, i0) {
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
		// Row b alone: the same bits.
		one := append([]float32(nil), out0[pad+b*ldo:pad+b*ldo+rows]...)
		m.mulAddPacked(1, x.data()[b*ldx:b*ldx+cols], cols, one, rows)
		for r := range rows {
			if math.Float32bits(one[r]) != math.Float32bits(got[b*ldo+r]) {
				t.Fatalf("%s: out[%d, %d] is %v in the batch, %v alone", what, b, r, got[b*ldo+r], one[r])
			}
		}
	}
}

func TestPackedLow(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 10))
	for _, kind := range []lowKind{kindBF16, kindF16, kindI8} {
		for _, B := range []int{0, 1, 3, 4, 5, 9} {
			for _, rows := range []int{0, 1, 15, 16, 17, 32, 33, 48, 64, 70, 128} {
				for _, cols := range []int{1, 5, 16, 33, 100} {
					checkPackedLow(t, rng, kind, B, rows, cols, cols+B%2, rows+B%3)
				}
			}
		}
		for cols := 0; cols <= maxLen; cols += 7 {
			checkPackedLow(t, rng, kind, 5, 64, cols, cols, 64)
		}
	}
	if !LowPacked {
		t.Log("no assembly for the packed products here: the portable loop only")
	}
}

func fuzzPackedLow(f *testing.F, kind lowKind) {
	f.Add(uint64(1), uint8(1), uint8(33), uint16(17))
	f.Add(uint64(2), uint8(5), uint8(64), uint16(256))
	f.Fuzz(func(t *testing.T, seed uint64, B, rows uint8, cols uint16) {
		rng := rand.New(rand.NewPCG(seed, 10+uint64(kind)))
		c := int(cols % 600)
		checkPackedLow(t, rng, kind, int(B%10), int(rows%150), c, c+rng.IntN(3), int(rows%150)+rng.IntN(3))
	})
}

func FuzzMulAddPackedBF16(f *testing.F) { fuzzPackedLow(f, kindBF16) }
func FuzzMulAddPackedF16(f *testing.F)  { fuzzPackedLow(f, kindF16) }
func FuzzMulAddPackedI8(f *testing.F)   { fuzzPackedLow(f, kindI8) }
