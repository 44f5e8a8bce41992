package native

import (
	"fmt"
	"math"

	"github.com/musicvae-go/mvae/model"
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

func (m *Model) lstmGrad(g model.Weights, prefix string, k int, reverse bool) *lstmGrad {
	sfx := fmt.Sprintf("_l%d", k)
	if reverse {
		sfx += "_reverse"
	}
	return &lstmGrad{WIH: g[prefix+".weight_ih"+sfx].Data, WHH: g[prefix+".weight_hh"+sfx].Data,
		BIH: g[prefix+".bias_ih"+sfx].Data, BHH: g[prefix+".bias_hh"+sfx].Data}
}

// LossAndGrad runs the teacher-forced forward on x [B, T, D] with eps [B, Z],
// computes the spec's loss (§2) with the given effective beta and free bits,
// and, when g is not nil, adds every parameter's gradient of the loss to g
// (by canonical name; see NewGrads).
//
//	loss = mean_b [ r_b + beta * max(KL_b - free_bits * ln 2, 0) ]
//	KL_b = sum_z 0.5 (mu^2 + sigma^2 - 1) - ln sigma
//	r_b (groove)      = sum_t,k BCE(l_hit, hit) + (sigmoid(l_vel) - vel)^2 + (tanh(l_off) - off)^2
//	r_b (categorical) = sum_t cross-entropy(l_t, class_t)
func (m *Model) LossAndGrad(x, eps []float32, B int, beta, freeBits float64, g model.Weights) (LossParts, error) {
	c := m.cfg
	T, D, Z := c.T(), c.InputSize, c.ZSize
	He, Hc, Hd := c.Encoder.Hidden, c.Conductor.Hidden, c.Decoder.Hidden
	Lc, Ld := c.Conductor.Layers, c.Decoder.Layers
	U, S := c.Segments, c.S()
	if err := checkBatch(B); err != nil {
		return LossParts{}, err
	}
	if err := checkInput("x", x, B, T, D); err != nil {
		return LossParts{}, err
	}
	if err := checkInput("eps", eps, B, Z); err != nil {
		return LossParts{}, err
	}
	grad := g != nil

	// Encoder.
	xs := make([][]float32, T)
	for t := range xs {
		xs[t] = make([]float32, B*D)
		for b := 0; b < B; b++ {
			copy(xs[t][b*D:(b+1)*D], x[(b*T+t)*D:(b*T+t+1)*D])
		}
	}
	zerosE := make([]float32, B*He)
	type encLayer struct{ fwd, bwd []*lstmStep }
	enc := make([]encLayer, len(m.enc))
	in := xs
	for k, pair := range m.enc {
		rev := make([][]float32, T)
		for t := range rev {
			rev[t] = in[T-1-t]
		}
		enc[k].fwd = pair[0].forwardSeq(in, zerosE, zerosE, B)
		enc[k].bwd = pair[1].forwardSeq(rev, zerosE, zerosE, B)
		out := make([][]float32, T)
		for t := range out {
			out[t] = make([]float32, B*2*He)
			for b := 0; b < B; b++ {
				copy(out[t][b*2*He:b*2*He+He], enc[k].fwd[t].h[b*He:(b+1)*He])
				copy(out[t][b*2*He+He:(b+1)*2*He], enc[k].bwd[T-1-t].h[b*He:(b+1)*He])
			}
		}
		in = out
	}
	top := enc[len(enc)-1]
	hcat := make([]float32, B*2*He)
	for b := 0; b < B; b++ {
		copy(hcat[b*2*He:b*2*He+He], top.fwd[T-1].h[b*He:(b+1)*He])
		copy(hcat[b*2*He+He:(b+1)*2*He], top.bwd[T-1].h[b*He:(b+1)*He])
	}
	mu := make([]float32, B*Z)
	pre := make([]float32, B*Z)
	Linear(mu, hcat, m.muW, m.muB, B, 2*He, Z)
	Linear(pre, hcat, m.sigW, m.sigB, B, 2*He, Z)
	sigma := make([]float32, B*Z)
	z := make([]float32, B*Z)
	for i := range sigma {
		sigma[i] = Softplus(pre[i])
		z[i] = mu[i] + sigma[i]*eps[i]
	}

	// Conductor.
	cs, c0h, c0c := newInit(B, Lc, Hc)
	initState(cs, z, m.condInitW, m.condInitB, B, Z, Lc, Hc, c0h, c0c)
	zerosIn := make([]float32, B)
	condIn := make([][]float32, U)
	for u := range condIn {
		condIn[u] = zerosIn
	}
	cond := forwardStack(m.cond, condIn, c0h, c0c, B)

	// Decoder, segment by segment, and the loss.
	type segment struct {
		cu     []float32
		s      []float32 // tanh of init
		layers [][]*lstmStep
	}
	segs := make([]segment, U)
	dlogits := make([][]float32, T) // per step [B, D]
	var recon = make([]float64, B)
	logit := make([]float32, B*D)
	for u := 0; u < U; u++ {
		cu := cond[Lc-1][u].h
		sd, h0, cc0 := newInit(B, Ld, Hd)
		initState(sd, cu, m.decInitW, m.decInitB, B, Hc, Ld, Hd, h0, cc0)
		steps := make([][]float32, S)
		for s := 0; s < S; s++ {
			t := u*S + s
			xi := make([]float32, B*(D+Hc))
			for b := 0; b < B; b++ {
				if t > 0 {
					copy(xi[b*(D+Hc):b*(D+Hc)+D], x[(b*T+t-1)*D:(b*T+t)*D])
				}
				copy(xi[b*(D+Hc)+D:(b+1)*(D+Hc)], cu[b*Hc:(b+1)*Hc])
			}
			steps[s] = xi
		}
		layers := forwardStack(m.dec, steps, h0, cc0, B)
		segs[u] = segment{cu: cu, s: sd, layers: layers}
		for s := 0; s < S; s++ {
			t := u*S + s
			Linear(logit, layers[Ld-1][s].h, m.outW, m.outB, B, Hd, D)
			dl := make([]float32, B*D)
			for b := 0; b < B; b++ {
				recon[b] += reconStep(c.Representation, logit[b*D:(b+1)*D], x[(b*T+t)*D:(b*T+t+1)*D], dl[b*D:(b+1)*D])
			}
			dlogits[t] = dl
		}
	}

	// The objective.
	var parts LossParts
	klCost := make([]bool, B) // whether max(KL - fb ln 2, 0) is active
	for b := 0; b < B; b++ {
		kl := 0.0
		for k := 0; k < Z; k++ {
			mv, sv := float64(mu[b*Z+k]), float64(sigma[b*Z+k])
			kl += 0.5*(mv*mv+sv*sv-1) - math.Log(sv)
		}
		cost := math.Max(kl-freeBits*math.Ln2, 0)
		klCost[b] = kl-freeBits*math.Ln2 > 0
		parts.Reconstruction += recon[b]
		parts.KL += kl
		parts.Loss += recon[b] + beta*cost
	}
	parts.Reconstruction /= float64(B)
	parts.KL /= float64(B)
	parts.Loss /= float64(B)
	if !grad {
		return parts, nil
	}

	// Backward. Every per-sequence gradient is scaled by 1/B (the batch mean).
	inv := float32(1 / float64(B))
	for _, dl := range dlogits {
		for i := range dl {
			dl[i] *= inv
		}
	}
	gOutW, gOutB := g["decoder.out.weight"].Data, g["decoder.out.bias"].Data
	dcond := make([][]float32, U)
	for u := U - 1; u >= 0; u-- {
		sg := segs[u]
		dhs := make([][]float32, S)
		for s := 0; s < S; s++ {
			dhs[s] = linearBackward(dlogits[u*S+s], sg.layers[Ld-1][s].h, m.outW, B, Hd, D, gOutW, gOutB, true)
		}
		dh0 := make([][]float32, Ld)
		dc0 := make([][]float32, Ld)
		var dxs [][]float32
		for l := Ld - 1; l >= 0; l-- {
			dxs, dh0[l], dc0[l] = m.dec[l].backwardSeq(sg.layers[l], dhs, nil, nil, B, m.lstmGrad(g, "decoder.lstm", l, false), true)
			dhs = dxs
		}
		dcu := make([]float32, B*Hc)
		for _, dx := range dxs { // layer 0's inputs: [prev, c_u]
			for b := 0; b < B; b++ {
				axpy(dcu[b*Hc:(b+1)*Hc], 1, dx[b*(D+Hc)+D:(b+1)*(D+Hc)])
			}
		}
		d := initBackward(sg.s, dh0, dc0, sg.cu, m.decInitW, B, Hc, Ld, Hd, g["decoder.init.weight"].Data, g["decoder.init.bias"].Data)
		axpy(dcu, 1, d)
		dcond[u] = dcu
	}
	// Conductor.
	dhs := dcond
	dh0 := make([][]float32, Lc)
	dc0 := make([][]float32, Lc)
	for l := Lc - 1; l >= 0; l-- {
		var dxs [][]float32
		dxs, dh0[l], dc0[l] = m.cond[l].backwardSeq(cond[l], dhs, nil, nil, B, m.lstmGrad(g, "conductor.lstm", l, false), l > 0)
		dhs = dxs
	}
	dz := initBackward(cs, dh0, dc0, z, m.condInitW, B, Z, Lc, Hc, g["conductor.init.weight"].Data, g["conductor.init.bias"].Data)
	// z = mu + sigma * eps, and the KL term.
	dmu := make([]float32, B*Z)
	dpre := make([]float32, B*Z)
	for b := 0; b < B; b++ {
		for k := 0; k < Z; k++ {
			i := b*Z + k
			dm := dz[i]
			ds := dz[i] * eps[i]
			if klCost[b] && beta != 0 {
				dm += float32(beta) * mu[i] * inv
				ds += float32(beta) * (sigma[i] - 1/sigma[i]) * inv
			}
			dmu[i] = dm
			// softplus'(x) = sigmoid(x), 1 above PyTorch's threshold of 20.
			if pre[i] > 20 {
				dpre[i] = ds
			} else {
				dpre[i] = ds * Sigmoid(pre[i])
			}
		}
	}
	dh := linearBackward(dmu, hcat, m.muW, B, 2*He, Z, g["encoder.mu.weight"].Data, g["encoder.mu.bias"].Data, true)
	axpy(dh, 1, linearBackward(dpre, hcat, m.sigW, B, 2*He, Z, g["encoder.sigma.weight"].Data, g["encoder.sigma.bias"].Data, true))
	// Encoder: h = [forward final, backward final] of the top layer.
	dhF, dhB := make([]float32, B*He), make([]float32, B*He)
	for b := 0; b < B; b++ {
		copy(dhF[b*He:(b+1)*He], dh[b*2*He:b*2*He+He])
		copy(dhB[b*He:(b+1)*He], dh[b*2*He+He:(b+1)*2*He])
	}
	var dhsF, dhsB [][]float32 // gradients of each step's output h
	for k := len(m.enc) - 1; k >= 0; k-- {
		var nF, nB []float32
		if k == len(m.enc)-1 {
			nF, nB = dhF, dhB
		}
		dxF, _, _ := m.enc[k][0].backwardSeq(enc[k].fwd, dhsF, nF, nil, B, m.lstmGrad(g, "encoder.lstm", k, false), k > 0)
		dxB, _, _ := m.enc[k][1].backwardSeq(enc[k].bwd, dhsB, nB, nil, B, m.lstmGrad(g, "encoder.lstm", k, true), k > 0)
		if k == 0 {
			break
		}
		// The layer below produced [fwd h_t, bwd h_t] at time t.
		dhsF, dhsB = make([][]float32, T), make([][]float32, T)
		for t := 0; t < T; t++ {
			f, r := make([]float32, B*He), make([]float32, B*He)
			for b := 0; b < B; b++ {
				for j := 0; j < 2*He; j++ {
					v := dxF[t][b*2*He+j] + dxB[T-1-t][b*2*He+j]
					if j < He {
						f[b*He+j] = v
					} else {
						r[b*He+j-He] = v
					}
				}
			}
			dhsF[t] = f
			dhsB[T-1-t] = r
		}
	}
	return parts, nil
}

// forwardStack runs a stack of LSTM layers over a sequence, keeping every
// step for the backward pass: layer 0 reads xs, layer l the hidden states of
// layer l-1; layer l starts from h0[l], c0[l].
func forwardStack(cells []*LSTM, xs [][]float32, h0, c0 [][]float32, B int) [][]*lstmStep {
	out := make([][]*lstmStep, len(cells))
	for l, cell := range cells {
		out[l] = cell.forwardSeq(xs, h0[l], c0[l], B)
		xs = make([][]float32, len(xs))
		for i := range xs {
			xs[i] = out[l][i].h
		}
	}
	return out
}

// reconStep adds one step's reconstruction loss of one sequence and writes
// its gradient with respect to the logits l into dl.
func reconStep(rep string, l, x, dl []float32) float64 {
	loss := 0.0
	if rep == "groove" {
		const C = 9
		for k := 0; k < C; k++ {
			// BCE with logits, PyTorch's stable form: max(l, 0) - l y + log(1 + e^-|l|).
			lv, y := float64(l[k]), float64(x[k])
			loss += math.Max(lv, 0) - lv*y + math.Log1p(math.Exp(-math.Abs(lv)))
			dl[k] = Sigmoid(l[k]) - x[k]
			p := Sigmoid(l[C+k])
			e := p - x[C+k]
			loss += float64(e) * float64(e)
			dl[C+k] = 2 * e * p * (1 - p)
			th := Tanh(l[2*C+k])
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
