package native

import (
	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/native/internal/f32"
)

// segment is one (split) decoder's run over one segment.
type segment struct {
	s       []float32     // tanh of the decoder's init
	layers  [][]*lstmStep // per layer, per step of the segment
	dlogits [][]float32   // per step, [B, D_k]: the reconstruction loss's gradient of the logits
}

// decoderForward runs every (split) decoder segment by segment,
// teacher-forced (fed its columns of x, or of p.fed when set, shifted one
// step, zeros first, beside the segment's c_u), keeping every step, and
// computes each sequence's
// reconstruction loss (the sum over splits) and the gradient of the logits.
func (m *Model) decoderForward(p *pass) {
	c := m.cfg
	B, T, D, U, S := p.B, c.T(), c.InputSize, c.Segments, c.S()
	C, Ld, Hd := c.CondWidth(), c.Decoder.Layers, c.Decoder.Hidden
	p.segs = make([][]segment, U)
	p.recon = make([]float64, B)
	fed := p.x
	if p.fed != nil {
		fed = p.fed
	}
	for u := 0; u < U; u++ {
		cu := p.cus[u]
		p.segs[u] = make([]segment, len(m.decs))
		for k := range m.decs {
			d := &m.decs[k]
			Dk, off, rep := d.D, d.off, c.SplitRep(k)
			sd, h0, c0 := newInit(p.ws, B, Ld, Hd)
			initState(sd, cu, d.init, d.initB, B, C, Ld, Hd, h0, c0)
			steps := make([][]float32, S)      // layer 0's inputs [prev, c_u], [B, D_k+C], in one buffer
			xb := p.ws.zeros(S * B * (Dk + C)) // zeros: the first step's prev
			for s := 0; s < S; s++ {
				t := u*S + s
				xi := xb[s*B*(Dk+C) : (s+1)*B*(Dk+C)]
				for b := 0; b < B; b++ {
					if t > 0 {
						copy(xi[b*(Dk+C):b*(Dk+C)+Dk], fed[(b*T+t-1)*D+off:(b*T+t-1)*D+off+Dk])
					}
					copy(xi[b*(Dk+C)+Dk:(b+1)*(Dk+C)], cu[b*C:(b+1)*C])
				}
				steps[s] = xi
			}
			layers := forwardStack(p.ws, d.lstm, steps, h0, c0, B)
			sg := segment{s: sd, layers: layers, dlogits: make([][]float32, S)}
			logit := p.ws.floats(B * Dk) // written by every step's mul
			for s := 0; s < S; s++ {
				t := u*S + s
				d.out.mul(logit, layers[Ld-1][s].h, d.outB, B)
				dl := p.ws.floats(B * Dk) // reconStep writes every value
				for b := 0; b < B; b++ {
					p.recon[b] += reconStep(rep, logit[b*Dk:(b+1)*Dk], p.x[(b*T+t)*D+off:(b*T+t)*D+off+Dk], dl[b*Dk:(b+1)*Dk])
				}
				sg.dlogits[s] = dl
			}
			p.segs[u][k] = sg
		}
	}
}

// decoderBackward backpropagates the reconstruction loss through each
// decoder's output linear, LSTM stack and init, segment by segment from the
// last, and returns the gradients of the c_u ([U][B, C]: the sum over the
// splits of what each decoder's input and init pass back). The loss is the
// batch mean: every per-sequence gradient is scaled by 1/B.
func (m *Model) decoderBackward(p *pass, g model.Weights) [][]float32 {
	c := m.cfg
	B, U, S := p.B, c.Segments, c.S()
	C, Ld, Hd := c.CondWidth(), c.Decoder.Layers, c.Decoder.Hidden
	inv := float32(1 / float64(B))
	dcond := make([][]float32, U)
	for u := U - 1; u >= 0; u-- {
		cu := p.cus[u]
		dcu := p.ws.zeros(B * C)
		for k := range m.decs {
			d := &m.decs[k]
			Dk := d.D
			sg := p.segs[u][k]
			gOutW, gOutB := gradOf(g, d.prefix+".out.weight"), gradOf(g, d.prefix+".out.bias")
			dhs := make([][]float32, S)
			for s := 0; s < S; s++ {
				dl := sg.dlogits[s]
				for i := range dl {
					dl[i] *= inv
				}
				dhs[s] = linearBackward(p.ws, dl, sg.layers[Ld-1][s].h, d.outW, d.outT, B, Hd, Dk, gOutW, gOutB)
			}
			dh0 := make([][]float32, Ld)
			dc0 := make([][]float32, Ld)
			var dxs [][]float32
			for l := Ld - 1; l >= 0; l-- {
				// Layer 0's inputs are [prev, c_u]: only c_u's gradient is wanted.
				cols := d.lstm[l].I
				if l == 0 {
					cols = C
				}
				dxs, dh0[l], dc0[l] = d.lstm[l].backwardSeq(p.ws, sg.layers[l], dhs, nil, nil, B, gradsOf(g, d.prefix+".lstm", l, false), cols)
				dhs = dxs
			}
			for _, dx := range dxs { // [B, C]
				for b := 0; b < B; b++ {
					f32.Axpy(dcu[b*C:(b+1)*C], 1, dx[b*C:(b+1)*C])
				}
			}
			f32.Axpy(dcu, 1, initBackward(p.ws, sg.s, dh0, dc0, cu, d.initW, d.initT, B, C, Ld, Hd, gradOf(g, d.prefix+".init.weight"), gradOf(g, d.prefix+".init.bias")))
		}
		dcond[u] = dcu
	}
	return dcond
}
