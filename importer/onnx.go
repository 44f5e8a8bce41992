package importer

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/musicvae-go/mvae/graphs"
	"github.com/musicvae-go/mvae/model"
)

// The ONNX importer recovers canonical weights from the structure of a
// torch.onnx.export of the spec's teacher-forced forward (spec §3), whatever
// names the exporter gave the initializers:
//
//   - LSTM nodes: bidirectional ones are the encoder; the forward one fed an
//     input of size 1 is the conductor's first layer; forward ones fed D + H_c
//     are the decoder's first layer (one node per segment, or one node for all
//     segments folded into the batch). Upper layers are found by following
//     each layer's output to the LSTM it feeds.
//   - Linears (Gemm, or MatMul by a constant plus Add of a constant; weights
//     possibly transposed): the one whose output is `mu` is encoder.mu; the one
//     under Softplus under `sigma` is encoder.sigma; the ones that make the
//     initial states of the conductor's and decoder's LSTMs are conductor.init
//     and decoder.init; the ones under `logits` are decoder.out.
//   - Copies (decoder weights stored once per segment) must agree exactly.

type lstmNode struct {
	node    *graphs.Node
	H, I    int
	dirs    int
	W, R, B []float32
	parents []*lstmNode
	// W and R are read from the file when the node is stored (load), and
	// dropped once stored (release), so that a big model is not held in
	// both layouts at once (seed-size ONNX import: 2.39x the float32
	// weights at the peak to 1.8x, with the shared linear conversions).
	loaded bool
	src    []*graphs.Tensor
}

// load reads the node's W and R (left in the file by findLSTMs) and checks
// them; once loaded, it does nothing.
func (a *analysis) load(l *lstmNode) error {
	if l.loaded {
		return nil
	}
	for i, p := range []*[]float32{&l.W, &l.R} {
		name := l.node.Inputs[1+i]
		t, ok, err := a.weight(name)
		if err != nil {
			return err
		}
		if !ok || t.Float == nil {
			return fmt.Errorf("LSTM node %q: its weights W (%s) and R (%s) are not constants of the graph", l.node.Name, l.node.Inputs[1], l.node.Inputs[2])
		}
		*p = t.Float
		l.src = append(l.src, t)
	}
	l.loaded = true
	return nil
}

// release drops the node's W and R, from the node and from the graph, once
// they are stored in the canonical layout. A node that shares them loads
// them before (the decoder's copies are compared first).
func (l *lstmNode) release() {
	for _, t := range l.src {
		t.Float = nil
	}
	l.W, l.R, l.src = nil, nil, nil
}

// lstmWeight is a.weight for an LSTM's W or R, which stays in the file
// while it is (graphs.Index.Pending): load reads it.
func (a *analysis) lstmWeight(name string) (*graphs.Tensor, bool, error) {
	if t, ok := a.x.Pending(name); ok {
		return t, true, nil
	}
	t, ok, err := a.weight(name)
	if ok && t.Float == nil {
		ok = false
	}
	return t, ok, err
}

type linear struct {
	head string // the value the linear's result is in
	out  int
	in   int
	W    []float32 // [out, in]
	b    []float32 // [out]
	node *graphs.Node
}

type analysis struct {
	x       *graphs.Index
	lstms   []*lstmNode
	byNode  map[*graphs.Node]*lstmNode
	linears map[string]*linear // by head value
	// converted holds each weight converted for a linear layer once, for
	// the copies of a layer (decoder.init once per segment) to share:
	// seed size, 16 copies of 16 MB.
	converted map[conversion][]float32
}

// conversion is a tensor converted to [out, in]: transposed or not, scaled.
type conversion struct {
	t     *graphs.Tensor
	trans bool
	s     float32
}

// convert is scaled (trans false) or transpose (trans true) of t, made once
// per tensor and way.
func (a *analysis) convert(t *graphs.Tensor, trans bool, rows, cols int, s float32) []float32 {
	k := conversion{t, trans, s}
	if w, ok := a.converted[k]; ok {
		return w
	}
	var w []float32
	if trans {
		w = transpose(t.Float, rows, cols, s)
	} else {
		w = scaled(t.Float, s)
	}
	if a.converted == nil {
		a.converted = map[conversion][]float32{}
	}
	a.converted[k] = w
	return w
}

// onnxWeights analyses a graph and returns the canonical weights plus what
// the graph shows of the config.
func onnxWeights(m *graphs.Model) (model.Weights, *shown, error) {
	g := m.Graph
	a := &analysis{x: graphs.NewIndex(g), byNode: map[*graphs.Node]*lstmNode{}, linears: map[string]*linear{}}
	if err := a.findLSTMs(); err != nil {
		return nil, nil, err
	}
	if err := a.findLinears(); err != nil {
		return nil, nil, err
	}
	return a.assign()
}

// shown is what the graph says about the config.
type shown struct {
	D, Z           int
	He, Le         int
	Hc, Lc         int
	Hd, Ld         int
	decoderNodes   int // first-layer decoder LSTM nodes: U, unless segments are folded
	T              int // 0: not static in the graph
	outputsByIndex bool
}

func (a *analysis) findLSTMs() error {
	for _, n := range a.x.G.Nodes {
		if n.OpType != "LSTM" {
			continue
		}
		if len(n.Inputs) < 3 {
			return fmt.Errorf("LSTM node %q has %d inputs; want X, W, R", n.Name, len(n.Inputs))
		}
		l := &lstmNode{node: n}
		W, okW, err := a.lstmWeight(n.Inputs[1])
		if err != nil {
			return err
		}
		R, okR, err := a.lstmWeight(n.Inputs[2])
		if err != nil {
			return err
		}
		if !okW || !okR {
			return fmt.Errorf("LSTM node %q: its weights W (%s) and R (%s) are not constants of the graph", n.Name, n.Inputs[1], n.Inputs[2])
		}
		if len(W.Dims) != 3 || len(R.Dims) != 3 {
			return fmt.Errorf("LSTM node %q: W is %v and R is %v; want [dirs, 4H, I] and [dirs, 4H, H]", n.Name, W.Dims, R.Dims)
		}
		l.dirs, l.H, l.I = int(W.Dims[0]), int(W.Dims[1]/4), int(W.Dims[2])
		if hs := n.AttrInt("hidden_size", int64(l.H)); int(hs) != l.H || W.Dims[1]%4 != 0 {
			return fmt.Errorf("LSTM node %q: hidden_size %d does not fit W %v", n.Name, hs, W.Dims)
		}
		dir := "forward"
		if d := n.Attr("direction"); d != nil {
			dir = d.S
		}
		switch {
		case dir == "bidirectional" && l.dirs == 2, dir == "forward" && l.dirs == 1:
		default:
			return fmt.Errorf("LSTM node %q: direction %q with %d weight directions is not something MusicVAE exports", n.Name, dir, l.dirs)
		}
		if R.Dims[0] != W.Dims[0] || R.Dims[1] != W.Dims[1] || int(R.Dims[2]) != l.H {
			return fmt.Errorf("LSTM node %q: R %v does not fit W %v", n.Name, R.Dims, W.Dims)
		}
		for _, at := range []string{"activations", "clip", "input_forget"} {
			if n.Attr(at) != nil && !(at == "input_forget" && n.AttrInt(at, 0) == 0) && at != "activations" {
				return fmt.Errorf("LSTM node %q sets %s; PyTorch's nn.LSTM does not", n.Name, at)
			}
		}
		if acts := n.Attr("activations"); acts != nil {
			return fmt.Errorf("LSTM node %q sets activations; PyTorch's nn.LSTM uses the defaults", n.Name)
		}
		if len(n.Inputs) > 3 && n.Inputs[3] != "" {
			B, ok, err := a.weight(n.Inputs[3])
			if err != nil {
				return err
			}
			if !ok || B.Float == nil || numel(B.Dims) != int64(l.dirs*8*l.H) {
				return fmt.Errorf("LSTM node %q: bias B is not a constant of shape [%d, %d]", n.Name, l.dirs, 8*l.H)
			}
			l.B = B.Float
		}
		a.lstms = append(a.lstms, l)
		a.byNode[n] = l
	}
	if len(a.lstms) == 0 {
		return fmt.Errorf("the graph has no LSTM node: not a MusicVAE (spec §2)")
	}
	for _, l := range a.lstms {
		l.parents = a.nearestLSTMs(l.node.Inputs[0])
	}
	return nil
}

// shapeOnly reports nodes whose output says nothing of their input's values,
// only its shape: walks through the graph do not follow them.
func shapeOnly(n *graphs.Node) bool {
	return n.OpType == "Shape" || n.OpType == "Size"
}

func numel(d []int64) int64 {
	n := int64(1)
	for _, v := range d {
		n *= v
	}
	return n
}

// walkBack visits the values a value is computed from, depth first, not
// following shape-only nodes. visit is called for each value with its
// producer (nil for graph inputs and initializers) and says whether to stop
// there (not look further back).
func (a *analysis) walkBack(value string, visit func(v string, n *graphs.Node) (stop bool)) {
	seen := map[string]bool{}
	stack := []string{value}
	for len(stack) > 0 {
		v := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[v] {
			continue
		}
		seen[v] = true
		n := a.x.Producer[v]
		if visit(v, n) || n == nil || shapeOnly(n) {
			continue
		}
		for _, in := range n.Inputs {
			if in != "" {
				stack = append(stack, in)
			}
		}
	}
}

// nearestLSTMs returns the LSTM nodes a value is computed from, not looking
// past them.
func (a *analysis) nearestLSTMs(value string) []*lstmNode {
	var out []*lstmNode
	a.walkBack(value, func(_ string, n *graphs.Node) bool {
		if n == nil || shapeOnly(n) {
			return true
		}
		if l, ok := a.byNode[n]; ok {
			out = append(out, l)
			return true
		}
		return false
	})
	return out
}

// nearestLinears returns the linears a value is computed from, not looking
// past them or past LSTM nodes.
func (a *analysis) nearestLinears(value string) []*linear {
	var out []*linear
	a.walkBack(value, func(v string, n *graphs.Node) bool {
		if l, ok := a.linears[v]; ok {
			out = append(out, l)
			return true
		}
		return n != nil && a.byNode[n] != nil
	})
	return out
}

func (a *analysis) findLinears() error {
	for _, n := range a.x.G.Nodes {
		switch n.OpType {
		case "Gemm":
			if len(n.Inputs) < 2 {
				continue
			}
			if len(n.Outputs) == 0 || n.Outputs[0] == "" {
				return fmt.Errorf("Gemm node %q has no output", n.Name)
			}
			B, ok, err := a.weight(n.Inputs[1])
			if err != nil {
				return err
			}
			if !ok || B.Float == nil || len(B.Dims) != 2 || len(B.Float) == 0 {
				continue
			}
			if n.AttrInt("transA", 0) != 0 {
				return fmt.Errorf("Gemm node %q transposes its input; not a linear layer", n.Name)
			}
			alpha, beta := float32(1), float32(1)
			if at := n.Attr("alpha"); at != nil {
				alpha = at.F
			}
			if at := n.Attr("beta"); at != nil {
				beta = at.F
			}
			l := &linear{head: n.Outputs[0], node: n}
			if n.AttrInt("transB", 0) != 0 {
				l.out, l.in = int(B.Dims[0]), int(B.Dims[1])
				l.W = a.convert(B, false, 0, 0, alpha)
			} else {
				l.in, l.out = int(B.Dims[0]), int(B.Dims[1])
				l.W = a.convert(B, true, l.in, l.out, alpha)
			}
			l.b = make([]float32, l.out)
			if len(n.Inputs) > 2 && n.Inputs[2] != "" {
				C, ok, err := a.weight(n.Inputs[2])
				if err != nil {
					return err
				}
				if !ok || C.Float == nil || numel(C.Dims) != int64(l.out) {
					return fmt.Errorf("Gemm node %q: bias is not a constant of %d values", n.Name, l.out)
				}
				l.b = scaled(C.Float, beta)
			}
			a.linears[l.head] = l
		case "MatMul":
			if len(n.Inputs) != 2 {
				continue
			}
			if len(n.Outputs) == 0 || n.Outputs[0] == "" {
				return fmt.Errorf("MatMul node %q has no output", n.Name)
			}
			Wc, ok, err := a.weight(n.Inputs[1])
			if err != nil {
				return err
			}
			if !ok || Wc.Float == nil || len(Wc.Dims) != 2 || len(Wc.Float) == 0 {
				continue
			}
			l := &linear{head: n.Outputs[0], node: n, in: int(Wc.Dims[0]), out: int(Wc.Dims[1])}
			l.W = a.convert(Wc, true, l.in, l.out, 1)
			l.b = nil
			// The bias: an Add of a constant of out values right after.
			for _, u := range a.x.Consumers[n.Outputs[0]] {
				if u.Node.OpType != "Add" || len(u.Node.Inputs) != 2 {
					continue
				}
				if len(u.Node.Outputs) == 0 || u.Node.Outputs[0] == "" {
					return fmt.Errorf("Add node %q has no output", u.Node.Name)
				}
				c, ok, err := a.weight(u.Node.Inputs[1-u.Slot])
				if err != nil {
					return err
				}
				if ok && c.Float != nil && numel(c.Dims) == int64(l.out) {
					l.b = c.Float
					l.head = u.Node.Outputs[0]
					break
				}
			}
			if l.b == nil {
				l.b = make([]float32, l.out)
				l.node = nil // a linear without bias: marked, checked where used
			}
			a.linears[l.head] = l
		}
	}
	return nil
}

// weight returns a constant the model's weights are taken from; a float
// constant that holds NaN or an infinity is an error naming the value.
func (a *analysis) weight(name string) (*graphs.Tensor, bool, error) {
	t, ok, err := a.x.Const(name)
	if err != nil || !ok {
		return t, ok, err
	}
	if err := model.CheckFinite(fmt.Sprintf("%q", name), &model.Tensor{Shape: []int{len(t.Float)}, Data: t.Float}); err != nil {
		return nil, false, err
	}
	return t, ok, nil
}

func scaled(x []float32, s float32) []float32 {
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = v * s
	}
	return out
}

// transpose turns a [rows, cols] matrix into [cols, rows], scaled by s.
func transpose(x []float32, rows, cols int, s float32) []float32 {
	out := make([]float32, len(x))
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			out[c*rows+r] = x[r*cols+c] * s
		}
	}
	return out
}

func (a *analysis) assign() (model.Weights, *shown, error) {
	sh := &shown{}
	w := model.Weights{}
	// Outputs and inputs, by name or else by position.
	g := a.x.G
	out := map[string]string{}
	for _, o := range g.Outputs {
		out[o.Name] = o.Name
	}
	if out["logits"] == "" || out["mu"] == "" || out["sigma"] == "" {
		if len(g.Outputs) != 3 {
			return nil, nil, fmt.Errorf("the graph has %d outputs; the spec's forward has three (logits, mu, sigma)", len(g.Outputs))
		}
		out["logits"], out["mu"], out["sigma"] = g.Outputs[0].Name, g.Outputs[1].Name, g.Outputs[2].Name
		sh.outputsByIndex = true
	}
	var xin *graphs.ValueInfo
	for _, in := range g.Inputs {
		_, isConst, err := a.x.Const(in.Name)
		if err != nil {
			return nil, nil, err
		}
		if !isConst && (in.Name == "x" || xin == nil) {
			xin = in
		}
	}
	if xin != nil && len(xin.Dims) == 3 && xin.Dims[1] > 0 {
		sh.T = int(xin.Dims[1])
	}

	// Encoder: the bidirectional chain.
	var enc []*lstmNode
	for _, l := range a.lstms {
		if l.dirs == 2 {
			enc = append(enc, l)
		}
	}
	encChain, err := chain(enc, "encoder")
	if err != nil {
		return nil, nil, err
	}
	sh.D, sh.He, sh.Le = encChain[0].I, encChain[0].H, len(encChain)
	for k, l := range encChain {
		if l.H != sh.He || (k > 0 && l.I != 2*sh.He) {
			return nil, nil, fmt.Errorf("encoder LSTM layer %d (node %q) has hidden %d and input %d; want %d and %d", k, l.node.Name, l.H, l.I, sh.He, 2*sh.He)
		}
		if err := a.load(l); err != nil {
			return nil, nil, err
		}
		storeLSTM(w, "encoder.lstm", k, l, 0)
		storeLSTM(w, "encoder.lstm", k, l, 1)
		l.release()
	}

	// Conductor: the forward LSTM fed size-1 input, and the layers above it.
	var cond0 []*lstmNode
	for _, l := range a.lstms {
		if l.dirs == 1 && l.I == 1 {
			cond0 = append(cond0, l)
		}
	}
	if len(cond0) != 1 {
		return nil, nil, fmt.Errorf("found %d forward LSTM nodes with input size 1; the spec's conductor has one", len(cond0))
	}
	sh.Hc = cond0[0].H
	condChain, err := a.stackFrom(cond0[0], "conductor")
	if err != nil {
		return nil, nil, err
	}
	sh.Lc = len(condChain)
	for k, l := range condChain {
		if err := a.load(l); err != nil {
			return nil, nil, err
		}
		storeLSTM(w, "conductor.lstm", k, l, 0)
		l.release()
	}
	condTop := condChain[len(condChain)-1]

	// Decoder: forward LSTMs fed D + H_c, computed from the conductor's output.
	var dec0 []*lstmNode
	for _, l := range a.lstms {
		if l.dirs == 1 && l.I == sh.D+sh.Hc && contains(l.parents, condTop) {
			dec0 = append(dec0, l)
		}
	}
	if len(dec0) == 0 {
		return nil, nil, fmt.Errorf("no decoder LSTM: no forward LSTM node of input size %d (D %d + conductor hidden %d) fed by the conductor", sh.D+sh.Hc, sh.D, sh.Hc)
	}
	sh.decoderNodes = len(dec0)
	var decChains [][]*lstmNode
	for _, d := range dec0 {
		c, err := a.stackFrom(d, "decoder")
		if err != nil {
			return nil, nil, err
		}
		decChains = append(decChains, c)
	}
	sh.Hd, sh.Ld = dec0[0].H, len(decChains[0])
	for u, c := range decChains {
		if len(c) != sh.Ld {
			return nil, nil, fmt.Errorf("decoder copy %d has %d layers, copy 0 has %d", u, len(c), sh.Ld)
		}
		for k, l := range c {
			ref := decChains[0][k]
			if err := a.load(ref); err != nil {
				return nil, nil, err
			}
			if err := a.load(l); err != nil {
				return nil, nil, err
			}
			if l.H != ref.H || l.I != ref.I || !slices.Equal(l.W, ref.W) || !slices.Equal(l.R, ref.R) || !slices.Equal(l.B, ref.B) {
				return nil, nil, fmt.Errorf("decoder LSTM layer %d: the copy for segment %d (node %q) differs from segment 0's (node %q); copies must agree", k, u, l.node.Name, ref.node.Name)
			}
		}
	}
	for k, l := range decChains[0] {
		storeLSTM(w, "decoder.lstm", k, l, 0)
	}
	for _, c := range decChains {
		for _, l := range c {
			l.release()
		}
	}
	// Any LSTM left over is not part of a MusicVAE.
	used := map[*lstmNode]bool{}
	for _, l := range encChain {
		used[l] = true
	}
	for _, l := range condChain {
		used[l] = true
	}
	for _, c := range decChains {
		for _, l := range c {
			used[l] = true
		}
	}
	var extra []string
	for _, l := range a.lstms {
		if !used[l] {
			extra = append(extra, fmt.Sprintf("%q (hidden %d, input %d)", l.node.Name, l.H, l.I))
		}
	}
	if len(extra) > 0 {
		return nil, nil, fmt.Errorf("LSTM nodes that fit no part of the spec's network: %s", strings.Join(extra, ", "))
	}

	// Linears.
	pick := func(role string, found []*linear, out, in int) error {
		if len(found) == 0 {
			return fmt.Errorf("found no linear layer for %s (a Gemm, or MatMul and Add, with constant weights)", role)
		}
		for i, l := range found {
			if l.out != out || l.in != in {
				return fmt.Errorf("%s: the linear layer at %q is [%d, %d], want [%d, %d]", role, l.head, l.out, l.in, out, in)
			}
			if l.node == nil {
				return fmt.Errorf("%s: the linear layer at %q has no bias", role, l.head)
			}
			if i > 0 && (!slices.Equal(l.W, found[0].W) || !slices.Equal(l.b, found[0].b)) {
				return fmt.Errorf("%s: copy %d (at %q) differs from copy 0 (at %q); copies must agree", role, i, l.head, found[0].head)
			}
		}
		w[role+".weight"] = &model.Tensor{Shape: []int{out, in}, Data: found[0].W}
		w[role+".bias"] = &model.Tensor{Shape: []int{out}, Data: found[0].b}
		return nil
	}
	muL := a.nearestLinears(out["mu"])
	if len(muL) != 1 {
		return nil, nil, fmt.Errorf("output %q: found %d linear layers under it, want encoder.mu alone", out["mu"], len(muL))
	}
	sh.Z = muL[0].out
	if err := pick("encoder.mu", muL, sh.Z, 2*sh.He); err != nil {
		return nil, nil, err
	}
	sigL := a.nearestLinears(out["sigma"])
	if err := pick("encoder.sigma", sigL, sh.Z, 2*sh.He); err != nil {
		return nil, nil, err
	}
	if p := a.x.Producer[out["sigma"]]; !a.underSoftplus(out["sigma"]) {
		name := "nothing"
		if p != nil {
			name = p.OpType
		}
		return nil, nil, fmt.Errorf("output %q is made by %s, not Softplus (spec §2: sigma = softplus(encoder.sigma(h)))", out["sigma"], name)
	}
	if len(condChain[0].node.Inputs) < 6 || condChain[0].node.Inputs[5] == "" {
		return nil, nil, fmt.Errorf("the conductor LSTM has no initial state; the spec starts it from init(z)")
	}
	if err := pick("conductor.init", a.nearestLinears(condChain[0].node.Inputs[5]), 2*sh.Lc*sh.Hc, sh.Z); err != nil {
		return nil, nil, err
	}
	var dinit []*linear
	for _, d := range dec0 {
		if len(d.node.Inputs) < 6 || d.node.Inputs[5] == "" {
			return nil, nil, fmt.Errorf("decoder LSTM node %q has no initial state; the spec starts it from init(c_u)", d.node.Name)
		}
		dinit = append(dinit, a.nearestLinears(d.node.Inputs[5])...)
	}
	if err := pick("decoder.init", dedupe(dinit), 2*sh.Ld*sh.Hd, sh.Hc); err != nil {
		return nil, nil, err
	}
	if err := pick("decoder.out", a.nearestLinears(out["logits"]), sh.D, sh.Hd); err != nil {
		return nil, nil, err
	}
	return w, sh, nil
}

func (a *analysis) underSoftplus(v string) bool {
	for i := 0; i < 8; i++ {
		p := a.x.Producer[v]
		if p == nil {
			return false
		}
		if p.OpType == "Softplus" {
			return true
		}
		if p.OpType != "Identity" || len(p.Inputs) == 0 {
			return false
		}
		v = p.Inputs[0]
	}
	return false
}

// stackFrom follows a forward LSTM layer up its stack: each next layer is the
// one forward LSTM of the same size fed by the layer below alone.
func (a *analysis) stackFrom(first *lstmNode, what string) ([]*lstmNode, error) {
	c := []*lstmNode{first}
	H := first.H
	for {
		top := c[len(c)-1]
		var next []*lstmNode
		for _, l := range a.lstms {
			if l.dirs == 1 && l.I == H && l.H == H && only(l.parents, top) {
				next = append(next, l)
			}
		}
		if len(next) == 0 {
			return c, nil
		}
		if len(next) > 1 {
			return nil, fmt.Errorf("%s layer %d (node %q) feeds %d LSTM nodes of its own size; cannot tell which is layer %d", what, len(c)-1, top.node.Name, len(next), len(c))
		}
		if contains(c, next[0]) || len(c) > model.MaxLayers {
			return nil, fmt.Errorf("the %s's LSTM nodes form a cycle", what)
		}
		c = append(c, next[0])
	}
}

// chain orders a stack of LSTM layers by following outputs to inputs.
func chain(ls []*lstmNode, what string) ([]*lstmNode, error) {
	if len(ls) == 0 {
		return nil, fmt.Errorf("no %s LSTM (a bidirectional LSTM node): not a MusicVAE (spec §2)", what)
	}
	in := map[*lstmNode]bool{}
	for _, l := range ls {
		in[l] = true
	}
	var roots []*lstmNode
	for _, l := range ls {
		root := true
		for _, p := range l.parents {
			if in[p] {
				root = false
			}
		}
		if root {
			roots = append(roots, l)
		}
	}
	if len(roots) != 1 {
		return nil, fmt.Errorf("the %s LSTM nodes form %d stacks; the spec has one", what, len(roots))
	}
	out := []*lstmNode{roots[0]}
	for len(out) < len(ls) {
		top := out[len(out)-1]
		var next *lstmNode
		for _, l := range ls {
			if only(l.parents, top) {
				next = l
			}
		}
		if next == nil || contains(out, next) {
			return nil, fmt.Errorf("the %s LSTM nodes do not form one stack", what)
		}
		out = append(out, next)
	}
	return out, nil
}

func only(ps []*lstmNode, l *lstmNode) bool {
	return len(ps) == 1 && ps[0] == l
}

func contains(ps []*lstmNode, l *lstmNode) bool {
	for _, p := range ps {
		if p == l {
			return true
		}
	}
	return false
}

func dedupe(ls []*linear) []*linear {
	seen := map[*linear]bool{}
	var out []*linear
	for _, l := range ls {
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].head < out[j].head })
	return out
}
