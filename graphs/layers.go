package graphs

import (
	"fmt"

	"github.com/musicvae-go/mvae/model"
)

// linear adds y = x W^T + b as Gemm (transB=1), with W and b stored under
// their canonical names (prefix "" for shared graphs).
func (b *builder) linear(x, name string, w model.Weights) string {
	W, B := w[name+".weight"], w[name+".bias"]
	wn, bn := name+".weight", name+".bias"
	if !b.has(wn) {
		b.floats(wn, dims64(W.Shape), W.Data)
		b.floats(bn, dims64(B.Shape), B.Data)
	}
	return b.op("Gemm", []string{x, wn, bn}, IntAttr("transB", 1))
}

// linearND adds y = x W^T + b for x of any rank as MatMul by the transposed
// weight and Add of the bias (Gemm takes matrices only).
func (b *builder) linearND(x, name string, w model.Weights) string {
	wn, bn := name+".weight", name+".bias"
	if !b.has(wn) {
		W, B := w[wn], w[bn]
		b.floats(wn, dims64(W.Shape), W.Data)
		b.floats(bn, dims64(B.Shape), B.Data)
	}
	wt := name + ".weight.T"
	if !b.hasValue(wt) {
		b.g.Nodes = append(b.g.Nodes, &Node{OpType: "Transpose", Name: wt + ".node", Inputs: []string{wn}, Outputs: []string{wt}, Attrs: []*Attr{IntsAttr("perm", 1, 0)}})
	}
	return b.op("Add", []string{b.op("MatMul", []string{x, wt}), bn})
}

func (b *builder) has(name string) bool {
	for _, t := range b.g.Initializers {
		if t.Name == name {
			return true
		}
	}
	return false
}

func (b *builder) hasValue(v string) bool {
	for _, n := range b.g.Nodes {
		for _, o := range n.Outputs {
			if o == v {
				return true
			}
		}
	}
	return false
}

func dims64(s []int) []int64 {
	out := make([]int64, len(s))
	for i, d := range s {
		out[i] = int64(d)
	}
	return out
}

// lstmLayer adds one ONNX LSTM node for layer k of a PyTorch LSTM stack.
// x is [seq, B, I]; h0 and c0 [dirs, B, H] (or "" for zeros). It returns Y
// [seq, dirs, B, H], Y_h and Y_c [dirs, B, H].
func (b *builder) lstmLayer(x, prefix string, k int, bidir bool, h0, c0 string, w model.Weights) (y, yh, yc string) {
	dirs := []string{""}
	if bidir {
		dirs = append(dirs, "_reverse")
	}
	whh := w[fmt.Sprintf("%s.weight_hh_l%d", prefix, k)]
	wih := w[fmt.Sprintf("%s.weight_ih_l%d", prefix, k)]
	H, I := whh.Shape[1], wih.Shape[1]
	nd := int64(len(dirs))
	base := fmt.Sprintf("%s.l%d.onnx", prefix, k)
	wn, rn, bn := base+".W", base+".R", base+".B"
	if !b.has(wn) {
		// Each direction's blocks in ONNX's order: one copy of the
		// weights, or none for a chunked builder (buildGraph).
		var Ws, Rs, Bs [][]float32
		for _, d := range dirs {
			sfx := fmt.Sprintf("_l%d%s", k, d)
			Wd, Rd, Bd := lstmONNXBlocks(w[prefix+".weight_ih"+sfx].Data, w[prefix+".weight_hh"+sfx].Data,
				w[prefix+".bias_ih"+sfx].Data, w[prefix+".bias_hh"+sfx].Data, H, I)
			Ws, Rs, Bs = append(Ws, Wd...), append(Rs, Rd...), append(Bs, Bd...)
		}
		b.floatChunks(wn, []int64{nd, int64(4 * H), int64(I)}, Ws)
		b.floatChunks(rn, []int64{nd, int64(4 * H), int64(H)}, Rs)
		b.floatChunks(bn, []int64{nd, int64(8 * H)}, Bs)
	}
	dir := "forward"
	if bidir {
		dir = "bidirectional"
	}
	outs := b.opN("LSTM", []string{x, wn, rn, bn, "", h0, c0}, 3,
		IntAttr("hidden_size", int64(H)), StringAttr("direction", dir))
	return outs[0], outs[1], outs[2]
}

// layerState picks layer k of a [L, B, H] state as [1, B, H].
func (b *builder) layerState(s string, k int) string {
	return b.op("Gather", []string{s, b.int64s(int64(k))}, IntAttr("axis", 0))
}
