package native

import (
	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/native/internal/f32"
)

// encPass is one encoder level's forward in a pass: N sequences of L steps,
// every layer's steps, and the top layer's final states.
type encPass struct {
	N, L   int
	layers []encLayer
	final  []float32 // [N, 2H]: [forward final, backward final]
}

// encLayer is one encoder layer: each direction's steps, the backward one in
// its own (reversed) time order.
type encLayer struct{ fwd, bwd []*lstmStep }

// encoderForward runs the encoder over the encoder input of p.x, level by
// level (Encode's math), keeping every step, and computes mu, sigma and
// z = mu + sigma * eps.
func (m *Model) encoderForward(p *pass) {
	c := m.cfg
	B, T, Z := p.B, c.T(), c.ZSize
	e, N, L, I := m.encoderInput(p.x, B), B, T, c.EncoderIn()
	p.enc = make([]encPass, len(m.enc))
	for l := range m.enc {
		lv := &m.enc[l]
		N, L = N*lv.pieces, L/lv.pieces
		xs := make([][]float32, L)   // [L][N, I]: e time-major, in one buffer
		eT := p.ws.floats(L * N * I) // written in full
		for t := range xs {
			xs[t] = eT[t*N*I : (t+1)*N*I]
			for b := 0; b < N; b++ {
				copy(xs[t][b*I:(b+1)*I], e[(b*L+t)*I:(b*L+t+1)*I])
			}
		}
		ep := encPass{N: N, L: L, layers: lv.forwardSeq(p.ws, xs, N)}
		H := lv.layers[0][0].H
		top := ep.layers[len(ep.layers)-1]
		ep.final = p.ws.floats(N * 2 * H) // written in full
		for b := 0; b < N; b++ {
			copy(ep.final[b*2*H:b*2*H+H], top.fwd[L-1].h[b*H:(b+1)*H])
			copy(ep.final[b*2*H+H:(b+1)*2*H], top.bwd[L-1].h[b*H:(b+1)*H])
		}
		p.enc[l] = ep
		e, I, L = ep.final, 2*H, lv.pieces
		N /= lv.pieces
	}
	p.hcat = e
	p.mu, p.pre, p.sigma = p.ws.zeros(B*Z), p.ws.zeros(B*Z), p.ws.zeros(B*Z)
	m.head(p.hcat, B, p.mu, p.pre, p.sigma)
	p.z = p.ws.floats(B * Z) // written in full
	for i := range p.z {
		p.z[i] = p.mu[i] + p.sigma[i]*p.eps[i]
	}
}

// forwardSeq runs the level's bidirectional stack over xs ([L][N, I],
// time-major) from zero state, keeping every step.
func (lv *encLevel) forwardSeq(ws *workspace, xs [][]float32, N int) []encLayer {
	T := len(xs)
	H := lv.layers[0][0].H
	zeros := ws.zeros(N * H)
	out := make([]encLayer, len(lv.layers))
	in := xs
	for k, pair := range lv.layers {
		rev := make([][]float32, T)
		for t := range rev {
			rev[t] = in[T-1-t]
		}
		out[k].fwd = pair[0].forwardSeq(ws, in, zeros, zeros, N)
		out[k].bwd = pair[1].forwardSeq(ws, rev, zeros, zeros, N)
		next := make([][]float32, T)   // in one buffer: the next layer's input products read it as it lies
		nb := ws.floats(T * N * 2 * H) // written in full
		for t := range next {
			next[t] = nb[t*N*2*H : (t+1)*N*2*H]
			for b := 0; b < N; b++ {
				copy(next[t][b*2*H:b*2*H+H], out[k].fwd[t].h[b*H:(b+1)*H])
				copy(next[t][b*2*H+H:(b+1)*2*H], out[k].bwd[T-1-t].h[b*H:(b+1)*H])
			}
		}
		in = next
	}
	return out
}

// latentBackward backpropagates z = mu + sigma * eps, the KL cost and the
// two linears of mu and sigma: from dz [B, Z] to the gradient of hcat.
// Every per-sequence gradient is scaled by 1/B (the batch mean).
func (m *Model) latentBackward(p *pass, dz []float32, beta float64, g model.Weights) []float32 {
	B, Z, He := p.B, m.cfg.ZSize, m.cfg.EncoderTop()
	inv := float32(1 / float64(B))
	dmu := p.ws.floats(B * Z) // both written in full
	dpre := p.ws.floats(B * Z)
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
	dh := linearBackward(p.ws, dmu, p.hcat, m.muW, m.muT, B, 2*He, Z, g["encoder.mu.weight"].Data, g["encoder.mu.bias"].Data)
	f32.Axpy(dh, 1, linearBackward(p.ws, dpre, p.hcat, m.sigW, m.sigT, B, 2*He, Z, g["encoder.sigma.weight"].Data, g["encoder.sigma.bias"].Data))
	return dh
}

// encoderBackward backpropagates the encoder from dh [B, 2He], the gradient
// of the top level's final states [forward, backward], level by level: the
// gradient of a level's inputs (time step t of sequence n) is that of the
// final states of the level below (its sequence n·L + t).
func (m *Model) encoderBackward(p *pass, dh []float32, g model.Weights) {
	d := dh
	for l := len(m.enc) - 1; l >= 0; l-- {
		ep := &p.enc[l]
		N, L := ep.N, ep.L
		dxs := m.enc[l].backwardSeq(p.ws, ep, d, g, l > 0)
		if l == 0 {
			break
		}
		I := len(dxs[0]) / N
		d = p.ws.floats(N * L * I) // written in full
		for t := 0; t < L; t++ {
			for n := 0; n < N; n++ {
				copy(d[(n*L+t)*I:(n*L+t+1)*I], dxs[t][n*I:(n+1)*I])
			}
		}
	}
}

// backwardSeq backpropagates the level's stack from dfinal [N, 2H], the
// gradient of its top layer's final states, accumulating into g; with
// wantDx it returns the gradients of the level's inputs, [L][N, I]
// time-major.
func (lv *encLevel) backwardSeq(ws *workspace, ep *encPass, dfinal []float32, g model.Weights, wantDx bool) [][]float32 {
	N, T := ep.N, ep.L
	H := lv.layers[0][0].H
	dhF, dhB := ws.floats(N*H), ws.floats(N*H) // written in full
	for b := 0; b < N; b++ {
		copy(dhF[b*H:(b+1)*H], dfinal[b*2*H:b*2*H+H])
		copy(dhB[b*H:(b+1)*H], dfinal[b*2*H+H:(b+1)*2*H])
	}
	var dhsF, dhsB [][]float32 // gradients of each step's output h
	for k := len(lv.layers) - 1; k >= 0; k-- {
		var nF, nB []float32
		if k == len(lv.layers)-1 {
			nF, nB = dhF, dhB
		}
		want := k > 0 || wantDx
		dxF, _, _ := lv.layers[k][0].backwardSeq(ws, ep.layers[k].fwd, dhsF, nF, nil, N, gradsOf(g, lv.prefix, k, false), dxAll(lv.layers[k][0], want))
		dxB, _, _ := lv.layers[k][1].backwardSeq(ws, ep.layers[k].bwd, dhsB, nB, nil, N, gradsOf(g, lv.prefix, k, true), dxAll(lv.layers[k][1], want))
		if !want {
			return nil
		}
		I := lv.layers[k][0].I
		if k == 0 {
			dxs := make([][]float32, T)
			for t := range dxs {
				dxs[t] = ws.floats(N * I) // copied over in full
				copy(dxs[t], dxF[t])
				f32.Axpy(dxs[t], 1, dxB[T-1-t])
			}
			return dxs
		}
		// The layer below produced [fwd h_t, bwd h_t] at time t.
		dhsF, dhsB = make([][]float32, T), make([][]float32, T)
		for t := 0; t < T; t++ {
			f, r := ws.floats(N*H), ws.floats(N*H) // written in full
			xf, xb := dxF[t], dxB[T-1-t]
			for b := 0; b < N; b++ {
				// [f, r] = xf + xb row by row (Axpy by 1: the sums of +).
				fb, rb := f[b*H:(b+1)*H], r[b*H:(b+1)*H]
				copy(fb, xf[b*2*H:b*2*H+H])
				f32.Axpy(fb, 1, xb[b*2*H:b*2*H+H])
				copy(rb, xf[b*2*H+H:(b+1)*2*H])
				f32.Axpy(rb, 1, xb[b*2*H+H:(b+1)*2*H])
			}
			dhsF[t] = f
			dhsB[T-1-t] = r
		}
	}
	return nil
}
