package native

import (
	"fmt"

	"github.com/musicvae-go/mvae/native/internal/f32"
)

// precision is how a matrix stores its weights.
type precision uint8

const (
	// precF32: float32, packed by f32.Pack into panels of 16 rows of W,
	// transposed (f32.MulAddPacked's layout).
	precF32 precision = iota
)

// matrix is a weight W [rows, cols] (PyTorch's layout) packed once, at load,
// for the products a model runs on it:
//
//	out [B, rows] += x [B, cols] W^T
//
// Its storage depends on its precision (one field a precision); the output
// columns come in panels of f32.PanelWidth, which mulAdd splits between
// goroutines (parallel.go) without changing a bit: every entry is one sum,
// in one order, whatever the split and whatever B.
type matrix struct {
	rows, cols int
	prec       precision
	f32        []float32 // precF32: the panels, f32.PackedLen(rows, cols)
}

// newMatrix packs W [rows, cols] (row-major, contiguous) as float32.
func newMatrix(w []float32, rows, cols int) *matrix {
	if len(w) != rows*cols {
		panic(fmt.Sprintf("native: a [%d, %d] matrix of %d values", rows, cols, len(w)))
	}
	m := &matrix{rows: rows, cols: cols, prec: precF32, f32: make([]float32, f32.PackedLen(rows, cols))}
	if rows > 0 && cols > 0 {
		f32.Pack(m.f32, w, rows, cols, cols)
	}
	return m
}

// newMatrixT packs W [rows, cols] given transposed: wt [cols, rows] of row
// stride ld holds W[j, q] at wt[q*ld+j] (a weight used the other way round
// in a backward pass, or a block of columns of a wider one).
func newMatrixT(wt []float32, rows, cols, ld int) *matrix {
	m := &matrix{rows: rows, cols: cols, prec: precF32, f32: make([]float32, f32.PackedLen(rows, cols))}
	if rows > 0 && cols > 0 {
		f32.PackT(m.f32, wt, rows, cols, ld)
	}
	return m
}

// panels is the number of column panels, the unit of a split.
func (w *matrix) panels() int { return (w.rows + f32.PanelWidth - 1) / f32.PanelWidth }

// mulAdd sets out [B, rows] += x [B, cols] W^T, on both cores when the
// product is large enough (see parallel.go).
func (w *matrix) mulAdd(out, x []float32, B int) {
	w.mulAddLd(out, w.rows, x, w.cols, B)
}

// mul sets out [B, rows] = x [B, cols] W^T + bias (bias [rows], or nil for
// none).
func (w *matrix) mul(out, x, bias []float32, B int) {
	for b := 0; b < B; b++ {
		o := out[b*w.rows : (b+1)*w.rows]
		if bias == nil {
			clear(o)
		} else {
			copy(o, bias)
		}
	}
	w.mulAdd(out, x, B)
}

// mulAddLd is mulAdd with row strides: out[b*ldo + j] for j < rows, x[b*ldx
// + q] for q < cols.
func (w *matrix) mulAddLd(out []float32, ldo int, x []float32, ldx int, B int) {
	if B < 0 || ldo < w.rows || ldx < w.cols || (B > 0 && (len(out) < (B-1)*ldo+w.rows || len(x) < (B-1)*ldx+w.cols)) {
		panic(fmt.Sprintf("native: matrix [%d, %d] product: out of %d values (stride %d), x of %d (stride %d), B %d", w.rows, w.cols, len(out), ldo, len(x), ldx, B))
	}
	if B == 0 || w.rows == 0 || w.cols == 0 {
		return
	}
	parallelPanels(w, out, ldo, x, ldx, B)
}

// mulAddPanels is mulAddLd on the output columns of panels [p0, p1): the
// part of a product one goroutine does. A new precision is a case here.
func (w *matrix) mulAddPanels(out []float32, ldo int, x []float32, ldx int, B, p0, p1 int) {
	j0, j1 := p0*f32.PanelWidth, min(p1*f32.PanelWidth, w.rows)
	switch w.prec {
	case precF32:
		f32.MulAddPacked(B, j1-j0, w.cols, x, ldx, w.f32[j0*w.cols:], out[j0:], ldo)
	default:
		panic(fmt.Sprintf("native: a matrix of precision %d", w.prec))
	}
}
