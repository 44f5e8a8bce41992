// Package finetune trains a MusicVAE further on new windows through the
// native runtime's backward pass: Adam with learning-rate decay, global-norm
// clipping, the spec's loss with a fixed effective beta and free bits,
// frozen parts, validation, early stopping, and checkpoints that survive a
// kill (written to a temporary file, then renamed) and resume exactly.
package finetune

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/music"
	"github.com/musicvae-go/mvae/native"
)

// Options of a fine-tuning run.
type Options struct {
	Steps      int
	Batch      int
	LR         float64
	LRDecay    float64 // lr * decay^step, floored at MinLR (Magenta's schedule)
	MinLR      float64
	Beta       float64 // the effective beta (no schedule)
	FreeBits   float64
	Clip       float64  // global gradient norm; 0: none
	Freeze     []string // parts ("encoder", "conductor", "decoder": every split decoder) or parameter names
	ValEvery   int      // validate every N steps (0: only at the end)
	Patience   int      // stop after this many validations without improvement (0: never)
	Checkpoint string   // file for checkpoints ("" : none)
	Resume     bool
	Seed       uint64
	Workers    int          // goroutines sharing a batch (0: one per CPU)
	Augment    Augmentation // groove augmentation of every training batch
	Sampling   Sampling     // scheduled sampling (none: teacher forcing)
	Progress   func(Progress)
}

// Progress is reported after every step.
type Progress struct {
	Step, Steps    int
	Loss, Recon    float64 // this step's batch
	KL             float64
	ExamplesPerSec float64
	ValLoss        float64 // the last validation loss (NaN before the first)
	Validated      bool    // this step ran a validation
}

// Eval is one validation.
type Eval struct {
	Step    int     `json:"step"`
	Loss    float64 `json:"val_loss"`
	Recon   float64 `json:"val_reconstruction"`
	KL      float64 `json:"val_kl"`
	Train   float64 `json:"train_loss,omitempty"` // mean over the steps since the last validation (none at step 0)
	Seconds float64 `json:"seconds"`
}

// Result is what a run produced: the best weights by validation loss.
type Result struct {
	Weights      model.Weights
	BestStep     int
	BestVal      float64
	History      []Eval
	StoppedEarly bool
	Resumed      int // the step a resumed run started from
}

func frozenFunc(parts []string) (func(string) bool, error) {
	for _, p := range parts {
		switch p {
		case "encoder", "conductor", "decoder":
		default:
			if !strings.Contains(p, ".") {
				return nil, fmt.Errorf("freeze %q: want encoder, conductor, decoder or a parameter name", p)
			}
		}
	}
	return func(name string) bool {
		for _, p := range parts {
			// "decoder" is every decoder: decoders.{i}.* of split decoders too.
			if name == p || strings.HasPrefix(name, p+".") || p == "decoder" && strings.HasPrefix(name, "decoders.") {
				return true
			}
		}
		return false
	}, nil
}

// Loss computes the batch-mean loss parts over windows in batches, with eps
// drawn from a fixed stream so that every validation sees the same noise.
func Loss(m *native.Model, x []float32, n int, beta, freeBits float64, batch int, seed uint64) (native.LossParts, error) {
	return loss(m, x, n, beta, freeBits, batch, seed, Sampling{}, 0)
}

// loss is Loss with the decoders fed as s feeds them at chance (from fixed
// streams too).
func loss(m *native.Model, x []float32, n int, beta, freeBits float64, batch int, seed uint64, s Sampling, chance float64) (native.LossParts, error) {
	c := m.Config()
	T, D, Z := c.T(), c.InputSize, c.ZSize
	rng := rand.New(rand.NewPCG(seed, 0xe5))
	var sum native.LossParts
	for i := 0; i < n; i += batch {
		B := min(batch, n-i)
		eps := make([]float32, B*Z)
		for k := range eps {
			eps[k] = float32(rng.NormFloat64())
		}
		xb := x[i*T*D : (i+B)*T*D]
		fed, err := s.fed(m, xb, eps, B, chance, seed^uint64(i))
		if err != nil {
			return sum, err
		}
		p, err := m.LossAndGradFed(xb, fed, eps, B, beta, freeBits, nil)
		if err != nil {
			return sum, err
		}
		sum.Loss += p.Loss * float64(B)
		sum.Reconstruction += p.Reconstruction * float64(B)
		sum.KL += p.KL * float64(B)
	}
	f := 1 / float64(max(n, 1))
	return native.LossParts{Loss: sum.Loss * f, Reconstruction: sum.Reconstruction * f, KL: sum.KL * f}, nil
}

// Run fine-tunes a copy of w on train (nTrain windows) and validates on val.
func Run(c *model.Config, w model.Weights, train []float32, nTrain int, val []float32, nVal int, o Options) (*Result, error) {
	if o.Batch < 1 || o.Steps < 1 {
		return nil, fmt.Errorf("batch %d and steps %d: both must be positive", o.Batch, o.Steps)
	}
	if nTrain < 1 {
		return nil, fmt.Errorf("no training windows")
	}
	if err := checkWindows(c, "training windows", train, nTrain); err != nil {
		return nil, err
	}
	if err := checkWindows(c, "validation windows", val, nVal); err != nil {
		return nil, err
	}
	o.Batch = min(o.Batch, nTrain) // before the batch buffers are allocated
	frozen, err := frozenFunc(o.Freeze)
	if err != nil {
		return nil, err
	}
	if err := o.Augment.Check(c.Rep()); err != nil {
		return nil, err
	}
	if err := o.Sampling.Check(); err != nil {
		return nil, err
	}
	T, D, Z := c.T(), c.InputSize, c.ZSize
	cur := clone(w)
	m, err := native.New(c, cur)
	if err != nil {
		return nil, err
	}
	adam := native.NewAdam(c)
	res := &Result{BestVal: math.Inf(1), BestStep: -1}
	best := clone(cur)
	step := 0
	if o.Resume && o.Checkpoint != "" {
		if _, err := os.Stat(o.Checkpoint); err == nil {
			ck, err := readCheckpoint(o.Checkpoint, c, o.Steps)
			if err != nil {
				return nil, err
			}
			cur, best, adam = ck.weights, ck.best, ck.adam
			step, res.BestVal, res.BestStep, res.History = ck.meta.Step, ck.meta.BestVal, ck.meta.BestStep, ck.meta.History
			if ck.meta.BestStep < 0 {
				res.BestVal = math.Inf(1)
			}
			res.Resumed = step
			m.Refresh(cur)
		}
	}
	g := native.NewGrads(c)
	tr := &native.Trainer{M: m, Workers: o.Workers}
	valEvery := o.ValEvery
	if valEvery <= 0 {
		valEvery = o.Steps
	}
	lastVal := math.NaN()
	if len(res.History) > 0 {
		lastVal = res.History[len(res.History)-1].Loss
	}
	bad := 0
	for _, h := range res.History {
		if h.Step > res.BestStep {
			bad++
		}
	}
	if step == 0 && nVal > 0 {
		// The starting point: the validation loss before any step.
		vp, err := loss(m, val, nVal, o.Beta, o.FreeBits, 64, o.Seed, o.Sampling, o.Sampling.Chance(step))
		if err != nil {
			return nil, err
		}
		res.History = append(res.History, Eval{Step: 0, Loss: vp.Loss, Recon: vp.Reconstruction, KL: vp.KL})
		res.BestVal, res.BestStep = vp.Loss, 0
		lastVal = vp.Loss
	}
	x := make([]float32, o.Batch*T*D)
	eps := make([]float32, o.Batch*Z)
	var scratch []float32
	if o.Augment.Active() {
		scratch = make([]float32, len(x))
	}
	start := time.Now()
	examples := 0
	trainSum, trainN := 0.0, 0
	// The batch order of epoch e is a permutation seeded with (seed, e); the
	// noise and augmentation of step s are seeded with (seed, s): a resumed run sees what an
	// uninterrupted one would.
	perEpoch := max(nTrain/o.Batch, 1)
	for step < o.Steps {
		epoch, k := step/perEpoch, step%perEpoch
		perm := rand.New(rand.NewPCG(o.Seed, uint64(epoch)+1)).Perm(nTrain)
		B := min(o.Batch, nTrain)
		for i := 0; i < B; i++ {
			j := perm[(k*B+i)%nTrain]
			copy(x[i*T*D:(i+1)*T*D], train[j*T*D:(j+1)*T*D])
		}
		if o.Augment.Active() {
			ar := rand.New(rand.NewPCG(o.Seed^0x6a09e667f3bcc909, uint64(step)))
			o.Augment.Apply(x[:B*T*D], scratch[:B*T*D], B, T, ar)
		}
		nr := rand.New(rand.NewPCG(o.Seed^0x9e3779b97f4a7c15, uint64(step)))
		for i := range eps[:B*Z] {
			eps[i] = float32(nr.NormFloat64())
		}
		fed, err := o.Sampling.fed(m, x[:B*T*D], eps[:B*Z], B, o.Sampling.Chance(step), o.Seed^0x3c6ef372fe94f82b+uint64(step)<<20)
		if err != nil {
			return nil, err
		}
		p, err := tr.LossAndGradFed(x[:B*T*D], fed, eps[:B*Z], B, o.Beta, o.FreeBits, g)
		if err != nil {
			return nil, err
		}
		if math.IsNaN(p.Loss) || math.IsInf(p.Loss, 0) {
			return nil, fmt.Errorf("step %d: the loss is %v: training diverged (a lower learning rate may help)", step, p.Loss)
		}
		// The weights stay finite: Refresh no longer checks them, so a
		// gradient with NaN or an infinity stops here, before Adam.
		if norm := native.ClipGlobalNorm(g, o.Clip); math.IsNaN(norm) || math.IsInf(norm, 0) {
			return nil, fmt.Errorf("step %d: the gradient's norm is %v: training diverged (a lower learning rate may help)", step, norm)
		}
		lr := math.Max(o.MinLR, o.LR*math.Pow(o.LRDecay, float64(step)))
		adam.Update(cur, g, lr, frozen)
		m.Refresh(cur)
		step++
		examples += B
		trainSum += p.Loss
		trainN++
		pr := Progress{Step: step, Steps: o.Steps, Loss: p.Loss, Recon: p.Reconstruction, KL: p.KL,
			ExamplesPerSec: float64(examples) / time.Since(start).Seconds(), ValLoss: lastVal}
		if step%valEvery == 0 || step == o.Steps {
			ev := Eval{Step: step, Train: trainSum / float64(max(trainN, 1)), Seconds: time.Since(start).Seconds()}
			trainSum, trainN = 0, 0
			if nVal > 0 {
				vp, err := loss(m, val, nVal, o.Beta, o.FreeBits, 64, o.Seed, o.Sampling, o.Sampling.Chance(step))
				if err != nil {
					return nil, err
				}
				ev.Loss, ev.Recon, ev.KL = vp.Loss, vp.Reconstruction, vp.KL
			} else {
				ev.Loss = ev.Train
			}
			res.History = append(res.History, ev)
			lastVal = ev.Loss
			pr.ValLoss, pr.Validated = ev.Loss, true
			if ev.Loss < res.BestVal {
				res.BestVal, res.BestStep = ev.Loss, step
				best = clone(cur)
				bad = 0
			} else {
				bad++
			}
			if o.Checkpoint != "" {
				if err := writeCheckpoint(o.Checkpoint, c, cur, best, adam, ckMeta{Step: step, BestVal: res.BestVal, BestStep: res.BestStep, History: res.History}); err != nil {
					return nil, err
				}
			}
			if o.Progress != nil {
				o.Progress(pr)
			}
			if o.Patience > 0 && bad >= o.Patience {
				res.StoppedEarly = true
				break
			}
			continue
		}
		if o.Progress != nil {
			o.Progress(pr)
		}
	}
	res.Weights = best
	return res, nil
}

// checkWindows checks n windows of the model in x: their number of values
// and that every value is finite.
func checkWindows(c *model.Config, what string, x []float32, n int) error {
	if err := music.CheckWindows(x, n, c.MusicOptions()); err != nil {
		return fmt.Errorf("%s: %v", what, err)
	}
	return nil
}

func clone(w model.Weights) model.Weights {
	out := model.Weights{}
	for k, t := range w {
		out[k] = &model.Tensor{Shape: append([]int(nil), t.Shape...), Data: append([]float32(nil), t.Data...)}
	}
	return out
}
