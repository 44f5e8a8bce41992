package native

import (
	"fmt"
	"math"

	"github.com/musicvae-go/mvae/model"
)

// RefineOptions are the steps and learning rate of Refine.
type RefineOptions struct {
	Steps int     // Adam steps (0: z is left as it is)
	LR    float64 // Adam's learning rate (0: DefaultRefineLR)
}

// MaxRefineSteps bounds RefineOptions.Steps.
const MaxRefineSteps = 100000

// Check refuses steps outside [0, MaxRefineSteps] and a learning rate that
// is not a finite number >= 0.
func (o RefineOptions) Check() error {
	if o.Steps < 0 || o.Steps > MaxRefineSteps || math.IsNaN(o.LR) || math.IsInf(o.LR, 0) || o.LR < 0 {
		return fmt.Errorf("refine: %d steps at learning rate %v: want 0 to %d steps and a finite rate >= 0", o.Steps, o.LR, MaxRefineSteps)
	}
	return nil
}

// DefaultRefineLR is Refine's learning rate when none is given: z moves by
// about this much a step in each dimension, for a posterior whose sigma is
// a few hundredths to a few tenths.
const DefaultRefineLR = 0.05

// Refine moves latent vectors z [B, Z] toward ones whose teacher-forced
// reconstruction of tokens x [B, T, D] is more likely: o.Steps steps of
// Adam (training's update, adamStep) on each sequence's own loss,
//
//	for step = 1..Steps:
//	    g_b = d r_b(x_b | z_b) / d z_b     (r_b as in LossAndGrad)
//	    z_b = Adam(z_b, g_b, lr)
//
// with the conductor and decoder of training's backward pass (the encoder
// is not used: start z at the encoder's mu). The encoder of a VAE gives an
// amortized guess; on music unlike its training data the decoder can often
// reconstruct a window far better from a nearby z (the amortization gap).
// Greedy decoding of the refined z then follows the input more closely.
//
// It returns the mean reconstruction loss per sequence before and after.
// x is left unchanged; z is the caller's and is updated in place. The
// model must be built for training (New) with float32 weights; an
// inference model (Open, NewStored) panics, as in LossAndGrad.
func (m *Model) Refine(x, z []float32, B int, o RefineOptions) (before, after float64, err error) {
	c := m.cfg
	if err := o.Check(); err != nil {
		return 0, 0, fmt.Errorf("native: %w", err)
	}
	if m.prec != model.F32 {
		return 0, 0, fmt.Errorf("native: refine: the model's weights are stored as %s; refining needs float32 weights", m.prec)
	}
	if m.inferenceOnly {
		panic("native: Refine on a model built for inference (Open, NewStored): build it with New")
	}
	if err := checkBatch(B); err != nil {
		return 0, 0, err
	}
	if err := checkInput("x", x, B, c.T(), c.InputSize); err != nil {
		return 0, 0, err
	}
	if err := checkInput("z", z, B, c.ZSize); err != nil {
		return 0, 0, err
	}
	for i, v := range z {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return 0, 0, fmt.Errorf("native: refine: z[%d] is %v", i, v)
		}
	}
	lr := o.LR
	if lr == 0 {
		lr = DefaultRefineLR
	}
	// Adam's moments over z alone; its update is training's (adamStep).
	adam := Adam{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
	mom, vel := make([]float32, len(z)), make([]float32, len(z))
	dz := make([]float32, len(z))
	for step := 1; step <= o.Steps; step++ {
		r := m.reconGradZ(x, z, B, dz)
		if step == 1 {
			before = r
		}
		// The backward's per-sequence gradients carry the batch mean's 1/B:
		// scale back, so that each z_b follows its own r_b whatever B is.
		for i := range dz {
			dz[i] *= float32(B)
		}
		adam.Step = step
		adam.stepAt(lr).apply(adamChunk{w: z, m: mom, v: vel, g: dz})
	}
	after = m.reconGradZ(x, z, B, nil)
	if o.Steps == 0 {
		before = after
	}
	return before, after, nil
}

// reconGradZ runs the conductor and the teacher-forced decoder from z and
// returns the mean reconstruction loss per sequence; with dz, it also runs
// their backward, without the weights' gradients, and writes the gradient
// of that mean in z to dz.
func (m *Model) reconGradZ(x, z []float32, B int, dz []float32) float64 {
	ws := workspaces.Get().(*workspace)
	defer workspaces.Put(ws)
	defer ws.reset()
	p := &pass{ws: ws, B: B, x: x, z: z}
	m.conductorForward(p)
	m.decoderForward(p)
	r := 0.0
	for _, v := range p.recon {
		r += v
	}
	if dz != nil {
		dcond := m.decoderBackward(p, nil)
		copy(dz, m.conductorBackward(p, dcond, nil))
	}
	return r / float64(B)
}

// Refiner is a generate.Refiner over Refine: the model (built with New)
// and the options of every call.
type Refiner struct {
	Model   *Model
	Options RefineOptions
}

// RefineLatents refines z [B, Z] for tokens x [B, T, D] (Refine), in
// batches of at most refineBatch.
func (r Refiner) RefineLatents(x, z []float32, B int) error {
	c := r.Model.cfg
	TD, Z := c.T()*c.InputSize, c.ZSize
	if err := checkBatch(B); err != nil {
		return err
	}
	if len(x) != B*TD || len(z) != B*Z {
		return fmt.Errorf("native: refine: %d tokens and %d latent values are not %d sequences of %d and %d", len(x), len(z), B, TD, Z)
	}
	for i := 0; i < B; i += refineBatch {
		n := min(refineBatch, B-i)
		if _, _, err := r.Model.Refine(x[i*TD:(i+n)*TD], z[i*Z:(i+n)*Z], n, r.Options); err != nil {
			return err
		}
	}
	return nil
}

// refineBatch is how many sequences one Refine call takes in RefineLatents.
const refineBatch = 64
