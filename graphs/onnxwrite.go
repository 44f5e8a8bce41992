package graphs

import (
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// ONNX element types (TensorProto.DataType).
const (
	Float32 = 1
	Int64   = 7
	Float16 = 10
)

// Model is an ONNX ModelProto, reduced to what mvae writes.
type Model struct {
	IRVersion       int64
	ProducerName    string
	ProducerVersion string
	Opset           int64            // the default ("") domain's version
	Domains         map[string]int64 // other domains' opsets (as read; not written)
	Graph           *Graph
	Metadata        [][2]string // metadata_props, key and value
}

// Graph is an ONNX GraphProto.
type Graph struct {
	Name         string
	Nodes        []*Node
	Initializers []*Tensor
	Inputs       []*ValueInfo
	Outputs      []*ValueInfo
}

// Node is an ONNX NodeProto.
type Node struct {
	OpType  string
	Name    string
	Inputs  []string // "" for an optional input left out
	Outputs []string
	Attrs   []*Attr
	Domain  string
}

// Tensor is an ONNX TensorProto with float32 or int64 data (as raw_data).
type Tensor struct {
	Name  string
	Dims  []int64
	Float []float32 // data_type FLOAT (FLOAT16 and DOUBLE are widened or narrowed to it when read)
	Int64 []int64   // data_type INT64 (and the other integer types, when read), used when Float is nil

	DataType    int32 // as read; the writer uses Float32 or Int64
	Unsupported bool  // read with a data type mvae cannot convert

	msg     []byte       // the TensorProto as read, until Decode converts it
	release func([]byte) // given msg once decoded (ReadModelReleasing)
	// chunks hold a float32 tensor's values, one block after the other,
	// when Float is nil: views of the weights a chunked builder converts
	// as Externalize writes them (builder.floatChunks).
	chunks [][]float32
}

// ValueInfo names a graph input or output. A dimension < 0 is symbolic
// (dim_param DimNames[i], e.g. "batch").
type ValueInfo struct {
	Name     string
	ElemType int32
	Dims     []int64
	DimNames []string
}

// Attr is an ONNX AttributeProto of one of the kinds mvae uses.
type Attr struct {
	Name   string
	Kind   AttrKind
	F      float32
	I      int64
	S      string
	Floats []float32
	Ints   []int64
	T      *Tensor
}

// AttrKind is AttributeProto.AttributeType.
type AttrKind int32

const (
	AttrFloat  AttrKind = 1
	AttrInt    AttrKind = 2
	AttrString AttrKind = 3
	AttrTensor AttrKind = 4
	AttrFloats AttrKind = 6
	AttrInts   AttrKind = 7
)

// IntAttr, FloatAttr, StringAttr, IntsAttr, FloatsAttr and TensorAttr build attributes.
func IntAttr(name string, v int64) *Attr     { return &Attr{Name: name, Kind: AttrInt, I: v} }
func FloatAttr(name string, v float32) *Attr { return &Attr{Name: name, Kind: AttrFloat, F: v} }
func StringAttr(name, v string) *Attr        { return &Attr{Name: name, Kind: AttrString, S: v} }
func IntsAttr(name string, v ...int64) *Attr { return &Attr{Name: name, Kind: AttrInts, Ints: v} }
func FloatsAttr(name string, v ...float32) *Attr {
	return &Attr{Name: name, Kind: AttrFloats, Floats: v}
}
func TensorAttr(name string, t *Tensor) *Attr { return &Attr{Name: name, Kind: AttrTensor, T: t} }

// Marshal encodes the model as ONNX protobuf bytes. The sizes of the
// messages are computed first, so that the weights are copied once, into a
// buffer of the exact size.
func (m *Model) Marshal() []byte {
	var head []byte
	head = protowire.AppendTag(head, 1, protowire.VarintType)
	head = protowire.AppendVarint(head, uint64(m.IRVersion))
	head = appendString(head, 2, m.ProducerName)
	head = appendString(head, 3, m.ProducerVersion)
	var tail, op []byte
	op = appendString(op, 1, "")
	op = protowire.AppendTag(op, 2, protowire.VarintType)
	op = protowire.AppendVarint(op, uint64(m.Opset))
	tail = appendMessage(tail, 8, op)
	for _, kv := range m.Metadata {
		var e []byte
		e = appendString(e, 1, kv[0])
		e = appendString(e, 2, kv[1])
		tail = appendMessage(tail, 14, e)
	}
	size := len(head) + len(tail)
	gs := 0
	if m.Graph != nil {
		for _, t := range m.Graph.Initializers {
			if t.chunks != nil { // left by Externalize (smaller than its minBytes)
				n := 0
				for _, ch := range t.chunks {
					n += len(ch)
				}
				t.Float, t.chunks = concatFloats(t.chunks, n), nil
			}
		}
		gs = m.Graph.size()
		size += protowire.SizeTag(7) + protowire.SizeBytes(gs)
	}
	b := make([]byte, 0, size)
	b = append(b, head...)
	if m.Graph != nil {
		b = protowire.AppendTag(b, 7, protowire.BytesType)
		b = protowire.AppendVarint(b, uint64(gs))
		b = m.Graph.appendTo(b)
	}
	return append(b, tail...)
}

// size is the length of the graph's encoding.
func (g *Graph) size() int {
	n := 0
	msg := func(num protowire.Number, size int) {
		n += protowire.SizeTag(num) + protowire.SizeBytes(size)
	}
	for _, nd := range g.Nodes {
		msg(1, len(nd.marshal()))
	}
	if g.Name != "" {
		msg(2, len(g.Name))
	}
	for _, t := range g.Initializers {
		msg(5, t.size())
	}
	for _, v := range g.Inputs {
		msg(11, len(v.marshal()))
	}
	for _, v := range g.Outputs {
		msg(12, len(v.marshal()))
	}
	return n
}

// appendTo appends the graph's encoding (size bytes) to b.
func (g *Graph) appendTo(b []byte) []byte {
	for _, n := range g.Nodes {
		b = appendMessage(b, 1, n.marshal())
	}
	b = appendString(b, 2, g.Name)
	for _, t := range g.Initializers {
		b = protowire.AppendTag(b, 5, protowire.BytesType)
		b = protowire.AppendVarint(b, uint64(t.size()))
		b = t.appendTo(b)
	}
	for _, v := range g.Inputs {
		b = appendMessage(b, 11, v.marshal())
	}
	for _, v := range g.Outputs {
		b = appendMessage(b, 12, v.marshal())
	}
	return b
}

func (n *Node) marshal() []byte {
	var b []byte
	for _, s := range n.Inputs {
		b = protowire.AppendTag(b, 1, protowire.BytesType)
		b = protowire.AppendString(b, s)
	}
	for _, s := range n.Outputs {
		b = protowire.AppendTag(b, 2, protowire.BytesType)
		b = protowire.AppendString(b, s)
	}
	b = appendString(b, 3, n.Name)
	b = appendString(b, 4, n.OpType)
	for _, a := range n.Attrs {
		b = appendMessage(b, 5, a.marshal())
	}
	b = appendString(b, 7, n.Domain)
	return b
}

func (a *Attr) marshal() []byte {
	var b []byte
	b = appendString(b, 1, a.Name)
	switch a.Kind {
	case AttrFloat:
		b = protowire.AppendTag(b, 2, protowire.Fixed32Type)
		b = protowire.AppendFixed32(b, math.Float32bits(a.F))
	case AttrInt:
		b = protowire.AppendTag(b, 3, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(a.I))
	case AttrString:
		b = protowire.AppendTag(b, 4, protowire.BytesType)
		b = protowire.AppendString(b, a.S)
	case AttrTensor:
		b = appendMessage(b, 5, a.T.marshal())
	case AttrFloats:
		var p []byte
		for _, f := range a.Floats {
			p = protowire.AppendFixed32(p, math.Float32bits(f))
		}
		b = appendMessage(b, 7, p)
	case AttrInts:
		var p []byte
		for _, v := range a.Ints {
			p = protowire.AppendVarint(p, uint64(v))
		}
		b = appendMessage(b, 8, p)
	default:
		panic("graphs: unknown attribute kind")
	}
	b = protowire.AppendTag(b, 20, protowire.VarintType)
	b = protowire.AppendVarint(b, uint64(a.Kind))
	return b
}

func (t *Tensor) marshal() []byte { return t.appendTo(make([]byte, 0, t.size())) }

// dimsSize is the length of the packed dims.
func (t *Tensor) dimsSize() int {
	n := 0
	for _, d := range t.Dims {
		n += protowire.SizeVarint(uint64(d))
	}
	return n
}

// dataType and rawSize are the type and length of the data as written.
func (t *Tensor) dataType() (int32, int) {
	if t.Float != nil {
		return Float32, 4 * len(t.Float)
	}
	return Int64, 8 * len(t.Int64)
}

// size is the length of the tensor's encoding.
func (t *Tensor) size() int {
	if t.msg != nil {
		return len(t.msg)
	}
	n := 0
	if len(t.Dims) > 0 {
		n += protowire.SizeTag(1) + protowire.SizeBytes(t.dimsSize())
	}
	typ, raw := t.dataType()
	n += protowire.SizeTag(2) + protowire.SizeVarint(uint64(typ))
	if t.Name != "" {
		n += protowire.SizeTag(8) + protowire.SizeBytes(len(t.Name))
	}
	return n + protowire.SizeTag(9) + protowire.SizeBytes(raw)
}

// appendTo appends the tensor's encoding (size bytes) to b: its data as
// raw_data, float32 or int64.
func (t *Tensor) appendTo(b []byte) []byte {
	if t.msg != nil {
		return append(b, t.msg...) // read and never decoded: written as it was
	}
	if len(t.Dims) > 0 {
		b = protowire.AppendTag(b, 1, protowire.BytesType)
		b = protowire.AppendVarint(b, uint64(t.dimsSize()))
		for _, d := range t.Dims {
			b = protowire.AppendVarint(b, uint64(d))
		}
	}
	typ, raw := t.dataType()
	b = protowire.AppendTag(b, 2, protowire.VarintType)
	b = protowire.AppendVarint(b, uint64(typ))
	b = appendString(b, 8, t.Name)
	b = protowire.AppendTag(b, 9, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(raw))
	if t.Float != nil {
		for _, f := range t.Float {
			b = protowire.AppendFixed32(b, math.Float32bits(f))
		}
	} else {
		for _, v := range t.Int64 {
			b = protowire.AppendFixed64(b, uint64(v))
		}
	}
	return b
}

func (v *ValueInfo) marshal() []byte {
	var shape []byte
	for i, d := range v.Dims {
		var dim []byte
		if d >= 0 {
			dim = protowire.AppendTag(dim, 1, protowire.VarintType)
			dim = protowire.AppendVarint(dim, uint64(d))
		} else {
			name := "dim"
			if i < len(v.DimNames) {
				name = v.DimNames[i]
			}
			dim = appendString(dim, 2, name)
		}
		shape = appendMessage(shape, 1, dim)
	}
	var tt []byte
	tt = protowire.AppendTag(tt, 1, protowire.VarintType)
	tt = protowire.AppendVarint(tt, uint64(v.ElemType))
	tt = appendMessage(tt, 2, shape)
	var typ []byte
	typ = appendMessage(typ, 1, tt)
	var b []byte
	b = appendString(b, 1, v.Name)
	b = appendMessage(b, 2, typ)
	return b
}

func appendString(b []byte, num protowire.Number, s string) []byte {
	if s == "" {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

func appendMessage(b []byte, num protowire.Number, msg []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, msg)
}
