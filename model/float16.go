package model

import "github.com/musicvae-go/mvae/internal/floatbits"

// Float16 converts a float32 to IEEE 754 half precision, rounding to nearest
// even; values beyond the half range become ±Inf.
func Float16(f float32) uint16 { return floatbits.ToHalf(f) }

// Float32FromHalf converts IEEE 754 half precision to float32 (exactly).
func Float32FromHalf(h uint16) float32 { return floatbits.FromHalf(h) }

// BFloat16ToFloat32 widens a bfloat16.
func BFloat16ToFloat32(h uint16) float32 { return floatbits.FromBF16(h) }

// BFloat16 converts a float32 to bfloat16, rounding to nearest even.
func BFloat16(f float32) uint16 { return floatbits.ToBF16(f) }
