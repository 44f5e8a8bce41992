package native

import "github.com/musicvae-go/mvae/native/internal/f32"

// linearAccT adds x WT to out for WT [nIn, nOut], W stored transposed:
// out [B, nOut] += x [B, nIn] WT. Reference loop:
//
//	for b, k := range B, nIn {
//	    if x[b, k] != 0 { out[b, :] += x[b, k] * WT[k, :] }
//	}
//
// Zero entries of x are skipped, so a one-hot row of x costs one row of WT,
// and gives the bits a matrix product gives (each sum has one nonzero term).
func linearAccT(out, x, WT []float32, B, nIn, nOut int) {
	f32.Gemm(f32.NoTrans, f32.NoTrans, B, nOut, nIn, x, nIn, WT, nOut, 1, out, nOut)
}

// linearBackward is the backward of out = x W^T + b for x [B, nIn] and W
// [nOut, nIn]: given dout [B, nOut] it accumulates the gradients of W and b
// and returns that of x:
//
//	dW += dout^T x;  db += sum_b dout;  dx = dout W
//
// Both products run on packed matrices (see addGradW; dx on wT, W^T packed:
// wT.get(W, nIn, nOut, nIn), made once per set of weights).
func linearBackward(ws *workspace, dout, x []float32, W []float32, wT *packedT, B, nIn, nOut int, dW, db []float32) (dx []float32) {
	if dW != nil {
		addGradW(ws, dW, dout, x, nIn, nOut, B)
		for b := 0; b < B; b++ {
			for r, v := range dout[b*nOut : (b+1)*nOut] {
				db[r] += v
			}
		}
	}
	dx = ws.zeros(B * nIn)
	wT.get(W, nIn, nOut, nIn).mulAdd(dx, dout, B)
	return dx
}

// gradChunk is how many rows (steps and sequences) of the inputs a packed
// chunk of addGradW holds: 16 columns of 256 rows is 16 KiB, which stays in
// the L1 and L2 caches while the gradient's rows stream by.
const gradChunk = 256

// addGradW adds to dW [rows, cols] the products of S rows of inputs x
// [S, cols] and output gradients da [S, rows]:
//
//	dW[r, k] += sum_s da[s, r] x[s, k]
//
// as matrix products on x packed (its rows are the panels' steps, copied
// as they are) and da read transposed, over chunks of gradChunk rows, each
// added to dW in turn: the same chunks whatever the split between
// goroutines. The chunks are packed in turn into ws's scratch (ws.packT).
func addGradW(ws *workspace, dW, da, x []float32, cols, rows, S int) {
	for s0 := 0; s0 < S; s0 += gradChunk {
		k := min(gradChunk, S-s0)
		xs := ws.packT(x[s0*cols:], cols, k, cols)
		xs.mulAddT(dW, cols, da[s0*rows:], rows, rows)
	}
}
