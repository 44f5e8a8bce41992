package native

import (
	"fmt"
	"maps"
	"math"
	"slices"

	"github.com/musicvae-go/mvae/model"
)

// Adam is PyTorch's torch.optim.Adam (no weight decay, no amsgrad):
//
//	m = beta1 m + (1 - beta1) g
//	v = beta2 v + (1 - beta2) g^2
//	w -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
type Adam struct {
	Beta1, Beta2, Eps float64
	Step              int
	M, V              model.Weights
}

// NewAdam returns Adam with PyTorch's defaults (0.9, 0.999, 1e-8).
func NewAdam(c *model.Config) *Adam {
	return &Adam{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, M: NewGrads(c), V: NewGrads(c)}
}

// Update applies one step with learning rate lr to the weights named in g
// (skipping names frozen reports true). w, M and V must hold every name of g
// in g's shapes (a checkpoint's moments are checked where they are read).
// The tensors, in chunks, are shared between GOMAXPROCS goroutines: every
// value is updated on its own, so the result has the same bits however
// they are shared.
func (a *Adam) Update(w, g model.Weights, lr float64, frozen func(name string) bool) {
	a.Step++
	u := a.stepAt(lr)
	var fs []func()
	for name, gt := range g {
		if frozen != nil && frozen(name) {
			continue
		}
		tw, tm, tv := w[name], a.M[name], a.V[name]
		if tw == nil || tm == nil || tv == nil || len(tw.Data) != len(gt.Data) || len(tm.Data) != len(gt.Data) || len(tv.Data) != len(gt.Data) {
			panic(fmt.Sprintf("native: Adam: the weights or moments of %s do not match its gradient of %d values", name, len(gt.Data)))
		}
		for lo := 0; lo < len(gt.Data); lo += adamChunkLen {
			hi := min(lo+adamChunkLen, len(gt.Data))
			c := adamChunk{w: tw.Data[lo:hi], m: tm.Data[lo:hi], v: tv.Data[lo:hi], g: gt.Data[lo:hi]}
			fs = append(fs, func() { u.apply(c) })
		}
	}
	sideBySide(fs)
}

// stepAt is the constants of update a.Step with learning rate lr, bias
// corrections included.
func (a *Adam) stepAt(lr float64) adamStep {
	bc1 := 1 - math.Pow(a.Beta1, float64(a.Step))
	bc2 := math.Sqrt(1 - math.Pow(a.Beta2, float64(a.Step)))
	return adamStep{b1: float32(a.Beta1), b2: float32(a.Beta2), step: float32(lr / bc1), bc2: bc2, eps: a.Eps}
}

// adamChunkLen is the number of values Update hands a goroutine at a time.
const adamChunkLen = 1 << 15

// adamChunk is a run of values of one tensor: weights, moments, gradient.
type adamChunk struct {
	w, m, v, g []float32
}

// adamStep holds the constants of one Update.
type adamStep struct {
	b1, b2, step float32
	bc2, eps     float64
}

// apply is Adam's update of the values of c.
func (u adamStep) apply(c adamChunk) {
	wt, m, v := c.w, c.m, c.v
	for i, gi := range c.g {
		m[i] = u.b1*m[i] + (1-u.b1)*gi
		v[i] = u.b2*v[i] + (1-u.b2)*gi*gi
		denom := float32(math.Sqrt(float64(v[i]))/u.bc2 + u.eps)
		wt[i] -= u.step * m[i] / denom
	}
}

// ClipGlobalNorm scales g so that its global L2 norm is at most maxNorm
// (torch.nn.utils.clip_grad_norm_) and returns the norm before clipping. The
// squares are summed tensor by tensor in the order of the names (not the
// map's), so that a run repeats bit for bit; the scaling, value by value,
// is shared between GOMAXPROCS goroutines in chunks (as Adam's update).
func ClipGlobalNorm(g model.Weights, maxNorm float64) float64 {
	sum := 0.0
	for _, name := range slices.Sorted(maps.Keys(g)) {
		for _, v := range g[name].Data {
			sum += float64(v) * float64(v)
		}
	}
	norm := math.Sqrt(sum)
	if maxNorm > 0 && norm > maxNorm {
		s := float32(maxNorm / (norm + 1e-6))
		var fs []func()
		for _, t := range g {
			for lo := 0; lo < len(t.Data); lo += adamChunkLen {
				c := t.Data[lo:min(lo+adamChunkLen, len(t.Data))]
				fs = append(fs, func() {
					for i := range c {
						c[i] *= s
					}
				})
			}
		}
		sideBySide(fs)
	}
	return norm
}

// ZeroGrads clears gradients for the next batch.
func ZeroGrads(g model.Weights) {
	for _, t := range g {
		clear(t.Data)
	}
}

// Refresh recomputes what the model derives from its weights (summed LSTM
// biases, the split of the decoder's first input weights) after the weights
// changed in place. Its LSTMs are refilled where they lie (their packed
// weights, forward and transposed, repacked into the same memory), so that
// an optimizer step leaves no garbage the size of the weights; it must not
// run while the model is in use.
//
// w must hold the model's parameters in their shapes (it panics
// otherwise: they are the weights the model was built from, updated).
// Their values are not checked, as New checks a file's: Refresh runs after
// every optimizer step, and weights that training made non-finite give a
// non-finite loss (and gradient norm, see ClipGlobalNorm), which is where
// a training loop stops.
func (m *Model) Refresh(w model.Weights) {
	c := m.cfg
	err := c.Validate()
	if err == nil {
		err = w.CheckShapes(c)
	}
	if err == nil {
		for name, t := range w {
			if len(t.Data) != t.Len() {
				err = fmt.Errorf("%s holds %d values for shape %v", name, len(t.Data), t.Shape)
				break
			}
		}
	}
	var fresh *Model
	var reuse []*LSTM
	if err == nil {
		if !m.inferenceOnly {
			reuse = m.lstms()
		}
		fresh, err = build(c, model.Store(w, model.F32), false, false, reuse)
	}
	if err != nil {
		panic("native: Refresh: " + err.Error())
	}
	// The refilled LSTMs' packs and the linears' transposed packs made so
	// far (kept, repacked in place, not made again by the next backward
	// pass), all side by side, the largest first (so that the goroutines
	// finish together).
	var packs []repack
	for _, l := range reuse {
		packs = append(packs, l.repacks()...)
	}
	if reuse != nil {
		keep := func(old *packedT, fresh **packedT, wt []float32) {
			if r, ok := old.repack(wt); ok {
				*fresh = old
				packs = append(packs, r)
			}
		}
		keep(m.muT, &fresh.muT, fresh.muW)
		keep(m.sigT, &fresh.sigT, fresh.sigW)
		keep(m.condInitT, &fresh.condInitT, fresh.condInitW)
		for k := range fresh.decs {
			keep(m.decs[k].initT, &fresh.decs[k].initT, fresh.decs[k].initW)
			keep(m.decs[k].outT, &fresh.decs[k].outT, fresh.decs[k].outW)
		}
	}
	slices.SortStableFunc(packs, func(a, b repack) int { return b.n - a.n })
	fs := make([]func(), len(packs))
	for i, p := range packs {
		fs[i] = p.run
	}
	sideBySide(fs)
	*m = *fresh
}
