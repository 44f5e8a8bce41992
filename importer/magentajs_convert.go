package importer

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/musicvae-go/mvae/model"
)

// MagentaTensor is one tensor of a Magenta checkpoint, under its TF name.
type MagentaTensor struct {
	Name   string
	Tensor *model.Tensor
}

// gateFrom maps the spec's gate blocks (i, f, g, o) to Magenta's (i, j, f,
// o): spec block k is Magenta block gateFrom[k]. It is its own inverse.
var gateFrom = [4]int{0, 2, 1, 3}

// forgetBias is the +1 Magenta's LSTMBlockCell adds to the forget gate at
// run time (REF §3.1); the spec's cell has it folded into bias_ih.
const forgetBias = 1.0

// initRow is the spec's row of an initial-state layer's output m: Magenta
// lays the 2·L·H outputs out as [c0, h0, c1, h1, …], the spec as
// [h0 … h(L-1), c0 … c(L-1)] (docs/FAMILIES.md §2.3).
func initRow(m, L, H int) int {
	l, k := m/(2*H), m%(2*H)
	if k < H {
		return (L+l)*H + k // c_l
	}
	return l*H + k - H // h_l
}

// FromMagenta converts a Magenta checkpoint's tensors, by TF name, into the
// canonical weights of c (docs/FAMILIES.md §2.3): LSTM kernels split and
// transposed with gate blocks (i, j, f, o) → (i, f, j, o), the forget bias
// +1 folded into bias_ih, bias_hh zero; dense kernels transposed, with the
// initial-state layers' outputs permuted. An optional part that is absent
// (encoder/sigma) becomes zeros and is listed in absent. The error lists
// every tensor that is missing, mis-shaped, or that fits no part of c's
// layout.
func FromMagenta(c *model.Config, m map[string]*model.Tensor) (w model.Weights, absent []string, err error) {
	parts := magentaLayout(c)
	if err := checkMagentaTensors(parts, m); err != nil {
		return nil, nil, err
	}
	w = model.Weights{}
	for _, p := range parts {
		if !fromMagentaPart(p, m, w) {
			absent = append(absent, p.Scope)
		}
	}
	return w, absent, nil
}

// fromMagentaPart converts part p of checked checkpoint tensors m into w;
// false if the part is absent (an optional part: zeros).
func fromMagentaPart(p magentaPart, m map[string]*model.Tensor, w model.Weights) bool {
	kn, bn, _, _ := p.Tensors()
	K, b := m[kn], m[bn]
	if K == nil {
		w[p.Canon+".weight"] = model.NewTensorOf([]int{p.Out, p.In})
		w[p.Canon+".bias"] = model.NewTensorOf([]int{p.Out})
		return false
	}
	if p.LSTM {
		in, H := p.In, p.Out
		wih, whh := model.NewTensorOf([]int{4 * H, in}), model.NewTensorOf([]int{4 * H, H})
		bih, bhh := model.NewTensorOf([]int{4 * H}), model.NewTensorOf([]int{4 * H})
		for g := range 4 {
			for r := range H {
				row, col := g*H+r, gateFrom[g]*H+r
				for k := range in {
					wih.Data[row*in+k] = K.Data[k*4*H+col]
				}
				for k := range H {
					whh.Data[row*H+k] = K.Data[(in+k)*4*H+col]
				}
				bih.Data[row] = b.Data[col]
				if g == 1 {
					bih.Data[row] += forgetBias
				}
			}
		}
		w[p.Canon+".weight_ih"+p.Suffix], w[p.Canon+".weight_hh"+p.Suffix] = wih, whh
		w[p.Canon+".bias_ih"+p.Suffix], w[p.Canon+".bias_hh"+p.Suffix] = bih, bhh
		return true
	}
	in, out := p.In, p.Out
	wt, bt := model.NewTensorOf([]int{out, in}), model.NewTensorOf([]int{out})
	for o := range out {
		row := o
		if p.InitLayers > 0 {
			row = initRow(o, p.InitLayers, out/(2*p.InitLayers))
		}
		for i := range in {
			wt.Data[row*in+i] = K.Data[i*out+o]
		}
		bt.Data[row] = b.Data[o]
	}
	w[p.Canon+".weight"], w[p.Canon+".bias"] = wt, bt
	return true
}

// ToMagenta converts canonical weights of c into a Magenta checkpoint's
// tensors, in the order Magenta writes them: FromMagenta's inverse (bias_hh
// is added into the one bias, and the forget bias of 1 taken out; that
// float32 subtraction is the only rounding). Every part is written,
// encoder/sigma included.
func ToMagenta(c *model.Config, w model.Weights) ([]MagentaTensor, error) {
	if err := w.CheckShapes(c); err != nil {
		return nil, err
	}
	var out []MagentaTensor
	for _, p := range magentaLayout(c) {
		out = append(out, toMagentaPart(p, w)...)
	}
	return out, nil
}

// toMagentaPart converts one part of checked weights back to Magenta's
// kernel and bias.
func toMagentaPart(p magentaPart, w model.Weights) []MagentaTensor {
	kn, bn, ks, bs := p.Tensors()
	K, b := model.NewTensorOf(ks), model.NewTensorOf(bs)
	if p.LSTM {
		in, H := p.In, p.Out
		wih, whh := w[p.Canon+".weight_ih"+p.Suffix], w[p.Canon+".weight_hh"+p.Suffix]
		bih, bhh := w[p.Canon+".bias_ih"+p.Suffix], w[p.Canon+".bias_hh"+p.Suffix]
		for g := range 4 {
			for r := range H {
				row, col := g*H+r, gateFrom[g]*H+r
				for k := range in {
					K.Data[k*4*H+col] = wih.Data[row*in+k]
				}
				for k := range H {
					K.Data[(in+k)*4*H+col] = whh.Data[row*H+k]
				}
				b.Data[col] = bih.Data[row] + bhh.Data[row]
				if g == 1 {
					b.Data[col] -= forgetBias
				}
			}
		}
	} else {
		in, n := p.In, p.Out
		wt, bt := w[p.Canon+".weight"], w[p.Canon+".bias"]
		for o := range n {
			row := o
			if p.InitLayers > 0 {
				row = initRow(o, p.InitLayers, n/(2*p.InitLayers))
			}
			for i := range in {
				K.Data[i*n+o] = wt.Data[row*in+i]
			}
			b.Data[o] = bt.Data[row]
		}
	}
	return []MagentaTensor{{kn, K}, {bn, b}}
}

// checkMagentaTensors compares a checkpoint's tensors with a layout: every
// part's kernel and bias present (both or neither for an optional part)
// with its shape, and nothing else. The error lists what is wrong.
func checkMagentaTensors(parts []magentaPart, m map[string]*model.Tensor) error {
	shapes := map[string][]int{}
	for n, t := range m {
		shapes[n] = t.Shape
	}
	return checkMagentaShapes(parts, shapes)
}

// checkMagentaShapes is checkMagentaTensors on names and shapes alone.
func checkMagentaShapes(parts []magentaPart, shapes map[string][]int) error {
	var missing, wrong, extra []string
	used := map[string]bool{}
	for _, p := range parts {
		kn, bn, ks, bs := p.Tensors()
		_, hk := shapes[kn]
		_, hb := shapes[bn]
		if p.Optional && !hk && !hb {
			continue
		}
		for _, t := range []struct {
			name  string
			shape []int
		}{{kn, ks}, {bn, bs}} {
			used[t.name] = true
			s, ok := shapes[t.name]
			switch {
			case !ok:
				missing = append(missing, fmt.Sprintf("%s %v", t.name, t.shape))
			case !slices.Equal(s, t.shape):
				wrong = append(wrong, fmt.Sprintf("%s is %v, want %v", t.name, s, t.shape))
			}
		}
	}
	for n := range shapes {
		if !used[n] {
			extra = append(extra, n)
		}
	}
	sort.Strings(extra)
	var parts2 []string
	if len(missing) > 0 {
		parts2 = append(parts2, "missing: "+strings.Join(missing, ", "))
	}
	if len(wrong) > 0 {
		parts2 = append(parts2, "shapes that do not fit: "+strings.Join(wrong, "; "))
	}
	if len(extra) > 0 {
		parts2 = append(parts2, "tensors that fit no part of the layout: "+strings.Join(extra, ", "))
	}
	if len(parts2) > 0 {
		return fmt.Errorf("the checkpoint's tensors do not fit the layout its names and shapes show: %s", strings.Join(parts2, "; "))
	}
	return nil
}
