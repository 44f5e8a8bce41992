package npy

import (
	"errors"
	"math"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadArrayFilePicksTheArray(t *testing.T) {
	dir := t.TempDir()
	one := filepath.Join(dir, "one.npz")
	two := filepath.Join(dir, "two.npz")
	a, b := New(2, 3), New(1)
	if err := WriteNPZFile(one, []string{"a"}, map[string]*Array{"a": a}); err != nil {
		t.Fatal(err)
	}
	if err := WriteNPZFile(two, []string{"a", "b"}, map[string]*Array{"a": a, "b": b}); err != nil {
		t.Fatal(err)
	}
	if got, name, err := ReadArrayFile(one, "tokens", ""); err != nil || name != "a" || got.Len() != 6 {
		t.Fatalf("the only array: %v %q", err, name)
	}
	if _, name, err := ReadArrayFile(two, "x", "b"); err != nil || name != "b" {
		t.Fatalf("the first held: %v %q", err, name)
	}
	_, _, err := ReadArrayFile(two, "tokens", "")
	var m *MissingArrayError
	if !errors.As(err, &m) || !strings.Contains(err.Error(), "two.npz has no array tokens (it holds a, b)") {
		t.Fatalf("missing: %v", err)
	}
}

func TestCheckBatch(t *testing.T) {
	a := New(2, 3)
	if err := a.CheckBatch(-1, 3); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		a    *Array
		want []int
		msg  string
	}{
		{New(2, 3), []int{-1, 4}, "shape [2 3], want [N, 4]"},
		{New(0, 3), []int{-1, 3}, "empty batch"},
		{&Array{Shape: []int{2, 3}, Data: make([]float32, 5)}, []int{-1, 3}, "holds 6 values, the data 5"},
		{&Array{Shape: []int{1, 2}, Data: []float32{0, float32(math.Inf(-1))}}, []int{1, 2}, "element [0 1] is -Inf"},
	} {
		if err := c.a.CheckBatch(c.want...); err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%v against %v: %v, want %q", c.a.Shape, c.want, err, c.msg)
		}
	}
}
