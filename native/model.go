package native

import (
	"fmt"

	"github.com/musicvae-go/mvae/model"
)

// Model is a MusicVAE ready to run in Go. It holds its weights read-only and
// is safe for concurrent use; each decoding batch has its own State.
type Model struct {
	cfg *model.Config

	enc        [][2]*LSTM // per layer: forward, backward
	muW, muB   []float32  // [Z, 2He], [Z]
	sigW, sigB []float32
	condInitW  []float32 // [2 Lc Hc, Z]
	condInitB  []float32
	cond       []*LSTM   // input size 1 (always fed zeros)
	decInitW   []float32 // [2 Ld Hd, Hc]
	decInitB   []float32
	dec        []*LSTM   // layer 0's input is [prev (D), c_u (Hc)]
	dec0Prev   []float32 // layer 0's W_ih columns for prev: [4Hd, D]
	dec0Cond   []float32 // layer 0's W_ih columns for c_u: [4Hd, Hc]
	outW, outB []float32 // [D, Hd], [D]
}

// New builds a model from canonical weights. Errors name what is wrong.
func New(c *model.Config, w model.Weights) (*Model, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if err := w.Check(c); err != nil {
		return nil, err
	}
	m := &Model{cfg: c}
	lstm := func(prefix string, k int, sfx string, H int) *LSTM {
		n := fmt.Sprintf("_l%d%s", k, sfx)
		wih := w[prefix+".weight_ih"+n]
		return NewLSTM(wih.Data, w[prefix+".weight_hh"+n].Data, w[prefix+".bias_ih"+n].Data, w[prefix+".bias_hh"+n].Data, H, wih.Shape[1])
	}
	for k := 0; k < c.Encoder.Layers; k++ {
		m.enc = append(m.enc, [2]*LSTM{lstm("encoder.lstm", k, "", c.Encoder.Hidden), lstm("encoder.lstm", k, "_reverse", c.Encoder.Hidden)})
	}
	m.muW, m.muB = w["encoder.mu.weight"].Data, w["encoder.mu.bias"].Data
	m.sigW, m.sigB = w["encoder.sigma.weight"].Data, w["encoder.sigma.bias"].Data
	m.condInitW, m.condInitB = w["conductor.init.weight"].Data, w["conductor.init.bias"].Data
	for k := 0; k < c.Conductor.Layers; k++ {
		m.cond = append(m.cond, lstm("conductor.lstm", k, "", c.Conductor.Hidden))
	}
	m.decInitW, m.decInitB = w["decoder.init.weight"].Data, w["decoder.init.bias"].Data
	for k := 0; k < c.Decoder.Layers; k++ {
		m.dec = append(m.dec, lstm("decoder.lstm", k, "", c.Decoder.Hidden))
	}
	// Split layer 0's input weights: c_u is fixed for a segment, so its part
	// of the gates is computed once per segment (DecoderInit).
	D, Hc, Hd := c.InputSize, c.Conductor.Hidden, c.Decoder.Hidden
	I := D + Hc
	m.dec0Prev = make([]float32, 4*Hd*D)
	m.dec0Cond = make([]float32, 4*Hd*Hc)
	for j := 0; j < 4*Hd; j++ {
		copy(m.dec0Prev[j*D:(j+1)*D], m.dec[0].WIH[j*I:j*I+D])
		copy(m.dec0Cond[j*Hc:(j+1)*Hc], m.dec[0].WIH[j*I+D:(j+1)*I])
	}
	m.outW, m.outB = w["decoder.out.weight"].Data, w["decoder.out.bias"].Data
	return m, nil
}

// Config is the model's config.
func (m *Model) Config() *model.Config { return m.cfg }

// Close does nothing: a Model holds only Go memory.
func (m *Model) Close() error { return nil }
