package f32

import (
	"math"
	"math/rand/v2"
	"testing"
)

type packedImpl struct {
	name string
	f    func(m, n, k int, x []float32, ldx int, p []float32, out []float32, ldo int)
	t    func(m, n, k int, xt []float32, ldxt int, p []float32, out []float32, ldo int) // the same kernels on x transposed
}

// packedImpls are every MulAddPacked kernel: the checked entry point, the
// portable loop and each assembly tile set this CPU runs.
func packedImpls() []packedImpl {
	im := []packedImpl{{"MulAddPacked", MulAddPacked, MulAddPackedT}, {"mulAddPackedGo", mulAddPackedGo, mulAddPackedTGo}}
	return append(im, packedAsmImpls()...)
}

// mulAddPackedRef is MulAddPacked's reference loop on W [n, k] unpacked.
func mulAddPackedRef(m, n, k int, x []float32, ldx int, w []float32, ldw int, out []float32, ldo int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			s := float32(0)
			for q := 0; q < k; q++ {
				s += x[i*ldx+q] * w[j*ldw+q]
			}
			out[i*ldo+j] += s
		}
	}
}

// checkPacked packs a W [n, k] (both ways, which must agree) and runs every
// kernel on x [m, k] into out [m, n], rows padded by the given strides: each
// entry within float32 accumulation error of the reference loop, the
// assembly kernels bit for bit the same, x, W and the panels unchanged, and
// out's gaps and guards intact; and each kernel on x transposed (of row
// stride m+padX) gives the bits it gives on x.
func checkPacked(t testing.TB, rng *rand.Rand, m, n, k, padX, padW, padO int) {
	t.Helper()
	ldx, ldw, ldo, ldt := max(k+padX, 1), max(k+padW, 1), max(n+padO, 1), max(n+padW, 1)
	x := newBuffer(rng, max(0, (m-1)*ldx+k))
	x.gaps(m, k, ldx)
	w := newBuffer(rng, max(0, (n-1)*ldw+k))
	w.gaps(n, k, ldw)
	wt := newBuffer(rng, max(0, (k-1)*ldt+n)) // W^T [k, n], row stride ldt
	wt.gaps(k, n, ldt)
	for j := 0; j < n; j++ {
		for q := 0; q < k; q++ {
			wt.data()[q*ldt+j] = w.data()[j*ldw+q]
		}
	}
	ldt2 := max(m+padX, 1)
	xt := newBuffer(rng, max(0, (k-1)*ldt2+m)) // x^T [k, m]
	xt.gaps(k, m, ldt2)
	for i := 0; i < m; i++ {
		for q := 0; q < k; q++ {
			xt.data()[q*ldt2+i] = x.data()[i*ldx+q]
		}
	}
	xt0 := xt.clone()
	p := newBuffer(rng, PackedLen(n, k))
	Pack(p.data(), w.data(), n, k, ldw)
	pt := newBuffer(rng, PackedLen(n, k))
	PackT(pt.data(), wt.data(), n, k, ldt)
	p.checkGuards(t, "Pack")
	pt.checkSame(t, "PackT against Pack", p.clone())
	x0, w0, p0 := x.clone(), w.clone(), p.clone()
	out0 := newBuffer(rng, max(0, (m-1)*ldo+n))
	out0.gaps(m, n, ldo)
	want := out0.clone()
	mulAddPackedRef(m, n, k, x.data(), ldx, w.data(), ldw, want[pad:pad+out0.n], ldo)
	var asm []float32
	for _, im := range packedImpls() {
		out := &buffer{all: out0.clone(), n: out0.n}
		im.f(m, n, k, x.data(), ldx, p.data(), out.data(), ldo)
		for i := 0; i < m; i++ {
			for j := 0; j < ldo && i*ldo+j < out.n; j++ {
				got, ref := out.data()[i*ldo+j], want[pad+i*ldo+j]
				if j >= n {
					if math.Float32bits(got) != math.Float32bits(ref) {
						t.Fatalf("%s [%d, %d, %d]: gap (%d, %d) written: %v", im.name, m, n, k, i, j, got)
					}
					continue
				}
				abs := math.Abs(float64(out0.data()[i*ldo+j]))
				for q := 0; q < k; q++ {
					abs += math.Abs(float64(x.data()[i*ldx+q]) * float64(w.data()[j*ldw+q]))
				}
				if !close(got, ref, k+1, abs) {
					t.Fatalf("%s [%d, %d, %d]: out(%d, %d) = %v, reference %v", im.name, m, n, k, i, j, got, ref)
				}
			}
		}
		out.checkGuards(t, im.name+" out")
		x.checkSame(t, im.name+" x", x0)
		w.checkSame(t, im.name+" W", w0)
		p.checkSame(t, im.name+" panels", p0)
		outT := &buffer{all: out0.clone(), n: out0.n}
		im.t(m, n, k, xt.data(), ldt2, p.data(), outT.data(), ldo)
		outT.checkSame(t, im.name+" on x transposed against x", out.clone())
		xt.checkSame(t, im.name+" x^T", xt0)
		if len(im.name) > 12 && im.name[:12] == "mulAddPacked" && im.name != "mulAddPackedGo" {
			if asm == nil {
				asm = out.clone()
			} else {
				(&buffer{all: out.all, n: out.n}).checkSame(t, im.name+" against the other assembly tiles", asm)
			}
		}
	}
}

func TestMulAddPackedSizes(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for _, m := range []int{0, 1, 2, 3, 4, 5, 8, 9} {
		for _, n := range []int{0, 1, 15, 16, 17, 31, 32, 33, 64, 100, 128, 130, 160} {
			for _, k := range []int{0, 1, 2, 7, 33} {
				checkPacked(t, rng, m, n, k, rng.IntN(3), rng.IntN(3), rng.IntN(3))
			}
		}
	}
	if len(packedAsmImpls()) == 0 {
		t.Log("no assembly in this build or on this CPU: the portable loop only")
	}
}

// TestMulAddPackedSplit: a product computed by column panels or by rows
// gives the bits of the whole, kernel by kernel (what lets native split a
// product between goroutines).
func TestMulAddPackedSplit(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	m, n, k := 9, 16*11+5, 37
	x := newBuffer(rng, m*k).data()
	w := newBuffer(rng, n*k).data()
	p := make([]float32, PackedLen(n, k))
	Pack(p, w, n, k, k)
	for _, im := range packedImpls() {
		whole := make([]float32, m*n)
		im.f(m, n, k, x, k, p, whole, n)
		for _, cut := range []int{1, 2, 3, 5, 8, 10} { // in panels
			parts := make([]float32, m*n)
			j0 := cut * PanelWidth
			im.f(m, j0, k, x, k, p, parts, n)
			im.f(m, n-j0, k, x, k, p[j0*k:], parts[j0:], n)
			for i := range whole {
				if math.Float32bits(whole[i]) != math.Float32bits(parts[i]) {
					t.Fatalf("%s: split at column %d: entry %d is %v, whole %v", im.name, j0, i, parts[i], whole[i])
				}
			}
		}
		for r := 1; r < m; r++ {
			parts := make([]float32, m*n)
			im.f(r, n, k, x, k, p, parts, n)
			im.f(m-r, n, k, x[r*k:], k, p, parts[r*n:], n)
			for i := range whole {
				if math.Float32bits(whole[i]) != math.Float32bits(parts[i]) {
					t.Fatalf("%s: split at row %d: entry %d is %v, whole %v", im.name, r, i, parts[i], whole[i])
				}
			}
		}
	}
}

func FuzzMulAddPacked(f *testing.F) {
	f.Add(uint64(1), uint8(1), uint16(160), uint16(160), uint8(0))
	f.Add(uint64(2), uint8(4), uint16(640), uint16(33), uint8(5))
	f.Add(uint64(3), uint8(7), uint16(17), uint16(1), uint8(63))
	f.Add(uint64(4), uint8(16), uint16(129), uint16(64), uint8(9))
	f.Fuzz(func(t *testing.T, seed uint64, m uint8, n, k uint16, pads uint8) {
		checkPacked(t, rand.New(rand.NewPCG(seed, 9)), int(m%20), int(n%700), int(k%300),
			int(pads%4), int(pads/4%4), int(pads/16%4))
	})
}
