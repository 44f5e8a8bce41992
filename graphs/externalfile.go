package graphs

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/musicvae-go/mvae/internal/mapfile"
)

// ExternalizeFile writes the data of every float32 initializer of at least
// minBytes of the ONNX model in file src into dir/location (ONNX external
// data, each at an offset that is a multiple of ExternalAlign) and returns
// the model's encoding with those initializers referring to it. Every other
// byte of the model is the file's own: onnxruntime runs the same graph,
// mapping its weights from the file instead of holding a copy. The file is
// read mapped, its pages handed back as they are copied.
func ExternalizeFile(src, dir, location string, minBytes int) ([]byte, error) {
	f, err := os.Open(src)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	data, err := mapfile.Map(f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("%s: %v", src, err)
	}
	defer mapfile.Unmap(data)
	out, err := os.Create(filepath.Join(dir, location))
	if err != nil {
		return nil, err
	}
	x := &externalizer{w: bufio.NewWriterSize(out, 64<<10), location: location, minBytes: minBytes}
	var model []byte
	err = mapfile.Do(func() (err error) {
		model, err = rewriteFields(data, func(num protowire.Number, v []byte) ([]byte, bool, error) {
			if num != 7 {
				return nil, false, nil
			}
			g, err := rewriteFields(v, x.initializer)
			return g, true, err
		})
		return err
	})
	if err == nil {
		err = x.w.Flush()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %v", src, err)
	}
	return model, nil
}

// rewriteFields copies message b field by field; for a length-delimited
// field f may give new contents (replace true).
func rewriteFields(b []byte, f func(num protowire.Number, v []byte) (out []byte, replace bool, err error)) ([]byte, error) {
	var out []byte
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return nil, fmt.Errorf("corrupt protobuf: %v", protowire.ParseError(n))
		}
		m := protowire.ConsumeFieldValue(num, typ, b[n:])
		if m < 0 {
			return nil, fmt.Errorf("corrupt protobuf field %d: %v", num, protowire.ParseError(m))
		}
		field := b[:n+m]
		b = b[n+m:]
		if typ == protowire.BytesType {
			v, _ := protowire.ConsumeBytes(field[n:])
			nv, replace, err := f(num, v)
			if err != nil {
				return nil, err
			}
			if replace {
				out = appendMessage(out, num, nv)
				continue
			}
		}
		out = append(out, field...)
	}
	return out, nil
}

type externalizer struct {
	w        *bufio.Writer
	location string
	minBytes int
	off      int64
}

// initializer moves a graph's initializer (field 5) of float32 data
// (raw_data, or packed float_data, which has the same bytes) to the file.
func (x *externalizer) initializer(num protowire.Number, v []byte) ([]byte, bool, error) {
	if num != 5 {
		return nil, false, nil
	}
	var data []byte
	dtype, fields := int64(0), 0
	err := walk(v, func(n protowire.Number, typ protowire.Type, b []byte, u uint64) error {
		switch n {
		case 2:
			dtype = int64(u)
		case 4, 9:
			fields++
			if typ == protowire.BytesType {
				data = b
			}
		case 5, 7, 10, 13, 14:
			fields += 2 // other data, or data already elsewhere: left as it is
		}
		return nil
	})
	if err != nil || dtype != Float32 || fields != 1 || len(data) < x.minBytes || len(data)%4 != 0 {
		return nil, false, err
	}
	var zeros [ExternalAlign]byte
	pad := (ExternalAlign - x.off%ExternalAlign) % ExternalAlign
	if _, err := x.w.Write(zeros[:pad]); err != nil {
		return nil, false, err
	}
	x.off += pad
	if _, err := x.w.Write(data); err != nil {
		return nil, false, err
	}
	mapfile.Release(data)
	start := x.off
	x.off += int64(len(data))
	t, err := withoutFields(v, 4, 9)
	if err != nil {
		return nil, false, err
	}
	for _, kv := range [][2]string{{"location", x.location}, {"offset", fmt.Sprint(start)}, {"length", fmt.Sprint(len(data))}} {
		var e []byte
		e = appendString(e, 1, kv[0])
		e = appendString(e, 2, kv[1])
		t = appendMessage(t, 13, e)
	}
	t = protowire.AppendTag(t, 14, protowire.VarintType)
	t = protowire.AppendVarint(t, 1) // DataLocation EXTERNAL
	return t, true, nil
}

// withoutFields copies message b without its fields of the numbers given.
func withoutFields(b []byte, drop ...protowire.Number) ([]byte, error) {
	var out []byte
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return nil, fmt.Errorf("corrupt protobuf: %v", protowire.ParseError(n))
		}
		m := protowire.ConsumeFieldValue(num, typ, b[n:])
		if m < 0 {
			return nil, fmt.Errorf("corrupt protobuf field %d: %v", num, protowire.ParseError(m))
		}
		if !slices.Contains(drop, num) {
			out = append(out, b[:n+m]...)
		}
		b = b[n+m:]
	}
	return out, nil
}
