package native

import (
	"fmt"
	"sync"
)

// packedT is a weight packed transposed (newMatrixT) for the backward
// passes, made on first use and then shared by every goroutine that trains
// the model: packed once per set of weights (Refresh builds a new model),
// not once per worker and step.
type packedT struct {
	once sync.Once
	m    *matrix
}

// get returns W [rows, cols] given transposed (newMatrixT's arguments),
// packing it on the first call; every call must pass the same shape.
func (p *packedT) get(wt []float32, rows, cols, ld int) *matrix {
	p.once.Do(func() { p.m = newMatrixT(wt, rows, cols, ld) })
	if p.m.rows != rows || p.m.cols != cols {
		panic(fmt.Sprintf("native: a [%d, %d] transposed pack asked for as [%d, %d]", p.m.rows, p.m.cols, rows, cols))
	}
	return p.m
}
