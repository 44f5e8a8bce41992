//go:build cgo

package runtime

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/graphs"
	"github.com/musicvae-go/mvae/model"
)

// familyTolerance is how far the graphs, run in float32 under onnxruntime,
// may be from the float64 reference on the tiny models.
const familyTolerance = 1e-5

func familyNames() []string {
	var names []string
	for n := range model.TinyFamilies() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// openFamily writes a bundle of a tiny family with random weights and the
// graphs built from them, reads it back and opens it under onnxruntime.
func openFamily(t *testing.T, c *model.Config, w model.Weights) *ORT {
	t.Helper()
	gs, err := graphs.BuildAll(c, w)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sortedKeys(gs), sorted(graphs.NamesOf(c)); !slices.Equal(got, want) {
		t.Fatalf("BuildAll built %v, want %v", got, want)
	}
	var buf bytes.Buffer
	if err := model.WriteBundle(&buf, model.NewBundle(model.Manifest{Config: c}, w, gs), false); err != nil {
		t.Fatal(err)
	}
	b, err := model.ReadBundle(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	be, err := Open(b, Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { be.Close() })
	return be
}

func sortedKeys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sorted(s []string) []string {
	s = append([]string{}, s...)
	sort.Strings(s)
	return s
}

func worst(got []float32, want []float64) float64 {
	if len(got) != len(want) {
		return math.Inf(1)
	}
	d := 0.0
	for i, v := range got {
		e := math.Abs(float64(v) - want[i])
		if math.IsNaN(e) {
			return math.Inf(1)
		}
		d = math.Max(d, e)
	}
	return d
}

func flat(rows [][]float64) []float64 {
	var out []float64
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}

// TestFamiliesMatchReference: for every family of model.TinyFamilies with
// random weights, the graphs built from the weights, run under onnxruntime
// through the backend, agree with the float64 reference of
// docs/FAMILIES.md §2.2 within 1e-5: the encoder (on the encoder's input),
// the conductor (or z), every split decoder stepped with teacher forcing,
// and the full graph (fed the tokens; the backend derives the encoder's
// input).
func TestFamiliesMatchReference(t *testing.T) {
	initORT(t)
	for i, name := range familyNames() {
		c := model.TinyFamilies()[name]
		t.Run(name, func(t *testing.T) {
			w := randomWeights(c, uint64(100+i), 0.5)
			be := openFamily(t, c, w)
			m := &ref{c, w}
			const B = 2
			T, D, Z, C, U, S := c.T(), c.InputSize, c.ZSize, c.CondWidth(), c.Segments, c.S()
			rng := rand.New(rand.NewPCG(uint64(i), 3))
			x := generate.RandomWindows(c, B, rng)
			eps := make([]float32, B*Z)
			for j := range eps {
				eps[j] = float32(rng.NormFloat64())
			}
			// The reference, window by window.
			var wantL, wantMu, wantSigma, wantXin, wantEncMu, wantEncSigma []float64
			var windows [][][]float64
			for b := 0; b < B; b++ {
				win := make([][]float64, T)
				for t := range win {
					win[t] = make([]float64, D)
					for k := range win[t] {
						win[t][k] = float64(x[(b*T+t)*D+k])
					}
				}
				windows = append(windows, win)
				l, mu, sigma := m.forward(win, f64(eps[b*Z:(b+1)*Z]))
				wantL, wantMu, wantSigma = append(wantL, flat(l)...), append(wantMu, mu...), append(wantSigma, sigma...)
				xin := m.encoderInput(win)
				wantXin = append(wantXin, flat(xin)...)
				emu, esig := m.encode(xin)
				wantEncMu, wantEncSigma = append(wantEncMu, emu...), append(wantEncSigma, esig...)
			}
			check := func(what string, got []float32, want []float64) {
				t.Helper()
				d := worst(got, want)
				if !(d <= familyTolerance) {
					t.Errorf("%s differs from the reference by %g", what, d)
				}
				t.Logf("%s within %.2g", what, d)
			}
			// The encoder graph on the encoder's input.
			xin := make([]float32, len(wantXin))
			for j, v := range wantXin {
				xin[j] = float32(v)
			}
			mu, sigma := make([]float32, B*Z), make([]float32, B*Z)
			if err := be.Encode(xin, B, mu, sigma); err != nil {
				t.Fatal(err)
			}
			check("encoder mu", mu, wantEncMu)
			check("encoder sigma", sigma, wantEncSigma)
			// The full graph on the tokens.
			logits, fmu, fsigma := make([]float32, B*T*D), make([]float32, B*Z), make([]float32, B*Z)
			if err := be.Forward(x, eps, B, logits, fmu, fsigma); err != nil {
				t.Fatal(err)
			}
			check("full logits", logits, wantL)
			check("full mu", fmu, wantMu)
			check("full sigma", fsigma, wantSigma)
			// The conductor and the decoders, stepped with teacher forcing
			// from z = mu + sigma * eps (float32, as the backend computes it).
			z := make([]float32, B*Z)
			for j := range z {
				z[j] = fmu[j] + fsigma[j]*eps[j]
			}
			cond := make([]float32, B*U*C)
			if err := be.Conduct(z, B, cond); err != nil {
				t.Fatal(err)
			}
			var wantCond []float64
			for b := 0; b < B; b++ {
				wantCond = append(wantCond, flat(m.conduct(f64(z[b*Z:(b+1)*Z])))...)
			}
			check("cond", cond, wantCond)
			st, err := be.NewState(B)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			stepWorst := 0.0
			for u := 0; u < U; u++ {
				cu := make([]float32, B*C)
				for b := 0; b < B; b++ {
					copy(cu[b*C:(b+1)*C], cond[(b*U+u)*C:(b*U+u+1)*C])
				}
				refSt := make([][]*decState, B)
				for k := range c.SplitDepths() {
					if err := be.DecoderInit(st, k, cu); err != nil {
						t.Fatal(err)
					}
					for b := 0; b < B; b++ {
						refSt[b] = append(refSt[b], m.decInit(k, f64(cu[b*C:(b+1)*C])))
					}
				}
				for s := 0; s < S; s++ {
					tt := u*S + s
					for k, Dk := range c.SplitDepths() {
						off := c.SplitOffset(k)
						prev, got := make([]float32, B*Dk), make([]float32, B*Dk)
						if tt > 0 {
							for b := 0; b < B; b++ {
								copy(prev[b*Dk:(b+1)*Dk], x[(b*T+tt-1)*D+off:])
							}
						}
						if err := be.DecoderStep(st, k, prev, cu, got); err != nil {
							t.Fatal(err)
						}
						var want []float64
						for b := 0; b < B; b++ {
							want = append(want, m.decStep(k, refSt[b][k], f64(prev[b*Dk:(b+1)*Dk]), f64(cu[b*C:(b+1)*C]))...)
						}
						stepWorst = math.Max(stepWorst, worst(got, want))
					}
				}
			}
			if !(stepWorst <= familyTolerance) {
				t.Errorf("decoder steps differ from the reference by %g", stepWorst)
			}
			t.Logf("decoder steps within %.2g", stepWorst)
		})
	}
}

// TestFamiliesGenerateLikeReference: generate.Decode on onnxruntime gives,
// for every tiny family, the tokens of the reference's sampler loop
// (docs/FAMILIES.md §4) at temperatures 0, 0.5 and 1: hits and classes
// identical, groove velocities and offsets within 1e-5.
func TestFamiliesGenerateLikeReference(t *testing.T) {
	initORT(t)
	for i, name := range familyNames() {
		c := model.TinyFamilies()[name]
		t.Run(name, func(t *testing.T) {
			w := randomWeights(c, uint64(200+i), 0.5)
			be := openFamily(t, c, w)
			m := &ref{c, w}
			const B = 3
			Z := c.ZSize
			rng := rand.New(rand.NewPCG(uint64(i), 5))
			z := make([]float32, B*Z)
			for j := range z {
				z[j] = float32(rng.NormFloat64())
			}
			for _, temp := range []float64{0, 0.5, 1} {
				const seed = 42
				got, err := generate.Decode(be, z, B, generate.Options{Temperature: temp, Seed: seed})
				if err != nil {
					t.Fatal(err)
				}
				var want []float32
				for b := 0; b < B; b++ {
					for _, row := range m.sample(f64(z[b*Z:(b+1)*Z]), temp, generate.NewSplitMix64(seed+uint64(b))) {
						want = append(want, row...)
					}
				}
				compareFamilyTokens(t, c, temp, got, want)
			}
		})
	}
}

// compareFamilyTokens: hits and classes identical; a groove step's
// velocities and offsets within 1e-5.
func compareFamilyTokens(t *testing.T, c *model.Config, temp float64, got, want []float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("temperature %g: %d values, want %d", temp, len(got), len(want))
	}
	D, T := c.InputSize, c.T()
	for i, v := range got {
		exact := c.Representation != "groove" || i%D < 9
		if d := math.Abs(float64(v - want[i])); exact && d != 0 || d > 1e-5 {
			t.Fatalf("temperature %g: sequence %d, step %d, column %d: %v, want %v", temp, i/(T*D), (i/D)%T, i%D, v, want[i])
		}
	}
}

func f64(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

// TestFamilyBuffersChecked: a buffer of the wrong size or a split the model
// does not have is an error, not a silent truncation: drums_2bar's encoder
// reads D_in = 10 values a step, not the tokens' 512; trio has splits 0..2.
func TestFamilyBuffersChecked(t *testing.T) {
	initORT(t)
	fs := model.TinyFamilies()
	drums := fs["drums_2bar"]
	be := openFamily(t, drums, randomWeights(drums, 1, 0.5))
	const B = 2
	mu, sigma := make([]float32, B*drums.ZSize), make([]float32, B*drums.ZSize)
	tokens := make([]float32, B*drums.T()*drums.InputSize)
	if err := be.Encode(tokens, B, mu, sigma); err == nil {
		t.Error("Encode took tokens [B,T,D] for the encoder's input [B,T,D_in]")
	}
	if err := be.Encode(make([]float32, B*drums.T()*drums.EncoderIn()), B, mu, sigma); err != nil {
		t.Errorf("Encode on [B,T,D_in]: %v", err)
	}
	trio := fs["trio_hier"]
	be = openFamily(t, trio, randomWeights(trio, 2, 0.5))
	st, err := be.NewState(B)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	C := trio.CondWidth()
	cu := make([]float32, B*C)
	if err := be.DecoderInit(st, 3, cu); err == nil {
		t.Error("DecoderInit of split 3 of 3")
	}
	if err := be.DecoderInit(st, 2, cu); err != nil {
		t.Fatal(err)
	}
	D2 := trio.SplitDepths()[2]
	if err := be.DecoderStep(st, 2, make([]float32, B*trio.InputSize), cu, make([]float32, B*D2)); err == nil {
		t.Error("DecoderStep of split 2 took prev of the whole step's depth")
	}
	if err := be.DecoderStep(st, 2, make([]float32, B*D2), cu, make([]float32, B*D2)); err != nil {
		t.Error(err)
	}
}
