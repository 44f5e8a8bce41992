package graphs

import (
	"bytes"
	"encoding/binary"
	"math"
	"slices"
	"strconv"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/musicvae-go/mvae/model"
)

// TestExternalize: every float32 initializer of at least minBytes moves to
// the file at an aligned offset, its bytes the tensor's values in little
// endian; the rest stay in the graph unchanged.
func TestExternalize(t *testing.T) {
	c := model.TinyFamilies()["groove_4bar"]
	w := model.Weights{}
	for i, p := range c.Params() {
		t := model.NewTensorOf(p.Shape)
		for k := range t.Data {
			t.Data[k] = float32(math.Sin(float64(i*7919 + k)))
		}
		w[p.Name] = t
	}
	orig := build(c, w, Full)
	m := build(c, w, Full)
	var file bytes.Buffer
	const minBytes = 1024
	if err := m.Externalize(&file, "g.weights", minBytes); err != nil {
		t.Fatal(err)
	}
	moved := 0
	for i, t0 := range orig.Graph.Initializers {
		t1 := m.Graph.Initializers[i]
		if t0.Float == nil || 4*len(t0.Float) < minBytes {
			if t1.msg != nil || t1.Name != t0.Name {
				t.Errorf("%s (%d values) was moved", t0.Name, len(t0.Float)+len(t0.Int64))
			}
			continue
		}
		moved++
		ext := map[string]string{}
		location := int64(0)
		var dims []int64
		err := walk(t1.msg, func(num protowire.Number, _ protowire.Type, v []byte, x uint64) error {
			switch num {
			case 1:
				for len(v) > 0 {
					d, n := protowire.ConsumeVarint(v)
					dims, v = append(dims, int64(d)), v[n:]
				}
			case 13:
				var k, val string
				walk(v, func(n protowire.Number, _ protowire.Type, b []byte, _ uint64) error {
					if n == 1 {
						k = string(b)
					} else {
						val = string(b)
					}
					return nil
				})
				ext[k] = val
			case 14:
				location = int64(x)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		off, _ := strconv.ParseInt(ext["offset"], 10, 64)
		n, _ := strconv.ParseInt(ext["length"], 10, 64)
		if location != 1 || ext["location"] != "g.weights" || n != int64(4*len(t0.Float)) || off%ExternalAlign != 0 || len(dims) != len(t0.Dims) {
			t.Fatalf("%s: data_location %d, external data %v, dims %v; want EXTERNAL, g.weights, %d bytes at an aligned offset, dims %v",
				t0.Name, location, ext, dims, 4*len(t0.Float), t0.Dims)
		}
		for k, f := range t0.Float {
			if got := binary.LittleEndian.Uint32(file.Bytes()[off+int64(4*k):]); got != math.Float32bits(f) {
				t.Fatalf("%s [%d]: %#x in the file, want %#x", t0.Name, k, got, math.Float32bits(f))
			}
		}
	}
	if moved == 0 {
		t.Fatal("no initializer moved to the file")
	}
}

// TestChunkedBuild: a graph built with its LSTM weights left as blocks of
// the weights (buildGraph, chunked) writes the same weights file and the
// same graph as one built converted, for every graph of every family, and
// the weights are unchanged; one whose blocks stay in the graph (smaller
// than minBytes) marshals as the converted one does.
func TestChunkedBuild(t *testing.T) {
	for name, c := range model.TinyFamilies() {
		if Buildable(c) != nil {
			continue
		}
		w := model.RandomWeights(c, 11)
		before := map[string][]float32{}
		for n, tn := range w {
			before[n] = append([]float32(nil), tn.Data...)
		}
		for _, g := range NamesOf(c) {
			for _, minBytes := range []int{1024, 1 << 30} {
				var want, got bytes.Buffer
				m0, m1 := buildGraph(c, w, g, false), buildGraph(c, w, g, true)
				if err := m0.Externalize(&want, "g.weights", minBytes); err != nil {
					t.Fatal(err)
				}
				if err := m1.Externalize(&got, "g.weights", minBytes); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(want.Bytes(), got.Bytes()) {
					t.Errorf("%s %s (minBytes %d): the chunked build writes other weights", name, g, minBytes)
				}
				if !bytes.Equal(m0.Marshal(), m1.Marshal()) {
					t.Errorf("%s %s (minBytes %d): the chunked build marshals another graph", name, g, minBytes)
				}
			}
		}
		for n, tn := range w {
			if !slices.Equal(tn.Data, before[n]) {
				t.Errorf("%s: building changed weight %s", name, n)
			}
		}
	}
}
