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
	header := map[string]any{}
	if len(meta) > 0 {
		header["__metadata__"] = meta
	}
	off := 0
	size := 4
	dtype := "F32"
	if half {
		size, dtype = 2, "F16"
	}
	for _, n := range names {
		t := ts[n]
		header[n] = stEntry{DType: dtype, Shape: shapeOrEmpty(t.Shape), Offsets: [2]int{off, off + size*len(t.Data)}}
		off += size * len(t.Data)
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
	for _, name := range names {
		data := ts[name].Data
		for len(data) > 0 {
			m := min(len(buf)/size, len(data))
			for i, v := range data[:m] {
				if half {
					binary.LittleEndian.PutUint16(buf[2*i:], Float16(v))
				} else {
					binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(v))
				}
			}
			if _, err := w.Write(buf[:m*size]); err != nil {
				return err
			}
			data = data[m:]
		}
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
// tensors become float32. Errors describe what is wrong.
func ReadSafetensors(data []byte) (Weights, map[string]string, error) {
	return readSafetensors(bytes.NewReader(data), int64(len(data)), nil)
}

type stTensor struct {
	name string
	stEntry
}

// readSafetensors reads a safetensors file of size bytes from r tensor by
// tensor: it allocates the float32 values and one small buffer, never a copy
// of the file. If shapes is not nil, it is given
// the tensors' names and shapes (no values) before anything is allocated for
// their values, and may refuse them.
func readSafetensors(r io.Reader, size int64, shapes func(Weights) error) (Weights, map[string]string, error) {
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
			return nil, nil, fmt.Errorf("safetensors: tensor %s: dtype %s is not a float type mvae reads", name, e.DType)
		}
		b, end := e.Offsets[0], e.Offsets[1]
		if b < 0 || end < b || int64(end) > body || end-b != n*size {
			return nil, nil, fmt.Errorf("safetensors: tensor %s: offsets %v do not fit shape %v (%s) in %d bytes", name, e.Offsets, e.Shape, e.DType, body)
		}
		ts = append(ts, stTensor{name, e})
	}
	if shapes != nil {
		ws := Weights{}
		for _, e := range ts {
			ws[e.name] = &Tensor{Shape: shapeOrEmpty(e.Shape)}
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
	ws := Weights{}
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
		t := &Tensor{Shape: shapeOrEmpty(e.Shape), Data: make([]float32, (e.Offsets[1]-e.Offsets[0])/size)}
		for k := 0; k < len(t.Data); {
			m := min(len(buf)/size, len(t.Data)-k)
			src := buf[:m*size]
			if _, err := io.ReadFull(r, src); err != nil {
				return nil, nil, fmt.Errorf("safetensors: tensor %s: %v", e.name, err)
			}
			dst := t.Data[k : k+m]
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
			k += m
		}
		if err := CheckFinite(e.name, t); err != nil {
			return nil, nil, fmt.Errorf("safetensors: %v", err)
		}
		ws[e.name] = t
		at = e.Offsets[1]
	}
	// What follows the last tensor is read too, so that a stream ends where
	// the file does.
	if _, err := io.CopyN(io.Discard, r, body-int64(at)); err != nil {
		return nil, nil, fmt.Errorf("safetensors: %v", err)
	}
	return ws, meta, nil
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
	}
	return 0
}
