package graphs

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/musicvae-go/mvae/model"
)

// ExternalAlign is the alignment of every tensor Externalize writes: a
// multiple of the page size, so that onnxruntime maps each one from the file.
const ExternalAlign = 64 << 10

// Externalize moves the data of every float32 initializer of at least
// minBytes out of the graph and into w, each at an offset that is a
// multiple of ExternalAlign (zero padding between), and leaves in its place
// a TensorProto that names file location, offset and length (ONNX external
// data, data_location EXTERNAL). The graph's encoding is then small, and
// onnxruntime maps the weights from the file instead of holding a copy of
// a graph that holds them. The values of a chunked builder's initializers
// (buildGraph) are written block after block, never held converted.
func (m *Model) Externalize(w io.Writer, location string, minBytes int) error {
	if m.Graph == nil {
		return nil
	}
	var off int64
	var zeros [ExternalAlign]byte
	var buf [4096]byte
	for i, t := range m.Graph.Initializers {
		blocks := t.chunks
		if blocks == nil {
			blocks = [][]float32{t.Float}
		}
		n := 0
		for _, ch := range blocks {
			n += len(ch)
		}
		if t.msg != nil || (t.Float == nil && t.chunks == nil) || 4*n < minBytes {
			continue
		}
		if pad := (ExternalAlign - off%ExternalAlign) % ExternalAlign; pad > 0 {
			if _, err := w.Write(zeros[:pad]); err != nil {
				return err
			}
			off += pad
		}
		start := off
		for _, ch := range blocks {
			for k := 0; k < len(ch); {
				n := 0
				for ; n+4 <= len(buf) && k < len(ch); k++ {
					b := math.Float32bits(ch[k])
					buf[n], buf[n+1], buf[n+2], buf[n+3] = byte(b), byte(b>>8), byte(b>>16), byte(b>>24)
					n += 4
				}
				if _, err := w.Write(buf[:n]); err != nil {
					return err
				}
				off += int64(n)
			}
		}
		m.Graph.Initializers[i] = externalTensor(t.Name, t.Dims, location, start, off-start)
	}
	return nil
}

// externalTensor is the TensorProto of a float32 tensor whose data lies in
// file location at offset, length bytes long.
func externalTensor(name string, dims []int64, location string, offset, length int64) *Tensor {
	var b []byte
	if len(dims) > 0 {
		var packed []byte
		for _, d := range dims {
			packed = protowire.AppendVarint(packed, uint64(d))
		}
		b = appendMessage(b, 1, packed)
	}
	b = protowire.AppendTag(b, 2, protowire.VarintType)
	b = protowire.AppendVarint(b, uint64(Float32))
	b = appendString(b, 8, name)
	for _, kv := range [][2]string{{"location", location}, {"offset", fmt.Sprint(offset)}, {"length", fmt.Sprint(length)}} {
		var e []byte
		e = appendString(e, 1, kv[0])
		e = appendString(e, 2, kv[1])
		b = appendMessage(b, 13, e)
	}
	b = protowire.AppendTag(b, 14, protowire.VarintType)
	b = protowire.AppendVarint(b, 1) // DataLocation EXTERNAL
	return &Tensor{Name: name, Dims: dims, DataType: Float32, msg: b}
}

// BuildExternal builds graph name of a model of config c (as Build does)
// with its weights in the file dir/name.weights (Externalize), and returns
// the graph's encoding, which is small: onnxruntime reads it with
// dir as the folder of its external initializers.
func BuildExternal(c *model.Config, w model.Weights, name, dir string) ([]byte, error) {
	if err := w.Check(c); err != nil {
		return nil, err
	}
	if err := Buildable(c); err != nil {
		return nil, err
	}
	if kindOf(c, name) == "" {
		return nil, fmt.Errorf("a model of this config has no graph %q", name)
	}
	return writeExternal(buildGraph(c, w, name, true), dir, name)
}

// writeExternal writes the weights of graph m, named name, to
// dir/name.weights (Externalize) and returns its encoding.
func writeExternal(m *Model, dir, name string) ([]byte, error) {
	loc := name + ".weights"
	f, err := os.Create(filepath.Join(dir, loc))
	if err != nil {
		return nil, err
	}
	bw := bufio.NewWriterSize(f, 64<<10)
	err = m.Externalize(bw, loc, 1024)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("writing the weights of graph %s: %v", name, err)
	}
	return m.Marshal(), nil
}
