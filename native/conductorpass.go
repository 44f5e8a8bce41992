package native

import "github.com/musicvae-go/mvae/model"

// conductorForward runs the conductor from init(z) over U steps of zero
// input, keeping every step; the top layer's outputs are the c_u. Without
// a conductor the one segment's c_u is z.
func (m *Model) conductorForward(p *pass) {
	c := m.cfg
	if !c.HasConductor() {
		p.cus = [][]float32{p.z}
		return
	}
	B, Z, U, Lc, Hc := p.B, c.ZSize, c.Segments, c.Conductor.Layers, c.Conductor.Hidden
	s, h0, c0 := newInit(p.ws, B, Lc, Hc)
	initState(s, p.z, m.condInit, m.condInitB, B, Z, Lc, Hc, h0, c0)
	zeros := p.ws.zeros(B) // the conductor's input, [B, 1]
	in := make([][]float32, U)
	for u := range in {
		in[u] = zeros
	}
	p.condS = s
	p.cond = forwardStack(p.ws, m.cond, in, h0, c0, B)
	p.cus = make([][]float32, U)
	for u, st := range p.cond[Lc-1] {
		p.cus[u] = st.h
	}
}

// conductorBackward backpropagates the conductor from dcond, the gradients
// of the c_u ([U][B, C]), and returns the gradient of z (dcond[0] itself
// without a conductor).
func (m *Model) conductorBackward(p *pass, dcond [][]float32, g model.Weights) []float32 {
	c := m.cfg
	if !c.HasConductor() {
		return dcond[0]
	}
	B, Z, Lc, Hc := p.B, c.ZSize, c.Conductor.Layers, c.Conductor.Hidden
	dhs := dcond
	dh0 := make([][]float32, Lc)
	dc0 := make([][]float32, Lc)
	for l := Lc - 1; l >= 0; l-- {
		var dxs [][]float32
		dxs, dh0[l], dc0[l] = m.cond[l].backwardSeq(p.ws, p.cond[l], dhs, nil, nil, B, gradsOf(g, "conductor.lstm", l, false), dxAll(m.cond[l], l > 0))
		dhs = dxs
	}
	return initBackward(p.ws, p.condS, dh0, dc0, p.z, m.condInitW, m.condInitT, B, Z, Lc, Hc, gradOf(g, "conductor.init.weight"), gradOf(g, "conductor.init.bias"))
}
