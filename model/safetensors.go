package model

import (
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
	for _, name := range names {
		t := ts[name]
		buf := make([]byte, size*len(t.Data))
		for i, v := range t.Data {
			if half {
				binary.LittleEndian.PutUint16(buf[2*i:], Float16(v))
			} else {
				binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(v))
			}
		}
		if _, err := w.Write(buf); err != nil {
			return err
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
	if len(data) < 8 {
		return nil, nil, fmt.Errorf("safetensors: file too short")
	}
	hlen := binary.LittleEndian.Uint64(data[:8])
	if hlen > MaxSafetensorsHeader || hlen > uint64(len(data)-8) {
		return nil, nil, fmt.Errorf("safetensors: header length %d does not fit a file of %d bytes", hlen, len(data))
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data[8:8+hlen], &raw); err != nil {
		return nil, nil, fmt.Errorf("safetensors: bad header: %v", err)
	}
	body := data[8+hlen:]
	var meta map[string]string
	ws := Weights{}
	names := make([]string, 0, len(raw))
	for k := range raw {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, name := range names {
		if name == "__metadata__" {
			if err := json.Unmarshal(raw[name], &meta); err != nil {
				return nil, nil, fmt.Errorf("safetensors: bad __metadata__: %v", err)
			}
			continue
		}
		var e stEntry
		if err := json.Unmarshal(raw[name], &e); err != nil {
			return nil, nil, fmt.Errorf("safetensors: tensor %s: %v", name, err)
		}
		n := 1
		for _, d := range e.Shape {
			if d < 0 || d > 1<<31 || n > (1<<31)/max(d, 1) {
				return nil, nil, fmt.Errorf("safetensors: tensor %s: shape %v out of range", name, e.Shape)
			}
			n *= d
		}
		var size int
		switch e.DType {
		case "F32":
			size = 4
		case "F16", "BF16":
			size = 2
		case "F64":
			size = 8
		default:
			return nil, nil, fmt.Errorf("safetensors: tensor %s: dtype %s is not a float type mvae reads", name, e.DType)
		}
		b, end := e.Offsets[0], e.Offsets[1]
		if b < 0 || end < b || end > len(body) || end-b != n*size {
			return nil, nil, fmt.Errorf("safetensors: tensor %s: offsets %v do not fit shape %v (%s) in %d bytes", name, e.Offsets, e.Shape, e.DType, len(body))
		}
		src := body[b:end]
		t := &Tensor{Shape: e.Shape, Data: make([]float32, n)}
		for i := range t.Data {
			switch e.DType {
			case "F32":
				t.Data[i] = math.Float32frombits(binary.LittleEndian.Uint32(src[4*i:]))
			case "F16":
				t.Data[i] = Float32FromHalf(binary.LittleEndian.Uint16(src[2*i:]))
			case "BF16":
				t.Data[i] = BFloat16ToFloat32(binary.LittleEndian.Uint16(src[2*i:]))
			case "F64":
				t.Data[i] = float32(math.Float64frombits(binary.LittleEndian.Uint64(src[8*i:])))
			}
		}
		ws[name] = t
	}
	return ws, meta, nil
}
