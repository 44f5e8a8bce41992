package graphs

import (
	"bytes"
	"testing"
)

// TestTensorsDecodedWhenUsed: reading a model converts no tensor; the index
// converts the constants asked for and leaves the rest as they were in the
// file (so a large unused initializer costs nothing), and writing the model
// back keeps the unconverted ones byte for byte.
func TestTensorsDecodedWhenUsed(t *testing.T) {
	m := &Model{IRVersion: 8, Opset: 17, Graph: &Graph{
		Nodes: []*Node{{OpType: "Transpose", Inputs: []string{"W"}, Outputs: []string{"Wt"}, Attrs: []*Attr{IntsAttr("perm", 1, 0)}}},
		Initializers: []*Tensor{
			{Name: "W", Dims: []int64{2, 3}, Float: []float32{1, 2, 3, 4, 5, 6}},
			{Name: "unused", Dims: []int64{4096}, Int64: make([]int64, 4096)},
		},
	}}
	data := m.Marshal()
	back, err := ReadModel(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, init := range back.Graph.Initializers {
		if init.Float != nil || init.Int64 != nil {
			t.Fatalf("%s converted on read", init.Name)
		}
	}
	x := NewIndex(back.Graph)
	wt, ok, err := x.Const("Wt")
	if err != nil || !ok {
		t.Fatalf("Const: %v %v", ok, err)
	}
	if want := []float32{1, 4, 2, 5, 3, 6}; len(wt.Float) != 6 || wt.Float[1] != want[1] || wt.Float[5] != want[5] {
		t.Errorf("transposed W = %v, want %v", wt.Float, want)
	}
	if u := back.Graph.Initializers[1]; u.Int64 != nil || u.Float != nil {
		t.Error("the unused initializer was converted")
	}
	if !bytes.Equal(back.Marshal(), data) {
		t.Error("the model does not write back as it was read")
	}
}

// TestIntegerTensorsBounded: an integer tensor larger than shapes and axes
// need is an error when used, not an allocation.
func TestIntegerTensorsBounded(t *testing.T) {
	m := &Model{IRVersion: 8, Opset: 17, Graph: &Graph{
		Initializers: []*Tensor{{Name: "big", Dims: []int64{MaxIntValues + 1}, Int64: make([]int64, MaxIntValues+1)}},
	}}
	back, err := ReadModel(m.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := NewIndex(back.Graph).Const("big"); err == nil {
		t.Error("no error")
	}
}
