package f32

import "math"

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
