package native

import (
	"fmt"

	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/native/internal/f32"
)

// precision is how a matrix stores its weights.
type precision uint8

const (
	// precF32: float32, packed by f32.Pack into panels of 16 rows of W,
	// transposed (f32.MulAddPacked's layout).
	precF32 precision = iota
	// precBF16, precF16: W row-major as bfloat16 or IEEE half bits,
	// widened inside the products (f32.MulAddBF16, f32.MulAddF16); or,
	// bfloat16 where the machine has AVX-512 BF16, packed by pairs of
	// columns (f32.PackPairsBF16) for f32.MulAddPairsBF16, which rounds x
	// to bfloat16 too.
	precBF16
	precF16
	// precI8: W row-major as int8 with a float32 scale per row
	// (f32.MulAddI8).
	precI8
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
	f32        []float32 // precF32: the panels, f32.PackedLen(rows, cols); or, with tail, the full ones
	tail       []float32 // precF32 packed in place (newMatrixOwned): the last rows%16 rows' panel, or nil
	u16        []uint16  // precBF16, precF16: W, rows*cols
	q          []int8    // precI8: W / scale[row], rows*cols
	scale      []float32 // precI8: [rows]
	lowPacked  bool      // u16 or q packed by f32.PackLowU16 / PackLowI8
	pairs      bool      // precBF16: u16 packed by f32.PackPairsBF16 (or in place), with pairsTail
	pairsTail  []uint16  // pairs packed in place: the last rows%16 rows' panel, or nil
}

// newMatrixStored takes W [rows, cols] as a bundle stores it: float32 is
// packed (newMatrix), the lower precisions are used where they lie, row-major
// (the matrix takes their memory, never copies it, and may rearrange it).
//
// With own, a float32 matrix is the model's too: it is packed in place
// (newMatrixOwned) instead of into a copy. With pairs (where f32.PairsBF16),
// a bfloat16 matrix is packed by pairs of columns for VDPBF16PS, which
// rounds x to bfloat16; without, its products widen W and keep x float32.
func newMatrixStored(s *model.Stored, rows, cols int, own, pairs bool) *matrix {
	if s.Len() != rows*cols {
		panic(fmt.Sprintf("native: a [%d, %d] matrix of shape %v", rows, cols, s.Shape))
	}
	m := &matrix{rows: rows, cols: cols}
	switch s.DType {
	case model.F32:
		if own {
			return newMatrixOwned(s.F32, rows, cols)
		}
		return newMatrix(s.F32, rows, cols)
	case model.BF16:
		m.prec, m.u16 = precBF16, s.U16
	case model.F16:
		m.prec, m.u16 = precF16, s.U16
	case model.Int8:
		m.prec, m.q, m.scale = precI8, s.Q, s.Scale
	default:
		panic(fmt.Sprintf("native: a matrix stored as %q", s.DType))
	}
	if m.prec == precBF16 && pairs && f32.PairsBF16 && rows > 0 && cols > 0 {
		m.packPairs()
		return m
	}
	// Where the packed products have their kernels (AVX-512), the values
	// are rearranged in place into panels (f32.PackLowU16): s is the
	// model's from here on.
	if f32.LowPacked && rows > 0 && cols > 0 {
		m.lowPacked = true
		if m.prec == precI8 {
			f32.PackLowI8(m.q, rows, cols, make([]int8, f32.PanelWidth*cols))
		} else {
			f32.PackLowU16(m.u16, rows, cols, make([]uint16, f32.PanelWidth*cols))
		}
	}
	return m
}

// packPairs packs a bfloat16 matrix's u16 (W row-major) by pairs of
// columns for f32.MulAddPairsBF16: in place for an even number of columns,
// the last rows%16 rows apart (pairsTail); else into a new slice.
func (m *matrix) packPairs() {
	m.pairs = true
	if m.cols%2 != 0 {
		p := make([]uint16, f32.PairsLen(m.rows, m.cols))
		f32.PackPairsBF16(p, m.u16, m.rows, m.cols, m.cols)
		m.u16 = p
		return
	}
	full := m.rows / f32.PanelWidth * f32.PanelWidth
	f32.PackPairsInPlace(m.u16, m.rows, m.cols, make([]uint16, f32.PanelWidth*m.cols))
	if full < m.rows {
		m.pairsTail = make([]uint16, f32.PairsLen(m.rows-full, m.cols))
		f32.PackPairsBF16(m.pairsTail, m.u16[full*m.cols:], m.rows-full, m.cols, m.cols)
	}
	m.u16 = m.u16[: full*m.cols : full*m.cols]
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

// newMatrixOwned packs W [rows, cols] (row-major, contiguous) as float32
// in place, so that a model's weights are held once: the full panels of 16
// rows are rearranged where they lie (f32.PackInPlace), and the last
// rows%16 rows are packed apart into a zero-padded panel (tail). Each
// output entry is the same sum, in the same order, as newMatrix's. w is
// the matrix's from here on.
func newMatrixOwned(w []float32, rows, cols int) *matrix {
	if len(w) != rows*cols {
		panic(fmt.Sprintf("native: a [%d, %d] matrix of %d values", rows, cols, len(w)))
	}
	if rows == 0 || cols == 0 {
		return newMatrix(w, rows, cols)
	}
	full := rows / f32.PanelWidth * f32.PanelWidth
	m := &matrix{rows: rows, cols: cols, prec: precF32, f32: w[: full*cols : full*cols]}
	f32.PackInPlace(w, rows, cols, make([]float32, f32.PanelWidth*cols))
	if full < rows {
		m.tail = make([]float32, f32.PackedLen(rows-full, cols))
		f32.Pack(m.tail, w[full*cols:], rows-full, cols, cols)
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
	parallelPanels(w, out, ldo, x, ldx, B, false)
}

// mulAddT is mulAddLd on x given transposed: out [B, rows] (row stride
// ldo) += x W^T for xt [cols, B] of row stride ldxt holding x[b, q] at
// xt[q*ldxt+b]. A weight gradient sum_s da[s, r] v[s, k] is one, with xt
// the da of every step as they are kept ([S, rows]) and W the inputs v
// packed (newMatrixT of v [S, cols]).
func (w *matrix) mulAddT(out []float32, ldo int, xt []float32, ldxt int, B int) {
	if B < 0 || ldo < w.rows || ldxt < B || (B > 0 && w.cols > 0 && (len(out) < (B-1)*ldo+w.rows || len(xt) < (w.cols-1)*ldxt+B)) {
		panic(fmt.Sprintf("native: matrix [%d, %d] product: out of %d values (stride %d), x^T of %d (stride %d), B %d", w.rows, w.cols, len(out), ldo, len(xt), ldxt, B))
	}
	if B == 0 || w.rows == 0 || w.cols == 0 {
		return
	}
	parallelPanels(w, out, ldo, xt, ldxt, B, true)
}

// mulAdd2 sets out [B, rows] += x1 W1^T, then += x2 W2^T (each entry as two
// mulAdds would: the same bits), for W1 and W2 of the same rows, split
// between the cores as one product.
func mulAdd2(out []float32, w1 *matrix, x1 []float32, w2 *matrix, x2 []float32, B int) {
	if w1.rows != w2.rows || len(out) < B*w1.rows || len(x1) < B*w1.cols || len(x2) < B*w2.cols {
		panic(fmt.Sprintf("native: mulAdd2 of [%d, %d] and [%d, %d] matrices: out of %d values, x1 %d, x2 %d, B %d", w1.rows, w1.cols, w2.rows, w2.cols, len(out), len(x1), len(x2), B))
	}
	if B <= 0 || w1.rows == 0 {
		return
	}
	runSplit(task{w: w1, out: out, x: x1, ldo: w1.rows, ldx: w1.cols, B: B, w2: w2, x2: x2},
		w1.panels(), splitInto(B*w1.rows*(w1.cols+w2.cols), splitMin))
}

// mulAddPanels is mulAddLd (with xT, mulAddT) on the output columns of
// panels [p0, p1): the part of a product one goroutine does. A new
// precision is a case here (xT is for training's products, on float32).
func (w *matrix) mulAddPanels(out []float32, ldo int, x []float32, ldx int, B, p0, p1 int, xT bool) {
	j0, j1 := p0*f32.PanelWidth, min(p1*f32.PanelWidth, w.rows)
	switch {
	case w.prec == precF32 && xT && w.tail == nil:
		f32.MulAddPackedT(B, j1-j0, w.cols, x, ldx, w.f32[j0*w.cols:], out[j0:], ldo)
	case w.prec == precF32 && w.tail != nil:
		// Packed in place: the full panels, then the tail's.
		full := w.rows / f32.PanelWidth * f32.PanelWidth
		if j0 < full {
			f32.MulAddPacked(B, min(j1, full)-j0, w.cols, x, ldx, w.f32[j0*w.cols:], out[j0:], ldo)
		}
		if j1 > full {
			f32.MulAddPacked(B, j1-full, w.cols, x, ldx, w.tail, out[full:], ldo)
		}
	case w.prec == precF32:
		f32.MulAddPacked(B, j1-j0, w.cols, x, ldx, w.f32[j0*w.cols:], out[j0:], ldo)
	case w.prec == precBF16 && !xT && w.pairs:
		// The panels in u16, then (packed in place) the tail's.
		full := w.rows
		if w.pairsTail != nil {
			full = w.rows / f32.PanelWidth * f32.PanelWidth
		}
		if j0 < full {
			f32.MulAddPairsBF16(B, min(j1, full)-j0, w.cols, x, ldx, w.u16[j0*(w.cols+w.cols%2):], out[j0:], ldo)
		}
		if j1 > full {
			f32.MulAddPairsBF16(B, j1-full, w.cols, x, ldx, w.pairsTail, out[full:], ldo)
		}
	case w.prec == precBF16 && !xT:
		if w.lowPacked {
			f32.MulAddPackedBF16(B, j1-j0, w.cols, x, ldx, w.u16[j0*w.cols:], out[j0:], ldo)
		} else {
			f32.MulAddBF16(B, j1-j0, w.cols, x, ldx, w.u16[j0*w.cols:], out[j0:], ldo)
		}
	case w.prec == precF16 && !xT:
		if w.lowPacked {
			f32.MulAddPackedF16(B, j1-j0, w.cols, x, ldx, w.u16[j0*w.cols:], out[j0:], ldo)
		} else {
			f32.MulAddF16(B, j1-j0, w.cols, x, ldx, w.u16[j0*w.cols:], out[j0:], ldo)
		}
	case w.prec == precI8 && !xT:
		if w.lowPacked {
			f32.MulAddPackedI8(B, j1-j0, w.cols, x, ldx, w.q[j0*w.cols:], w.scale[j0:], out[j0:], ldo)
		} else {
			f32.MulAddI8(B, j1-j0, w.cols, x, ldx, w.q[j0*w.cols:], w.scale[j0:], out[j0:], ldo)
		}
	default:
		panic(fmt.Sprintf("native: a product of a matrix of precision %d (x transposed: %v)", w.prec, xT))
	}
}
