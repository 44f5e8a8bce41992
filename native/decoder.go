package native

import (
	"fmt"

	"github.com/musicvae-go/mvae/generate"
)

// Conduct runs the conductor (spec §2) on z [B, Z]: its LSTM starts from
// init(z, conductor.init) and is fed zeros of size 1 for U steps; cond
// [B, U, Hc] holds the top layer's outputs, the segment embeddings c_u.
func (m *Model) Conduct(z []float32, B int, cond []float32) error {
	c := m.cfg
	U, H, L, Z := c.Segments, c.Conductor.Hidden, c.Conductor.Layers, c.ZSize
	if err := checkBatch(B); err != nil {
		return err
	}
	if err := checkInput("z", z, B, Z); err != nil {
		return err
	}
	checkOutput("cond", cond, B, U, H)
	s, h, cc := newInit(B, L, H)
	initState(s, z, m.condInitW, m.condInitB, B, Z, L, H, h, cc)
	zeros := make([]float32, B) // the conductor's input, [B, 1]
	gates := make([]float32, B*4*H)
	for u := 0; u < U; u++ {
		x := zeros
		for l, cell := range m.cond {
			cell.Step(x, h[l], cc[l], gates, B)
			x = h[l]
		}
		for b := 0; b < B; b++ {
			copy(cond[(b*U+u)*H:(b*U+u+1)*H], h[L-1][b*H:(b+1)*H])
		}
	}
	return nil
}

// State is the decoder state of a batch: every buffer a step needs, made
// once, so that a step allocates nothing.
type State struct {
	B     int
	m     *Model      // the model that made it
	h, c  [][]float32 // per layer, [B, Hd]
	condG []float32   // layer 0's gates from c_u and both biases, fixed per segment: [B, 4Hd]
	gates []float32   // [B, 4Hd]
	initS []float32   // scratch for init: [B, 2 Ld Hd]
}

// Batch is the number of sequences.
func (s *State) Batch() int { return s.B }

// Close does nothing.
func (s *State) Close() error { return nil }

// NewState makes the decoder state of B sequences.
func (m *Model) NewState(B int) (generate.State, error) {
	if err := checkBatch(B); err != nil {
		return nil, err
	}
	c := m.cfg
	L, H := c.Decoder.Layers, c.Decoder.Hidden
	s := &State{B: B, m: m, h: make([][]float32, L), c: make([][]float32, L),
		condG: make([]float32, B*4*H), gates: make([]float32, B*4*H), initS: make([]float32, B*2*L*H)}
	for l := range s.h {
		s.h[l], s.c[l] = make([]float32, B*H), make([]float32, B*H)
	}
	return s, nil
}

// DecoderInit resets the state to init(c_u, decoder.init) for cu [B, Hc], and
// computes layer 0's gate contribution of c_u (with both biases) once for the
// segment.
func (m *Model) DecoderInit(st generate.State, k int, cu []float32) error {
	if err := m.checkSplit(k); err != nil {
		return err
	}
	s := m.state(st)
	c := m.cfg
	B, Hc, L, H := s.B, c.Conductor.Hidden, c.Decoder.Layers, c.Decoder.Hidden
	if err := checkInput("c_u", cu, B, Hc); err != nil {
		return err
	}
	initState(s.initS, cu, m.decInitW, m.decInitB, B, Hc, L, H, s.h, s.c)
	linear(s.condG, cu, m.dec0Cond, m.dec[0].Bias, B, Hc, 4*H)
	return nil
}

// DecoderStep feeds prev [B, D] (and the segment's c_u, already folded into
// the state by DecoderInit) through the decoder LSTM stack and writes
// logits [B, D] = h_top W_out^T + b_out.
func (m *Model) DecoderStep(st generate.State, k int, prev, cu, logits []float32) error {
	if err := m.checkSplit(k); err != nil {
		return err
	}
	s := m.state(st)
	c := m.cfg
	B, D, H := s.B, c.InputSize, c.Decoder.Hidden
	if err := checkInput("prev", prev, B, D); err != nil {
		return err
	}
	if err := checkInput("c_u", cu, B, c.Conductor.Hidden); err != nil {
		return err
	}
	checkOutput("logits", logits, B, D)
	// Layer 0: gates = [prev, c_u] W_ih^T + h W_hh^T + b, with the c_u part precomputed.
	copy(s.gates, s.condG)
	linearAcc(s.gates, prev, m.dec0Prev, B, D, 4*H)
	m.dec[0].recur(s.gates, s.h[0], s.c[0], s.h[0], s.c[0], B, nil)
	for l := 1; l < len(m.dec); l++ {
		m.dec[l].Step(s.h[l-1], s.h[l], s.c[l], s.gates, B)
	}
	linear(logits, s.h[len(m.dec)-1], m.outW, m.outB, B, H, D)
	return nil
}

// state returns st as this model's State; a state of another model or
// runtime is a programmer error.
func (m *Model) state(st generate.State) *State {
	s, ok := st.(*State)
	if !ok || s.m != m {
		panic(fmt.Sprintf("native: a decoder state (%T) this model did not make", st))
	}
	return s
}

// Forward is the teacher-forced forward of spec §2: x [B, T, D] and eps
// [B, Z] give logits [B, T, D], mu and sigma [B, Z]; z = mu + sigma * eps; the
// decoder is fed x shifted one step (zeros first) and restarts from init(c_u)
// at every segment. An empty batch, or an x or eps of the wrong length, is an
// error.
func (m *Model) Forward(x, eps []float32, B int, logits, mu, sigma []float32) error {
	c := m.cfg
	T, D, U, S, Z, Hc := c.T(), c.InputSize, c.Segments, c.S(), c.ZSize, c.Conductor.Hidden
	if err := checkBatch(B); err != nil {
		return err
	}
	if err := checkInput("x", x, B, T, D); err != nil {
		return err
	}
	if err := checkInput("eps", eps, B, Z); err != nil {
		return err
	}
	checkOutput("logits", logits, B, T, D)
	if err := m.Encode(x, B, mu, sigma); err != nil {
		return err
	}
	z := make([]float32, B*Z)
	for i := range z {
		z[i] = mu[i] + sigma[i]*eps[i]
	}
	cond := make([]float32, B*U*Hc)
	if err := m.Conduct(z, B, cond); err != nil {
		return err
	}
	st, err := m.NewState(B)
	if err != nil {
		return err
	}
	cu := make([]float32, B*Hc)
	prev := make([]float32, B*D)
	out := make([]float32, B*D)
	for u := 0; u < U; u++ {
		for b := 0; b < B; b++ {
			copy(cu[b*Hc:(b+1)*Hc], cond[(b*U+u)*Hc:(b*U+u+1)*Hc])
		}
		if err := m.DecoderInit(st, 0, cu); err != nil {
			return err
		}
		for s := 0; s < S; s++ {
			t := u*S + s
			for b := 0; b < B; b++ {
				if t == 0 {
					clear(prev[b*D : (b+1)*D])
				} else {
					copy(prev[b*D:(b+1)*D], x[(b*T+t-1)*D:(b*T+t)*D])
				}
			}
			if err := m.DecoderStep(st, 0, prev, cu, out); err != nil {
				return err
			}
			for b := 0; b < B; b++ {
				copy(logits[(b*T+t)*D:(b*T+t+1)*D], out[b*D:(b+1)*D])
			}
		}
	}
	return nil
}

var _ generate.Backend = (*Model)(nil)
