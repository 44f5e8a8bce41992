package floatbits

import (
	"math"
	"testing"
)

func TestHalfRoundTrip(t *testing.T) {
	for h := 0; h < 1<<16; h++ {
		f := FromHalf(uint16(h))
		if f != f {
			continue
		}
		if got := ToHalf(f); got != uint16(h) {
			t.Fatalf("ToHalf(FromHalf(%#04x) = %v) = %#04x", h, f, got)
		}
	}
}

func TestBF16(t *testing.T) {
	for h := 0; h < 1<<16; h++ {
		f := FromBF16(uint16(h))
		if f != f {
			if g := ToBF16(f); FromBF16(g) == FromBF16(g) {
				t.Fatalf("ToBF16(NaN %#04x) = %#04x, not a NaN", h, g)
			}
			continue
		}
		if got := ToBF16(f); got != uint16(h) {
			t.Fatalf("ToBF16(FromBF16(%#04x) = %v) = %#04x", h, f, got)
		}
	}
	cases := []struct {
		in   float32
		want float32
	}{
		{1 + 0x1p-8, 1},                    // a tie rounds to even (down)
		{1 + 3*0x1p-8, 1 + 0x1p-6},         // a tie rounds to even (up)
		{1 + 0x1p-8 + 0x1p-20, 1 + 0x1p-7}, // above the tie
		{math.MaxFloat32, float32(math.Inf(1))},
		{-2.5, -2.5},
	}
	for _, c := range cases {
		if got := FromBF16(ToBF16(c.in)); got != c.want {
			t.Errorf("bf16(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}
