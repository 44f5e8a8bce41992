package graphs

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/musicvae-go/mvae/model"
)

// Reading ONNX. github.com/owulveryck/onnx-go's public decoder turns a model
// straight into a gorgonia computation graph and fails on operators it does not
// implement (LSTM among them); mvae needs the graph's structure and
// initializers as data, so it reads the protobuf itself with protowire.
// Only what mvae uses is decoded; unknown fields are skipped, as protobuf
// readers must.

// Limits for hostile files: checked before anything is allocated.
const (
	MaxModelSize     = 2 << 30 // protobuf's own limit
	MaxTensorValues  = 1 << 30
	MaxTensorDims    = 16
	MaxNodes         = 1 << 20
	MaxAttrListItems = 1 << 24
)

// ErrNotONNX is wrapped by errors about files that are not ONNX models at all.
var ErrNotONNX = errors.New("not an ONNX model")

// Opset returns the version of a domain's opset ("" is the default domain).
func (m *Model) OpsetOf(domain string) int64 {
	if domain == "" {
		return m.Opset
	}
	return m.Domains[domain]
}

// ReadModel decodes an ONNX ModelProto. Errors say what is wrong; callers add
// the file name.
func ReadModel(data []byte) (m *Model, err error) {
	if len(data) > MaxModelSize {
		return nil, fmt.Errorf("%d bytes is more than an ONNX model can hold", len(data))
	}
	if len(data) == 0 {
		return nil, fmt.Errorf("%w: the file is empty", ErrNotONNX)
	}
	m = &Model{Domains: map[string]int64{}}
	sawGraph := false
	err = walk(data, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
		switch num {
		case 1:
			m.IRVersion = int64(x)
		case 2:
			m.ProducerName = string(v)
		case 3:
			m.ProducerVersion = string(v)
		case 7:
			g, err := readGraph(v)
			if err != nil {
				return err
			}
			m.Graph = g
			sawGraph = true
		case 8:
			var dom string
			var ver int64
			if err := walk(v, func(n protowire.Number, _ protowire.Type, b []byte, x uint64) error {
				switch n {
				case 1:
					dom = string(b)
				case 2:
					ver = int64(x)
				}
				return nil
			}); err != nil {
				return fmt.Errorf("opset_import: %v", err)
			}
			if dom == "" || dom == "ai.onnx" {
				m.Opset = ver
			} else {
				m.Domains[dom] = ver
			}
		case 14:
			var k, val string
			if err := walk(v, func(n protowire.Number, _ protowire.Type, b []byte, _ uint64) error {
				switch n {
				case 1:
					k = string(b)
				case 2:
					val = string(b)
				}
				return nil
			}); err != nil {
				return fmt.Errorf("metadata_props: %v", err)
			}
			m.Metadata = append(m.Metadata, [2]string{k, val})
		}
		return nil
	})
	if err != nil {
		if !errors.Is(err, ErrNotONNX) {
			err = fmt.Errorf("%w: %v", ErrNotONNX, err)
		}
		return nil, err
	}
	if !sawGraph || m.IRVersion == 0 {
		return nil, fmt.Errorf("%w: no graph or IR version", ErrNotONNX)
	}
	return m, nil
}

// Meta returns a metadata_props value.
func (m *Model) Meta(key string) (string, bool) {
	for _, kv := range m.Metadata {
		if kv[0] == key {
			return kv[1], true
		}
	}
	return "", false
}

// walk calls f for each field of a protobuf message: v holds a length-delimited
// field's bytes, x a varint or fixed field's value.
func walk(b []byte, f func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return fmt.Errorf("corrupt protobuf: %v", protowire.ParseError(n))
		}
		b = b[n:]
		var v []byte
		var x uint64
		switch typ {
		case protowire.VarintType:
			x, n = protowire.ConsumeVarint(b)
		case protowire.Fixed32Type:
			var y uint32
			y, n = protowire.ConsumeFixed32(b)
			x = uint64(y)
		case protowire.Fixed64Type:
			x, n = protowire.ConsumeFixed64(b)
		case protowire.BytesType:
			v, n = protowire.ConsumeBytes(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return fmt.Errorf("corrupt protobuf field %d: %v", num, protowire.ParseError(n))
		}
		b = b[n:]
		if err := f(num, typ, v, x); err != nil {
			return err
		}
	}
	return nil
}

func readGraph(b []byte) (*Graph, error) {
	g := &Graph{}
	err := walk(b, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		if typ != protowire.BytesType {
			return nil
		}
		switch num {
		case 1:
			if len(g.Nodes) >= MaxNodes {
				return fmt.Errorf("more than %d nodes", MaxNodes)
			}
			n, err := readNode(v)
			if err != nil {
				return fmt.Errorf("node %d: %v", len(g.Nodes), err)
			}
			g.Nodes = append(g.Nodes, n)
		case 2:
			g.Name = string(v)
		case 5:
			t, err := readTensor(v)
			if err != nil {
				return fmt.Errorf("initializer %d: %v", len(g.Initializers), err)
			}
			g.Initializers = append(g.Initializers, t)
		case 11, 12:
			vi, err := readValueInfo(v)
			if err != nil {
				return fmt.Errorf("graph input/output: %v", err)
			}
			if num == 11 {
				g.Inputs = append(g.Inputs, vi)
			} else {
				g.Outputs = append(g.Outputs, vi)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("graph: %v", err)
	}
	return g, nil
}

func readNode(b []byte) (*Node, error) {
	n := &Node{}
	err := walk(b, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		if typ != protowire.BytesType {
			return nil
		}
		switch num {
		case 1:
			n.Inputs = append(n.Inputs, string(v))
		case 2:
			n.Outputs = append(n.Outputs, string(v))
		case 3:
			n.Name = string(v)
		case 4:
			n.OpType = string(v)
		case 5:
			a, err := readAttr(v)
			if err != nil {
				return err
			}
			n.Attrs = append(n.Attrs, a)
		case 7:
			n.Domain = string(v)
		}
		return nil
	})
	return n, err
}

func readAttr(b []byte) (*Attr, error) {
	a := &Attr{}
	err := walk(b, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
		switch num {
		case 1:
			a.Name = string(v)
		case 2:
			a.F = math.Float32frombits(uint32(x))
		case 3:
			a.I = int64(x)
		case 4:
			a.S = string(v)
		case 5:
			t, err := readTensor(v)
			if err != nil {
				return fmt.Errorf("attribute tensor: %v", err)
			}
			a.T = t
		case 7:
			fs, err := appendFloats(a.Floats, typ, v, x)
			if err != nil {
				return err
			}
			a.Floats = fs
		case 8:
			is, err := appendVarints(a.Ints, typ, v, x)
			if err != nil {
				return err
			}
			a.Ints = is
		case 20:
			a.Kind = AttrKind(x)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("attribute %q: %v", a.Name, err)
	}
	return a, nil
}

// appendFloats reads a repeated float field, packed or not.
func appendFloats(dst []float32, typ protowire.Type, v []byte, x uint64) ([]float32, error) {
	if typ == protowire.Fixed32Type {
		return append(dst, math.Float32frombits(uint32(x))), nil
	}
	if typ != protowire.BytesType || len(v)%4 != 0 {
		return nil, fmt.Errorf("corrupt packed floats")
	}
	if len(dst)+len(v)/4 > MaxAttrListItems {
		return nil, fmt.Errorf("too many floats")
	}
	for i := 0; i < len(v); i += 4 {
		dst = append(dst, math.Float32frombits(binary.LittleEndian.Uint32(v[i:])))
	}
	return dst, nil
}

// appendVarints reads a repeated int64 field, packed or not.
func appendVarints(dst []int64, typ protowire.Type, v []byte, x uint64) ([]int64, error) {
	if typ == protowire.VarintType {
		return append(dst, int64(x)), nil
	}
	if typ != protowire.BytesType {
		return nil, fmt.Errorf("corrupt packed integers")
	}
	for len(v) > 0 {
		y, n := protowire.ConsumeVarint(v)
		if n < 0 {
			return nil, fmt.Errorf("corrupt packed integers")
		}
		if len(dst) >= MaxAttrListItems {
			return nil, fmt.Errorf("too many integers")
		}
		dst = append(dst, int64(y))
		v = v[n:]
	}
	return dst, nil
}

// ONNX data types mvae reads besides Float32, Int64 and Float16.
const (
	onnxUint8  = 2
	onnxInt8   = 3
	onnxInt32  = 6
	onnxBool   = 9
	onnxDouble = 11
)

func readTensor(b []byte) (*Tensor, error) {
	t := &Tensor{}
	var dtype int32
	var raw []byte
	var floats []float32
	var ints []int64
	var doubles []float64
	external := false
	err := walk(b, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
		var err error
		switch num {
		case 1:
			t.Dims, err = appendVarints(t.Dims, typ, v, x)
		case 2:
			dtype = int32(x)
		case 4:
			floats, err = appendFloats(floats, typ, v, x)
		case 5, 7:
			ints, err = appendVarints(ints, typ, v, x)
		case 8:
			t.Name = string(v)
		case 9:
			raw = v
		case 10:
			if typ == protowire.Fixed64Type {
				doubles = append(doubles, math.Float64frombits(x))
			} else if typ == protowire.BytesType && len(v)%8 == 0 {
				for i := 0; i < len(v); i += 8 {
					doubles = append(doubles, math.Float64frombits(binary.LittleEndian.Uint64(v[i:])))
				}
			} else {
				err = fmt.Errorf("corrupt double_data")
			}
		case 13:
			external = true
		case 14:
			external = external || x == 1
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("tensor %q: %v", t.Name, err)
	}
	if external {
		return nil, fmt.Errorf("tensor %q: its data is stored in an external file; export with all weights inside the .onnx", t.Name)
	}
	if len(t.Dims) > MaxTensorDims {
		return nil, fmt.Errorf("tensor %q: %d dimensions", t.Name, len(t.Dims))
	}
	n := int64(1)
	for _, d := range t.Dims {
		if d < 0 || d > MaxTensorValues || (d > 0 && n > MaxTensorValues/d) {
			return nil, fmt.Errorf("tensor %q: shape %v is out of range", t.Name, t.Dims)
		}
		n *= d
	}
	t.DataType = dtype
	var size int64
	switch dtype {
	case Float32, onnxInt32:
		size = 4
	case Int64, onnxDouble:
		size = 8
	case Float16:
		size = 2
	case onnxUint8, onnxInt8, onnxBool:
		size = 1
	default:
		// Kept without data: an error only if mvae needs its values.
		t.Unsupported = true
		return t, nil
	}
	count := func(k int) error {
		if int64(k) != n {
			return fmt.Errorf("tensor %q: shape %v needs %d values, found %d", t.Name, t.Dims, n, k)
		}
		return nil
	}
	le := binary.LittleEndian
	switch {
	case raw != nil:
		if int64(len(raw)) != n*size {
			return nil, fmt.Errorf("tensor %q: shape %v needs %d bytes of data, found %d", t.Name, t.Dims, n*size, len(raw))
		}
		switch dtype {
		case Float32:
			t.Float = make([]float32, n)
			for i := range t.Float {
				t.Float[i] = math.Float32frombits(le.Uint32(raw[4*i:]))
			}
		case Float16:
			t.Float = make([]float32, n)
			for i := range t.Float {
				t.Float[i] = model.Float32FromHalf(le.Uint16(raw[2*i:]))
			}
		case onnxDouble:
			t.Float = make([]float32, n)
			for i := range t.Float {
				t.Float[i] = float32(math.Float64frombits(le.Uint64(raw[8*i:])))
			}
		case Int64:
			t.Int64 = make([]int64, n)
			for i := range t.Int64 {
				t.Int64[i] = int64(le.Uint64(raw[8*i:]))
			}
		case onnxInt32:
			t.Int64 = make([]int64, n)
			for i := range t.Int64 {
				t.Int64[i] = int64(int32(le.Uint32(raw[4*i:])))
			}
		case onnxUint8, onnxBool:
			t.Int64 = make([]int64, n)
			for i := range t.Int64 {
				t.Int64[i] = int64(raw[i])
			}
		case onnxInt8:
			t.Int64 = make([]int64, n)
			for i := range t.Int64 {
				t.Int64[i] = int64(int8(raw[i]))
			}
		}
	case dtype == Float32:
		if err := count(len(floats)); err != nil {
			return nil, err
		}
		t.Float = floats
	case dtype == onnxDouble:
		if err := count(len(doubles)); err != nil {
			return nil, err
		}
		t.Float = make([]float32, n)
		for i, d := range doubles {
			t.Float[i] = float32(d)
		}
	case dtype == Float16:
		// float16 values travel in int32_data, one per element.
		if err := count(len(ints)); err != nil {
			return nil, err
		}
		t.Float = make([]float32, n)
		for i, v := range ints {
			t.Float[i] = model.Float32FromHalf(uint16(v))
		}
	default:
		if err := count(len(ints)); err != nil {
			return nil, err
		}
		t.Int64 = ints
		if dtype == onnxInt32 || dtype == onnxInt8 {
			for i, v := range ints {
				t.Int64[i] = int64(int32(v))
			}
		}
	}
	if t.Float == nil && t.Int64 == nil {
		if dtype == Float32 || dtype == Float16 || dtype == onnxDouble {
			t.Float = []float32{}
		} else {
			t.Int64 = []int64{}
		}
	}
	return t, nil
}

func readValueInfo(b []byte) (*ValueInfo, error) {
	vi := &ValueInfo{}
	err := walk(b, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		switch num {
		case 1:
			vi.Name = string(v)
		case 2: // TypeProto
			return walk(v, func(n protowire.Number, _ protowire.Type, tt []byte, _ uint64) error {
				if n != 1 { // tensor_type only
					return nil
				}
				return walk(tt, func(n protowire.Number, _ protowire.Type, sb []byte, x uint64) error {
					switch n {
					case 1:
						vi.ElemType = int32(x)
					case 2:
						return walk(sb, func(n protowire.Number, _ protowire.Type, db []byte, _ uint64) error {
							if n != 1 {
								return nil
							}
							if len(vi.Dims) >= MaxTensorDims {
								return fmt.Errorf("too many dimensions")
							}
							d, name := int64(-1), ""
							err := walk(db, func(n protowire.Number, _ protowire.Type, s []byte, x uint64) error {
								switch n {
								case 1:
									d = int64(x)
								case 2:
									name = string(s)
								}
								return nil
							})
							vi.Dims = append(vi.Dims, d)
							vi.DimNames = append(vi.DimNames, name)
							return err
						})
					}
					return nil
				})
			})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("value %q: %v", vi.Name, err)
	}
	return vi, nil
}
