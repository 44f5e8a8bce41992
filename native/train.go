package native

import (
	"fmt"
	"math"

	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/music"
	"github.com/musicvae-go/mvae/native/internal/f32"
)

// LossParts are the spec's objective and its parts, batch means.
type LossParts struct {
	Loss           float64 `json:"loss"`           // reconstruction + beta * max(KL - free_bits ln 2, 0)
	Reconstruction float64 `json:"reconstruction"` // per sequence
	KL             float64 `json:"kl"`             // per sequence, before free bits
}

// NewGrads returns zeroed gradients shaped like the model's weights.
func NewGrads(c *model.Config) model.Weights {
	g := model.Weights{}
	for _, p := range c.Params() {
		g[p.Name] = model.NewTensorOf(p.Shape)
	}
	return g
}

// gradOf is the gradient in g of the parameter name; nil for g nil (the
// backward passes then skip the weights' gradients, as Refine wants).
func gradOf(g model.Weights, name string) []float32 {
	if g == nil {
		return nil
	}
	return g[name].Data
}

// gradsOf is the gradients in g of layer k of the LSTM named prefix (its
// reverse direction with reverse).
func gradsOf(g model.Weights, prefix string, k int, reverse bool) *lstmGrad {
	if g == nil {
		return nil
	}
	sfx := fmt.Sprintf("_l%d", k)
	if reverse {
		sfx += "_reverse"
	}
	return &lstmGrad{WIH: g[prefix+".weight_ih"+sfx].Data, WHH: g[prefix+".weight_hh"+sfx].Data,
		BIH: g[prefix+".bias_ih"+sfx].Data, BHH: g[prefix+".bias_hh"+sfx].Data}
}

// LossAndGrad runs the teacher-forced forward on tokens x [B, T, D] with
// eps [B, Z] (the encoder reads their encoder input, docs/FAMILIES.md §3),
// computes the spec's loss (§2) with the given effective beta and free bits,
// and, when g is not nil, adds every parameter's gradient of the loss to g
// (by canonical name; see NewGrads).
//
//	loss = mean_b [ r_b + beta * max(KL_b - free_bits * ln 2, 0) ]
//	KL_b = sum_z 0.5 (mu^2 + sigma^2 - 1) - ln sigma
//	r_b (groove)      = sum_t,k BCE(l_hit, hit) + (sigmoid(l_vel) - vel)^2 + (tanh(l_off) - off)^2
//	r_b (categorical) = sum_t cross-entropy(l_t, class_t)
//
// With split decoders r_b is the sum over the splits of each one's r_b on
// its columns (its representation's loss).
//
// The forward runs encoder, conductor and decoder in turn over one pass
// (their saved activations), and the backward runs them in reverse.
func (m *Model) LossAndGrad(x, eps []float32, B int, beta, freeBits float64, g model.Weights) (LossParts, error) {
	return m.LossAndGradFed(x, nil, eps, B, beta, freeBits, g)
}

// LossAndGradFed is LossAndGrad with the decoders fed the tokens fed
// [B,T,D] (shifted one step, zeros first) in place of x's, while the
// targets stay x's: scheduled sampling's pass, fed from
// generate.Scheduled. The fed tokens are inputs, constants of the loss:
// no gradient flows back through the sampling that chose them. A nil fed
// is x (LossAndGrad).
func (m *Model) LossAndGradFed(x, fed, eps []float32, B int, beta, freeBits float64, g model.Weights) (LossParts, error) {
	ws := workspaces.Get().(*workspace)
	defer workspaces.Put(ws)
	return m.lossAndGrad(ws, x, fed, eps, B, beta, freeBits, g)
}

// lossAndGrad is LossAndGradFed with the pass's buffers in ws (reset when it
// returns: nothing of the pass outlives it).
func (m *Model) lossAndGrad(ws *workspace, x, fed, eps []float32, B int, beta, freeBits float64, g model.Weights) (LossParts, error) {
	c := m.cfg
	if err := m.checkLossInputs(x, fed, eps, B); err != nil {
		return LossParts{}, err
	}
	if g != nil {
		if m.prec != model.F32 {
			return LossParts{}, fmt.Errorf("native: the model's weights are stored as %s, for inference only: training needs float32 weights (mvae quantize --precision f32 widens a bundle)", m.prec)
		}
		if m.inferenceOnly {
			panic("native: LossAndGrad with gradients on a model built for inference (Open, NewStored): build it with New to train")
		}
		checkGrads(c, g)
	}
	defer ws.reset()
	p := &pass{ws: ws, B: B, x: x, fed: fed, eps: eps}
	m.encoderForward(p)
	m.conductorForward(p)
	m.decoderForward(p)
	parts := p.objective(beta, freeBits)
	if g == nil {
		return parts, nil
	}
	dcond := m.decoderBackward(p, g)
	dz := m.conductorBackward(p, dcond, g)
	dh := m.latentBackward(p, dz, beta, g)
	m.encoderBackward(p, dh, g)
	return parts, nil
}

// pass holds one batch's forward activations, kept for the backward pass.
// Every tensor is batch-major, [B, ·], unless said otherwise.
type pass struct {
	ws     *workspace // the pass's buffers
	B      int
	x, eps []float32 // tokens [B, T, D], [B, Z]
	fed    []float32 // the decoders' inputs [B, T, D] when not x (nil: x)

	// Encoder (encoderForward).
	enc   []encPass // per level (one for a flat encoder)
	hcat  []float32 // the top level's [forward final, backward final], [B, 2He]
	mu    []float32 // [B, Z]
	pre   []float32 // sigma before softplus
	sigma []float32
	z     []float32 // mu + sigma * eps

	// Conductor (conductorForward).
	condS []float32     // tanh of the conductor's init
	cond  [][]*lstmStep // per layer, per segment; the top layer's h are the c_u
	cus   [][]float32   // per segment, [B, C]: c_u, or z without a conductor

	// Decoder (decoderForward).
	segs  [][]segment // per segment, per split decoder
	recon []float64   // per sequence

	// The objective.
	klCost []bool // per sequence: whether max(KL - free_bits ln 2, 0) is active
}

// objective computes the loss and its parts from the reconstruction of
// decoderForward and the KL of mu and sigma, and notes for the backward pass
// which sequences' KL cost is active.
func (p *pass) objective(beta, freeBits float64) LossParts {
	B := p.B
	Z := len(p.mu) / B
	var parts LossParts
	p.klCost = make([]bool, B)
	for b := 0; b < B; b++ {
		kl := 0.0
		for k := 0; k < Z; k++ {
			mv, sv := float64(p.mu[b*Z+k]), float64(p.sigma[b*Z+k])
			kl += 0.5*(mv*mv+sv*sv-1) - math.Log(sv)
		}
		cost := math.Max(kl-freeBits*math.Ln2, 0)
		p.klCost[b] = kl-freeBits*math.Ln2 > 0
		parts.Reconstruction += p.recon[b]
		parts.KL += kl
		parts.Loss += p.recon[b] + beta*cost
	}
	parts.Reconstruction /= float64(B)
	parts.KL /= float64(B)
	parts.Loss /= float64(B)
	return parts
}

// reconStep adds one step's reconstruction loss of one sequence and writes
// its gradient with respect to the logits l into dl.
func reconStep(rep music.Representation, l, x, dl []float32) float64 {
	loss := 0.0
	if rep == music.Groove {
		const C = music.NumDrumClasses
		for k := 0; k < C; k++ {
			// BCE with logits, PyTorch's stable form: max(l, 0) - l y + log(1 + e^-|l|).
			lv, y := float64(l[k]), float64(x[k])
			loss += math.Max(lv, 0) - lv*y + math.Log1p(math.Exp(-math.Abs(lv)))
			dl[k] = f32.Sigmoid(l[k]) - x[k]
			p := f32.Sigmoid(l[C+k])
			e := p - x[C+k]
			loss += float64(e) * float64(e)
			dl[C+k] = 2 * e * p * (1 - p)
			th := f32.Tanh(l[2*C+k])
			e = th - x[2*C+k]
			loss += float64(e) * float64(e)
			dl[2*C+k] = 2 * e * (1 - th*th)
		}
		return loss
	}
	target := 0
	mx := l[0]
	for i, v := range x {
		if v > x[target] {
			target = i
		}
		if l[i] > mx {
			mx = l[i]
		}
	}
	sum := 0.0
	for _, v := range l {
		sum += math.Exp(float64(v - mx))
	}
	lse := float64(mx) + math.Log(sum)
	for i, v := range l {
		dl[i] = float32(math.Exp(float64(v) - lse))
	}
	dl[target] -= 1
	return lse - float64(l[target])
}
