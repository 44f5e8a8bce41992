package native

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/music"
)

// TestFamiliesMatchReference: for every family of model.TinyFamilies, the
// encoder (mu, sigma), the conductor and the teacher-forced logits agree
// with the float64 reference within 1e-5 (also on extraFamilies), and the generation loop over the
// native backend draws the reference sampler's tokens (hits and classes
// exactly, velocities and offsets within 1e-5) at temperatures 0, 0.5 and 1.
func TestFamiliesMatchReference(t *testing.T) {
	for _, name := range append(families(), "trio_hier2_flat", "mel_enc2_dec3") {
		t.Run(name, func(t *testing.T) {
			c, w, m := tinyFamily(t, name, 11)
			r := newRef64(c, w)
			T, D, Z, U, C := c.T(), c.InputSize, c.ZSize, c.Segments, c.CondWidth()
			rng := rand.New(rand.NewPCG(3, 3))
			B := 3
			x := generate.RandomWindows(c, B, rng)
			eps := make([]float32, B*Z)
			for i := range eps {
				eps[i] = float32(rng.NormFloat64())
			}
			logits, mu, sigma, err := generate.Forward(m, x, eps, B)
			if err != nil {
				t.Fatal(err)
			}
			emu, esigma, err := generate.EncodeTokens(m, x, B)
			if err != nil {
				t.Fatal(err)
			}
			cond := make([]float32, B*U*C)
			if err := m.Conduct(mu, B, cond); err != nil {
				t.Fatal(err)
			}
			worst := 0.0
			near := func(what string, got float32, want float64) {
				d := math.Abs(float64(got) - want)
				worst = math.Max(worst, d)
				if !(d <= 1e-5) {
					t.Fatalf("%s: %v, reference %v", what, got, want)
				}
			}
			x64 := to64(x)
			for b := 0; b < B; b++ {
				xb := window(x64[b*T*D:(b+1)*T*D], T, D)
				rmu, rsigma, rl := r.forward(xb, to64(eps[b*Z:(b+1)*Z]))
				for k := 0; k < Z; k++ {
					near("mu", mu[b*Z+k], rmu[k])
					near("sigma", sigma[b*Z+k], rsigma[k])
					near("Encode mu", emu[b*Z+k], rmu[k])
					near("Encode sigma", esigma[b*Z+k], rsigma[k])
				}
				for t := 0; t < T; t++ {
					for j := 0; j < D; j++ {
						near("logits", logits[(b*T+t)*D+j], rl[t][j])
					}
				}
				for u, cu := range r.conduct(to64(mu[b*Z : (b+1)*Z])) {
					for j, v := range cu {
						near("cond", cond[(b*U+u)*C+j], v)
					}
				}
			}
			const seed = 40
			for _, temp := range []float64{0, 0.5, 1} {
				z, tok, err := generate.Sample(m, B, generate.Options{Temperature: temp, Seed: seed})
				if err != nil {
					t.Fatal(err)
				}
				for b := 0; b < B; b++ {
					rz, rtok := r.sample(seed+uint64(b), temp)
					for k := range rz {
						if float64(z[b*Z+k]) != rz[k] {
							t.Fatalf("temperature %g: z differs", temp)
						}
					}
					for t2 := 0; t2 < T; t2++ {
						for j := 0; j < D; j++ {
							got, want := tok[(b*T+t2)*D+j], rtok[t2][j]
							exact := c.Rep() != "groove" || j < 9
							if d := math.Abs(float64(got) - want); (exact && d != 0) || d > 1e-5 {
								t.Fatalf("temperature %g: sequence %d, step %d, column %d: %v, reference %v", temp, b, t2, j, got, want)
							}
						}
					}
				}
			}
			t.Logf("worst difference from the float64 reference %.2g", worst)
		})
	}
}

// recorder is a native backend that notes the split of every decoder step.
type recorder struct {
	*Model
	ks []int
}

func (r *recorder) DecoderStep(st generate.State, k int, prev, cu, logits []float32) error {
	r.ks = append(r.ks, k)
	return r.Model.DecoderStep(st, k, prev, cu, logits)
}

// TestSplitSamplingOrder: a trio sampled split by split runs, in every
// segment, all S steps of split 0, then of split 1, then of split 2; with
// sampling_order step it interleaves the splits step by step, and the
// tokens differ.
func TestSplitSamplingOrder(t *testing.T) {
	c, w, m := tinyFamily(t, "trio_hier", 2)
	U, S, n := c.Segments, c.S(), len(c.Splits)
	rec := &recorder{Model: m}
	_, bySplit, err := generate.Sample(rec, 2, generate.Options{Temperature: 1, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	var want []int
	for u := 0; u < U; u++ {
		for k := 0; k < n; k++ {
			for s := 0; s < S; s++ {
				want = append(want, k)
			}
		}
	}
	if !slices.Equal(rec.ks, want) {
		t.Errorf("split order: the steps ran splits %v", rec.ks)
	}
	sc := *c
	sc.SamplingOrder = "step"
	sm, err := New(&sc, w)
	if err != nil {
		t.Fatal(err)
	}
	rec = &recorder{Model: sm}
	_, byStep, err := generate.Sample(rec, 2, generate.Options{Temperature: 1, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	want = want[:0]
	for i := 0; i < U*S; i++ {
		for k := 0; k < n; k++ {
			want = append(want, k)
		}
	}
	if !slices.Equal(rec.ks, want) {
		t.Errorf("step order: the steps ran splits %v", rec.ks)
	}
	if slices.Equal(bySplit, byStep) {
		t.Error("the two sampling orders draw the same tokens")
	}
}

// TestUnmaskedGrooveFeedback: a groove model with unmasked feedback returns
// (and feeds back) velocities and offsets at steps without a hit; the same
// weights with masked feedback return zeros there, and decode differently.
func TestUnmaskedGrooveFeedback(t *testing.T) {
	c, w, m := tinyFamily(t, "groove_4bar", 4)
	mc := *c
	mc.GrooveFeedback = ""
	mc.Magenta = nil
	masked, err := New(&mc, w)
	if err != nil {
		t.Fatal(err)
	}
	const K = 9
	var toks [2][]float32
	for i, be := range []*Model{m, masked} {
		_, toks[i], err = generate.Sample(be, 2, generate.Options{Temperature: 0.5, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
	}
	unhit := 0
	for s := 0; s < len(toks[0])/27; s++ {
		for i := range toks {
			step := toks[i][s*27 : (s+1)*27]
			for k := 0; k < K; k++ {
				if step[k] != 0 {
					continue
				}
				if i == 0 && step[K+k] != 0 && step[2*K+k] != 0 {
					unhit++
				}
				if i == 1 && (step[K+k] != 0 || step[2*K+k] != 0) {
					t.Fatalf("masked feedback: step %d, class %d has no hit but %v, %v", s, k, step[K+k], step[2*K+k])
				}
			}
		}
	}
	if unhit == 0 {
		t.Error("unmasked feedback: no velocity or offset where there is no hit")
	}
	if slices.Equal(toks[0], toks[1]) {
		t.Error("masked and unmasked feedback decode the same")
	}
}

// TestFamiliesDecodeStepAllocatesNothing: a decoder step of every split of
// every family allocates nothing.
func TestFamiliesDecodeStepAllocatesNothing(t *testing.T) {
	for _, name := range families() {
		c, _, m := tinyFamily(t, name, 1)
		B := 4
		st, err := m.NewState(B)
		if err != nil {
			t.Fatal(err)
		}
		cu := make([]float32, B*c.CondWidth())
		for k, D := range c.SplitDepths() {
			prev, logits := make([]float32, B*D), make([]float32, B*D)
			if err := m.DecoderInit(st, k, cu); err != nil {
				t.Fatal(err)
			}
			if n := testing.AllocsPerRun(50, func() { m.DecoderStep(st, k, prev, cu, logits) }); n != 0 {
				t.Errorf("%s split %d: DecoderStep allocates %v times a step", name, k, n)
			}
			if n := testing.AllocsPerRun(10, func() { m.DecoderInit(st, k, cu) }); n != 0 {
				t.Errorf("%s split %d: DecoderInit allocates %v times", name, k, n)
			}
		}
	}
}

// TestFamiliesTrainerAgrees: the parallel Trainer gives LossAndGrad's loss
// and gradients on every family.
func TestFamiliesTrainerAgrees(t *testing.T) {
	for _, name := range families() {
		c, _, m := tinyFamily(t, name, 8)
		rng := rand.New(rand.NewPCG(8, 8))
		B := 5
		x, eps := randomBatch(c, B, rng)
		one, three := NewGrads(c), NewGrads(c)
		p1, err := m.LossAndGrad(x, eps, B, 0.5, 0.25, one)
		if err != nil {
			t.Fatal(err)
		}
		p3, err := (&Trainer{M: m, Workers: 3}).LossAndGrad(x, eps, B, 0.5, 0.25, three)
		if err != nil {
			t.Fatal(err)
		}
		trainerAgrees(t, name, p1, p3, one, three)
	}
}

var _ generate.Backend = (*recorder)(nil)

// TestFamiliesBadInputsAreErrors: a split the model lacks, a prev of another
// split's depth, a cond of the wrong width, and tokens given to Encode of a
// roll model (whose encoder reads D_in 10) are errors, not panics.
func TestFamiliesBadInputsAreErrors(t *testing.T) {
	c, _, m := tinyFamily(t, "trio_hier", 1)
	B, C := 2, c.CondWidth()
	st, err := m.NewState(B)
	if err != nil {
		t.Fatal(err)
	}
	cu := make([]float32, B*C)
	for name, err := range map[string]error{
		"split 3":         m.DecoderInit(st, 3, cu),
		"split -1":        m.DecoderStep(st, -1, make([]float32, B*90), cu, make([]float32, B*90)),
		"prev of split 2": m.DecoderStep(st, 1, make([]float32, B*512), cu, make([]float32, B*90)),
		"cond width":      m.DecoderInit(st, 0, make([]float32, B*(C+1))),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	dc, _, dm := tinyFamily(t, "drums_2bar", 1)
	if err := dm.Encode(make([]float32, B*dc.T()*dc.InputSize), B, make([]float32, B*dc.ZSize), make([]float32, B*dc.ZSize)); err == nil {
		t.Error("Encode of a roll model takes tokens")
	}
	nc, _, nm := tinyFamily(t, "mel_2bar", 1)
	if err := nm.Conduct(make([]float32, B*nc.ZSize), B, make([]float32, B*nc.ZSize)); err != nil {
		t.Errorf("Conduct without a conductor: %v", err)
	}
}

// TestFamiliesEvaluate: generate.Evaluate (encode tokens, decode greedily,
// score split by split; and score the teacher-forced pass's greedy tokens)
// runs on every family.
func TestFamiliesEvaluate(t *testing.T) {
	for _, name := range families() {
		c, _, m := tinyFamily(t, name, 6)
		rng := rand.New(rand.NewPCG(6, 6))
		x, train := generate.RandomWindows(c, 5, rng), generate.RandomWindows(c, 7, rng)
		q, err := generate.Evaluate(m, x, 5, train, 7, 4, 2)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if q.Windows != 5 || q.StepAccuracy < 0 || q.StepAccuracy > 1 || q.HitF1 < 0 || q.HitF1 > 1 || q.PriorSamples != 4 ||
			!(q.TeacherForcedF1 >= 0 && q.TeacherForcedF1 <= 1) ||
			(c.Rep() == music.Melody) != (len(q.PitchRange) == 2) {
			t.Errorf("%s: %+v", name, q)
		}
		// The per-instrument scores add up to the totals.
		var tp, hits float64
		for _, k := range q.PerClass {
			tp += k.Recall * float64(k.Hits)
			hits += float64(k.Hits)
		}
		if len(q.PerClass) == 0 || math.Abs(tp/math.Max(hits, 1)-q.HitRecall) > 1e-9 {
			t.Errorf("%s: per-class recall %v of %v hits, total recall %v: %+v", name, tp, hits, q.HitRecall, q.PerClass)
		}
	}
}

// TestFamiliesParityRuns: generate.Parity (as mvae parity runs it between
// runtimes) works on every family; two native models of the same weights
// agree exactly.
func TestFamiliesParityRuns(t *testing.T) {
	for _, name := range families() {
		c, w, a := tinyFamily(t, name, 9)
		b, err := New(c, w)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := generate.Parity(a, b, 2, 3)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !rep.OK {
			t.Errorf("%s: %+v", name, rep)
		}
		for _, r := range rep.Rows {
			if r.MaxAbs != 0 {
				t.Errorf("%s: %s %s differs by %g", name, r.Graph, r.Output, r.MaxAbs)
			}
		}
	}
}

// TestParityCatchesAWrongWeight: the two-pass parity (generate.RecordParity
// on one model, Compare on another) reports a model whose copy of the
// weights has one tensor wrong (every value 0.25 off): an encoder LSTM's
// shows in the encoder's rows, a decoder LSTM's in the decoder's; the
// model itself compares exactly.
func TestParityCatchesAWrongWeight(t *testing.T) {
	for _, name := range families() {
		c, w, a := tinyFamily(t, name, 9)
		rec, err := generate.RecordParity(a, 2, 3)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, part := range []struct{ prefix, row string }{{"encoder", "encoder"}, {"decoder", "decoder_init+decoder_step"}} {
			var pname string
			for _, n := range w.Names(c) {
				if strings.HasPrefix(n, part.prefix) && strings.Contains(n, "lstm.weight_hh") {
					pname = n
					break
				}
			}
			if pname == "" {
				t.Fatalf("%s: no %s weight", name, part.prefix)
			}
			wrong := model.Weights{}
			for n, tn := range w {
				wrong[n] = tn
			}
			p := model.NewTensorOf(w[pname].Shape)
			copy(p.Data, w[pname].Data)
			for i := range p.Data {
				p.Data[i] += 0.25
			}
			wrong[pname] = p
			b, err := New(c, wrong)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := rec.Compare(b)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if rep.OK {
				t.Errorf("%s: %s changed by 0.25, parity passes: %+v", name, pname, rep.Rows)
			}
			caught := false
			for _, r := range rep.Rows {
				caught = caught || (r.Graph == part.row && !r.OK)
			}
			if !caught {
				t.Errorf("%s: %s changed by 0.25, no %s row fails: %+v", name, pname, part.row, rep.Rows)
			}
		}
		rep, err := rec.Compare(a)
		if err != nil {
			t.Fatal(err)
		}
		if !rep.OK {
			t.Errorf("%s: the model against its own recording: %+v", name, rep)
		}
	}
}
