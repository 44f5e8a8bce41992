package native

import "github.com/musicvae-go/mvae/native/internal/f32"

// linear sets out [B, nOut] = x [B, nIn] W^T + b, for W [nOut, nIn]
// (PyTorch's layout: every entry is a dot product of two contiguous rows) and
// b [nOut], or nil for none.
func linear(out, x, W, b []float32, B, nIn, nOut int) {
	f32.Gemm(f32.NoTrans, f32.Trans, B, nOut, nIn, x, nIn, W, nIn, 0, out, nOut)
	if b != nil {
		for i := 0; i < B; i++ {
			oi := out[i*nOut : (i+1)*nOut]
			for j := range oi {
				oi[j] += b[j]
			}
		}
	}
}

// linearAcc adds x W^T to out (no bias): out [B, nOut] += x [B, nIn] W^T.
func linearAcc(out, x, W []float32, B, nIn, nOut int) {
	f32.Gemm(f32.NoTrans, f32.Trans, B, nOut, nIn, x, nIn, W, nIn, 1, out, nOut)
}

// linearAccT adds x WT to out for WT [nIn, nOut], W stored transposed:
// out [B, nOut] += x [B, nIn] WT. Reference loop:
//
//	for b, k := range B, nIn {
//	    if x[b, k] != 0 { out[b, :] += x[b, k] * WT[k, :] }
//	}
//
// Zero entries of x are skipped, so a one-hot row of x costs one row of WT,
// and gives the bits linearAcc gives (each sum has one nonzero term).
func linearAccT(out, x, WT []float32, B, nIn, nOut int) {
	f32.Gemm(f32.NoTrans, f32.NoTrans, B, nOut, nIn, x, nIn, WT, nOut, 1, out, nOut)
}

// linearBackward is linear's backward: given dout [B, nOut] it accumulates
// the gradients of W and b and returns that of x:
//
//	dW += dout^T x;  db += sum_b dout;  dx = dout W
func linearBackward(dout, x, W []float32, B, nIn, nOut int, dW, db []float32) (dx []float32) {
	f32.Gemm(f32.Trans, f32.NoTrans, nOut, nIn, B, dout, nOut, x, nIn, 1, dW, nIn)
	for b := 0; b < B; b++ {
		for r, v := range dout[b*nOut : (b+1)*nOut] {
			db[r] += v
		}
	}
	dx = make([]float32, B*nIn)
	f32.Gemm(f32.NoTrans, f32.NoTrans, B, nIn, nOut, dout, nOut, W, nIn, 0, dx, nIn)
	return dx
}
