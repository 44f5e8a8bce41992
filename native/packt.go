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
	ld   int // get's
}

// get returns W [rows, cols] given transposed (newMatrixT's arguments),
// packing it on the first call; every call must pass the same shape.
func (p *packedT) get(wt []float32, rows, cols, ld int) *matrix {
	p.once.Do(func() { p.m, p.ld = newMatrixT(wt, rows, cols, ld), ld })
	if p.m.rows != rows || p.m.cols != cols {
		panic(fmt.Sprintf("native: a [%d, %d] transposed pack asked for as [%d, %d]", p.m.rows, p.m.cols, rows, cols))
	}
	return p.m
}

// repack is the pack of get, made again from new values wt into the same
// memory (Refresh), when get has packed: the bits a new packedT's get
// would give.
func (p *packedT) repack(wt []float32) (r repack, ok bool) {
	if p.m == nil {
		return repack{}, false
	}
	t := p.m
	return repack{len(t.f32), func() { f32.PackT(t.f32, wt, t.rows, t.cols, p.ld) }}, true
}

// packT is newMatrixT into ws's scratch (the matrix and its values, which
// it holds until its next packT): allocated only where ws is nil.
func (ws *workspace) packT(wt []float32, rows, cols, ld int) *matrix {
	if ws == nil {
		return newMatrixT(wt, rows, cols, ld)
	}
	n := f32.PackedLen(rows, cols)
	if len(ws.pack) < n {
		ws.pack = make([]float32, n)
	}
	ws.packM = matrix{rows: rows, cols: cols, prec: precF32, f32: ws.pack[:n:n]}
	if rows > 0 && cols > 0 {
		f32.PackT(ws.packM.f32, wt, rows, cols, ld)
	}
	return &ws.packM
}
