package model

import "fmt"

// Param is one canonical parameter: its PyTorch state_dict name and shape.
type Param struct {
	Name  string
	Shape []int
}

// Params is the table of spec §2: every parameter of a model with this config,
// in state_dict order. Gate order inside LSTM weights is PyTorch's (i, f, g, o).
func (c *Config) Params() []Param {
	var ps []Param
	lstm := func(prefix string, in, h, layers int, bidir bool) {
		dirs := []string{""}
		if bidir {
			dirs = append(dirs, "_reverse")
		}
		for k := 0; k < layers; k++ {
			lin := in
			if k > 0 {
				lin = h * len(dirs)
			}
			for _, d := range dirs {
				sfx := fmt.Sprintf("_l%d%s", k, d)
				ps = append(ps,
					Param{prefix + ".weight_ih" + sfx, []int{4 * h, lin}},
					Param{prefix + ".weight_hh" + sfx, []int{4 * h, h}},
					Param{prefix + ".bias_ih" + sfx, []int{4 * h}},
					Param{prefix + ".bias_hh" + sfx, []int{4 * h}})
			}
		}
	}
	linear := func(prefix string, out, in int) {
		ps = append(ps, Param{prefix + ".weight", []int{out, in}}, Param{prefix + ".bias", []int{out}})
	}
	Z := c.ZSize
	if c.Hierarchical() {
		in := c.EncoderIn()
		for l, lv := range c.EncoderLevels {
			lstm(fmt.Sprintf("encoder.level%d.lstm", l), in, lv.Hidden, lv.Layers, true)
			in = 2 * lv.Hidden
		}
	} else {
		lstm("encoder.lstm", c.EncoderIn(), c.Encoder.Hidden, c.Encoder.Layers, true)
	}
	top := c.EncoderTop()
	linear("encoder.mu", Z, 2*top)
	linear("encoder.sigma", Z, 2*top)
	if c.HasConductor() {
		Hc := c.Conductor.Hidden
		linear("conductor.init", 2*c.Conductor.Layers*Hc, Z)
		lstm("conductor.lstm", 1, Hc, c.Conductor.Layers, false)
	}
	C, Hd := c.CondWidth(), c.Decoder.Hidden
	for i, D := range c.SplitDepths() {
		pre := c.DecoderPrefix(i)
		linear(pre+".init", 2*c.Decoder.Layers*Hd, C)
		lstm(pre+".lstm", D+C, Hd, c.Decoder.Layers, false)
		linear(pre+".out", D, Hd)
	}
	return ps
}

// NumParams is the number of scalar weights.
func (c *Config) NumParams() int {
	n := 0
	for _, p := range c.Params() {
		k := 1
		for _, d := range p.Shape {
			k *= d
		}
		n += k
	}
	return n
}
