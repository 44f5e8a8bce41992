package f32

import (
	"math"
	"math/rand/v2"
	"testing"
)

type cellBackwardImpl struct {
	name string
	f    func(act *[5][]float32, cPrev, dh, dc, da []float32, H int)
}

// cellBackwardImpls are CellBackward and, where this CPU runs it, its
// assembly finished by the portable loop.
func cellBackwardImpls() []cellBackwardImpl {
	im := []cellBackwardImpl{{"CellBackward", CellBackward}}
	{
		k := cellBackwardAsm
		im = append(im, cellBackwardImpl{"cellBackwardAsm", func(act *[5][]float32, cPrev, dh, dc, da []float32, H int) {
			cellBackwardGo(k(act, cPrev, dh, dc, da, H), act, cPrev, dh, dc, da, H)
		}})
	}
	return im
}

// checkCellBackward runs every CellBackward implementation on a row of H
// units (activations as Cell makes them from gates with a share of large,
// infinite and NaN ones; gradients with a share of NaN and infinite ones)
// against the reference loop: the same bits (with GOAMD64 v1 or v2; within
// float32 rounding where Go fuses), inputs unchanged, guards intact.
func checkCellBackward(t testing.TB, rng *rand.Rand, H int) {
	t.Helper()
	odd := func(b *buffer) {
		for i := range b.data() {
			switch rng.IntN(60) {
			case 0:
				b.data()[i] = float32(rng.NormFloat64() * 100)
			case 1:
				b.data()[i] = float32(math.Inf(2*rng.IntN(2) - 1))
			case 2:
				b.data()[i] = float32(math.NaN())
			default:
				b.data()[i] *= 4
			}
		}
	}
	gates, cPrev := newBuffer(rng, 4*H), newBuffer(rng, H)
	odd(gates)
	odd(cPrev)
	var act [5][]float32
	var acts [5]*buffer
	for i := range acts {
		acts[i] = newBuffer(rng, H)
		act[i] = acts[i].data()
	}
	Cell(gates.data(), H, cPrev.data(), make([]float32, H), make([]float32, H), &act)
	dh, dc := newBuffer(rng, H), newBuffer(rng, H)
	odd(dh)
	odd(dc)
	var acts0 [5][]float32
	for i, b := range acts {
		acts0[i] = b.clone()
	}
	cp0, dh0, dc0 := cPrev.clone(), dh.clone(), dc.clone()
	wantDC := append([]float32(nil), dc.data()...)
	wantDA := make([]float32, 4*H)
	cellBackwardGo(0, &act, cPrev.data(), dh.data(), wantDC, wantDA, H)
	for _, im := range cellBackwardImpls() {
		d := &buffer{all: append([]float32(nil), dc0...), n: H}
		da := newBuffer(rng, 4*H)
		im.f(&act, cPrev.data(), dh.data(), d.data(), da.data(), H)
		same := func(what string, got, want []float32) {
			for k := range want {
				g, w := got[k], want[k]
				if !(math.Float32bits(g) == math.Float32bits(w) || (g != g && w != w) ||
					!cellExact && math.Abs(float64(g)-float64(w)) <= 1e-5*(1+math.Abs(float64(w)))) {
					t.Fatalf("%s of %d units: %s[%d] = %v, reference %v", im.name, H, what, k, g, w)
				}
			}
		}
		same("dc", d.data(), wantDC)
		same("da", da.data(), wantDA)
		d.checkGuards(t, im.name+" dc")
		da.checkGuards(t, im.name+" da")
		for i, b := range acts {
			b.checkSame(t, im.name+" act", acts0[i])
		}
		cPrev.checkSame(t, im.name+" cPrev", cp0)
		dh.checkSame(t, im.name+" dh", dh0)
	}
}

func TestCellBackwardEveryWidth(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for H := 0; H <= 70; H++ {
		checkCellBackward(t, rng, H)
	}
}

func FuzzCellBackward(f *testing.F) {
	for _, H := range []uint16{1, 8, 9, 160, 1024} {
		f.Add(uint64(H), H)
	}
	f.Fuzz(func(t *testing.T, seed uint64, H uint16) {
		checkCellBackward(t, rand.New(rand.NewPCG(seed, 13)), int(H%1100))
	})
}

func BenchmarkCellBackward(b *testing.B) {
	const H = 512
	rng := rand.New(rand.NewPCG(1, 1))
	var act [5][]float32
	for i := range act {
		act[i] = newBuffer(rng, H).data()
	}
	cPrev, dh, dc, da := newBuffer(rng, H).data(), newBuffer(rng, H).data(), newBuffer(rng, H).data(), make([]float32, 4*H)
	for _, im := range []cellBackwardImpl{{"go", func(act *[5][]float32, cPrev, dh, dc, da []float32, H int) {
		cellBackwardGo(0, act, cPrev, dh, dc, da, H)
	}}, {"CellBackward", CellBackward}} {
		b.Run(im.name, func(b *testing.B) {
			for b.Loop() {
				copy(dc, dh)
				im.f(&act, cPrev, dh, dc, da, H)
			}
		})
	}
}
