package generate

import (
	"math"
	"slices"
	"testing"
)

func TestGrid(t *testing.T) {
	z0, z1, z2, z3 := []float32{0, 1}, []float32{2, 3}, []float32{4, 5}, []float32{6, 7}
	in := slices.Concat(z0, z1, z2, z3)
	g, err := Grid(z0, z1, z2, z3, 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	// Row 0: z0 to z2; row 1: z1 to z3 (magenta.js's order).
	want := []float32{0, 1, 2, 3, 4, 5, 2, 3, 4, 5, 6, 7}
	if !slices.Equal(g, want) {
		t.Errorf("grid %v, want %v", g, want)
	}
	if !slices.Equal(in, slices.Concat(z0, z1, z2, z3)) {
		t.Error("the corners were changed")
	}
	if _, err := Grid(z0, z1, z2, z3, 1, 3); err == nil {
		t.Error("a 1-wide grid: no error")
	}
}

func TestAttributeVectorAndShift(t *testing.T) {
	v, err := AttributeVector([]float32{1, 2, 3, 4}, 2, []float32{0, 1}, 1, 2)
	if err != nil || !slices.Equal(v, []float32{2, 2}) {
		t.Fatalf("%v %v", v, err)
	}
	if _, err := AttributeVector(nil, 0, []float32{0, 1}, 1, 2); err == nil {
		t.Error("an empty set: no error")
	}
	nan := float32(math.NaN())
	buf := []float32{nan, 1, 2, 3, 4, nan}
	Shift(buf[1:5], v, -0.5)
	if !slices.Equal(buf[1:5], []float32{0, 1, 2, 3}) || !math.IsNaN(float64(buf[0])) || !math.IsNaN(float64(buf[5])) {
		t.Errorf("shift: %v", buf)
	}
	if !slices.Equal(v, []float32{2, 2}) {
		t.Error("shift changed the vector")
	}
}
