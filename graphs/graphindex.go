package graphs

import (
	"fmt"
)

// Index answers questions about a graph's structure: who produces a value,
// who consumes it, and what a constant value is.
type Index struct {
	G         *Graph
	Producer  map[string]*Node
	Consumers map[string][]Use
	inits     map[string]*Tensor
	folded    map[string]*Tensor
	notConst  map[string]bool // values found not to be constants
	// foldBudget is how many values folding may still make: folding only
	// reshapes, slices, transposes and joins what the file holds, so a graph
	// that folds more than about its own size is hostile.
	foldBudget int64
}

// Use is one input slot of a node.
type Use struct {
	Node *Node
	Slot int
}

// NewIndex indexes a graph.
func NewIndex(g *Graph) *Index {
	x := &Index{G: g, Producer: map[string]*Node{}, Consumers: map[string][]Use{},
		inits: map[string]*Tensor{}, folded: map[string]*Tensor{}, notConst: map[string]bool{},
		foldBudget: minFoldBudget}
	for _, t := range g.Initializers {
		x.inits[t.Name] = t
		x.foldBudget += 2 * t.dataValues()
	}
	for _, n := range g.Nodes {
		for _, o := range n.Outputs {
			if o != "" {
				x.Producer[o] = n
			}
		}
		for i, in := range n.Inputs {
			if in != "" {
				x.Consumers[in] = append(x.Consumers[in], Use{n, i})
			}
		}
	}
	return x
}

// Attr returns a node's attribute, or nil.
func (n *Node) Attr(name string) *Attr {
	for _, a := range n.Attrs {
		if a.Name == name {
			return a
		}
	}
	return nil
}

// AttrInt returns an integer attribute or def.
func (n *Node) AttrInt(name string, def int64) int64 {
	if a := n.Attr(name); a != nil {
		return a.I
	}
	return def
}

// Const returns the value of name when it is constant: an initializer, a
// Constant node, or Identity, Unsqueeze, Squeeze, Transpose, Reshape or Concat
// of constants (what exporters put between weights and the nodes that use
// them). ok is false for values computed from graph inputs.
func (x *Index) Const(name string) (*Tensor, bool, error) {
	return x.constDepth(name, 0)
}

func (x *Index) constDepth(name string, depth int) (*Tensor, bool, error) {
	if name == "" || x.notConst[name] {
		return nil, false, nil
	}
	if t, ok := x.inits[name]; ok {
		if err := t.Decode(); err != nil {
			return nil, false, fmt.Errorf("initializer %q: %v", name, err)
		}
		return t, true, nil
	}
	if t, ok := x.folded[name]; ok {
		return t, true, nil
	}
	if depth > maxFoldDepth {
		return nil, false, nil
	}
	n := x.Producer[name]
	// Only a node's first output is folded (the operators folded have one).
	if n == nil || n.Outputs[0] != name {
		x.notConst[name] = true
		return nil, false, nil
	}
	var ins []*Tensor
	for _, in := range n.Inputs {
		if in == "" {
			ins = append(ins, nil)
			continue
		}
		t, ok, err := x.constDepth(in, depth+1)
		if err != nil {
			return nil, false, err
		}
		if !ok {
			x.notConst[name] = true
			return nil, false, nil
		}
		ins = append(ins, t)
	}
	t, err := foldNode(n, ins, &x.foldBudget)
	if err != nil {
		return nil, false, fmt.Errorf("node %q (%s): %v", n.Name, n.OpType, err)
	}
	if t == nil {
		x.notConst[name] = true
		return nil, false, nil
	}
	x.folded[name] = t
	return t, true, nil
}

const (
	// maxFoldDepth bounds the chains of constant operators followed.
	maxFoldDepth = 64
	// minFoldBudget is the values folding may always make (shape constants).
	minFoldBudget = 1 << 20
)

// spend takes n values from a fold budget.
func spend(budget *int64, n int64) error {
	if n < 0 || n > *budget {
		return fmt.Errorf("folding constants would make %d values, more than the graph holds", n)
	}
	*budget -= n
	return nil
}

// foldNode evaluates the few shape operators found between weights and their
// users. It returns nil for operators it does not evaluate; budget bounds the
// values it may make.
func foldNode(n *Node, ins []*Tensor, budget *int64) (*Tensor, error) {
	if n.Domain != "" && n.Domain != "ai.onnx" {
		return nil, nil
	}
	switch n.OpType {
	case "Constant":
		if a := n.Attr("value"); a != nil && a.T != nil {
			if err := a.T.Decode(); err != nil {
				return nil, fmt.Errorf("constant: %v", err)
			}
			return a.T, nil
		}
		if a := n.Attr("value_ints"); a != nil {
			return &Tensor{Dims: []int64{int64(len(a.Ints))}, Int64: append([]int64{}, a.Ints...)}, nil
		}
		if a := n.Attr("value_int"); a != nil {
			return &Tensor{Int64: []int64{a.I}}, nil
		}
		if a := n.Attr("value_floats"); a != nil {
			return &Tensor{Dims: []int64{int64(len(a.Floats))}, Float: append([]float32{}, a.Floats...)}, nil
		}
		if a := n.Attr("value_float"); a != nil {
			return &Tensor{Float: []float32{a.F}}, nil
		}
		return nil, nil
	}
	if len(ins) == 0 || ins[0] == nil {
		return nil, nil
	}
	switch n.OpType {
	case "Identity":
		return ins[0], nil
	case "Unsqueeze", "Squeeze", "Reshape":
		dims, err := reshapeDims(n, ins)
		if err != nil || dims == nil {
			return nil, err
		}
		out := *ins[0]
		out.Dims = dims
		return &out, nil
	case "Transpose":
		return transposeConst(n, ins[0], budget)
	case "Slice":
		return sliceConst(n, ins, budget)
	case "Concat":
		return concatConst(n, ins, budget)
	}
	return nil, nil
}

func numel(d []int64) int64 {
	n := int64(1)
	for _, v := range d {
		n *= v
	}
	return n
}

func reshapeDims(n *Node, ins []*Tensor) ([]int64, error) {
	in := ins[0].Dims
	switch n.OpType {
	case "Reshape":
		if len(ins) < 2 || ins[1] == nil || ins[1].Int64 == nil {
			return nil, nil
		}
		if len(ins[1].Int64) > MaxTensorDims {
			return nil, fmt.Errorf("reshape to %d dimensions", len(ins[1].Int64))
		}
		shape := append([]int64(nil), ins[1].Int64...)
		known, neg := int64(1), -1
		for i, s := range shape {
			switch {
			case s == 0 && i < len(in):
				shape[i] = in[i]
				known *= in[i]
			case s == -1 && neg < 0:
				neg = i
			case s > 0 && s <= MaxTensorValues:
				known *= s
			default:
				return nil, fmt.Errorf("bad reshape %v", ins[1].Int64)
			}
			if known > MaxTensorValues {
				return nil, fmt.Errorf("cannot reshape %v to %v", in, ins[1].Int64)
			}
		}
		if neg >= 0 {
			if known == 0 || numel(in)%known != 0 {
				return nil, fmt.Errorf("cannot reshape %v to %v", in, ins[1].Int64)
			}
			shape[neg] = numel(in) / known
		}
		if numel(shape) != numel(in) {
			return nil, fmt.Errorf("cannot reshape %v to %v", in, ins[1].Int64)
		}
		return shape, nil
	}
	var axes []int64
	if a := n.Attr("axes"); a != nil {
		axes = a.Ints
	} else if len(ins) > 1 && ins[1] != nil {
		axes = ins[1].Int64
	}
	if n.OpType == "Squeeze" {
		drop := map[int64]bool{}
		for _, a := range axes {
			if a < 0 {
				a += int64(len(in))
			}
			drop[a] = true
		}
		var out []int64
		for i, d := range in {
			if drop[int64(i)] || (len(axes) == 0 && d == 1) {
				if d != 1 {
					return nil, fmt.Errorf("squeeze of axis %d of size %d", i, d)
				}
				continue
			}
			out = append(out, d)
		}
		return out, nil
	}
	rank := int64(len(in) + len(axes))
	if rank > MaxTensorDims {
		return nil, fmt.Errorf("unsqueeze to %d dimensions", rank)
	}
	ins1 := map[int64]bool{}
	for _, a := range axes {
		if a < 0 {
			a += rank
		}
		if a < 0 || a >= rank {
			return nil, fmt.Errorf("unsqueeze axis out of range")
		}
		ins1[a] = true
	}
	out := make([]int64, 0, rank)
	k := 0
	for i := int64(0); i < rank; i++ {
		if ins1[i] {
			out = append(out, 1)
		} else {
			if k >= len(in) {
				return nil, fmt.Errorf("unsqueeze axes %v do not fit %v", axes, in)
			}
			out = append(out, in[k])
			k++
		}
	}
	if k != len(in) {
		return nil, fmt.Errorf("unsqueeze axes %v do not fit %v", axes, in)
	}
	return out, nil
}

func transposeConst(n *Node, t *Tensor, budget *int64) (*Tensor, error) {
	if t.Float == nil {
		return nil, nil
	}
	r := len(t.Dims)
	perm := make([]int, r)
	if a := n.Attr("perm"); a != nil {
		if len(a.Ints) != r {
			return nil, fmt.Errorf("perm %v for rank %d", a.Ints, r)
		}
		for i, p := range a.Ints {
			if p < 0 || p >= int64(r) {
				return nil, fmt.Errorf("perm %v for rank %d", a.Ints, r)
			}
			perm[i] = int(p)
		}
	} else {
		for i := range perm {
			perm[i] = r - 1 - i
		}
	}
	seen := make([]bool, r)
	outDims := make([]int64, r)
	for i, p := range perm {
		if seen[p] {
			return nil, fmt.Errorf("perm %v repeats an axis", perm)
		}
		seen[p] = true
		outDims[i] = t.Dims[p]
	}
	if err := spend(budget, int64(len(t.Float))); err != nil {
		return nil, err
	}
	inStride := make([]int64, r)
	s := int64(1)
	for i := r - 1; i >= 0; i-- {
		inStride[i] = s
		s *= t.Dims[i]
	}
	out := &Tensor{Dims: outDims, Float: make([]float32, len(t.Float))}
	idx := make([]int64, r)
	for o := range out.Float {
		off := int64(0)
		for i := 0; i < r; i++ {
			off += idx[i] * inStride[perm[i]]
		}
		out.Float[o] = t.Float[off]
		for i := r - 1; i >= 0; i-- {
			idx[i]++
			if idx[i] < outDims[i] {
				break
			}
			idx[i] = 0
		}
	}
	return out, nil
}

func concatConst(n *Node, ins []*Tensor, budget *int64) (*Tensor, error) {
	for _, t := range ins {
		if t == nil {
			return nil, nil
		}
	}
	r := len(ins[0].Dims)
	axis := int(n.AttrInt("axis", 0))
	if axis < 0 {
		axis += r
	}
	if axis < 0 || axis >= r {
		return nil, fmt.Errorf("concat axis %d for rank %d", axis, r)
	}
	isFloat := ins[0].Float != nil
	outer := numel(ins[0].Dims[:axis])
	out := &Tensor{Dims: append([]int64(nil), ins[0].Dims...)}
	out.Dims[axis] = 0
	for _, t := range ins {
		if t == nil || len(t.Dims) != r || (t.Float != nil) != isFloat {
			return nil, nil
		}
		for i := range t.Dims {
			if i != axis && t.Dims[i] != ins[0].Dims[i] {
				return nil, fmt.Errorf("concat of %v and %v", ins[0].Dims, t.Dims)
			}
		}
		out.Dims[axis] += t.Dims[axis]
		if out.Dims[axis] > MaxTensorValues {
			return nil, fmt.Errorf("concat of %d values along axis %d", out.Dims[axis], axis)
		}
	}
	total := numel(out.Dims)
	if err := spend(budget, total); err != nil {
		return nil, err
	}
	if total == 0 {
		if isFloat {
			out.Float = []float32{}
		} else {
			out.Int64 = []int64{}
		}
		return out, nil
	}
	for o := int64(0); o < outer; o++ {
		for _, t := range ins {
			inner := numel(t.Dims[axis:])
			if isFloat {
				out.Float = append(out.Float, t.Float[o*inner:(o+1)*inner]...)
			} else {
				out.Int64 = append(out.Int64, t.Int64[o*inner:(o+1)*inner]...)
			}
		}
	}
	return out, nil
}

// sliceConst evaluates Slice (opset 10 and later: starts, ends, axes, steps
// as inputs; opset 1-9: as attributes) on a constant.
func sliceConst(n *Node, ins []*Tensor, budget *int64) (*Tensor, error) {
	t := ins[0]
	r := len(t.Dims)
	arg := func(i int, attr string) []int64 {
		if i < len(ins) && ins[i] != nil {
			return ins[i].Int64
		}
		if a := n.Attr(attr); a != nil {
			return a.Ints
		}
		return nil
	}
	starts, ends, axes, steps := arg(1, "starts"), arg(2, "ends"), arg(3, "axes"), arg(4, "steps")
	if starts == nil || ends == nil || len(starts) != len(ends) {
		return nil, nil
	}
	lo := make([]int64, r)
	hi := append([]int64(nil), t.Dims...)
	st := make([]int64, r)
	for i := range st {
		st[i] = 1
	}
	for k := range starts {
		ax := int64(k)
		if axes != nil {
			if k >= len(axes) {
				return nil, fmt.Errorf("slice axes %v", axes)
			}
			ax = axes[k]
		}
		if ax < 0 {
			ax += int64(r)
		}
		if ax < 0 || ax >= int64(r) {
			return nil, fmt.Errorf("slice axis %d for rank %d", ax, r)
		}
		step := int64(1)
		if steps != nil && k < len(steps) {
			step = steps[k]
		}
		if step == 0 {
			return nil, fmt.Errorf("slice step 0")
		}
		d := t.Dims[ax]
		// A step longer than the axis takes one value, as the axis's length does.
		step = max(-max(d, 1), min(max(d, 1), step))
		clampIdx := func(v int64, lo, hi int64) int64 {
			if v < 0 {
				v += d
			}
			return max(lo, min(hi, v))
		}
		if step > 0 {
			lo[ax], hi[ax] = clampIdx(starts[k], 0, d), clampIdx(ends[k], 0, d)
		} else {
			lo[ax], hi[ax] = clampIdx(starts[k], -1, d-1), clampIdx(ends[k], -1, d-1)
		}
		st[ax] = step
	}
	outDims := make([]int64, r)
	for i := range outDims {
		var c int64
		if st[i] > 0 && hi[i] > lo[i] {
			c = (hi[i] - lo[i] + st[i] - 1) / st[i]
		} else if st[i] < 0 && lo[i] > hi[i] {
			c = (lo[i] - hi[i] - st[i] - 1) / -st[i]
		}
		outDims[i] = c
	}
	stride := make([]int64, r)
	s := int64(1)
	for i := r - 1; i >= 0; i-- {
		stride[i] = s
		s *= t.Dims[i]
	}
	out := &Tensor{Dims: outDims}
	total := numel(outDims)
	if err := spend(budget, total); err != nil {
		return nil, err
	}
	idx := make([]int64, r)
	for o := int64(0); o < total; o++ {
		off := int64(0)
		for i := 0; i < r; i++ {
			off += (lo[i] + idx[i]*st[i]) * stride[i]
		}
		if t.Float != nil {
			out.Float = append(out.Float, t.Float[off])
		} else {
			out.Int64 = append(out.Int64, t.Int64[off])
		}
		for i := r - 1; i >= 0; i-- {
			idx[i]++
			if idx[i] < outDims[i] {
				break
			}
			idx[i] = 0
		}
	}
	if out.Float == nil && out.Int64 == nil {
		if t.Float != nil {
			out.Float = []float32{}
		} else {
			out.Int64 = []int64{}
		}
	}
	return out, nil
}

// Pending returns initializer name while its values are still in the file
// it was read from (ReadModelReleasing; Const decodes them): its Dims and
// DataType are known, a float type, and its values take no memory yet. ok
// is false for any other value.
func (x *Index) Pending(name string) (t *Tensor, ok bool) {
	t, ok = x.inits[name]
	if !ok || t.msg == nil || t.Unsupported || !isFloatType(t.DataType) {
		return nil, false
	}
	return t, true
}
