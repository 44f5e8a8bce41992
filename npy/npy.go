// Package npy reads and writes NumPy's .npy and .npz files: the one tensor file
// format of mvae. Every array mvae writes is little-endian float32 in C order;
// reading also accepts float64, integer and bool arrays and converts them.
//
// The format (NumPy's NEP 1): the magic "\x93NUMPY", a version (1.0, 2.0 or
// 3.0), a header length (uint16 for 1.0, uint32 after), a Python dict literal
// with 'descr', 'fortran_order' and 'shape', padded with spaces and a newline so
// the data starts on a 64-byte boundary, then the raw data.
package npy

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	filemagic "github.com/musicvae-go/mvae/internal/magic"
)

// Array is a dense float32 array in C (row-major) order.
type Array struct {
	Shape []int
	Data  []float32
}

// New returns a zeroed array of the given shape. It panics on a negative
// dimension: that is a programmer error.
func New(shape ...int) *Array {
	n := 1
	for _, d := range shape {
		if d < 0 {
			panic(fmt.Sprintf("npy: negative dimension in shape %v", shape))
		}
		n *= d
	}
	return &Array{Shape: append([]int(nil), shape...), Data: make([]float32, n)}
}

// Len is the number of elements the shape holds.
func (a *Array) Len() int {
	n := 1
	for _, d := range a.Shape {
		n *= d
	}
	return n
}

// MaxElements bounds what Read accepts, so that a hostile header cannot make it
// allocate without limit (2^31 float32 values is 8 GiB).
const MaxElements = 1 << 31

var magic = []byte("\x93NUMPY")

// Write writes a as a version 1.0 .npy file with dtype '<f4'.
// It panics if len(a.Data) does not match a.Shape.
func Write(w io.Writer, a *Array) error {
	if a.Len() != len(a.Data) {
		panic(fmt.Sprintf("npy: shape %v holds %d values, data has %d", a.Shape, a.Len(), len(a.Data)))
	}
	dims := make([]string, len(a.Shape))
	for i, d := range a.Shape {
		dims[i] = strconv.Itoa(d)
	}
	shape := strings.Join(dims, ", ")
	if len(a.Shape) == 1 {
		shape += ","
	}
	header := fmt.Sprintf("{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }", shape)
	// Pad so that magic(6)+version(2)+len(2)+header+'\n' is a multiple of 64.
	total := 10 + len(header) + 1
	pad := (64 - total%64) % 64
	header += strings.Repeat(" ", pad) + "\n"
	if len(header) > math.MaxUint16 {
		return fmt.Errorf("npy: header too long for shape %v", a.Shape)
	}
	var pre [10]byte
	copy(pre[:], magic)
	pre[6], pre[7] = 1, 0
	binary.LittleEndian.PutUint16(pre[8:], uint16(len(header)))
	if _, err := w.Write(pre[:]); err != nil {
		return err
	}
	if _, err := io.WriteString(w, header); err != nil {
		return err
	}
	buf := make([]byte, 4*4096)
	for off := 0; off < len(a.Data); off += 4096 {
		end := min(off+4096, len(a.Data))
		b := buf[:4*(end-off)]
		for i, v := range a.Data[off:end] {
			binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// Read reads one .npy array from a stream of unknown length. The values are
// allocated as they arrive, so a header that claims more than r holds costs
// only what r really holds. Errors describe what is wrong with the data;
// callers add the file name.
func Read(r io.Reader) (*Array, error) { return read(r, -1) }

// read reads one .npy array from r, which holds avail bytes (-1: unknown).
// Where avail is known, the header's claims are checked against it before
// anything is allocated.
func read(r io.Reader, avail int64) (*Array, error) {
	left := func(used int64) int64 {
		if avail < 0 {
			return math.MaxInt64
		}
		return avail - used
	}
	var pre [8]byte
	if _, err := io.ReadFull(r, pre[:]); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, errors.New("not a .npy file: too short")
		}
		return nil, err
	}
	if !bytes.Equal(pre[:6], magic) {
		switch f := filemagic.Detect(pre[:]); f {
		case filemagic.Unknown:
			return nil, errors.New("not a .npy file: bad magic")
		case filemagic.Zip:
			return nil, errors.New("a zip archive (an .npz?), not a .npy file")
		default:
			return nil, fmt.Errorf("%v, not a .npy file", f)
		}
	}
	var hlen int64
	used := int64(8)
	switch pre[6] {
	case 1:
		var b [2]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, errors.New("truncated .npy header")
		}
		hlen, used = int64(binary.LittleEndian.Uint16(b[:])), used+2
	case 2, 3:
		var b [4]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, errors.New("truncated .npy header")
		}
		hlen, used = int64(binary.LittleEndian.Uint32(b[:])), used+4
	default:
		return nil, fmt.Errorf("unsupported .npy version %d.%d", pre[6], pre[7])
	}
	if hlen > 1<<20 {
		return nil, fmt.Errorf(".npy header of %d bytes is implausible", hlen)
	}
	if hlen > left(used) {
		return nil, fmt.Errorf("truncated .npy header: it claims %d bytes, %d remain", hlen, left(used))
	}
	hb := make([]byte, hlen)
	if _, err := io.ReadFull(r, hb); err != nil {
		return nil, errors.New("truncated .npy header")
	}
	used += hlen
	h, err := parseHeader(string(hb))
	if err != nil {
		return nil, err
	}
	if h.fortran && len(h.shape) > 1 {
		return nil, errors.New("Fortran-ordered arrays are not supported; save with np.ascontiguousarray")
	}
	n := 1
	for _, d := range h.shape {
		if d < 0 {
			return nil, fmt.Errorf("negative dimension in shape %v", h.shape)
		}
		if d != 0 && n > MaxElements/d {
			return nil, fmt.Errorf("shape %v holds more than %d values", h.shape, MaxElements)
		}
		n *= d
	}
	dec, size, err := decoder(h.descr)
	if err != nil {
		return nil, err
	}
	if need := int64(n) * int64(size); need > left(used) {
		return nil, fmt.Errorf("truncated .npy data: shape %v of %s needs %d bytes, %d remain", h.shape, h.descr, need, left(used))
	}
	a := &Array{Shape: h.shape}
	if avail >= 0 {
		a.Data = make([]float32, 0, n) // checked against avail above
	} else {
		a.Data = make([]float32, 0, min(n, 1<<20))
	}
	buf := make([]byte, size*4096)
	for len(a.Data) < n {
		k := min(n-len(a.Data), 4096)
		b := buf[:size*k]
		if _, err := io.ReadFull(r, b); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, fmt.Errorf("truncated .npy data: shape %v needs %d values, found fewer", h.shape, n)
			}
			return nil, fmt.Errorf("reading .npy data: %v", err)
		}
		for i := 0; i < k; i++ {
			a.Data = append(a.Data, dec(b[size*i:]))
		}
	}
	return a, nil
}

type header struct {
	descr   string
	fortran bool
	shape   []int
}

// parseHeader reads the dict literal NumPy writes, e.g.
// {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
func parseHeader(s string) (header, error) {
	var h header
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "{") || !strings.HasSuffix(s, "}") {
		return h, fmt.Errorf("bad .npy header %q", s)
	}
	body := s[1 : len(s)-1]
	field := func(key string) (string, bool) {
		for _, q := range []string{"'", `"`} {
			i := strings.Index(body, q+key+q)
			if i < 0 {
				continue
			}
			rest := strings.TrimSpace(body[i+len(key)+2:])
			if !strings.HasPrefix(rest, ":") {
				return "", false
			}
			return strings.TrimSpace(rest[1:]), true
		}
		return "", false
	}
	d, ok := field("descr")
	if !ok || len(d) < 2 || (d[0] != '\'' && d[0] != '"') {
		return h, fmt.Errorf("bad .npy header: no descr in %q", s)
	}
	end := strings.IndexByte(d[1:], d[0])
	if end < 0 {
		return h, fmt.Errorf("bad .npy header: descr in %q", s)
	}
	h.descr = d[1 : 1+end]
	f, ok := field("fortran_order")
	if !ok {
		return h, fmt.Errorf("bad .npy header: no fortran_order in %q", s)
	}
	h.fortran = strings.HasPrefix(f, "True")
	sh, ok := field("shape")
	if !ok || !strings.HasPrefix(sh, "(") {
		return h, fmt.Errorf("bad .npy header: no shape in %q", s)
	}
	close := strings.IndexByte(sh, ')')
	if close < 0 {
		return h, fmt.Errorf("bad .npy header: shape in %q", s)
	}
	h.shape = []int{}
	for _, p := range strings.Split(sh[1:close], ",") {
		p = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(p), "L"))
		if p == "" {
			continue
		}
		v, err := strconv.Atoi(p)
		if err != nil {
			return h, fmt.Errorf("bad .npy header: shape in %q", s)
		}
		h.shape = append(h.shape, v)
	}
	if len(h.shape) > 32 {
		return h, fmt.Errorf("bad .npy header: %d dimensions", len(h.shape))
	}
	return h, nil
}

func decoder(descr string) (func([]byte) float32, int, error) {
	le := binary.LittleEndian
	switch descr {
	case "<f4":
		return func(b []byte) float32 { return math.Float32frombits(le.Uint32(b)) }, 4, nil
	case "<f8":
		return func(b []byte) float32 { return float32(math.Float64frombits(le.Uint64(b))) }, 8, nil
	case "<i8":
		return func(b []byte) float32 { return float32(int64(le.Uint64(b))) }, 8, nil
	case "<i4":
		return func(b []byte) float32 { return float32(int32(le.Uint32(b))) }, 4, nil
	case "|u1", "|b1":
		return func(b []byte) float32 { return float32(b[0]) }, 1, nil
	case "|i1":
		return func(b []byte) float32 { return float32(int8(b[0])) }, 1, nil
	}
	return nil, 0, fmt.Errorf("unsupported .npy dtype %q (want float32 '<f4'; float64, int and bool are converted)", descr)
}
