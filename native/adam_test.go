package native

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/importer"
	"github.com/musicvae-go/mvae/model"
)

func TestAdamStep(t *testing.T) {
	w := model.Weights{"a": {Shape: []int{2}, Data: []float32{1, -1}}}
	g := model.Weights{"a": {Shape: []int{2}, Data: []float32{0.5, -2}}}
	a := &Adam{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, M: model.Weights{"a": model.NewTensorOf([]int{2})}, V: model.Weights{"a": model.NewTensorOf([]int{2})}}
	a.Update(w, g, 0.1, nil)
	// The first Adam step moves each weight by lr * sign(g).
	if math.Abs(float64(w["a"].Data[0])-0.9) > 1e-6 || math.Abs(float64(w["a"].Data[1])+0.9) > 1e-6 {
		t.Errorf("after one step: %v", w["a"].Data)
	}
	if n := ClipGlobalNorm(g, 1); math.Abs(n-math.Sqrt(4.25)) > 1e-6 {
		t.Errorf("norm %v", n)
	}
	if n := ClipGlobalNorm(g, 0); math.Abs(n-1) > 1e-5 {
		t.Errorf("after clipping, norm %v", n)
	}
}

// TestClipGlobalNormChunks: ClipGlobalNorm, its scaling shared in chunks
// between goroutines, gives the bits of the plain loops (names in order,
// then every value scaled) on tensors longer than a chunk.
func TestClipGlobalNormChunks(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	g, want := model.Weights{}, model.Weights{}
	for name, n := range map[string]int{"a": 3, "b": 2*adamChunkLen + 17, "c": adamChunkLen} {
		g[name], want[name] = model.NewTensorOf([]int{n}), model.NewTensorOf([]int{n})
		for i := range n {
			v := float32(rng.NormFloat64())
			g[name].Data[i], want[name].Data[i] = v, v
		}
	}
	sum := 0.0
	for _, name := range []string{"a", "b", "c"} {
		for _, v := range want[name].Data {
			sum += float64(v) * float64(v)
		}
	}
	norm := math.Sqrt(sum)
	s := float32(1 / (norm + 1e-6))
	for _, w := range want {
		for i := range w.Data {
			w.Data[i] *= s
		}
	}
	if got := ClipGlobalNorm(g, 1); math.Float64bits(got) != math.Float64bits(norm) {
		t.Fatalf("norm %v, want %v", got, norm)
	}
	for name, w := range want {
		for i, v := range w.Data {
			if math.Float32bits(g[name].Data[i]) != math.Float32bits(v) {
				t.Fatalf("%s[%d] = %v, want %v", name, i, g[name].Data[i], v)
			}
		}
	}
}

// TestTrainingLowersLoss: a few Adam steps on one batch lower its loss.
func TestTrainingLowersLoss(t *testing.T) {
	r, err := importer.File("../testdata/models/melody/model.pt", importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := r.Config
	m, err := New(c, r.Weights)
	if err != nil {
		t.Fatal(err)
	}
	x := generate.RandomWindows(c, 4, nil2rng())
	eps := make([]float32, 4*c.ZSize)
	g := NewGrads(c)
	adam := NewAdam(c)
	first := 0.0
	var last float64
	for i := 0; i < 10; i++ {
		ZeroGrads(g)
		p, err := m.LossAndGrad(x, eps, 4, 0.2, 0, g)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = p.Loss
		}
		last = p.Loss
		ClipGlobalNorm(g, 1)
		adam.Update(r.Weights, g, 1e-2, nil)
		m.Refresh(r.Weights)
	}
	if !(last < first*0.9) {
		t.Errorf("loss %v -> %v", first, last)
	}
}

func nil2rng() *rand.Rand { return rand.New(rand.NewPCG(1, 2)) }

// TestAdamSharedSameBits: Update with its chunks shared between goroutines
// gives the bits of the plain loop of its doc comment, value by value (a
// tensor longer than a chunk included), and skips the frozen tensors.
func TestAdamSharedSameBits(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	sizes := map[string]int{"big": 3*adamChunkLen + 17, "small": 5, "frozen": 40}
	w, g, m, v := model.Weights{}, model.Weights{}, model.Weights{}, model.Weights{}
	for name, n := range sizes {
		for _, ws := range []model.Weights{w, g, m, v} {
			ws[name] = model.NewTensorOf([]int{n})
		}
		for i := 0; i < n; i++ {
			w[name].Data[i] = float32(rng.NormFloat64())
			g[name].Data[i] = float32(rng.NormFloat64())
			v[name].Data[i] = float32(rng.Float64())
			m[name].Data[i] = float32(rng.NormFloat64())
		}
	}
	clone := func(ws model.Weights) model.Weights {
		out := model.Weights{}
		for name, t := range ws {
			out[name] = &model.Tensor{Shape: t.Shape, Data: append([]float32(nil), t.Data...)}
		}
		return out
	}
	wantW, wantM, wantV := clone(w), clone(m), clone(v)
	a := &Adam{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Step: 2, M: m, V: v}
	a.Update(w, g, 1e-3, func(name string) bool { return name == "frozen" })
	// The reference loop, step 3.
	bc1 := 1 - math.Pow(0.9, 3)
	bc2 := math.Sqrt(1 - math.Pow(0.999, 3))
	b1, b2, step := float32(0.9), float32(0.999), float32(1e-3/bc1)
	for name, gt := range g {
		if name == "frozen" {
			continue
		}
		wt, mt, vt := wantW[name].Data, wantM[name].Data, wantV[name].Data
		for i, gi := range gt.Data {
			mt[i] = b1*mt[i] + (1-b1)*gi
			vt[i] = b2*vt[i] + (1-b2)*gi*gi
			denom := float32(math.Sqrt(float64(vt[i]))/bc2 + 1e-8)
			wt[i] -= step * mt[i] / denom
		}
	}
	for _, c := range []struct {
		what      string
		got, want model.Weights
	}{{"w", w, wantW}, {"m", m, wantM}, {"v", v, wantV}} {
		for name, tw := range c.want {
			for i, x := range tw.Data {
				if math.Float32bits(c.got[name].Data[i]) != math.Float32bits(x) {
					t.Fatalf("%s %s[%d] = %v, the loop gives %v", c.what, name, i, c.got[name].Data[i], x)
				}
			}
		}
	}
}
