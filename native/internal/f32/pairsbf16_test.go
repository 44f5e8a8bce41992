package f32

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/musicvae-go/mvae/internal/floatbits"
)

// randBF16 is a random bfloat16: with wide, one in four of every exponent
// (denormals, the smallest normals and zeros among them; no Inf or NaN),
// else a normal value near 1.
func randBF16(rng *rand.Rand, wide bool) uint16 {
	sign := uint16(rng.IntN(2)) << 15
	if wide {
		switch rng.IntN(8) {
		case 0: // denormal or zero
			return sign | uint16(rng.IntN(128))
		case 1: // the smallest normals
			return sign | uint16(1+rng.IntN(4))<<7 | uint16(rng.IntN(128))
		}
	}
	return floatbits.ToBF16(float32(rng.NormFloat64())) ^ sign
}

// randX is a random float32 for x: as randBF16, with all 23 bits.
func randX(rng *rand.Rand, wide bool) float32 {
	if wide {
		sign := uint32(rng.IntN(2)) << 31
		switch rng.IntN(8) {
		case 0:
			return math.Float32frombits(sign | uint32(rng.IntN(1<<23)))
		case 1:
			return math.Float32frombits(sign | uint32(1+rng.IntN(4))<<23 | uint32(rng.IntN(1<<23)))
		case 2: // rounds to a bfloat16 tie
			return math.Float32frombits(sign | uint32(120+rng.IntN(10))<<23 | uint32(rng.IntN(128))<<16 | 0x8000)
		}
	}
	if rng.IntN(5) == 0 {
		return 0
	}
	return float32(rng.NormFloat64())
}

// fmaBig is fmaBF16 computed with big.Float: the reference's reference.
func fmaBig(acc float32, x, w uint16) float32 {
	c, a, b := daz32(acc), daz32(floatbits.FromBF16(x)), daz32(floatbits.FromBF16(w))
	s := new(big.Float).SetPrec(1000).SetFloat64(float64(a))
	s.Mul(s, new(big.Float).SetFloat64(float64(b)))
	s.Add(s, new(big.Float).SetFloat64(float64(c)))
	if s.Sign() == 0 {
		return float32(float64(a)*float64(b) + float64(c)) // the sign of an exact zero
	}
	// 24 bits, the exponent unbounded, then the flush.
	s.SetMode(big.ToNearestEven).SetPrec(24)
	if s.MantExp(nil) <= -126 { // below 2^-126
		return float32(math.Copysign(0, float64(s.Sign())))
	}
	f, _ := s.Float32()
	return f
}

func TestFmaBF16(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	for i := range 200000 {
		acc := randX(rng, true)
		if i%2 == 0 { // a sum of the products' size, for cancellations
			acc = floatbits.FromBF16(randBF16(rng, true)) * floatbits.FromBF16(randBF16(rng, true))
		}
		x, w := randBF16(rng, true), randBF16(rng, true)
		if got, want := fmaBF16(acc, x, w), fmaBig(acc, x, w); math.Float32bits(got) != math.Float32bits(want) {
			t.Fatalf("fmaBF16(%g, %g, %g) = %g, want %g", acc, floatbits.FromBF16(x), floatbits.FromBF16(w), got, want)
		}
	}
	// Around the smallest normal (found on the hardware): 2^-126 - 2^-152
	// rounds up to 2^-126 with 24 bits; 2^-126 - 3 2^-152 rounds to
	// 2^-126 - 2^-150, below it, and is flushed.
	min := float32(0x1p-126)
	for _, c := range []struct {
		w    float32
		want float32
	}{
		{-0x1p-76, min}, {-0x1.8p-76, min}, {-0x1p-75, min}, {-0x1.8p-75, 0}, {-0x1p-74, 0}, {-0x1p-73, 0},
		{0x1p-76, min}, {0x1p-60, min + 0x1p-136},
	} {
		for _, f := range []func(float32, uint16, uint16) float32{fmaBF16, fmaBig} {
			if got := f(min, floatbits.ToBF16(0x1p-76), floatbits.ToBF16(c.w)); math.Float32bits(got) != math.Float32bits(c.want) {
				t.Errorf("2^-126 + 2^-76 (%g) = %g, want %g", c.w, got, c.want)
			}
		}
	}
}

func TestToBF16DAZ(t *testing.T) {
	for _, c := range []struct {
		in   uint32
		want uint16
	}{
		{0x00000000, 0x0000}, {0x80000000, 0x8000}, {0x007fffff, 0x0000}, {0x807fffff, 0x8000},
		{0x00800000, 0x0080}, {0x3f808000, 0x3f80}, {0x3f818000, 0x3f82}, {0x3f808001, 0x3f81},
		{0x7f7fffff, 0x7f80}, {0x7f800000, 0x7f80}, {0xff800000, 0xff80}, {0x7f800001, 0x7fc0},
	} {
		if got := ToBF16DAZ(math.Float32frombits(c.in)); got != c.want {
			t.Errorf("ToBF16DAZ(%#08x) = %#04x, want %#04x", c.in, got, c.want)
		}
	}
}

func TestPackPairs(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for _, n := range []int{0, 1, 15, 16, 17, 32, 40} {
		for _, k := range []int{0, 1, 2, 7, 8, 33} {
			w := make([]uint16, n*(k+3))
			for i := range w {
				w[i] = uint16(rng.Uint32())
			}
			p := make([]uint16, PairsLen(n, k))
			PackPairsBF16(p, w, n, k, k+3)
			seen := 0
			for j := range n {
				for q := range k {
					if p[pairAt(k, j, q)] != w[j*(k+3)+q] {
						t.Fatalf("[%d, %d]: W[%d, %d] not at %d", n, k, j, q, pairAt(k, j, q))
					}
					seen++
				}
			}
			nz := 0
			for _, v := range p {
				if v != 0 {
					nz++
				}
			}
			if nz > seen {
				t.Fatalf("[%d, %d]: %d values packed from %d", n, k, nz, seen)
			}
			if k%2 == 0 {
				v := make([]uint16, n*k)
				for j := range n {
					copy(v[j*k:], w[j*(k+3):j*(k+3)+k])
				}
				full := n / PanelWidth * PanelWidth
				q := slices.Clone(v[full*k:])
				PackPairsInPlace(v, n, k, make([]uint16, PanelWidth*k))
				if !slices.Equal(v[:full*k], p[:full*k]) || !slices.Equal(v[full*k:], q) {
					t.Fatalf("[%d, %d]: PackPairsInPlace is not PackPairsBF16", n, k)
				}
			}
		}
	}
}

// mulAddPairsRef is MulAddPairsBF16's reference loop, as its comment says.
func mulAddPairsRef(m, n, k int, x []float32, ldx int, p []uint16, out []float32, ldo int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			s := float32(0)
			for q := 0; q < k; q += 2 {
				x1, w1 := uint16(0), uint16(0)
				if q+1 < k {
					x1, w1 = ToBF16DAZ(x[i*ldx+q+1]), p[pairAt(k, j, q+1)]
				}
				s = DotBF16(s, x1, w1, ToBF16DAZ(x[i*ldx+q]), p[pairAt(k, j, q)])
			}
			out[i*ldo+j] += s
		}
	}
}

// checkPairs holds MulAddPairsBF16 (and its portable loop) to the reference
// loop, bit for bit: inputs unchanged, guards intact; each row of x alone,
// and the panels from any panel on, give the bits they give in the whole.
func checkPairs(t testing.TB, rng *rand.Rand, B, rows, cols, ldx, ldo int, wide bool) {
	t.Helper()
	w := make([]uint16, rows*cols)
	for i := range w {
		w[i] = randBF16(rng, wide)
	}
	// p between NaN guards: a read of one makes a NaN.
	np := PairsLen(rows, cols)
	pall := make([]uint16, np+2*pad)
	for i := range pall {
		pall[i] = bf16Sentinel
	}
	p := pall[pad : pad+np : pad+np]
	PackPairsBF16(p, w, rows, cols, cols)
	nx, no := 0, 0
	if B > 0 {
		nx, no = (B-1)*ldx+cols, (B-1)*ldo+rows
	}
	x := newBuffer(rng, nx)
	for i, xd := 0, x.data(); i < len(xd); i++ {
		xd[i] = randX(rng, wide)
	}
	x.gaps(B, cols, ldx)
	out := newBuffer(rng, no)
	out.gaps(B, rows, ldo)
	out0, x0, p0 := out.clone(), x.clone(), slices.Clone(pall)
	want := slices.Clone(out.data())
	mulAddPairsRef(B, rows, cols, x.data(), ldx, p, want, ldo)
	what := fmt.Sprintf("MulAddPairsBF16 B %d rows %d cols %d (wide %v)", B, rows, cols, wide)
	for _, f := range []struct {
		name string
		f    func(m, n, k int, x []float32, ldx int, p []uint16, out []float32, ldo int)
	}{{"", MulAddPairsBF16}, {" (portable)", mulAddPairsGo}} {
		copy(out.all, out0)
		if B > 0 && rows > 0 && cols > 0 || f.name == "" {
			f.f(B, rows, cols, x.data(), ldx, p, out.data(), ldo)
		}
		x.checkSame(t, what+f.name+" x", x0)
		if !slices.Equal(pall, p0) {
			t.Fatalf("%s%s: the weights changed", what, f.name)
		}
		out.checkGuards(t, what+f.name+" out")
		for i, g := range out.data() {
			if math.Float32bits(g) != math.Float32bits(want[i]) {
				t.Fatalf("%s%s: out[%d, %d] = %v (%#08x), reference %v (%#08x)", what, f.name, i/ldo, i%ldo,
					g, math.Float32bits(g), want[i], math.Float32bits(want[i]))
			}
		}
	}
	// Row b alone, from panel j0 on: the same bits.
	kp := cols + cols%2
	for b := range B {
		j0 := 0
		if rows > PanelWidth {
			j0 = rng.IntN((rows-1)/PanelWidth+1) * PanelWidth
		}
		one := append([]float32(nil), out0[pad+b*ldo+j0:pad+b*ldo+rows]...)
		MulAddPairsBF16(1, rows-j0, cols, x.data()[b*ldx:b*ldx+cols], cols, p[j0*kp:], one, rows-j0)
		for r := range one {
			if math.Float32bits(one[r]) != math.Float32bits(want[b*ldo+j0+r]) {
				t.Fatalf("%s: out[%d, %d] is %v in the whole, %v alone from column %d", what, b, j0+r, want[b*ldo+j0+r], one[r], j0)
			}
		}
	}
}

func TestMulAddPairsBF16(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 12))
	for _, wide := range []bool{false, true} {
		for _, B := range []int{0, 1, 3, 4, 5, 9} {
			for _, rows := range []int{0, 1, 15, 16, 17, 32, 33, 48, 64, 70, 128} {
				for _, cols := range []int{1, 2, 5, 16, 17, 33, 100} {
					checkPairs(t, rng, B, rows, cols, cols+B%2, rows+B%3, wide)
				}
			}
		}
		for cols := 0; cols <= maxLen; cols += 7 {
			checkPairs(t, rng, 5, 64, cols, cols, 64, wide)
		}
	}
	if !PairsBF16 {
		t.Log("no AVX-512 BF16 here: the portable loop only")
	}
}

func TestMulAddPairsPanics(t *testing.T) {
	p := make([]uint16, PairsLen(3, 3))
	x := make([]float32, 3)
	out := make([]float32, 3)
	for _, c := range []struct {
		name string
		f    func()
	}{
		{"short p", func() { MulAddPairsBF16(1, 17, 3, x, 3, p, make([]float32, 17), 17) }},
		{"short x", func() { MulAddPairsBF16(2, 3, 3, x, 3, p, make([]float32, 6), 3) }},
		{"short out", func() { MulAddPairsBF16(1, 3, 3, x, 3, p, out[:2], 3) }},
		{"ldx", func() { MulAddPairsBF16(1, 3, 3, x, 2, p, out, 3) }},
		{"negative", func() { MulAddPairsBF16(-1, 3, 3, x, 3, p, out, 3) }},
		{"pack length", func() { PackPairsBF16(p[:1], make([]uint16, 9), 3, 3, 3) }},
		{"odd in place", func() { PackPairsInPlace(make([]uint16, 48), 16, 3, make([]uint16, 48)) }},
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

func FuzzMulAddPairsBF16(f *testing.F) {
	f.Add(uint64(1), uint8(1), uint8(33), uint16(17), true)
	f.Add(uint64(2), uint8(5), uint8(64), uint16(256), false)
	f.Fuzz(func(t *testing.T, seed uint64, B, rows uint8, cols uint16, wide bool) {
		rng := rand.New(rand.NewPCG(seed, 12))
		c := int(cols % 600)
		checkPairs(t, rng, int(B%10), int(rows%150), c, c+rng.IntN(3), int(rows%150)+rng.IntN(3), wide)
	})
}

// TestMulAddPairsTiny: sums that cross the smallest normal, step after
// step (x and W near 2^-63, products near 2^-126), have the bits of the
// reference loop, flushes included; and the hardware flushes as fmaBF16
// says on the cases found around 2^-126.
func TestMulAddPairsTiny(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 13))
	flushed, nonzero := 0, 0
	for trial := range 300 {
		B, rows, cols := 1+trial%5, 16+trial%17, 2+trial%9
		w := make([]uint16, rows*cols)
		for i := range w {
			w[i] = floatbits.ToBF16(float32(rng.NormFloat64() * 0x1p-63))
		}
		x := make([]float32, B*cols)
		for i := range x {
			x[i] = float32(rng.NormFloat64() * 0x1p-63)
		}
		p := make([]uint16, PairsLen(rows, cols))
		PackPairsBF16(p, w, rows, cols, cols)
		want := make([]float32, B*rows)
		mulAddPairsRef(B, rows, cols, x, cols, p, want, rows)
		got := make([]float32, B*rows)
		MulAddPairsBF16(B, rows, cols, x, cols, p, got, rows)
		for i := range got {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("B %d rows %d cols %d: out %d is %g (%#08x), reference %g (%#08x)", B, rows, cols, i, got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
			}
			if got[i] != 0 {
				nonzero++
			}
		}
		// How many steps of the reference flush a nonzero sum.
		for b := range B {
			for j := range rows {
				s := float32(0)
				for q0 := 0; q0 < cols; q0 += 2 {
					for _, q := range []int{q0 + 1, q0} { // the odd one first
						if q == cols {
							continue // the padding: +0
						}
						xq, wq := ToBF16DAZ(x[b*cols+q]), w[j*cols+q]
						r := fmaBF16(s, xq, wq)
						if r == 0 && float64(s)+float64(floatbits.FromBF16(xq))*float64(floatbits.FromBF16(wq)) != 0 {
							flushed++
						}
						s = r
					}
				}
			}
		}
	}
	t.Logf("%d steps flushed, %d sums nonzero", flushed, nonzero)
	if flushed < 100 || nonzero < 100 {
		t.Errorf("only %d flushed steps: the test misses its point", flushed)
	}
	// x = (2^-76, 2^-63), W's row = (w0, 2^-63): 2^-126 + 2^-76 w0.
	for _, c := range []struct{ w0, want float32 }{
		{-0x1p-76, 0x1p-126}, {-0x1.8p-76, 0x1p-126}, {-0x1p-75, 0x1p-126},
		{-0x1.8p-75, 0}, {-0x1p-74, 0}, {-0x1p-73, 0}, {0x1p-60, 0x1p-126 + 0x1p-136},
	} {
		p := make([]uint16, PairsLen(1, 2))
		PackPairsBF16(p, []uint16{floatbits.ToBF16(c.w0), floatbits.ToBF16(0x1p-63)}, 1, 2, 2)
		out := []float32{0}
		MulAddPairsBF16(1, 1, 2, []float32{0x1p-76, 0x1p-63}, 2, p, out, 1)
		if math.Float32bits(out[0]) != math.Float32bits(c.want) {
			t.Errorf("2^-126 + 2^-76 (%g): %g, want %g", c.w0, out[0], c.want)
		}
	}
}
