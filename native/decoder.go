package native

import (
	"fmt"

	"github.com/musicvae-go/mvae/generate"
)

// Conduct runs the conductor (spec §2) on z [B, Z]: its LSTM starts from
// init(z, conductor.init) and is fed zeros of size 1 for U steps; cond
// [B, U, Hc] holds the top layer's outputs, the segment embeddings c_u.
// Without a conductor (docs/FAMILIES.md §2.2) U = 1 and cond [B, 1, Z] is z.
func (m *Model) Conduct(z []float32, B int, cond []float32) error {
	c := m.cfg
	U, C, Z := c.Segments, c.CondWidth(), c.ZSize
	if err := checkBatch(B); err != nil {
		return err
	}
	if err := checkInput("z", z, B, Z); err != nil {
		return err
	}
	checkOutput("cond", cond, B, U, C)
	if !c.HasConductor() {
		copy(cond, z)
		return nil
	}
	L, H := c.Conductor.Layers, c.Conductor.Hidden
	s, h, cc := newInit(nil, B, L, H)
	initState(s, z, m.condInit, m.condInitB, B, Z, L, H, h, cc)
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

// State is the decoder state of a batch, of every split decoder: every
// buffer a step needs, made once, so that a step allocates nothing.
type State struct {
	B     int
	m     *Model        // the model that made it
	h, c  [][][]float32 // per split, per layer, [B, Hd]
	condG [][]float32   // per split: layer 0's gates from cond and both biases, fixed per segment: [B, 4Hd]
	gates []float32     // [B, 4Hd]
	initS []float32     // scratch for init: [B, 2 Ld Hd]
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
	n := len(m.decs)
	s := &State{B: B, m: m, h: make([][][]float32, n), c: make([][][]float32, n), condG: make([][]float32, n),
		gates: make([]float32, B*4*H), initS: make([]float32, B*2*L*H)}
	for k := range m.decs {
		s.h[k], s.c[k], s.condG[k] = make([][]float32, L), make([][]float32, L), make([]float32, B*4*H)
		for l := 0; l < L; l++ {
			s.h[k][l], s.c[k][l] = make([]float32, B*H), make([]float32, B*H)
		}
	}
	return s, nil
}

// DecoderInit resets split k's state to init(cu, decoder.init) for cu
// [B, C], and computes its layer 0's gate contribution of cu (with both
// biases) once for the segment.
func (m *Model) DecoderInit(st generate.State, k int, cu []float32) error {
	if err := m.checkSplit(k); err != nil {
		return err
	}
	s := m.state(st)
	c := m.cfg
	B, C, L, H := s.B, c.CondWidth(), c.Decoder.Layers, c.Decoder.Hidden
	if err := checkInput("c_u", cu, B, C); err != nil {
		return err
	}
	d := &m.decs[k]
	initState(s.initS, cu, d.init, d.initB, B, C, L, H, s.h[k], s.c[k])
	d.cond.mul(s.condG[k], cu, d.lstm[0].Bias, B)
	return nil
}

// DecoderStep feeds split k's prev [B, D_k] (and the segment's cu, already
// folded into the state by DecoderInit) through its LSTM stack and writes
// logits [B, D_k] = h_top W_out^T + b_out.
func (m *Model) DecoderStep(st generate.State, k int, prev, cu, logits []float32) error {
	if err := m.checkSplit(k); err != nil {
		return err
	}
	s := m.state(st)
	c := m.cfg
	d := &m.decs[k]
	B, D, H := s.B, d.D, c.Decoder.Hidden
	if err := checkInput("prev", prev, B, D); err != nil {
		return err
	}
	if err := checkInput("c_u", cu, B, c.CondWidth()); err != nil {
		return err
	}
	checkOutput("logits", logits, B, D)
	h, cs := s.h[k], s.c[k]
	// Layer 0: gates = [prev, cu] W_ih^T + h W_hh^T + b, with the cu part precomputed.
	copy(s.gates, s.condG[k])
	if d.oneHot {
		linearAccT(s.gates, prev, d.prevWT, B, D, 4*H)
		d.lstm[0].recur(s.gates, h[0], cs[0], h[0], cs[0], B, nil)
	} else {
		mulAdd2(s.gates, d.prev, prev, d.lstm[0].whh, h[0], B)
		cell(s.gates, cs[0], cs[0], h[0], B, H, nil)
	}
	for l := 1; l < len(d.lstm); l++ {
		d.lstm[l].Step(h[l-1], h[l], cs[l], s.gates, B)
	}
	d.out.mul(logits, h[len(d.lstm)-1], d.outB, B)
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

// Forward is the teacher-forced forward of spec §2 (docs/FAMILIES.md §2.2):
// tokens x [B, T, D] and eps [B, Z] give logits [B, T, D], mu and sigma
// [B, Z]. The encoder reads the encoder input of x (music.EncoderInput.Apply
// with the config's encoder_input); z = mu + sigma * eps; each (split)
// decoder is fed its columns of x shifted one step (zeros first) and
// restarts from init(c_u) at every segment. An empty batch, or an x or eps
// of the wrong length, is an error.
func (m *Model) Forward(x, eps []float32, B int, logits, mu, sigma []float32) error {
	c := m.cfg
	T, D, U, S, Z, C := c.T(), c.InputSize, c.Segments, c.S(), c.ZSize, c.CondWidth()
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
	if err := m.Encode(m.encoderInput(x, B), B, mu, sigma); err != nil {
		return err
	}
	z := make([]float32, B*Z)
	for i := range z {
		z[i] = mu[i] + sigma[i]*eps[i]
	}
	cond := make([]float32, B*U*C)
	if err := m.Conduct(z, B, cond); err != nil {
		return err
	}
	st, err := m.NewState(B)
	if err != nil {
		return err
	}
	cu := make([]float32, B*C)
	for u := 0; u < U; u++ {
		for b := 0; b < B; b++ {
			copy(cu[b*C:(b+1)*C], cond[(b*U+u)*C:(b*U+u+1)*C])
		}
		for k := range m.decs {
			d := &m.decs[k]
			Dk := d.D
			prev := make([]float32, B*Dk)
			out := make([]float32, B*Dk)
			if err := m.DecoderInit(st, k, cu); err != nil {
				return err
			}
			for s := 0; s < S; s++ {
				t := u*S + s
				for b := 0; b < B; b++ {
					if t == 0 {
						clear(prev[b*Dk : (b+1)*Dk])
					} else {
						copy(prev[b*Dk:(b+1)*Dk], x[(b*T+t-1)*D+d.off:(b*T+t-1)*D+d.off+Dk])
					}
				}
				if err := m.DecoderStep(st, k, prev, cu, out); err != nil {
					return err
				}
				for b := 0; b < B; b++ {
					copy(logits[(b*T+t)*D+d.off:(b*T+t)*D+d.off+Dk], out[b*Dk:(b+1)*Dk])
				}
			}
		}
	}
	return nil
}

var _ generate.Backend = (*Model)(nil)
