package f32

import "fmt"

// The products of weights stored below float32 precision: out [B, rows] +=
// x [B, cols] W^T for W [rows, cols] row-major, stored as bfloat16, IEEE
// half or int8 with a float32 scale per row. Each row of W is widened to
// float32 on the fly, inside the dot product, and the sums are float32: only
// the weights lose precision, x and the accumulation keep float32's. At
// batch 1 these products read half (16-bit) or a quarter (int8) of the bytes
// float32 weights take, which is what bounds a decode step's time. Rows of
// x go four at a time against each widened row of W where the CPU has the
// four-row kernels (AVX-512), with the bits of the one-row kernel: an
// entry's value does not depend on B or on its row's place in the batch.

// MulAddBF16 adds x W^T to out for W stored as bfloat16:
// out [B, rows] (row stride ldo) += x [B, cols] (row stride ldx) W^T, for w
// [rows, cols] row-major. Reference loop:
//
//	for b := 0; b < B; b++ {
//		for r := 0; r < rows; r++ {
//			s := float32(0)
//			for c := 0; c < cols; c++ {
//				s += x[b*ldx+c] * floatbits.FromBF16(w[r*cols+c])
//			}
//			out[b*ldo+r] += s
//		}
//	}
//
// The sums round differently from the plain loop, within float32
// accumulation error. MulAddBF16 panics on sizes that do not fit.
func MulAddBF16(B, rows, cols int, x []float32, ldx int, w []uint16, out []float32, ldo int) {
	checkLowPrec(B, rows, cols, len(x), ldx, len(w), len(out), ldo)
	var s [4]float32
	for r := 0; r < rows; r++ {
		wr := w[r*cols : (r+1)*cols]
		b := 0
		for ; b+4 <= B && dot4BF16(x[b*ldx:], ldx, wr, &s); b += 4 {
			for i, v := range s {
				out[(b+i)*ldo+r] += v
			}
		}
		for ; b < B; b++ {
			out[b*ldo+r] += dotBF16(x[b*ldx:b*ldx+cols], wr)
		}
	}
}

// MulAddF16 adds x W^T to out for W stored as IEEE half precision
// (float16); as MulAddBF16, with floatbits.FromHalf in the reference loop.
func MulAddF16(B, rows, cols int, x []float32, ldx int, w []uint16, out []float32, ldo int) {
	checkLowPrec(B, rows, cols, len(x), ldx, len(w), len(out), ldo)
	var s [4]float32
	for r := 0; r < rows; r++ {
		wr := w[r*cols : (r+1)*cols]
		b := 0
		for ; b+4 <= B && dot4F16(x[b*ldx:], ldx, wr, &s); b += 4 {
			for i, v := range s {
				out[(b+i)*ldo+r] += v
			}
		}
		for ; b < B; b++ {
			out[b*ldo+r] += dotF16(x[b*ldx:b*ldx+cols], wr)
		}
	}
}

// MulAddI8 adds x W^T to out for W stored as int8 with a float32 scale per
// row (W[r, c] = scale[r] q[r, c]): out [B, rows] (row stride ldo) += x [B,
// cols] (row stride ldx) W^T. Reference loop:
//
//	for b := 0; b < B; b++ {
//		for r := 0; r < rows; r++ {
//			s := float32(0)
//			for c := 0; c < cols; c++ {
//				s += x[b*ldx+c] * float32(q[r*cols+c])
//			}
//			out[b*ldo+r] += scale[r] * s
//		}
//	}
//
// The sums round differently from the plain loop, within float32
// accumulation error. MulAddI8 panics on sizes that do not fit.
func MulAddI8(B, rows, cols int, x []float32, ldx int, q []int8, scale []float32, out []float32, ldo int) {
	checkLowPrec(B, rows, cols, len(x), ldx, len(q), len(out), ldo)
	if len(scale) < rows {
		panic(fmt.Sprintf("f32: MulAddI8 of %d rows with %d scales", rows, len(scale)))
	}
	var s [4]float32
	for r := 0; r < rows; r++ {
		qr := q[r*cols : (r+1)*cols]
		b := 0
		for ; b+4 <= B && dot4I8(x[b*ldx:], ldx, qr, &s); b += 4 {
			for i, v := range s {
				out[(b+i)*ldo+r] += scale[r] * v
			}
		}
		for ; b < B; b++ {
			out[b*ldo+r] += scale[r] * dotI8(x[b*ldx:b*ldx+cols], qr)
		}
	}
}

// checkLowPrec panics unless x [B, cols] (stride ldx), w [rows, cols] and
// out [B, rows] (stride ldo) fit their slices.
func checkLowPrec(B, rows, cols, nx, ldx, nw, nout, ldo int) {
	if B < 0 || rows < 0 || cols < 0 {
		panic(fmt.Sprintf("f32: product of sizes B %d, rows %d, cols %d", B, rows, cols))
	}
	if nw < rows*cols {
		panic(fmt.Sprintf("f32: weights of %d values for [%d, %d]", nw, rows, cols))
	}
	if B == 0 {
		return
	}
	if ldx < cols || nx < (B-1)*ldx+cols {
		panic(fmt.Sprintf("f32: x of %d values, stride %d, for [%d, %d]", nx, ldx, B, cols))
	}
	if ldo < rows || nout < (B-1)*ldo+rows {
		panic(fmt.Sprintf("f32: out of %d values, stride %d, for [%d, %d]", nout, ldo, B, rows))
	}
}
