package native

import (
	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/native/internal/f32"
)

// encoderForward runs the bidirectional encoder over p.x, keeping every
// step, and computes mu, sigma and z = mu + sigma * eps.
func (m *Model) encoderForward(p *pass) {
	c := m.cfg
	B, T, D, Z, He := p.B, c.T(), c.InputSize, c.ZSize, c.Encoder.Hidden
	xs := make([][]float32, T) // [T][B, D]: x time-major
	for t := range xs {
		xs[t] = make([]float32, B*D)
		for b := 0; b < B; b++ {
			copy(xs[t][b*D:(b+1)*D], p.x[(b*T+t)*D:(b*T+t+1)*D])
		}
	}
	zeros := make([]float32, B*He)
	p.enc = make([]encLayer, len(m.enc))
	in := xs
	for k, pair := range m.enc {
		rev := make([][]float32, T)
		for t := range rev {
			rev[t] = in[T-1-t]
		}
		p.enc[k].fwd = pair[0].forwardSeq(in, zeros, zeros, B)
		p.enc[k].bwd = pair[1].forwardSeq(rev, zeros, zeros, B)
		out := make([][]float32, T)
		for t := range out {
			out[t] = make([]float32, B*2*He)
			for b := 0; b < B; b++ {
				copy(out[t][b*2*He:b*2*He+He], p.enc[k].fwd[t].h[b*He:(b+1)*He])
				copy(out[t][b*2*He+He:(b+1)*2*He], p.enc[k].bwd[T-1-t].h[b*He:(b+1)*He])
			}
		}
		in = out
	}
	top := p.enc[len(p.enc)-1]
	p.hcat = make([]float32, B*2*He)
	for b := 0; b < B; b++ {
		copy(p.hcat[b*2*He:b*2*He+He], top.fwd[T-1].h[b*He:(b+1)*He])
		copy(p.hcat[b*2*He+He:(b+1)*2*He], top.bwd[T-1].h[b*He:(b+1)*He])
	}
	p.mu, p.pre, p.sigma = make([]float32, B*Z), make([]float32, B*Z), make([]float32, B*Z)
	m.head(p.hcat, B, p.mu, p.pre, p.sigma)
	p.z = make([]float32, B*Z)
	for i := range p.z {
		p.z[i] = p.mu[i] + p.sigma[i]*p.eps[i]
	}
}

// latentBackward backpropagates z = mu + sigma * eps, the KL cost and the
// two linears of mu and sigma: from dz [B, Z] to the gradient of hcat.
// Every per-sequence gradient is scaled by 1/B (the batch mean).
func (m *Model) latentBackward(p *pass, dz []float32, beta float64, g model.Weights) []float32 {
	B, Z, He := p.B, m.cfg.ZSize, m.cfg.Encoder.Hidden
	inv := float32(1 / float64(B))
	dmu := make([]float32, B*Z)
	dpre := make([]float32, B*Z)
	for b := 0; b < B; b++ {
		for k := 0; k < Z; k++ {
			i := b*Z + k
			dm := dz[i]
			ds := dz[i] * p.eps[i]
			if p.klCost[b] && beta != 0 {
				dm += float32(beta) * p.mu[i] * inv
				ds += float32(beta) * (p.sigma[i] - 1/p.sigma[i]) * inv
			}
			dmu[i] = dm
			// softplus'(x) = sigmoid(x), 1 above PyTorch's threshold of 20.
			if p.pre[i] > 20 {
				dpre[i] = ds
			} else {
				dpre[i] = ds * f32.Sigmoid(p.pre[i])
			}
		}
	}
	dh := linearBackward(dmu, p.hcat, m.muW, B, 2*He, Z, g["encoder.mu.weight"].Data, g["encoder.mu.bias"].Data)
	f32.Axpy(dh, 1, linearBackward(dpre, p.hcat, m.sigW, B, 2*He, Z, g["encoder.sigma.weight"].Data, g["encoder.sigma.bias"].Data))
	return dh
}

// encoderBackward backpropagates the encoder from dh [B, 2He], the gradient
// of the top layer's final states [forward, backward].
func (m *Model) encoderBackward(p *pass, dh []float32, g model.Weights) {
	B, T, He := p.B, m.cfg.T(), m.cfg.Encoder.Hidden
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
		dxF, _, _ := m.enc[k][0].backwardSeq(p.enc[k].fwd, dhsF, nF, nil, B, m.lstmGrad(g, "encoder.lstm", k, false), k > 0)
		dxB, _, _ := m.enc[k][1].backwardSeq(p.enc[k].bwd, dhsB, nB, nil, B, m.lstmGrad(g, "encoder.lstm", k, true), k > 0)
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
}
