package graphs

import "fmt"

// builder appends nodes and initializers to a graph with generated names.
type builder struct {
	g    *Graph
	n    int
	ints map[string]string // cached int64 constants
	// chunked: floatChunks keeps its blocks for Externalize (buildGraph).
	chunked bool
}

func newBuilder(name string) *builder {
	return &builder{g: &Graph{Name: name}, ints: map[string]string{}}
}

func (b *builder) fresh(prefix string) string {
	b.n++
	return fmt.Sprintf("%s_%d", prefix, b.n)
}

// floats adds a float32 initializer.
func (b *builder) floats(name string, dims []int64, data []float32) string {
	if int64(len(data)) != numelOf(dims) {
		panic(fmt.Sprintf("graphs: initializer %s: %d values for %v", name, len(data), dims))
	}
	b.g.Initializers = append(b.g.Initializers, &Tensor{Name: name, Dims: dims, Float: data})
	return name
}

// floatChunks adds a float32 initializer whose values are the blocks of
// chunks one after the other: copied into one array, or for a chunked
// builder kept as they are (views of the weights), for Externalize to
// write.
func (b *builder) floatChunks(name string, dims []int64, chunks [][]float32) string {
	n := 0
	for _, ch := range chunks {
		n += len(ch)
	}
	if int64(n) != numelOf(dims) {
		panic(fmt.Sprintf("graphs: initializer %s: %d values for %v", name, n, dims))
	}
	if b.chunked {
		b.g.Initializers = append(b.g.Initializers, &Tensor{Name: name, Dims: dims, chunks: chunks})
		return name
	}
	return b.floats(name, dims, concatFloats(chunks, n))
}

// concatFloats returns the n values of chunks one after the other.
func concatFloats(chunks [][]float32, n int) []float32 {
	out := make([]float32, 0, n)
	for _, ch := range chunks {
		out = append(out, ch...)
	}
	return out
}

// int64s adds (once) a 1-D int64 initializer.
func (b *builder) int64s(vals ...int64) string {
	key := fmt.Sprint(vals)
	if n, ok := b.ints[key]; ok {
		return n
	}
	name := b.fresh("const")
	b.g.Initializers = append(b.g.Initializers, &Tensor{Name: name, Dims: []int64{int64(len(vals))}, Int64: vals})
	b.ints[key] = name
	return name
}

// op adds a node with one output and returns the output's name.
func (b *builder) op(op string, ins []string, attrs ...*Attr) string {
	return b.opN(op, ins, 1, attrs...)[0]
}

// opN adds a node with n outputs.
func (b *builder) opN(op string, ins []string, n int, attrs ...*Attr) []string {
	name := b.fresh(op)
	outs := make([]string, n)
	for i := range outs {
		outs[i] = fmt.Sprintf("%s_out%d", name, i)
	}
	b.g.Nodes = append(b.g.Nodes, &Node{OpType: op, Name: name, Inputs: ins, Outputs: outs, Attrs: attrs})
	return outs
}

// rename makes the last node that produced v produce name instead.
func (b *builder) rename(v, name string) {
	for _, n := range b.g.Nodes {
		for i, o := range n.Outputs {
			if o == v {
				n.Outputs[i] = name
			}
		}
		for i, in := range n.Inputs {
			if in == v {
				n.Inputs[i] = name
			}
		}
	}
}

func (b *builder) input(name string, dims []int64) {
	b.g.Inputs = append(b.g.Inputs, &ValueInfo{Name: name, ElemType: Float32, Dims: dims, DimNames: batchNames(dims)})
}

func (b *builder) output(name string, dims []int64) {
	b.g.Outputs = append(b.g.Outputs, &ValueInfo{Name: name, ElemType: Float32, Dims: dims, DimNames: batchNames(dims)})
}

func batchNames(dims []int64) []string {
	names := make([]string, len(dims))
	for i, d := range dims {
		if d < 0 {
			names[i] = "batch"
		}
	}
	return names
}

func numelOf(d []int64) int64 {
	n := int64(1)
	for _, v := range d {
		n *= v
	}
	return n
}

// Opset and IRVersion of the graphs mvae builds.
const (
	BuildOpset     = 17
	BuildIRVersion = 8
)

func (b *builder) model(meta ...[2]string) *Model {
	return &Model{IRVersion: BuildIRVersion, Opset: BuildOpset, ProducerName: "mvae", Graph: b.g, Metadata: meta}
}
