package native

import (
	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/native/internal/f32"
)

// decoderForward runs the decoder segment by segment, teacher-forced (fed x
// shifted one step, zeros first, beside the segment's c_u), keeping every
// step, and computes each sequence's reconstruction loss and the gradient of
// the logits.
func (m *Model) decoderForward(p *pass) {
	c := m.cfg
	B, T, D, U, S := p.B, c.T(), c.InputSize, c.Segments, c.S()
	Hc, Ld, Hd := c.Conductor.Hidden, c.Decoder.Layers, c.Decoder.Hidden
	top := p.cond[len(p.cond)-1]
	p.segs = make([]segment, U)
	p.dlogits = make([][]float32, T)
	p.recon = make([]float64, B)
	logit := make([]float32, B*D)
	for u := 0; u < U; u++ {
		cu := top[u].h
		sd, h0, c0 := newInit(B, Ld, Hd)
		initState(sd, cu, m.decInitW, m.decInitB, B, Hc, Ld, Hd, h0, c0)
		steps := make([][]float32, S) // layer 0's inputs [prev, c_u], [B, D+Hc]
		for s := 0; s < S; s++ {
			t := u*S + s
			xi := make([]float32, B*(D+Hc))
			for b := 0; b < B; b++ {
				if t > 0 {
					copy(xi[b*(D+Hc):b*(D+Hc)+D], p.x[(b*T+t-1)*D:(b*T+t)*D])
				}
				copy(xi[b*(D+Hc)+D:(b+1)*(D+Hc)], cu[b*Hc:(b+1)*Hc])
			}
			steps[s] = xi
		}
		layers := forwardStack(m.dec, steps, h0, c0, B)
		p.segs[u] = segment{cu: cu, s: sd, layers: layers}
		for s := 0; s < S; s++ {
			t := u*S + s
			linear(logit, layers[Ld-1][s].h, m.outW, m.outB, B, Hd, D)
			dl := make([]float32, B*D)
			for b := 0; b < B; b++ {
				p.recon[b] += reconStep(c.Rep(), logit[b*D:(b+1)*D], p.x[(b*T+t)*D:(b*T+t+1)*D], dl[b*D:(b+1)*D])
			}
			p.dlogits[t] = dl
		}
	}
}

// decoderBackward backpropagates the reconstruction loss through the output
// linear, the decoder and its inits, segment by segment from the last, and
// returns the gradients of the c_u ([U][B, Hc]). The loss is the batch mean:
// every per-sequence gradient is scaled by 1/B.
func (m *Model) decoderBackward(p *pass, g model.Weights) [][]float32 {
	c := m.cfg
	B, D, U, S := p.B, c.InputSize, c.Segments, c.S()
	Hc, Ld, Hd := c.Conductor.Hidden, c.Decoder.Layers, c.Decoder.Hidden
	inv := float32(1 / float64(B))
	for _, dl := range p.dlogits {
		for i := range dl {
			dl[i] *= inv
		}
	}
	gOutW, gOutB := g["decoder.out.weight"].Data, g["decoder.out.bias"].Data
	dcond := make([][]float32, U)
	for u := U - 1; u >= 0; u-- {
		sg := p.segs[u]
		dhs := make([][]float32, S)
		for s := 0; s < S; s++ {
			dhs[s] = linearBackward(p.dlogits[u*S+s], sg.layers[Ld-1][s].h, m.outW, B, Hd, D, gOutW, gOutB)
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
				f32.Axpy(dcu[b*Hc:(b+1)*Hc], 1, dx[b*(D+Hc)+D:(b+1)*(D+Hc)])
			}
		}
		d := initBackward(sg.s, dh0, dc0, sg.cu, m.decInitW, B, Hc, Ld, Hd, g["decoder.init.weight"].Data, g["decoder.init.bias"].Data)
		f32.Axpy(dcu, 1, d)
		dcond[u] = dcu
	}
	return dcond
}
