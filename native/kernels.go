package native

import (
	"fmt"
	"math"
)

// Dot returns sum_k x[k]*y[k]. Reference loop:
//
//	s := float32(0)
//	for k := range x {
//		s += x[k] * y[k]
//	}
//
// The fast paths keep partial sums, as BLAS kernels do (four scalar ones in
// Go; four 8-wide fused multiply-adds with AVX2 on amd64): they round
// differently from the plain loop, within float32 accumulation error.
func Dot(x, y []float32) float32 {
	if len(x) != len(y) {
		panic(fmt.Sprintf("native: Dot of lengths %d and %d", len(x), len(y)))
	}
	if useAVX2 && len(x) >= 16 {
		return dotAVX2(x, y)
	}
	return dotGo(x, y)
}

// dotGo is Dot's portable fast path.
func dotGo(x, y []float32) float32 {
	var s0, s1, s2, s3 float32
	n := len(x) &^ 3
	y = y[:len(x)]
	for k := 0; k < n; k += 4 {
		s0 += x[k] * y[k]
		s1 += x[k+1] * y[k+1]
		s2 += x[k+2] * y[k+2]
		s3 += x[k+3] * y[k+3]
	}
	for k := n; k < len(x); k++ {
		s0 += x[k] * y[k]
	}
	return (s0 + s1) + (s2 + s3)
}

// dotRef is Dot's reference loop.
func dotRef(x, y []float32) float32 {
	s := float32(0)
	for k := range x {
		s += x[k] * y[k]
	}
	return s
}

// Linear computes out = x W^T + b for a batch: x [B, in], W [out, in]
// (PyTorch's layout), b [out] (or nil), out [B, out]. Reference loop:
//
//	for i := 0; i < B; i++ {
//		for j := 0; j < nOut; j++ {
//			s := b[j]
//			for k := 0; k < nIn; k++ {
//				s += x[i*nIn+k] * W[j*nIn+k]
//			}
//			out[i*nOut+j] = s
//		}
//	}
func Linear(out, x, W, b []float32, B, nIn, nOut int) {
	if len(x) != B*nIn || len(W) != nOut*nIn || len(out) != B*nOut || (b != nil && len(b) != nOut) {
		panic(fmt.Sprintf("native: Linear sizes: x %d, W %d, b %d, out %d for B %d in %d out %d", len(x), len(W), len(b), len(out), B, nIn, nOut))
	}
	batchRows(out, x, W, B, nIn, nOut, false)
	if b != nil {
		for i := 0; i < B; i++ {
			oi := out[i*nOut : (i+1)*nOut]
			for j := range oi {
				oi[j] += b[j]
			}
		}
	}
}

// batchRows sets (or, with add, adds to) out[i, j] = dot(x[i, :], W[j, :]).
// The loop runs over four rows of W at a time and, inside, over every row of
// x, so those four rows stay in the L1 cache while the batch streams by.
func batchRows(out, x, W []float32, B, nIn, nOut int, add bool) {
	j := 0
	if useAVX2 && nIn >= 8 {
		var s [4]float32
		for ; j+4 <= nOut; j += 4 {
			w4 := W[j*nIn : (j+4)*nIn]
			for i := 0; i < B; i++ {
				dot4AVX2(x[i*nIn:(i+1)*nIn], w4, &s)
				o := out[i*nOut+j : i*nOut+j+4]
				if add {
					o[0] += s[0]
					o[1] += s[1]
					o[2] += s[2]
					o[3] += s[3]
				} else {
					o[0], o[1], o[2], o[3] = s[0], s[1], s[2], s[3]
				}
			}
		}
	}
	for ; j < nOut; j++ {
		wj := W[j*nIn : (j+1)*nIn]
		for i := 0; i < B; i++ {
			d := Dot(x[i*nIn:(i+1)*nIn], wj)
			if add {
				out[i*nOut+j] += d
			} else {
				out[i*nOut+j] = d
			}
		}
	}
}

// LinearAcc adds x W^T to out (no bias): out [B, out] += x [B, in] W^T.
func LinearAcc(out, x, W []float32, B, nIn, nOut int) {
	if len(x) != B*nIn || len(W) != nOut*nIn || len(out) != B*nOut {
		panic(fmt.Sprintf("native: LinearAcc sizes: x %d, W %d, out %d for B %d in %d out %d", len(x), len(W), len(out), B, nIn, nOut))
	}
	batchRows(out, x, W, B, nIn, nOut, true)
}

// linearRef is Linear's reference loop.
func linearRef(out, x, W, b []float32, B, nIn, nOut int) {
	for i := 0; i < B; i++ {
		for j := 0; j < nOut; j++ {
			s := float32(0)
			if b != nil {
				s = b[j]
			}
			for k := 0; k < nIn; k++ {
				s += x[i*nIn+k] * W[j*nIn+k]
			}
			out[i*nOut+j] = s
		}
	}
}

// Sigmoid is 1 / (1 + e^-x) in float32, with Expf.
func Sigmoid(x float32) float32 {
	return 1 / (1 + Expf(-x))
}

// Tanh is tanh(x) = 1 - 2 / (e^2x + 1) in float32, with Expf (absolute error
// within a few 1e-8; exactly ±1 where float32 rounds it so).
func Tanh(x float32) float32 {
	return 1 - 2/(Expf(2*x)+1)
}

// Expf is e^x in float32 (Cephes' expf: x = n ln 2 + r with |r| <= ln2/2,
// e^r by a degree-6 polynomial, 2^n through the exponent bits), within about
// one ulp of the exact value; +Inf above 88.72, 0 below -87.33.
func Expf(x float32) float32 {
	switch {
	case x > 88.72283:
		return float32(math.Inf(1))
	case x < -87.33654:
		return 0
	case x != x:
		return x
	}
	t := x*1.44269504088896341 + 0.5
	n := float32(int32(t))
	if n > t { // int32() truncates toward zero: make it a floor
		n--
	}
	r := x - n*0.693359375 + n*2.12194440e-4
	z := r * r
	p := ((((1.9875691500e-4*r+1.3981999507e-3)*r+8.3334519073e-3)*r+4.1665795894e-2)*r+1.6666665459e-1)*r + 5.0000001201e-1
	p = p*z + r + 1
	return p * math.Float32frombits(uint32(int32(n)+127)<<23)
}

// Softplus is ln(1 + e^x) (PyTorch's default: beta 1, linear above x = 20).
func Softplus(x float32) float32 {
	if x > 20 {
		return x
	}
	return float32(math.Log1p(math.Exp(float64(x))))
}
