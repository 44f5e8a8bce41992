package native

import (
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/native/internal/f32"
)

// Trainer runs LossAndGrad over a batch split between goroutines (one per
// CPU by default): each computes the mean loss of its share and its
// gradients into its own buffers (the first share into the caller's g, so
// that w workers hold w-1 extra sets of gradients, not w), which are then
// weighted by the share's size and summed share by share, in the shares'
// order (never in the order the goroutines finish), so that a run repeats
// bit for bit. The result equals LossAndGrad on the whole batch up to
// float32 summation order.
type Trainer struct {
	M       *Model
	Workers int
	grads   []model.Weights
	ws      []*workspace // per share: its passes' memory, reused step after step
}

// shares counts the Trainer shares running: while there are as many as
// cores, a split would only queue its parts behind the other shares (the
// pool's idle workers have no core of their own) and cut the products
// smaller; when a share finishes first, the others split again into the
// core it leaves. Splits change no bit, so this is only about speed.
var shares atomic.Int32

// sharesBusy reports whether Trainer shares occupy every core.
func sharesBusy() bool { return int(shares.Load()) >= runtime.GOMAXPROCS(0) }

// LossAndGrad is Model.LossAndGrad, in parallel. g is overwritten (not
// added to).
func (t *Trainer) LossAndGrad(x, eps []float32, B int, beta, freeBits float64, g model.Weights) (LossParts, error) {
	return t.LossAndGradFed(x, nil, eps, B, beta, freeBits, g)
}

// LossAndGradFed is Model.LossAndGradFed, in parallel. g is overwritten
// (not added to).
func (t *Trainer) LossAndGradFed(x, fed, eps []float32, B int, beta, freeBits float64, g model.Weights) (LossParts, error) {
	c := t.M.cfg
	T, D, Z := c.T(), c.InputSize, c.ZSize
	if err := t.M.checkLossInputs(x, fed, eps, B); err != nil {
		return LossParts{}, err
	}
	checkGrads(c, g)
	w := t.Workers
	if w <= 0 {
		w = runtime.GOMAXPROCS(0)
	}
	w = min(w, B)
	for len(t.ws) < w {
		t.ws = append(t.ws, new(workspace))
	}
	if w <= 1 {
		ZeroGrads(g)
		return t.M.lossAndGrad(t.ws[0], x, fed, eps, B, beta, freeBits, g)
	}
	for len(t.grads) < w-1 {
		t.grads = append(t.grads, NewGrads(c))
	}
	share := func(k int) model.Weights { // the gradients of share k
		if k == 0 {
			return g
		}
		return t.grads[k-1]
	}
	parts := make([]LossParts, w)
	errs := make([]error, w)
	sizes := make([]int, w)
	var wg sync.WaitGroup
	start := 0
	for k := 0; k < w; k++ {
		n := B / w
		if k < B%w {
			n++
		}
		sizes[k] = n
		lo := start
		start += n
		wg.Add(1)
		shares.Add(1)
		go func(k, lo, n int) {
			defer wg.Done()
			defer shares.Add(-1)
			ZeroGrads(share(k))
			var fk []float32
			if fed != nil {
				fk = fed[lo*T*D : (lo+n)*T*D]
			}
			parts[k], errs[k] = t.M.lossAndGrad(t.ws[k], x[lo*T*D:(lo+n)*T*D], fk, eps[lo*Z:(lo+n)*Z], n, beta, freeBits, share(k))
		}(k, lo, n)
	}
	wg.Wait()
	var out LossParts
	for k := 0; k < w; k++ {
		if errs[k] != nil {
			return out, errs[k]
		}
		f := float64(sizes[k]) / float64(B)
		out.Loss += parts[k].Loss * f
		out.Reconstruction += parts[k].Reconstruction * f
		out.KL += parts[k].KL * f
	}
	// g = sum_k s_k g_k, share by share, one tensor per goroutine at a time
	// (whole tensors: f32.Axpy's split between its vector loop and its
	// tail depends on the length).
	fs := make([]func(), 0, len(g))
	for name, gt := range g {
		fs = append(fs, func() {
			// s_0 g_0, rounded once: what adding s_0 g_0 to zeros gives.
			s := float32(float64(sizes[0]) / float64(B))
			for i := range gt.Data {
				gt.Data[i] *= s
			}
			for k := 1; k < w; k++ {
				f32.Axpy(gt.Data, float32(float64(sizes[k])/float64(B)), t.grads[k-1][name].Data)
			}
		})
	}
	sideBySide(fs)
	return out, nil
}
