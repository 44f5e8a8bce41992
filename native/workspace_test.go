package native

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/musicvae-go/mvae/model"
)

// TestWorkspaceWrittenBeforeRead: with every buffer of the workspaces
// handed out full of NaN (floats, get), a step gives the same loss and
// gradients, bit for bit, as with fresh zeroed buffers, and so does a
// second step on the same Trainer (its workspaces reused): nothing reads
// what a previous step or user left in a buffer. Model.LossAndGrad, on a
// pooled workspace, agrees too.
func TestWorkspaceWrittenBeforeRead(t *testing.T) {
	c, w := defaultWeights(t)
	m, err := New(c, w)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 9))
	const B = 4
	x, eps := randomBatch(c, B, rng)
	step := func(tr *Trainer) (LossParts, model.Weights) {
		g := NewGrads(c)
		parts, err := tr.LossAndGrad(x, eps, B, 0.5, 0, g)
		if err != nil {
			t.Fatal(err)
		}
		return parts, g
	}
	same := func(what string, p0, p1 LossParts, g0, g1 model.Weights) {
		t.Helper()
		if p0 != p1 {
			t.Fatalf("%s: loss %+v, fresh %+v", what, p1, p0)
		}
		for name, ta := range g0 {
			for i, v := range ta.Data {
				if math.Float32bits(v) != math.Float32bits(g1[name].Data[i]) {
					t.Fatalf("%s: %s[%d] = %v, %v fresh", what, name, i, g1[name].Data[i], v)
				}
			}
		}
	}
	p0, g0 := step(&Trainer{M: m, Workers: 2})
	func() {
		poisonWork = true
		defer func() { poisonWork = false }()
		tr := &Trainer{M: m, Workers: 2}
		p1, g1 := step(tr)
		same("poisoned workspaces", p0, p1, g0, g1)
		p1, g1 = step(tr)
		same("poisoned workspaces, second step", p0, p1, g0, g1)
	}()
	tr := &Trainer{M: m, Workers: 2}
	step(tr)
	p1, g1 := step(tr)
	same("second step", p0, p1, g0, g1)
	// One worker: the whole batch in one share, summed in another order,
	// as Model.LossAndGrad does.
	p2, g2 := step(&Trainer{M: m, Workers: 1})
	g3 := NewGrads(c)
	p3, err := m.LossAndGrad(x, eps, B, 0.5, 0, g3)
	if err != nil {
		t.Fatal(err)
	}
	same("Model.LossAndGrad", p2, p3, g2, g3)
}

// TestWorkspaceReuse: a step that asks a workspace for what the step
// before asked allocates nothing; zeros are zero whatever the block held;
// get's buffers of a length no longer asked for are let go at reset.
func TestWorkspaceReuse(t *testing.T) {
	ws := new(workspace)
	step := func(n int) {
		a := ws.floats(n)
		z := ws.zeros(2 * n)
		for i := range z {
			if z[i] != 0 {
				t.Fatalf("zeros[%d] = %v", i, z[i])
			}
		}
		for i := range a {
			a[i] = float32(math.NaN())
		}
		for i := range z {
			z[i] = float32(math.NaN())
		}
		if len(a) != n || cap(a) != n || len(z) != 2*n || cap(z) != 2*n {
			t.Fatalf("floats(%d): len %d cap %d; zeros(%d): len %d cap %d", n, len(a), cap(a), 2*n, len(z), cap(z))
		}
		s := ws.get(3 * n)
		ws.put(s)
		ws.reset()
	}
	step(100)
	if allocs := testing.AllocsPerRun(5, func() { step(100) }); allocs != 0 && !raceEnabled {
		t.Errorf("a step the size of the last allocates %v times", allocs)
	}
	step(10) // smaller: fits the block
	if len(ws.free[300]) != 0 || len(ws.free[30]) != 1 {
		t.Errorf("free lists after a step of other lengths: %d of 300, %d of 30", len(ws.free[300]), len(ws.free[30]))
	}
	var nilWS *workspace
	if len(nilWS.floats(4)) != 4 || len(nilWS.zeros(4)) != 4 || len(*nilWS.get(4)) != 4 || nilWS.packT(make([]float32, 8), 2, 4, 2).rows != 2 {
		t.Error("a nil workspace does not allocate")
	}
	nilWS.put(nil)
}
