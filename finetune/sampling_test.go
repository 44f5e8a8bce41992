package finetune

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/model"
)

// TestSamplingChance: the schedules' chances are Magenta's formulas
// (lstm_utils.py, get_sampling_probability).
func TestSamplingChance(t *testing.T) {
	for _, k := range []struct {
		s    Sampling
		step int
		want float64
	}{
		{Sampling{}, 500, 0},
		{Sampling{Schedule: Constant, Rate: 0.3}, 0, 0.3},
		{Sampling{Schedule: Constant, Rate: 0.3}, 9999, 0.3},
		{Sampling{Schedule: InverseSigmoid, Rate: 1000}, 0, 1 - 1000.0/1001},
		{Sampling{Schedule: InverseSigmoid, Rate: 1000}, 5000, 1 - 1000/(1000+math.Exp(5))},
		{Sampling{Schedule: InverseSigmoid, Rate: 1000}, 1e9, 1},
		{Sampling{Schedule: Exponential, Rate: 0.999}, 0, 0},
		{Sampling{Schedule: Exponential, Rate: 0.999}, 1000, 1 - math.Pow(0.999, 1000)},
	} {
		if got := k.s.Chance(k.step); math.Abs(got-k.want) > 1e-12 {
			t.Errorf("%v rate %v step %d: chance %v, want %v", k.s.Schedule, k.s.Rate, k.step, got, k.want)
		}
	}
}

// TestSamplingCheck: each schedule refuses a rate outside Magenta's range,
// and a bad temperature; names round-trip.
func TestSamplingCheck(t *testing.T) {
	for _, s := range []Sampling{
		{Schedule: Constant, Rate: -0.1}, {Schedule: Constant, Rate: 1.1}, {Schedule: Constant, Rate: math.NaN()},
		{Schedule: InverseSigmoid, Rate: 0.5}, {Schedule: InverseSigmoid, Rate: math.Inf(1)},
		{Schedule: Exponential, Rate: 0}, {Schedule: Exponential, Rate: 1},
		{Schedule: Constant, Rate: 0.5, Temperature: -1}, {Schedule: Constant, Rate: 0.5, Temperature: math.NaN()},
		{Schedule: Schedule(9), Rate: 0.5},
	} {
		if err := s.Check(); err == nil {
			t.Errorf("%+v: no error", s)
		}
	}
	for _, s := range []Sampling{{}, {Schedule: Constant, Rate: 1}, {Schedule: InverseSigmoid, Rate: 1000, Temperature: 1}, {Schedule: Exponential, Rate: 0.99}} {
		if err := s.Check(); err != nil {
			t.Errorf("%+v: %v", s, err)
		}
	}
	for i, n := range ScheduleNames {
		s, err := ParseSchedule(n)
		if err != nil || s != Schedule(i) || s.String() != n {
			t.Errorf("%q: %v, %v", n, s, err)
		}
	}
	if _, err := ParseSchedule("linear"); err == nil {
		t.Error("linear: no error")
	}
}

// TestScheduledRunResumes: on every family, a run with scheduled sampling
// resumes exactly and trains differently from teacher forcing, and
// constant rate 0 is teacher forcing bit for bit.
func TestScheduledRunResumes(t *testing.T) {
	for _, name := range tinyNames() {
		t.Run(name, func(t *testing.T) {
			c := model.TinyFamilies()[name]
			rng := rand.New(rand.NewPCG(3, 3))
			w := model.RandomWeights(c, 3)
			train := generate.RandomWindows(c, 6, rng)
			val := generate.RandomWindows(c, 3, rng)
			o := Options{Steps: 4, Batch: 3, LR: 1e-2, LRDecay: 1, MinLR: 1e-5, Beta: 0.2, Clip: 5, ValEvery: 2, Seed: 4, Workers: 2,
				Sampling: Sampling{Schedule: InverseSigmoid, Rate: 1, Temperature: 1}}
			ss := checkResumeExact(t, c, w, train, 6, val, 3, o)
			tf := o
			tf.Sampling = Sampling{}
			plain, err := Run(c, w, train, 6, val, 3, tf)
			if err != nil {
				t.Fatal(err)
			}
			zero := o
			zero.Sampling = Sampling{Schedule: Constant, Rate: 0, Temperature: 1}
			rate0, err := Run(c, w, train, 6, val, 3, zero)
			if err != nil {
				t.Fatal(err)
			}
			differs := false
			for n, tn := range plain.Weights {
				differs = differs || !slices.Equal(tn.Data, ss.Weights[n].Data)
				if !slices.Equal(tn.Data, rate0.Weights[n].Data) {
					t.Errorf("%s: constant rate 0 differs from teacher forcing", n)
				}
			}
			if !differs {
				t.Error("scheduled sampling did not change training")
			}
		})
	}
}
