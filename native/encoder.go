package native

import "github.com/musicvae-go/mvae/native/internal/f32"

// Encode runs the encoder (spec §2; docs/FAMILIES.md §2.2) on the encoder's
// input x [B, T, D_in]:
//
//	e = x.view(B * U_e, T / U_e, D_in)       U_e = 1 for a flat encoder
//	for each level:
//	    _, (h_n, _) = level.lstm(e)           bidirectional, from zero state
//	    e = concat(h_n[-2], h_n[-1])          [B * U_e, 2H] below the top, [B, 2H] at it
//	    below the top: e = e.view(B, U_e, 2H)
//	mu = e W_mu^T + b_mu;  sigma = softplus(e W_sigma^T + b_sigma)
//
// mu and sigma are [B, Z]. An empty batch or an x of the wrong length is an
// error.
func (m *Model) Encode(x []float32, B int, mu, sigma []float32) error {
	c := m.cfg
	T, Din, Z := c.T(), c.EncoderIn(), c.ZSize
	if err := checkBatch(B); err != nil {
		return err
	}
	if err := checkInput("x", x, B, T, Din); err != nil {
		return err
	}
	checkOutput("mu", mu, B, Z)
	checkOutput("sigma", sigma, B, Z)
	e, N, L := x, B, T // the level's input: N sequences of L steps
	for _, lv := range m.enc {
		N, L = N*lv.pieces, L/lv.pieces
		H := lv.layers[0][0].H
		final := make([]float32, N*2*H)
		lv.encode(e, N, L, final)
		// The N final states are the next level's input: N/U_e sequences of U_e steps.
		e, L = final, lv.pieces
		N /= lv.pieces
	}
	m.head(e, B, mu, sigma, sigma)
	return nil
}

// encode runs the level's bidirectional stack over x, N sequences of T
// steps batch-major ([N, T, I]), from zero state, and writes the top
// layer's final states [forward, backward] into final [N, 2H].
func (lv *encLevel) encode(x []float32, N, T int, final []float32) {
	in := x
	I := lv.layers[0][0].I
	H := lv.layers[0][0].H
	// seq[t] holds the layer's input at step t: [N, I], gathered from [N, T, I].
	seq := make([]float32, N*I)
	h := make([]float32, N*H)
	cc := make([]float32, N*H)
	gates := make([]float32, N*4*H)
	timeMajor := false // the first layer's input is batch-major x; later ones are time-major outputs
	for k, pair := range lv.layers {
		next := make([]float32, T*N*2*H) // this layer's outputs, [T, N, 2H]
		for dir := 0; dir < 2; dir++ {
			clear(h)
			clear(cc)
			for s := 0; s < T; s++ {
				t := s
				if dir == 1 {
					t = T - 1 - s
				}
				if timeMajor {
					copy(seq, in[t*N*I:(t+1)*N*I])
				} else {
					for b := 0; b < N; b++ {
						copy(seq[b*I:(b+1)*I], in[(b*T+t)*I:(b*T+t+1)*I])
					}
				}
				pair[dir].Step(seq, h, cc, gates, N)
				for b := 0; b < N; b++ {
					copy(next[(t*N+b)*2*H+dir*H:(t*N+b)*2*H+(dir+1)*H], h[b*H:(b+1)*H])
				}
			}
			if k == len(lv.layers)-1 {
				for b := 0; b < N; b++ {
					copy(final[b*2*H+dir*H:b*2*H+(dir+1)*H], h[b*H:(b+1)*H])
				}
			}
		}
		in, I, timeMajor = next, 2*H, true
		if len(seq) != N*I {
			seq = make([]float32, N*I)
		}
	}
}

// head computes the encoder's outputs from h [B, 2He], the top layer's final
// states [forward, backward]:
//
//	mu = h W_mu^T + b_mu
//	pre = h W_sigma^T + b_sigma;  sigma = softplus(pre)
//
// pre may be sigma, for a caller that does not keep it.
func (m *Model) head(h []float32, B int, mu, pre, sigma []float32) {
	m.mu.mul(mu, h, m.muB, B)
	m.sig.mul(pre, h, m.sigB, B)
	for i := range sigma {
		sigma[i] = f32.Softplus(pre[i])
	}
}
