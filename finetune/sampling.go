package finetune

import (
	"fmt"
	"math"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/native"
)

// Schedule is how scheduled sampling's chance grows with the step, as
// Magenta's sampling_schedule hparam (magenta/models/music_vae/lstm_utils.py,
// get_sampling_probability).
type Schedule int

const (
	// TeacherForcing never feeds the decoder its own tokens (Magenta's
	// default, constant 0).
	TeacherForcing Schedule = iota
	// Constant feeds them with chance Rate at every step.
	Constant
	// InverseSigmoid: chance 1 - k/(k + e^(step/k)), k = Rate ≥ 1.
	InverseSigmoid
	// Exponential: chance 1 - k^step, k = Rate in (0, 1).
	Exponential
)

// ScheduleNames are the schedules by the names Magenta gives them, in the
// order of the constants.
var ScheduleNames = []string{"none", "constant", "inverse_sigmoid", "exponential"}

func (s Schedule) String() string {
	if s < 0 || int(s) >= len(ScheduleNames) {
		return fmt.Sprintf("Schedule(%d)", int(s))
	}
	return ScheduleNames[s]
}

// ParseSchedule reads a schedule's name.
func ParseSchedule(name string) (Schedule, error) {
	for i, n := range ScheduleNames {
		if n == name {
			return Schedule(i), nil
		}
	}
	return 0, fmt.Errorf("sampling schedule %q: want one of none, constant, inverse_sigmoid, exponential", name)
}

// Sampling is scheduled sampling (Bengio et al., 2015): during training each
// decoder step is fed, with a chance that grows by Schedule and Rate, the
// token the decoder itself sampled at the step before (at Temperature)
// rather than the target's, so that it learns to go on from its own
// mistakes, as it must when it generates (generate.Scheduled,
// native.Model.LossAndGradFed). Validation feeds it the same way, at the
// step's chance, from a fixed stream (so that a resumed run validates as
// an uninterrupted one). Along a rising schedule a later validation is
// harder than an earlier one: the best weights by validation loss then
// lean early, and a constant schedule compares like with like.
type Sampling struct {
	Schedule    Schedule
	Rate        float64
	Temperature float64 // of the sampled tokens; 0: greedy
}

// Active reports whether any step feeds back the decoder's own tokens.
func (s Sampling) Active() bool { return s.Schedule != TeacherForcing }

// Check refuses a rate outside its schedule's range (Magenta's) and a
// temperature that is not a finite number ≥ 0.
func (s Sampling) Check() error {
	r := s.Rate
	switch s.Schedule {
	case TeacherForcing:
		return nil
	case Constant:
		if !(r >= 0 && r <= 1) {
			return fmt.Errorf("constant sampling rate %v: want a chance in [0, 1]", r)
		}
	case InverseSigmoid:
		if !(r >= 1) || math.IsInf(r, 1) {
			return fmt.Errorf("inverse_sigmoid sampling rate %v: want a finite k ≥ 1 (a step count, 1000 say)", r)
		}
	case Exponential:
		if !(r > 0 && r < 1) {
			return fmt.Errorf("exponential sampling rate %v: want k in (0, 1)", r)
		}
	default:
		return fmt.Errorf("sampling schedule %v: unknown", s.Schedule)
	}
	if !(s.Temperature >= 0) || math.IsInf(s.Temperature, 1) {
		return fmt.Errorf("sampling temperature %v: want a finite number ≥ 0", s.Temperature)
	}
	return nil
}

// Chance is the chance at step (from 0) that a decoder step is fed the
// decoder's own token:
//
//	constant:        rate
//	inverse_sigmoid: 1 - k/(k + exp(step/k)),  k = rate
//	exponential:     1 - k^step,               k = rate
func (s Sampling) Chance(step int) float64 {
	k, t := s.Rate, float64(step)
	switch s.Schedule {
	case Constant:
		return k
	case InverseSigmoid:
		// k/(k + e^(t/k)) = 1/(1 + e^(t/k - ln k)), finite for every step.
		return 1 - 1/(1+math.Exp(t/k-math.Log(k)))
	case Exponential:
		return 1 - math.Pow(k, t)
	}
	return 0
}

// fed returns the decoders' inputs for windows x [B,T,D] and noise eps
// [B,Z] at chance: nil (x itself) without scheduled sampling, else
// generate.Scheduled's tokens for z = mu + sigma·eps of m's encoder, drawn
// from streams seed+i.
func (s Sampling) fed(m *native.Model, x, eps []float32, B int, chance float64, seed uint64) ([]float32, error) {
	if !s.Active() {
		return nil, nil
	}
	mu, sigma, err := generate.EncodeTokens(m, x, B)
	if err != nil {
		return nil, err
	}
	for i := range mu {
		mu[i] += sigma[i] * eps[i]
	}
	return generate.Scheduled(m, mu, x, B, chance, generate.Options{Temperature: s.Temperature, Seed: seed})
}
