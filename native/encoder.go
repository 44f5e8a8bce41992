package native

import "github.com/musicvae-go/mvae/native/internal/f32"

// Encode runs the bidirectional encoder (spec §2) on x [B, T, D]:
//
//	_, (h_n, _) = encoder.lstm(x)
//	h = concat(h_n[-2], h_n[-1])     the top layer's forward and backward finals
//	mu = h W_mu^T + b_mu;  sigma = softplus(h W_sigma^T + b_sigma)
//
// mu and sigma are [B, Z]. An empty batch or an x of the wrong length is an
// error.
func (m *Model) Encode(x []float32, B int, mu, sigma []float32) error {
	c := m.cfg
	T, D, H, Z := c.T(), c.InputSize, c.Encoder.Hidden, c.ZSize
	if err := checkBatch(B); err != nil {
		return err
	}
	if err := checkInput("x", x, B, T, D); err != nil {
		return err
	}
	checkOutput("mu", mu, B, Z)
	checkOutput("sigma", sigma, B, Z)
	in := x
	I := D
	// seq[t] holds the layer's input at step t: [B, I], gathered from [B, T, I].
	seq := make([]float32, B*I)
	outs := make([]float32, T*B*2*H) // this layer's outputs, [T, B, 2H]
	h := make([]float32, B*H)
	cc := make([]float32, B*H)
	gates := make([]float32, B*4*H)
	final := make([]float32, B*2*H)
	timeMajor := false // the first layer's input is batch-major x; later ones are outs
	for k, pair := range m.enc {
		next := make([]float32, T*B*2*H)
		for dir := 0; dir < 2; dir++ {
			clear(h)
			clear(cc)
			for s := 0; s < T; s++ {
				t := s
				if dir == 1 {
					t = T - 1 - s
				}
				if timeMajor {
					copy(seq, in[t*B*I:(t+1)*B*I])
				} else {
					for b := 0; b < B; b++ {
						copy(seq[b*I:(b+1)*I], in[(b*T+t)*I:(b*T+t+1)*I])
					}
				}
				pair[dir].Step(seq, h, cc, gates, B)
				for b := 0; b < B; b++ {
					copy(next[(t*B+b)*2*H+dir*H:(t*B+b)*2*H+(dir+1)*H], h[b*H:(b+1)*H])
				}
			}
			if k == len(m.enc)-1 {
				for b := 0; b < B; b++ {
					copy(final[b*2*H+dir*H:b*2*H+(dir+1)*H], h[b*H:(b+1)*H])
				}
			}
		}
		outs = next
		in, I, timeMajor = outs, 2*H, true
		if len(seq) != B*I {
			seq = make([]float32, B*I)
		}
	}
	m.head(final, B, mu, sigma, sigma)
	return nil
}

// head computes the encoder's outputs from h [B, 2He], the top layer's final
// states [forward, backward]:
//
//	mu = h W_mu^T + b_mu
//	pre = h W_sigma^T + b_sigma;  sigma = softplus(pre)
//
// pre may be sigma, for a caller that does not keep it.
func (m *Model) head(h []float32, B int, mu, pre, sigma []float32) {
	He, Z := m.cfg.Encoder.Hidden, m.cfg.ZSize
	linear(mu, h, m.muW, m.muB, B, 2*He, Z)
	linear(pre, h, m.sigW, m.sigB, B, 2*He, Z)
	for i := range sigma {
		sigma[i] = f32.Softplus(pre[i])
	}
}
