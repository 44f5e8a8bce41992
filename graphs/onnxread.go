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
	MaxModelSize    = 2 << 30 // protobuf's own limit
	MaxTensorValues = 1 << 30
	MaxTensorDims   = 16
	MaxNodes        = 1 << 20
	// MaxItems bounds the nodes, attributes, tensors, values and names a
	// model may hold in all; MaxListValues the integers and floats of
	// attribute lists; MaxNameBytes the bytes of every string read.
	MaxItems      = 1 << 22
	MaxListValues = 1 << 24
	MaxNameBytes  = 64 << 20
	// MaxIntValues bounds the integer tensors mvae decodes: shapes, axes
	// and indices, never weights.
	MaxIntValues = 1 << 20
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

// reader decodes one model and counts what it allocates against the limits.
type reader struct {
	release                      func([]byte) // given each tensor's bytes once decoded (ReadModelReleasing)
	items, listValues, nameBytes int
	depth                        int // graphs inside graphs being read
}

// maxGraphDepth bounds how deep graphs nest in attributes (If, Loop, Scan).
const maxGraphDepth = 8

// item counts one allocated struct or name.
func (r *reader) item() error {
	r.items++
	if r.items > MaxItems {
		return fmt.Errorf("more than %d nodes, attributes, tensors and names", MaxItems)
	}
	return nil
}

// str copies a string out of the file, counting it.
func (r *reader) str(v []byte) (string, error) {
	r.nameBytes += len(v)
	if r.nameBytes > MaxNameBytes {
		return "", fmt.Errorf("more than %d bytes of names and strings", MaxNameBytes)
	}
	return string(v), nil
}

// ReadModel decodes an ONNX ModelProto. Tensors are decoded when first used
// (Tensor.Decode; Index.Const does it), so the model keeps slices of data,
// which the caller must not change. Errors say what is wrong; callers add the
// file name.
func ReadModel(data []byte) (m *Model, err error) { return readModel(data, nil) }

// ReadModelReleasing is ReadModel for data mapped from a file: Decode hands
// each tensor's bytes to release once it has converted them, so that the
// pages of the weights leave memory as the weights are read
// (mapfile.Release).
func ReadModelReleasing(data []byte, release func([]byte)) (*Model, error) {
	return readModel(data, release)
}

func readModel(data []byte, release func([]byte)) (m *Model, err error) {
	if len(data) > MaxModelSize {
		return nil, fmt.Errorf("%d bytes is more than an ONNX model can hold", len(data))
	}
	if len(data) == 0 {
		return nil, fmt.Errorf("%w: the file is empty", ErrNotONNX)
	}
	r := &reader{release: release}
	m = &Model{Domains: map[string]int64{}}
	sawGraph := false
	err = walk(data, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
		var err error
		switch num {
		case 1:
			m.IRVersion = int64(x)
		case 2:
			m.ProducerName, err = r.str(v)
		case 3:
			m.ProducerVersion, err = r.str(v)
		case 7:
			if sawGraph {
				return fmt.Errorf("more than one graph")
			}
			g, err := r.graph(v)
			if err != nil {
				return err
			}
			m.Graph = g
			sawGraph = true
		case 8:
			var dom string
			var ver int64
			if err := walk(v, func(n protowire.Number, _ protowire.Type, b []byte, x uint64) error {
				var err error
				switch n {
				case 1:
					dom, err = r.str(b)
				case 2:
					ver = int64(x)
				}
				return err
			}); err != nil {
				return fmt.Errorf("opset_import: %v", err)
			}
			if err := r.item(); err != nil {
				return err
			}
			if dom == "" || dom == "ai.onnx" {
				m.Opset = ver
			} else {
				m.Domains[dom] = ver
			}
		case 14:
			var k, val string
			if err := walk(v, func(n protowire.Number, _ protowire.Type, b []byte, _ uint64) error {
				var err error
				switch n {
				case 1:
					k, err = r.str(b)
				case 2:
					val, err = r.str(b)
				}
				return err
			}); err != nil {
				return fmt.Errorf("metadata_props: %v", err)
			}
			if err := r.item(); err != nil {
				return err
			}
			m.Metadata = append(m.Metadata, [2]string{k, val})
		case 20, 25:
			// training_info and functions: read for what they hold (a
			// tensor in an external file is an error), then dropped.
			err = r.nested(num, v)
		}
		return err
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

// nested reads what a model's training_info (20) or a function (25) holds,
// a graph's sparse initializer (15), or an attribute's graphs (6, 11),
// tensors (10) and sparse tensor (22), so that every tensor in the file is
// checked, and drops it: mvae uses none of them.
func (r *reader) nested(num protowire.Number, v []byte) error {
	r.depth++
	defer func() { r.depth-- }()
	if r.depth > maxGraphDepth {
		return fmt.Errorf("graphs nest more than %d deep", maxGraphDepth)
	}
	sub := func(f func(protowire.Number, []byte) error) error {
		return walk(v, func(n protowire.Number, typ protowire.Type, b []byte, _ uint64) error {
			if typ != protowire.BytesType {
				return nil
			}
			return f(n, b)
		})
	}
	var err error
	switch num {
	case 20: // TrainingInfoProto: initialization (1) and algorithm (2) graphs
		err = sub(func(n protowire.Number, b []byte) error {
			if n == 1 || n == 2 {
				_, err := r.graph(b)
				return err
			}
			return nil
		})
	case 25: // FunctionProto: nodes (7)
		err = sub(func(n protowire.Number, b []byte) error {
			if n == 7 {
				_, err := r.node(b)
				return err
			}
			return nil
		})
	case 6, 11: // GraphProto
		_, err = r.graph(v)
	case 10: // TensorProto
		_, err = r.tensor(v)
	case 15, 22: // SparseTensorProto: values (1) and indices (2)
		err = sub(func(n protowire.Number, b []byte) error {
			if n == 1 || n == 2 {
				_, err := r.tensor(b)
				return err
			}
			return nil
		})
	}
	return err
}

func (r *reader) graph(b []byte) (*Graph, error) {
	g := &Graph{}
	err := walk(b, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		if typ != protowire.BytesType {
			return nil
		}
		var err error
		switch num {
		case 1:
			if len(g.Nodes) >= MaxNodes {
				return fmt.Errorf("more than %d nodes", MaxNodes)
			}
			n, err := r.node(v)
			if err != nil {
				return fmt.Errorf("node %d: %v", len(g.Nodes), err)
			}
			g.Nodes = append(g.Nodes, n)
		case 2:
			g.Name, err = r.str(v)
		case 5:
			t, err := r.tensor(v)
			if err != nil {
				return fmt.Errorf("initializer %d: %v", len(g.Initializers), err)
			}
			g.Initializers = append(g.Initializers, t)
		case 15:
			err = r.nested(num, v)
		case 11, 12:
			vi, err := r.valueInfo(v)
			if err != nil {
				return fmt.Errorf("graph input/output: %v", err)
			}
			if num == 11 {
				g.Inputs = append(g.Inputs, vi)
			} else {
				g.Outputs = append(g.Outputs, vi)
			}
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("graph: %v", err)
	}
	return g, nil
}

func (r *reader) node(b []byte) (*Node, error) {
	if err := r.item(); err != nil {
		return nil, err
	}
	n := &Node{}
	err := walk(b, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		if typ != protowire.BytesType {
			return nil
		}
		var err error
		var s string
		switch num {
		case 1, 2:
			if err := r.item(); err != nil {
				return err
			}
			if s, err = r.str(v); err != nil {
				return err
			}
			if num == 1 {
				n.Inputs = append(n.Inputs, s)
			} else {
				n.Outputs = append(n.Outputs, s)
			}
		case 3:
			n.Name, err = r.str(v)
		case 4:
			n.OpType, err = r.str(v)
		case 5:
			a, err := r.attr(v)
			if err != nil {
				return err
			}
			n.Attrs = append(n.Attrs, a)
		case 7:
			n.Domain, err = r.str(v)
		}
		return err
	})
	return n, err
}

func (r *reader) attr(b []byte) (*Attr, error) {
	if err := r.item(); err != nil {
		return nil, err
	}
	a := &Attr{}
	err := walk(b, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
		var err error
		switch num {
		case 1:
			a.Name, err = r.str(v)
		case 2:
			a.F = math.Float32frombits(uint32(x))
		case 3:
			a.I = int64(x)
		case 4:
			a.S, err = r.str(v)
		case 5:
			t, err := r.tensor(v)
			if err != nil {
				return fmt.Errorf("attribute tensor: %v", err)
			}
			a.T = t
		case 7:
			a.Floats, err = r.appendFloats(a.Floats, typ, v, x)
		case 8:
			a.Ints, err = r.appendVarints(a.Ints, typ, v, x, MaxListValues)
		case 6, 10, 11, 22:
			if typ == protowire.BytesType {
				err = r.nested(num, v)
			}
		case 20:
			a.Kind = AttrKind(x)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("attribute %q: %v", a.Name, err)
	}
	return a, nil
}

// appendFloats reads a repeated float field, packed or not.
func (r *reader) appendFloats(dst []float32, typ protowire.Type, v []byte, x uint64) ([]float32, error) {
	k := 1
	if typ == protowire.BytesType {
		k = len(v) / 4
	}
	if r.listValues += k; r.listValues > MaxListValues {
		return nil, fmt.Errorf("more than %d values in attribute lists", MaxListValues)
	}
	return appendFloats(dst, typ, v, x)
}

func appendFloats(dst []float32, typ protowire.Type, v []byte, x uint64) ([]float32, error) {
	if typ == protowire.Fixed32Type {
		return append(dst, math.Float32frombits(uint32(x))), nil
	}
	if typ != protowire.BytesType || len(v)%4 != 0 {
		return nil, fmt.Errorf("corrupt packed floats")
	}
	for i := 0; i < len(v); i += 4 {
		dst = append(dst, math.Float32frombits(binary.LittleEndian.Uint32(v[i:])))
	}
	return dst, nil
}

// appendVarints reads a repeated int64 field, packed or not, into a list that
// may hold at most limit values.
func (r *reader) appendVarints(dst []int64, typ protowire.Type, v []byte, x uint64, limit int) ([]int64, error) {
	n := len(dst)
	dst, err := appendVarints(dst, typ, v, x, limit)
	if r.listValues += len(dst) - n; r.listValues > MaxListValues {
		return nil, fmt.Errorf("more than %d values in attribute lists", MaxListValues)
	}
	return dst, err
}

func appendVarints(dst []int64, typ protowire.Type, v []byte, x uint64, limit int) ([]int64, error) {
	if typ == protowire.VarintType {
		if len(dst) >= limit {
			return nil, fmt.Errorf("more than %d integers", limit)
		}
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
		if len(dst) >= limit {
			return nil, fmt.Errorf("more than %d integers", limit)
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

// elemSize is the bytes of one value of an ONNX data type in raw_data, 0 for
// types mvae does not read.
func elemSize(dtype int32) int64 {
	switch dtype {
	case Float32, onnxInt32:
		return 4
	case Int64, onnxDouble:
		return 8
	case Float16:
		return 2
	case onnxUint8, onnxInt8, onnxBool:
		return 1
	}
	return 0
}

func isFloatType(dtype int32) bool {
	return dtype == Float32 || dtype == Float16 || dtype == onnxDouble
}

// tensor reads a TensorProto's name, type and shape; its values are decoded
// by Decode, when used.
func (r *reader) tensor(b []byte) (*Tensor, error) {
	if err := r.item(); err != nil {
		return nil, err
	}
	t := &Tensor{}
	external := false
	err := walk(b, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
		var err error
		switch num {
		case 1:
			t.Dims, err = appendVarints(t.Dims, typ, v, x, MaxTensorDims)
		case 2:
			t.DataType = int32(x)
		case 8:
			t.Name, err = r.str(v)
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
		return nil, fmt.Errorf("tensor %q: its data is stored in an external file; mvae reads only models with every tensor inside the .onnx (export with all weights inside)", t.Name)
	}
	if _, err := t.numel(); err != nil {
		return nil, err
	}
	t.msg, t.release = b, r.release
	// A type mvae does not read is an error only if mvae needs its values.
	t.Unsupported = elemSize(t.DataType) == 0
	return t, nil
}

// numel is the number of values the tensor's shape holds.
func (t *Tensor) numel() (int64, error) {
	n := int64(1)
	for _, d := range t.Dims {
		if d < 0 || d > MaxTensorValues || (d > 0 && n > MaxTensorValues/d) {
			return 0, fmt.Errorf("tensor %q: shape %v is out of range", t.Name, t.Dims)
		}
		n *= d
	}
	return n, nil
}

// dataValues is about how many values a tensor's data holds: its size in the
// file over two, or its decoded values.
func (t *Tensor) dataValues() int64 {
	return int64(len(t.msg))/2 + int64(len(t.Float)) + int64(len(t.Int64))
}

// Decode converts a tensor read from a file to Float (float types) or Int64
// (integer types, at most MaxIntValues values), once; a tensor already in
// memory is left as it is. Errors say what is wrong with the tensor.
func (t *Tensor) Decode() error {
	if t.Unsupported {
		return fmt.Errorf("tensor %q has data type %d, which mvae does not read", t.Name, t.DataType)
	}
	if t.msg == nil {
		return nil
	}
	f, i, err := decodeTensor(t.msg, t.DataType, t.Name, t.Dims)
	if err != nil {
		return err
	}
	if t.release != nil {
		t.release(t.msg)
	}
	t.Float, t.Int64, t.msg = f, i, nil
	return nil
}

func decodeTensor(b []byte, dtype int32, name string, dims []int64) ([]float32, []int64, error) {
	n := int64(1)
	for _, d := range dims {
		n *= d // checked when read
	}
	if !isFloatType(dtype) && n > MaxIntValues {
		return nil, nil, fmt.Errorf("integer tensor %q has %d values; mvae reads integer constants of at most %d values (shapes, axes, indices)", name, n, MaxIntValues)
	}
	size := elemSize(dtype)
	// Count the values present before allocating anything.
	var raw []byte
	var floats, ints, doubles int64
	err := walk(b, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
		switch num {
		case 4:
			if typ == protowire.BytesType {
				if len(v)%4 != 0 {
					return fmt.Errorf("corrupt float_data")
				}
				floats += int64(len(v) / 4)
			} else {
				floats++
			}
		case 5, 7:
			if typ == protowire.BytesType {
				for len(v) > 0 {
					_, k := protowire.ConsumeVarint(v)
					if k < 0 {
						return fmt.Errorf("corrupt packed integers")
					}
					v = v[k:]
					ints++
				}
			} else {
				ints++
			}
		case 9:
			raw = v
		case 10:
			if typ == protowire.BytesType {
				if len(v)%8 != 0 {
					return fmt.Errorf("corrupt double_data")
				}
				doubles += int64(len(v) / 8)
			} else {
				doubles++
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("tensor %q: %v", name, err)
	}
	count := func(k int64) error {
		if k != n {
			return fmt.Errorf("tensor %q: shape %v needs %d values, found %d", name, dims, n, k)
		}
		return nil
	}
	le := binary.LittleEndian
	var fs []float32
	var is []int64
	alloc := func() {
		if isFloatType(dtype) {
			fs = make([]float32, 0, n)
		} else {
			is = make([]int64, 0, n)
		}
	}
	if raw != nil {
		if int64(len(raw)) != n*size {
			return nil, nil, fmt.Errorf("tensor %q: shape %v needs %d bytes of data, found %d", name, dims, n*size, len(raw))
		}
		alloc()
		for i := int64(0); i < n; i++ {
			switch dtype {
			case Float32:
				fs = append(fs, math.Float32frombits(le.Uint32(raw[4*i:])))
			case Float16:
				fs = append(fs, model.Float32FromHalf(le.Uint16(raw[2*i:])))
			case onnxDouble:
				fs = append(fs, float32(math.Float64frombits(le.Uint64(raw[8*i:]))))
			case Int64:
				is = append(is, int64(le.Uint64(raw[8*i:])))
			case onnxInt32:
				is = append(is, int64(int32(le.Uint32(raw[4*i:]))))
			case onnxUint8, onnxBool:
				is = append(is, int64(raw[i]))
			case onnxInt8:
				is = append(is, int64(int8(raw[i])))
			}
		}
		return fs, is, nil
	}
	var found int64
	switch dtype {
	case Float32:
		found = floats
	case onnxDouble:
		found = doubles
	default: // float16 travels in int32_data, one value per element
		found = ints
	}
	if err := count(found); err != nil {
		return nil, nil, err
	}
	alloc()
	err = walk(b, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
		var err error
		switch {
		case num == 4 && dtype == Float32:
			fs, err = appendFloats(fs, typ, v, x)
		case num == 10 && dtype == onnxDouble:
			if typ == protowire.Fixed64Type {
				fs = append(fs, float32(math.Float64frombits(x)))
			}
			for i := 0; typ == protowire.BytesType && i < len(v); i += 8 {
				fs = append(fs, float32(math.Float64frombits(le.Uint64(v[i:]))))
			}
		case (num == 5 || num == 7) && dtype != Float32 && dtype != onnxDouble:
			var vs []int64
			vs, err = appendVarints(nil, typ, v, x, int(n))
			for _, y := range vs {
				switch dtype {
				case Float16:
					fs = append(fs, model.Float32FromHalf(uint16(y)))
				case onnxInt32, onnxInt8:
					is = append(is, int64(int32(y)))
				default:
					is = append(is, y)
				}
			}
		}
		return err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("tensor %q: %v", name, err)
	}
	return fs, is, nil
}

func (r *reader) valueInfo(b []byte) (*ValueInfo, error) {
	if err := r.item(); err != nil {
		return nil, err
	}
	vi := &ValueInfo{}
	err := walk(b, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		switch num {
		case 1:
			var err error
			vi.Name, err = r.str(v)
			return err
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
								var err error
								switch n {
								case 1:
									d = int64(x)
								case 2:
									name, err = r.str(s)
								}
								return err
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
