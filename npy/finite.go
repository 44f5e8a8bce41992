package npy

import (
	"fmt"
	"math"
)

// FirstNonFinite returns the index of the first NaN or ±Inf in x, or -1 when
// every value is finite. The reference loop:
//
//	for i, v := range x {
//		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
//			return i
//		}
//	}
//	return -1
func FirstNonFinite(x []float32) int {
	for i, v := range x {
		// v-v is 0 for every finite v, NaN for NaN and ±Inf.
		if v-v != 0 {
			return i
		}
	}
	return -1
}

// CheckFinite returns an error naming the first NaN or ±Inf of a and where it
// is, e.g. "element [0 3 5] is NaN"; nil when every value is finite. Callers
// add the file and array name.
func (a *Array) CheckFinite() error {
	i := FirstNonFinite(a.Data)
	if i < 0 {
		return nil
	}
	v := a.Data[i]
	what := "NaN"
	if math.IsInf(float64(v), 1) {
		what = "+Inf"
	} else if math.IsInf(float64(v), -1) {
		what = "-Inf"
	}
	return fmt.Errorf("element %v is %s", a.Index(i), what)
}

// Index returns the multi-index of the flat (C-order) offset i. It panics if i
// is outside the array: that is a programmer error.
func (a *Array) Index(i int) []int {
	if i < 0 || i >= a.Len() {
		panic(fmt.Sprintf("npy: index %d outside shape %v", i, a.Shape))
	}
	idx := make([]int, len(a.Shape))
	for k := len(a.Shape) - 1; k >= 0; k-- {
		idx[k] = i % a.Shape[k]
		i /= a.Shape[k]
	}
	return idx
}
