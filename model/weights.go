package model

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/musicvae-go/mvae/npy"
)

// Tensor is a dense float32 array in row-major order.
type Tensor = npy.Array

// Weights are a model's parameters by canonical (PyTorch) name.
type Weights map[string]*Tensor

// Check compares the weights with the config's parameter table (see
// CheckShapes), and requires each tensor to hold its shape's values, all
// finite.
func (w Weights) Check(c *Config) error {
	if err := w.CheckShapes(c); err != nil {
		return err
	}
	for _, p := range c.Params() {
		t := w[p.Name]
		if len(t.Data) != t.Len() {
			return fmt.Errorf("weights do not match the config: %s holds %d values for shape %v", p.Name, len(t.Data), t.Shape)
		}
		if err := CheckFinite(p.Name, t); err != nil {
			return err
		}
	}
	return nil
}

// CheckShapes compares the weights' names and shapes (not their values) with
// the config's parameter table. The error lists every missing, unexpected
// and mis-shaped tensor.
func (w Weights) CheckShapes(c *Config) error {
	var missing, shape, extra []string
	want := map[string]bool{}
	for _, p := range c.Params() {
		want[p.Name] = true
		t, ok := w[p.Name]
		if !ok {
			missing = append(missing, fmt.Sprintf("%s %v", p.Name, p.Shape))
			continue
		}
		if !slices.Equal(t.Shape, p.Shape) {
			shape = append(shape, fmt.Sprintf("%s is %v, want %v", p.Name, t.Shape, p.Shape))
		}
	}
	for name := range w {
		if !want[name] {
			extra = append(extra, name)
		}
	}
	sort.Strings(extra)
	var parts []string
	if len(missing) > 0 {
		parts = append(parts, "missing: "+strings.Join(missing, ", "))
	}
	if len(shape) > 0 {
		parts = append(parts, "wrong shape: "+strings.Join(shape, "; "))
	}
	if len(extra) > 0 {
		parts = append(parts, "unexpected: "+strings.Join(extra, ", "))
	}
	if len(parts) > 0 {
		return fmt.Errorf("weights do not match the config: %s", strings.Join(parts, "; "))
	}
	return nil
}

// CheckFinite is an error naming the weight and the element when t holds
// NaN or an infinity: a model's weights must be finite.
func CheckFinite(name string, t *Tensor) error {
	if err := t.CheckFinite(); err != nil {
		return fmt.Errorf("weight %s: %v (a model's weights must be finite)", name, err)
	}
	return nil
}

// Names returns the weights' names in the config's table order.
func (w Weights) Names(c *Config) []string {
	var out []string
	for _, p := range c.Params() {
		if _, ok := w[p.Name]; ok {
			out = append(out, p.Name)
		}
	}
	return out
}

// NewTensorOf returns a zeroed tensor of the given shape.
func NewTensorOf(shape []int) *Tensor {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return &Tensor{Shape: append([]int(nil), shape...), Data: make([]float32, n)}
}
