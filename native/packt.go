package native

import (
	"fmt"
	"sync"

	"github.com/musicvae-go/mvae/native/internal/f32"
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

// packT is newMatrixT packed into dst, f32.PackedLen(rows, cols) values
// (a scratch the matrix holds until its user packs another into it).
func packT(dst, wt []float32, rows, cols, ld int) *matrix {
	if len(dst) != f32.PackedLen(rows, cols) {
		panic(fmt.Sprintf("native: a [%d, %d] transposed pack into %d values", rows, cols, len(dst)))
	}
	m := &matrix{rows: rows, cols: cols, prec: precF32, f32: dst}
	if rows > 0 && cols > 0 {
		f32.PackT(m.f32, wt, rows, cols, ld)
	}
	return m
}
