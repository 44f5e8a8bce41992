package f32

import (
	"math"
	"testing"
)

func TestActivations(t *testing.T) {
	for _, x := range []float32{-100, -20, -1, -1e-3, 0, 1e-3, 1, 20, 21, 100} {
		if s := Sigmoid(x); math.Abs(float64(s)-1/(1+math.Exp(-float64(x)))) > 1e-7 {
			t.Errorf("Sigmoid(%v) = %v", x, s)
		}
		want := math.Log1p(math.Exp(float64(x)))
		if float64(x) > 20 {
			want = float64(x)
		}
		if s := Softplus(x); math.Abs(float64(s)-want) > 1e-6*math.Max(1, want) {
			t.Errorf("Softplus(%v) = %v, want %v", x, s, want)
		}
	}
}

// TestFastActivations holds Expf, Sigmoid and Tanh to the float64 functions.
func TestFastActivations(t *testing.T) {
	worstE, worstS, worstT := 0.0, 0.0, 0.0
	for i := -200000; i <= 200000; i++ {
		x := float32(i) / 2000 // -100 .. 100
		if x > -87 && x < 88 {
			e := math.Exp(float64(x))
			worstE = math.Max(worstE, math.Abs(float64(Expf(x))-e)/e)
		}
		worstS = math.Max(worstS, math.Abs(float64(Sigmoid(x))-1/(1+math.Exp(-float64(x)))))
		worstT = math.Max(worstT, math.Abs(float64(Tanh(x))-math.Tanh(float64(x))))
	}
	if worstE > 3e-7 || worstS > 1.5e-7 || worstT > 2.5e-7 {
		t.Errorf("worst errors: Expf relative %g, Sigmoid %g, Tanh %g", worstE, worstS, worstT)
	}
	if Expf(100) != float32(math.Inf(1)) || Expf(-100) != 0 || Sigmoid(-100) != 0 || Sigmoid(100) != 1 || Tanh(30) != 1 || Tanh(-30) != -1 {
		t.Error("wrong limits")
	}
}
