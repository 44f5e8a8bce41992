package generate

import (
	"fmt"
	"math"
	"sort"

	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/music"
)

// Quality is how well a model reconstructs and samples. Density is drum hits
// per step for a model with drums, note onsets per step for a melody model;
// a melody model's prior samples are also measured by their mean pitch.
type Quality struct {
	Windows      int     `json:"windows"`
	HitPrecision float64 `json:"hit_precision"`
	HitRecall    float64 `json:"hit_recall"`
	HitF1        float64 `json:"hit_f1"`
	StepAccuracy float64 `json:"step_accuracy"` // steps whose 9 hits (or class) all match
	// TeacherForcedF1 is the hit F1 of each step's greedy token given the
	// window's own previous tokens (the teacher-forced pass from mu), not
	// the decoder's: how much of the greedy gap is the decoder going on
	// from its own mistakes.
	TeacherForcedF1 float64   `json:"teacher_forced_hit_f1"`
	KLMean          float64   `json:"kl_mean"` // nats per sequence
	PriorSamples    int       `json:"prior_samples,omitempty"`
	DensityRange    []float64 `json:"train_density_5_95,omitempty"`
	PriorInRange    float64   `json:"prior_in_range,omitempty"`
	PriorDensity    float64   `json:"prior_density_mean,omitempty"`
	// PerClass is the greedy hit F1 of each drum class (the model's drum
	// splits), and of the melody's note-ons ("note-on"), in that order.
	PerClass []ClassScore `json:"per_class,omitempty"`
	// Melody models only: the 5-95 % range of the train windows' mean pitch
	// (MIDI), the share of prior samples whose mean pitch lies in it (a
	// sample without notes does not), and the samples' mean pitch.
	PitchRange        []float64 `json:"train_pitch_5_95,omitempty"`
	PriorPitchInRange float64   `json:"prior_pitch_in_range,omitempty"`
	PriorPitch        float64   `json:"prior_pitch_mean,omitempty"`
}

// ClassScore is the reconstruction of one instrument.
type ClassScore struct {
	Name      string  `json:"name"`
	Hits      int     `json:"hits"` // in the windows
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
}

// counts are true positives, false positives and false negatives.
type counts struct{ tp, fp, fn float64 }

func (k counts) score(name string) ClassScore {
	s := ClassScore{Name: name, Hits: int(k.tp + k.fn)}
	s.Precision = k.tp / math.Max(k.tp+k.fp, 1)
	s.Recall = k.tp / math.Max(k.tp+k.fn, 1)
	if s.Precision+s.Recall > 0 {
		s.F1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
	}
	return s
}

// hitsOf returns, per step, the bit set of hits (groove, drums) or the class
// (melody) of a token.
func hitsOf(rep music.Representation, tok []float32) int {
	switch rep {
	case music.Groove:
		k := 0
		for c := 0; c < music.NumDrumClasses; c++ {
			if tok[c] > 0.5 {
				k |= 1 << c
			}
		}
		return k
	default:
		best := 0
		for i, v := range tok {
			if v > tok[best] {
				best = i
			}
		}
		return best
	}
}

// tally counts reconstructed tokens against the windows': hits (or note-on
// events) right, extra and missed, over all classes and per class, and
// steps whose every split matches.
type tally struct {
	tp, fp, fn, ok, steps float64
	perDrum               [music.NumDrumClasses]counts
	perNote               counts
	hasMelody             bool
}

// add counts tok against x, both [B,T,D].
func (k *tally) add(c *model.Config, tok, x []float32, B int) {
	T, D := c.T(), c.InputSize
	for s := 0; s < B*T; s++ {
		k.steps++
		match := true
		for sp, Dk := range c.SplitDepths() {
			off, r := s*D+c.SplitOffset(sp), c.SplitRep(sp)
			h := hitsOf(r, tok[off:off+Dk])
			t := hitsOf(r, x[off:off+Dk])
			match = match && h == t
			switch r {
			case music.Melody:
				// Note-on events: a class >= 2 at the step.
				k.hasMelody = true
				switch {
				case h >= 2 && h == t:
					k.tp++
					k.perNote.tp++
				default:
					if h >= 2 {
						k.fp++
						k.perNote.fp++
					}
					if t >= 2 {
						k.fn++
						k.perNote.fn++
					}
				}
			default: // drum classes; for drums the class index is the hit set
				for cl := 0; cl < music.NumDrumClasses; cl++ {
					hb, tb := h&(1<<cl) != 0, t&(1<<cl) != 0
					switch {
					case hb && tb:
						k.tp++
						k.perDrum[cl].tp++
					case hb:
						k.fp++
						k.perDrum[cl].fp++
					case tb:
						k.fn++
						k.perDrum[cl].fn++
					}
				}
			}
		}
		if match {
			k.ok++
		}
	}
}

// f1 is the tally's precision, recall and F1 over all classes.
func (k *tally) f1() (p, r, f float64) {
	p = k.tp / math.Max(k.tp+k.fp, 1)
	r = k.tp / math.Max(k.tp+k.fn, 1)
	if p+r > 0 {
		f = 2 * p * r / (p + r)
	}
	return p, r, f
}

// greedyTokens are the temperature-0 tokens of logits [B,T,D], split by
// split: what the decoder would feed back after each step.
func greedyTokens(c *model.Config, logits []float32, B int) []float32 {
	T, D := c.T(), c.InputSize
	tok := make([]float32, len(logits))
	rng := NewSplitMix64(0) // drawn from, never used at temperature 0
	for k, Dk := range c.SplitDepths() {
		smp := &Sampler{Rep: c.SplitRep(k), Unmasked: !c.MaskedFeedback()}
		for s := 0; s < B*T; s++ {
			off := s*D + c.SplitOffset(k)
			smp.Token(logits[off:off+Dk], rng, tok[off:off+Dk])
		}
	}
	return tok
}

// Evaluate measures greedy reconstruction (encode, decode mu at temperature
// 0) of x [N,T,D] in batches: hit precision, recall and F1 over the 9 drum
// classes (for drums, the classes of the one-hot set; for melody, F1 is over
// note-on events; with split decoders, counts are summed over the splits,
// each by its representation, and a step is accurate when every split
// matches), per-step accuracy and the KL per sequence. With train
// windows and samples > 0, it also draws prior samples at temperature 1 and
// reports the share whose hit density (hits per step) lies within the train
// windows' 5-95 % range (for a melody model, note onsets per step, and
// also the share whose mean pitch lies within the train windows' 5-95 %
// range of mean pitch).
func Evaluate(b Backend, x []float32, N int, train []float32, nTrain, samples int, batch int) (*Quality, error) {
	return EvaluateProgress(b, nil, x, N, train, nTrain, samples, batch, nil)
}

// EvaluateProgress is Evaluate that refines each window's mu with r, if not
// nil, before decoding it (the KL stays that of the encoder's posterior),
// and tells progress, if not nil, how many of the N windows are
// reconstructed after each batch.
func EvaluateProgress(b Backend, r Refiner, x []float32, N int, train []float32, nTrain, samples int, batch int, progress func(done, total int)) (*Quality, error) {
	c := b.Config()
	T, D := c.T(), c.InputSize
	if err := checkBatch(N); err != nil {
		return nil, fmt.Errorf("no windows to evaluate: %v", err)
	}
	if batch < 1 {
		return nil, fmt.Errorf("batch %d: must be positive", batch)
	}
	if err := music.CheckWindows(x, N, c.MusicOptions()); err != nil {
		return nil, fmt.Errorf("windows to evaluate: %v", err)
	}
	if err := music.CheckWindows(train, nTrain, c.MusicOptions()); err != nil {
		return nil, fmt.Errorf("train windows: %v", err)
	}
	q := &Quality{Windows: N}
	var greedy, forced tally
	kl := 0.0
	Z := c.ZSize
	for i := 0; i < N; i += batch {
		B := min(batch, N-i)
		xb := x[i*T*D : (i+B)*T*D]
		mu, sigma, err := EncodeTokens(b, xb, B)
		if err != nil {
			return nil, err
		}
		for k := range mu {
			s := float64(sigma[k])
			kl += 0.5*(float64(mu[k])*float64(mu[k])+s*s-1) - math.Log(s)
		}
		// Teacher-forced: each step's greedy token given the window's own
		// previous tokens, from the encoder's mu (eps 0).
		logits, _, _, err := Forward(b, xb, make([]float32, B*Z), B)
		if err != nil {
			return nil, err
		}
		forced.add(c, greedyTokens(c, logits, B), xb, B)
		if r != nil {
			if err := r.RefineLatents(xb, mu, B); err != nil {
				return nil, err
			}
		}
		tok, err := Decode(b, mu, B, Options{Temperature: 0})
		if err != nil {
			return nil, err
		}
		greedy.add(c, tok, xb, B)
		if progress != nil {
			progress(i+B, N)
		}
	}
	q.HitPrecision, q.HitRecall, q.HitF1 = greedy.f1()
	_, _, q.TeacherForcedF1 = forced.f1()
	q.StepAccuracy = greedy.ok / math.Max(greedy.steps, 1)
	if hasDrums(c) {
		for cl, k := range greedy.perDrum {
			q.PerClass = append(q.PerClass, k.score(music.DrumClassNames[cl]))
		}
	}
	if greedy.hasMelody {
		q.PerClass = append(q.PerClass, greedy.perNote.score("note-on"))
	}
	q.KLMean = kl / float64(max(N, 1))
	if samples > 0 && nTrain > 0 {
		dens := make([]float64, nTrain)
		for i := range dens {
			dens[i] = Density(c, train[i*T*D:(i+1)*T*D])
		}
		sort.Float64s(dens)
		q.DensityRange = []float64{percentile(dens, 5), percentile(dens, 95)}
		_, tok, err := Sample(b, samples, Options{Temperature: 1})
		if err != nil {
			return nil, err
		}
		in, sum := 0, 0.0
		for i := 0; i < samples; i++ {
			d := Density(c, tok[i*T*D:(i+1)*T*D])
			sum += d
			if d >= q.DensityRange[0] && d <= q.DensityRange[1] {
				in++
			}
		}
		q.PriorSamples = samples
		q.PriorInRange = float64(in) / float64(samples)
		q.PriorDensity = sum / float64(samples)
		if !hasDrums(c) {
			q.PitchRange, q.PriorPitchInRange, q.PriorPitch = priorPitch(c, train, nTrain, tok, samples)
		}
	}
	return q, nil
}

// priorPitch returns the 5-95 % range of the mean pitch of the train windows
// that hold notes (nil if none does), the share of the samples whose mean pitch lies in it, and
// the mean over the samples that hold notes (0 if none does).
func priorPitch(c *model.Config, train []float32, nTrain int, tok []float32, samples int) ([]float64, float64, float64) {
	n := c.T() * c.InputSize
	var pitches []float64
	for i := 0; i < nTrain; i++ {
		if p, ok := meanPitch(c, train[i*n:(i+1)*n]); ok {
			pitches = append(pitches, p)
		}
	}
	if len(pitches) == 0 {
		return nil, 0, 0
	}
	sort.Float64s(pitches)
	r := []float64{percentile(pitches, 5), percentile(pitches, 95)}
	in, sum, with := 0, 0.0, 0
	for i := 0; i < samples; i++ {
		p, ok := meanPitch(c, tok[i*n:(i+1)*n])
		if !ok {
			continue
		}
		sum += p
		with++
		if p >= r[0] && p <= r[1] {
			in++
		}
	}
	return r, float64(in) / float64(samples), sum / float64(max(with, 1))
}

// meanPitch is the mean MIDI pitch of the note onsets of one melody window w
// [T,D]; ok is false when it has none.
func meanPitch(c *model.Config, w []float32) (p float64, ok bool) {
	D, n := c.InputSize, 0
	for s := 0; s < c.T(); s++ {
		if h := hitsOf(music.Melody, w[s*D:(s+1)*D]); h >= 2 {
			p += float64(h - 2 + music.MinMelodyPitch)
			n++
		}
	}
	if n == 0 {
		return 0, false
	}
	return p / float64(n), true
}

// hasDrums reports whether the model's steps hold drum hits (a drums or
// groove model, or a drums split).
func hasDrums(c *model.Config) bool {
	for k := range c.SplitDepths() {
		if c.SplitRep(k) != music.Melody {
			return true
		}
	}
	return false
}

// Density is the drum hits per step of one window w [T,D] (of the splits
// that hold drums), or for a model without drums, its note onsets per step.
func Density(c *model.Config, w []float32) float64 {
	T, D := c.T(), c.InputSize
	drums := hasDrums(c)
	n := 0
	for s := 0; s < T; s++ {
		for k, Dk := range c.SplitDepths() {
			r := c.SplitRep(k)
			off := s*D + c.SplitOffset(k)
			h := hitsOf(r, w[off:off+Dk])
			if r == music.Melody {
				if !drums && h >= 2 {
					n++
				}
				continue
			}
			for cl := 0; cl < music.NumDrumClasses; cl++ {
				if h&(1<<cl) != 0 {
					n++
				}
			}
		}
	}
	return float64(n) / float64(T)
}

// percentile is NumPy's default (linear interpolation) on sorted values.
func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	r := p / 100 * float64(len(sorted)-1)
	lo := int(math.Floor(r))
	hi := min(lo+1, len(sorted)-1)
	return sorted[lo] + (r-float64(lo))*(sorted[hi]-sorted[lo])
}

// String summarises a Quality in one line.
func (q *Quality) String() string {
	s := fmt.Sprintf("%d windows: hit F1 %.3f (precision %.3f, recall %.3f), step accuracy %.3f, teacher-forced hit F1 %.3f, KL %.1f nats",
		q.Windows, q.HitF1, q.HitPrecision, q.HitRecall, q.StepAccuracy, q.TeacherForcedF1, q.KLMean)
	if q.PriorSamples > 0 {
		unit := "hits/step"
		if len(q.PitchRange) == 2 {
			unit = "notes/step"
		}
		s += fmt.Sprintf("; prior samples in the train density range %.0f%% (%.3f-%.3f %s, samples %.3f)",
			100*q.PriorInRange, q.DensityRange[0], q.DensityRange[1], unit, q.PriorDensity)
	}
	if len(q.PitchRange) == 2 {
		s += fmt.Sprintf("; mean pitch in the train range %.0f%% (%.1f-%.1f, samples %.1f)",
			100*q.PriorPitchInRange, q.PitchRange[0], q.PitchRange[1], q.PriorPitch)
	}
	return s
}
