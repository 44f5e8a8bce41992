package model

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
)

// The safetensors format: an 8-byte little-endian header length, a JSON header
// mapping each tensor name to {"dtype", "shape", "data_offsets": [begin, end]}
// (offsets into the data that follows, relative to its start) plus an optional
// "__metadata__" map of strings, then the data. PyTorch users read it with
// safetensors.torch.load_file.

// MaxSafetensorsHeader bounds the JSON header a reader accepts.
const MaxSafetensorsHeader = 64 << 20

type stEntry struct {
	DType   string `json:"dtype"`
	Shape   []int  `json:"shape"`
	Offsets [2]int `json:"data_offsets"`
}

// WriteSafetensors writes tensors in the order of names, as float32 ("F32")
// or, with half, as float16 ("F16").
func WriteSafetensors(w io.Writer, names []string, ts Weights, meta map[string]string, half bool) error {
	sw := StoredWeights{}
	for _, n := range names {
		sw[n] = &Stored{DType: F32, Shape: ts[n].Shape, F32: ts[n].Data}
	}
	return WriteStoredSafetensors(w, names, sw, meta, half)
}

// stOut is one tensor as written: its dtype, shape and values.
type stOut struct {
	name  string
	dtype string
	shape []int
	s     *Stored
	scale bool // the scales of s (an int8 matrix)
	half  bool // F32 values written as F16
}

func (o *stOut) size() int {
	switch {
	case o.scale:
		return 4 * len(o.s.Scale)
	case o.s.Q != nil:
		return len(o.s.Q)
	case o.s.U16 != nil || o.half:
		return 2 * o.s.Len()
	}
	return 4 * o.s.Len()
}

// WriteStoredSafetensors writes stored tensors in the order of names, each
// in its own dtype ("F32", "BF16", "F16", or "I8" followed by NAME_scale,
// "F32"); with half, float32 tensors are written as float16.
func WriteStoredSafetensors(w io.Writer, names []string, ts StoredWeights, meta map[string]string, half bool) error {
	header := map[string]any{}
	if len(meta) > 0 {
		header["__metadata__"] = meta
	}
	var outs []stOut
	for _, n := range names {
		t := ts[n]
		o := stOut{name: n, shape: shapeOrEmpty(t.Shape), s: t}
		switch t.DType {
		case F32:
			o.dtype, o.half = "F32", half
			if half {
				o.dtype = "F16"
			}
		case F16:
			o.dtype = "F16"
		case BF16:
			o.dtype = "BF16"
		case Int8:
			o.dtype = "I8"
		default:
			return fmt.Errorf("safetensors: tensor %s: precision %q", n, t.DType)
		}
		outs = append(outs, o)
		if t.DType == Int8 {
			outs = append(outs, stOut{name: n + ScaleSuffix, dtype: "F32", shape: []int{len(t.Scale)}, s: t, scale: true})
		}
	}
	off := 0
	for i := range outs {
		o := &outs[i]
		header[o.name] = stEntry{DType: o.dtype, Shape: o.shape, Offsets: [2]int{off, off + o.size()}}
		off += o.size()
	}
	hb, err := json.Marshal(header)
	if err != nil {
		return err
	}
	// Pad the header with spaces to 8 bytes, as the reference writer does.
	for len(hb)%8 != 0 {
		hb = append(hb, ' ')
	}
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(hb)))
	if _, err := w.Write(n[:]); err != nil {
		return err
	}
	if _, err := w.Write(hb); err != nil {
		return err
	}
	// The values go out through one small buffer: writing never holds a
	// copy of a tensor, let alone of the weights.
	buf := make([]byte, 1<<16)
	for i := range outs {
		if err := outs[i].write(w, buf); err != nil {
			return err
		}
	}
	return nil
}

// write writes the tensor's values through buf.
func (o *stOut) write(w io.Writer, buf []byte) error {
	var n, size int
	var put func(b []byte, i int)
	switch {
	case o.scale:
		n, size = len(o.s.Scale), 4
		put = func(b []byte, i int) { binary.LittleEndian.PutUint32(b, math.Float32bits(o.s.Scale[i])) }
	case o.s.Q != nil:
		n, size = len(o.s.Q), 1
		put = func(b []byte, i int) { b[0] = byte(o.s.Q[i]) }
	case o.s.U16 != nil:
		n, size = len(o.s.U16), 2
		put = func(b []byte, i int) { binary.LittleEndian.PutUint16(b, o.s.U16[i]) }
	case o.half:
		n, size = len(o.s.F32), 2
		put = func(b []byte, i int) { binary.LittleEndian.PutUint16(b, Float16(o.s.F32[i])) }
	default:
		n, size = len(o.s.F32), 4
		put = func(b []byte, i int) { binary.LittleEndian.PutUint32(b, math.Float32bits(o.s.F32[i])) }
	}
	for k := 0; k < n; {
		m := min(len(buf)/size, n-k)
		for j := range m {
			put(buf[j*size:], k+j)
		}
		if _, err := w.Write(buf[:m*size]); err != nil {
			return err
		}
		k += m
	}
	return nil
}

func shapeOrEmpty(s []int) []int {
	if s == nil {
		return []int{}
	}
	return s
}

// ReadSafetensors reads a safetensors file from memory; F32, F16, BF16 and F64
// tensors become float32, and so do int8 matrices (I8 with their NAME_scale).
// Errors describe what is wrong.
func ReadSafetensors(data []byte) (Weights, map[string]string, error) {
	sw, meta, err := readSafetensors(bytes.NewReader(data), int64(len(data)), nil, false)
	if err != nil {
		return nil, nil, err
	}
	return sw.Float32(), meta, nil
}

type stTensor struct {
	name string
	stEntry
}

// readSafetensors reads a safetensors file of size bytes from r tensor by
// tensor: it allocates the values and one small buffer, never a copy of the
// file. F32 and F64 tensors become float32; F16 and BF16 ones keep their
// 16 bits with keep, and become float32 without; I8 tensors are int8
// matrices whose scales are the F32 tensor NAME_scale, one per row, finite
// and not negative. If shapes is not nil, it is given the tensors' names and
// shapes (no values, no scales tensors) before anything is allocated for
// their values, and may refuse them.
func readSafetensors(r io.Reader, size int64, shapes func(Weights) error, keep bool) (StoredWeights, map[string]string, error) {
	if size < 8 {
		return nil, nil, fmt.Errorf("safetensors: file too short")
	}
	var hl [8]byte
	if _, err := io.ReadFull(r, hl[:]); err != nil {
		return nil, nil, fmt.Errorf("safetensors: %v", err)
	}
	hlen := binary.LittleEndian.Uint64(hl[:])
	if hlen > MaxSafetensorsHeader || hlen > uint64(size-8) {
		return nil, nil, fmt.Errorf("safetensors: header length %d does not fit a file of %d bytes", hlen, size)
	}
	hb := make([]byte, hlen)
	if _, err := io.ReadFull(r, hb); err != nil {
		return nil, nil, fmt.Errorf("safetensors: header: %v", err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(hb, &raw); err != nil {
		return nil, nil, fmt.Errorf("safetensors: bad header: %v", err)
	}
	body := size - 8 - int64(hlen)
	var meta map[string]string
	var ts []stTensor
	entries := map[string]stEntry{}
	for name, v := range raw {
		if name == "__metadata__" {
			if err := json.Unmarshal(v, &meta); err != nil {
				return nil, nil, fmt.Errorf("safetensors: bad __metadata__: %v", err)
			}
			continue
		}
		var e stEntry
		if err := json.Unmarshal(v, &e); err != nil {
			return nil, nil, fmt.Errorf("safetensors: tensor %s: %v", name, err)
		}
		n := 1
		for _, d := range e.Shape {
			if d < 0 || d > 1<<31 || n > (1<<31)/max(d, 1) {
				return nil, nil, fmt.Errorf("safetensors: tensor %s: shape %v out of range", name, e.Shape)
			}
			n *= d
		}
		size := dtypeSize(e.DType)
		if size == 0 {
			return nil, nil, fmt.Errorf("safetensors: tensor %s: dtype %s is not a type mvae reads (F32, F16, BF16, F64, or I8 with scales)", name, e.DType)
		}
		b, end := e.Offsets[0], e.Offsets[1]
		if b < 0 || end < b || int64(end) > body || end-b != n*size {
			return nil, nil, fmt.Errorf("safetensors: tensor %s: offsets %v do not fit shape %v (%s) in %d bytes", name, e.Offsets, e.Shape, e.DType, body)
		}
		ts = append(ts, stTensor{name, e})
		entries[name] = e
	}
	// Every int8 matrix has its scales: one float per row.
	scales := map[string]string{} // scales tensor -> its matrix
	for _, e := range ts {
		if e.DType != "I8" {
			continue
		}
		if len(e.Shape) != 2 {
			return nil, nil, fmt.Errorf("safetensors: tensor %s: I8 of shape %v; int8 tensors are matrices", e.name, e.Shape)
		}
		sn := e.name + ScaleSuffix
		se, ok := entries[sn]
		if !ok {
			return nil, nil, fmt.Errorf("safetensors: tensor %s: I8 without its scales tensor %s", e.name, sn)
		}
		if se.DType != "F32" || len(se.Shape) != 1 || se.Shape[0] != e.Shape[0] {
			return nil, nil, fmt.Errorf("safetensors: tensor %s: scales of %s %v, want F32 [%d] (one per row of %s)", sn, se.DType, se.Shape, e.Shape[0], e.name)
		}
		scales[sn] = e.name
	}
	if shapes != nil {
		ws := Weights{}
		for _, e := range ts {
			if _, ok := scales[e.name]; !ok {
				ws[e.name] = &Tensor{Shape: shapeOrEmpty(e.Shape)}
			}
		}
		if err := shapes(ws); err != nil {
			return nil, nil, err
		}
	}
	// Read the tensors in the order of their data.
	sort.Slice(ts, func(i, j int) bool {
		if ts[i].Offsets[0] != ts[j].Offsets[0] {
			return ts[i].Offsets[0] < ts[j].Offsets[0]
		}
		return ts[i].name < ts[j].name
	})
	sw := StoredWeights{}
	scaleOf := map[string][]float32{}
	at := 0
	buf := make([]byte, 1<<16)
	for i, e := range ts {
		if e.Offsets[0] < at {
			return nil, nil, fmt.Errorf("safetensors: tensor %s overlaps tensor %s", e.name, ts[i-1].name)
		}
		if _, err := io.CopyN(io.Discard, r, int64(e.Offsets[0]-at)); err != nil {
			return nil, nil, fmt.Errorf("safetensors: %v", err)
		}
		size := dtypeSize(e.DType)
		n := (e.Offsets[1] - e.Offsets[0]) / size
		t := &Stored{DType: F32, Shape: shapeOrEmpty(e.Shape)}
		var put func(src []byte, k int)
		switch {
		case e.DType == "I8":
			t.DType, t.Q = Int8, make([]int8, n)
			put = func(src []byte, k int) {
				for j, b := range src {
					t.Q[k+j] = int8(b)
				}
			}
		case keep && (e.DType == "F16" || e.DType == "BF16"):
			t.DType, t.U16 = F16, make([]uint16, n)
			if e.DType == "BF16" {
				t.DType = BF16
			}
			put = func(src []byte, k int) {
				for j := range len(src) / 2 {
					t.U16[k+j] = binary.LittleEndian.Uint16(src[2*j:])
				}
			}
		default:
			t.F32 = make([]float32, n)
			put = func(src []byte, k int) {
				dst := t.F32[k : k+len(src)/size]
				for j := range dst {
					switch e.DType {
					case "F32":
						dst[j] = math.Float32frombits(binary.LittleEndian.Uint32(src[4*j:]))
					case "F16":
						dst[j] = Float32FromHalf(binary.LittleEndian.Uint16(src[2*j:]))
					case "BF16":
						dst[j] = BFloat16ToFloat32(binary.LittleEndian.Uint16(src[2*j:]))
					case "F64":
						dst[j] = float32(math.Float64frombits(binary.LittleEndian.Uint64(src[8*j:])))
					}
				}
			}
		}
		for k := 0; k < n; {
			m := min(len(buf)/size, n-k)
			src := buf[:m*size]
			if _, err := io.ReadFull(r, src); err != nil {
				return nil, nil, fmt.Errorf("safetensors: tensor %s: %v", e.name, err)
			}
			put(src, k)
			k += m
		}
		if err := t.checkFinite(e.name); err != nil {
			return nil, nil, fmt.Errorf("safetensors: %v", err)
		}
		if m, ok := scales[e.name]; ok {
			for j, v := range t.F32 {
				if v < 0 {
					return nil, nil, fmt.Errorf("safetensors: tensor %s: scale %d of %s is %v; scales are not negative", e.name, j, m, v)
				}
			}
			scaleOf[m] = t.F32
		} else {
			sw[e.name] = t
		}
		at = e.Offsets[1]
	}
	for m, sc := range scaleOf {
		sw[m].Scale = sc
	}
	// What follows the last tensor is read too, so that a stream ends where
	// the file does.
	if _, err := io.CopyN(io.Discard, r, body-int64(at)); err != nil {
		return nil, nil, fmt.Errorf("safetensors: %v", err)
	}
	return sw, meta, nil
}

// checkFinite is an error naming the weight and the element when s holds
// NaN or an infinity.
func (s *Stored) checkFinite(name string) error {
	switch s.DType {
	case F32:
		return CheckFinite(name, &Tensor{Shape: s.Shape, Data: s.F32})
	case BF16, F16:
		mask := uint16(0x7f80)
		if s.DType == F16 {
			mask = 0x7c00
		}
		for i, h := range s.U16 {
			if h&mask == mask {
				return fmt.Errorf("weight %s: element %d is not finite (%s bits %#04x; a model's weights must be finite)", name, i, s.DType, h)
			}
		}
	}
	return nil
}

// dtypeSize is the bytes of one value of a safetensors dtype mvae reads (0
// for the others).
func dtypeSize(dtype string) int {
	switch dtype {
	case "F32":
		return 4
	case "F16", "BF16":
		return 2
	case "F64":
		return 8
	case "I8":
		return 1
	}
	return 0
}
