package graphs

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/musicvae-go/mvae/model"
)

// A bundle's graphs are not trusted apart from its weights: the graphs a
// runtime runs are built from the bundle's weights, and each graph the bundle
// stores must be the one built from them, so that a bundle whose graphs and
// weights disagree (edited, damaged, or crafted to read files through ONNX
// external data) is refused rather than run.

// ForBundle builds the named graphs from a bundle's weights, one at a time,
// and passes each, serialized, to use. Every graph the bundle stores is first
// checked against the one built from its weights: it must be that graph byte
// for byte, or the same graph holding the same values (for a bundle whose
// weights are stored as float16, initializers that round to them). A graph
// that differs, or that mvae does not build, is an error naming the bundle
// and the graph. The stored graphs themselves are never run.
func ForBundle(b *model.Bundle, names []string, use func(name string, onnx []byte) error) error {
	return forBundle(b, names, "", use)
}

// ForBundleExternal is ForBundle with each graph's weights in the file
// dir/NAME.weights (as BuildExternal writes it): the graph passed to use is
// small, and onnxruntime, given dir as the folder of external
// initializers, maps the weights from the file instead of copying a graph
// that holds them.
func ForBundleExternal(b *model.Bundle, names []string, dir string, use func(name string, onnx []byte) error) error {
	return forBundle(b, names, dir, use)
}

func forBundle(b *model.Bundle, names []string, dir string, use func(name string, onnx []byte) error) error {
	w, err := b.Weights()
	if err != nil {
		return err
	}
	c := b.Config()
	if err := Buildable(c); err != nil {
		return bundleErr(b, "%v", err)
	}
	for _, n := range b.GraphNames() {
		if kindOf(c, n) == "" {
			return bundleErr(b, "the bundle stores a graph %q, which is not one of mvae's graphs (for its model: %s)", n, strings.Join(NamesOf(c), ", "))
		}
	}
	want := map[string]bool{}
	for _, n := range names {
		if kindOf(c, n) == "" {
			panic(fmt.Sprintf("graphs: a model of this config has no graph %q", n))
		}
		want[n] = true
	}
	all := append([]string{}, names...)
	for _, n := range b.GraphNames() {
		if !want[n] {
			all = append(all, n)
		}
	}
	for _, n := range all {
		_, stored := b.GraphSize(n)
		// A graph whose weights go to a file is built with them
		// unconverted (buildGraph): they are converted as they are written.
		m := buildGraph(c, w, n, !stored && dir != "")
		var data []byte
		if stored || dir == "" {
			data = m.Marshal()
			if err := checkStored(b, n, m, data); err != nil {
				return err
			}
		}
		if want[n] && dir != "" {
			if data, err = writeExternal(m, dir, n); err != nil {
				return err
			}
		}
		if want[n] {
			if err := use(n, data); err != nil {
				return err
			}
		}
	}
	return nil
}

func bundleErr(b *model.Bundle, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if b.Name() != "" {
		return fmt.Errorf("%s: %s", b.Name(), msg)
	}
	return fmt.Errorf("%s", msg)
}

// checkStored compares the bundle's copy of graph name (if it has one) with
// built, the graph built from its weights, and data, built serialized.
func checkStored(b *model.Bundle, name string, built *Model, data []byte) error {
	size, ok := b.GraphSize(name)
	if !ok {
		return nil
	}
	member := name
	if p, ok := b.Manifest.Graphs[name]; ok {
		member = p
	}
	fail := func(why string) error {
		return bundleErr(b, "graph %s (%s) %s; its graphs must be the ones mvae builds from its weights: the bundle was changed after it was written, or is damaged (import the model again)", name, member, why)
	}
	// The same graph serializes to about the same size.
	limit := 2*int64(len(data)) + 1<<20
	if size > limit {
		return fail(fmt.Sprintf("is %d bytes, the graph built from the weights %d", size, len(data)))
	}
	stored, err := b.ReadGraph(name, limit)
	if err != nil {
		return err
	}
	if bytes.Equal(stored, data) {
		return nil
	}
	sm, err := ReadModel(stored)
	if err != nil {
		return fail(fmt.Sprintf("is not a graph mvae reads: %v", err))
	}
	half := b.Manifest.WeightsDType == "float16"
	if why := sameModel(sm, built, half); why != "" {
		return fail("differs from the graph built from the weights: " + why)
	}
	return nil
}

// sameModel says how a stored model differs from a built one ("" if it does
// not). With half, a stored float may be any value that rounds to the built
// one as float16.
func sameModel(s, b *Model, half bool) string {
	if s.IRVersion != b.IRVersion || s.Opset != b.Opset || s.ProducerName != b.ProducerName || len(s.Domains) != 0 {
		return fmt.Sprintf("IR version %d, opset %d, producer %q, other domains %v", s.IRVersion, s.Opset, s.ProducerName, s.Domains)
	}
	if len(s.Metadata) != len(b.Metadata) {
		return "its metadata differs"
	}
	for i := range s.Metadata {
		if s.Metadata[i] != b.Metadata[i] {
			return fmt.Sprintf("metadata %q differs", s.Metadata[i][0])
		}
	}
	sg, bg := s.Graph, b.Graph
	if sg.Name != bg.Name || len(sg.Nodes) != len(bg.Nodes) || len(sg.Initializers) != len(bg.Initializers) ||
		len(sg.Inputs) != len(bg.Inputs) || len(sg.Outputs) != len(bg.Outputs) {
		return fmt.Sprintf("%d nodes, %d initializers, %d inputs and %d outputs, want %d, %d, %d and %d",
			len(sg.Nodes), len(sg.Initializers), len(sg.Inputs), len(sg.Outputs), len(bg.Nodes), len(bg.Initializers), len(bg.Inputs), len(bg.Outputs))
	}
	for i := range sg.Nodes {
		if why := sameNode(sg.Nodes[i], bg.Nodes[i], half); why != "" {
			return fmt.Sprintf("node %d (%s): %s", i, bg.Nodes[i].Name, why)
		}
	}
	for i := range sg.Initializers {
		if why := sameTensor(sg.Initializers[i], bg.Initializers[i], half); why != "" {
			return fmt.Sprintf("initializer %s: %s", bg.Initializers[i].Name, why)
		}
	}
	for i := range sg.Inputs {
		if !sameValueInfo(sg.Inputs[i], bg.Inputs[i]) {
			return fmt.Sprintf("input %d differs", i)
		}
	}
	for i := range sg.Outputs {
		if !sameValueInfo(sg.Outputs[i], bg.Outputs[i]) {
			return fmt.Sprintf("output %d differs", i)
		}
	}
	return ""
}

func sameNode(s, b *Node, half bool) string {
	if s.OpType != b.OpType || s.Name != b.Name || s.Domain != b.Domain || !slices.Equal(s.Inputs, b.Inputs) || !slices.Equal(s.Outputs, b.Outputs) {
		return fmt.Sprintf("%s %q of %v to %v", s.OpType, s.Name, s.Inputs, s.Outputs)
	}
	if len(s.Attrs) != len(b.Attrs) {
		return "its attributes differ"
	}
	for i, sa := range s.Attrs {
		ba := b.Attrs[i]
		if sa.Name != ba.Name || sa.Kind != ba.Kind || math.Float32bits(sa.F) != math.Float32bits(ba.F) || sa.I != ba.I || sa.S != ba.S ||
			!slices.Equal(sa.Ints, ba.Ints) || !sameFloats(sa.Floats, ba.Floats, false) || (sa.T == nil) != (ba.T == nil) {
			return fmt.Sprintf("attribute %s differs", sa.Name)
		}
		if sa.T != nil {
			if why := sameTensor(sa.T, ba.T, half); why != "" {
				return fmt.Sprintf("attribute %s: %s", sa.Name, why)
			}
		}
	}
	return ""
}

func sameTensor(s, b *Tensor, half bool) string {
	if s.Name != b.Name || !slices.Equal(s.Dims, b.Dims) {
		return fmt.Sprintf("%s %v, want %s %v", s.Name, s.Dims, b.Name, b.Dims)
	}
	wantType := int32(Float32)
	if b.Float == nil {
		wantType = Int64
	}
	if s.DataType != wantType {
		return fmt.Sprintf("data type %d, want %d", s.DataType, wantType)
	}
	if err := s.Decode(); err != nil {
		return err.Error()
	}
	if !slices.Equal(s.Int64, b.Int64) || !sameFloats(s.Float, b.Float, half) {
		return "its values differ"
	}
	return ""
}

// sameFloats compares bit for bit, or with half, after rounding s to float16.
func sameFloats(s, b []float32, half bool) bool {
	if len(s) != len(b) {
		return false
	}
	for i, v := range s {
		if math.Float32bits(v) == math.Float32bits(b[i]) {
			continue
		}
		if !half || math.Float32bits(model.Float32FromHalf(model.Float16(v))) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

func sameValueInfo(s, b *ValueInfo) bool {
	return s.Name == b.Name && s.ElemType == b.ElemType && slices.Equal(s.Dims, b.Dims) && slices.Equal(s.DimNames, b.DimNames)
}
