package f32

import (
	"math"
	"math/rand/v2"
	"testing"
)

type cellImpl struct {
	name string
	f    func(a []float32, H int, cPrev, c, h []float32, act *[5][]float32)
}

// cellImpls are Cell and each assembly tile set this CPU runs.
func cellImpls() []cellImpl {
	return append([]cellImpl{{"Cell", Cell}}, cellAsmImpls()...)
}

// checkCell runs every Cell implementation on a row of H units (gates from rng, with a share of
// large, infinite and NaN ones) against the reference loop: the same bits
// (with GOAMD64 v1 or v2; within a few ulps where Go fuses), inputs
// unchanged, guards intact; with and without the activations.
func checkCell(t testing.TB, rng *rand.Rand, H int) {
	t.Helper()
	a := newBuffer(rng, 4*H)
	for i := range a.data() {
		switch rng.IntN(40) {
		case 0:
			a.data()[i] = float32(rng.NormFloat64() * 100)
		case 1:
			a.data()[i] = float32(math.Inf(2*rng.IntN(2) - 1))
		case 2:
			a.data()[i] = float32(math.NaN())
		default:
			a.data()[i] *= 4
		}
	}
	cPrev := newBuffer(rng, H)
	a0, cp0 := a.clone(), cPrev.clone()
	wantC, wantH := make([]float32, H), make([]float32, H)
	var wantAct [5][]float32
	for i := range wantAct {
		wantAct[i] = make([]float32, H)
	}
	cellGo(0, a.data(), H, cPrev.data(), wantC, wantH, &wantAct)
	for _, im := range cellImpls() {
		for _, withAct := range []bool{false, true} {
			c, h := newBuffer(rng, H), newBuffer(rng, H)
			var act *[5][]float32
			var bufs [5]*buffer
			if withAct {
				act = new([5][]float32)
				for i := range bufs {
					bufs[i] = newBuffer(rng, H)
					act[i] = bufs[i].data()
				}
			}
			im.f(a.data(), H, cPrev.data(), c.data(), h.data(), act)
			same := func(what string, got, want []float32) {
				for k := range want {
					g, w := got[k], want[k]
					if !cellSame(g, w, cPrev.data()[k]) {
						t.Fatalf("%s of %d units: %s[%d] = %v, reference %v (gates %v %v %v %v)", im.name, H, what, k, g, w, a.data()[k], a.data()[H+k], a.data()[2*H+k], a.data()[3*H+k])
					}
				}
			}
			same("c", c.data(), wantC)
			same("h", h.data(), wantH)
			c.checkGuards(t, "Cell c")
			h.checkGuards(t, "Cell h")
			for i, b := range bufs {
				if b != nil {
					same("act", b.data(), wantAct[i])
					b.checkGuards(t, "Cell act")
				}
			}
			a.checkSame(t, im.name+" gates", a0)
			cPrev.checkSame(t, im.name+" cPrev", cp0)
		}
		// In place: c is cPrev.
		c := &buffer{all: cPrev.clone(), n: H}
		h := make([]float32, H)
		im.f(a.data(), H, c.data(), c.data(), h, nil)
		for k := range wantC {
			if !cellSame(c.data()[k], wantC[k], cp0[pad+k]) {
				t.Fatalf("%s in place of %d units: c[%d] = %v, reference %v", im.name, H, k, c.data()[k], wantC[k])
			}
		}
	}
}

// cellSame reports whether got has want's bits (both NaN will do), or,
// where Go fuses the portable loop's multiply-adds (cellExact false), is
// within float32 rounding of a unit whose previous cell state is cPrev.
func cellSame(got, want, cPrev float32) bool {
	if math.Float32bits(got) == math.Float32bits(want) || (got != got && want != want) {
		return true
	}
	return !cellExact && math.Abs(float64(got)-float64(want)) <= 1e-6*(2+math.Abs(float64(cPrev)))
}

func TestCellEveryWidth(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	for H := 0; H <= 70; H++ {
		checkCell(t, rng, H)
	}
}

func FuzzCell(f *testing.F) {
	for _, H := range []uint16{1, 8, 9, 160, 1024} {
		f.Add(uint64(H), H)
	}
	f.Fuzz(func(t *testing.T, seed uint64, H uint16) {
		checkCell(t, rand.New(rand.NewPCG(seed, 11)), int(H%1100))
	})
}
