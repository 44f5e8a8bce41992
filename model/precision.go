package model

import (
	"fmt"
	"strings"
)

// Precision is how a bundle stores its weight matrices: the manifest's
// weights_dtype. Below float32, only the matrices (2-D weights) change
// storage; biases and other vectors stay float32, except with float16,
// which (as mvae import --half always has) stores every tensor as float16.
type Precision string

const (
	F32  Precision = "float32"
	F16  Precision = "float16"  // IEEE half, safetensors F16
	BF16 Precision = "bfloat16" // the top half of a float32, safetensors BF16
	Int8 Precision = "int8"     // symmetric int8 per row, safetensors I8 plus NAME_scale (F32, one per row)
)

// Precisions lists the precisions in the order of their names' table.
var Precisions = []Precision{F32, BF16, Int8, F16}

// ScaleSuffix ends the name of an int8 matrix's scales tensor.
const ScaleSuffix = "_scale"

// Short is the precision's short name (f32, bf16, int8, f16), as flags and
// bench records write it.
func (p Precision) Short() string {
	switch p {
	case F32:
		return "f32"
	case F16:
		return "f16"
	case BF16:
		return "bf16"
	case Int8:
		return "int8"
	}
	return string(p)
}

// ParsePrecision reads a precision by its short or long name.
func ParsePrecision(s string) (Precision, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "f32", "fp32", "float32":
		return F32, nil
	case "f16", "fp16", "float16", "half":
		return F16, nil
	case "bf16", "bfloat16":
		return BF16, nil
	case "int8", "i8":
		return Int8, nil
	}
	return "", fmt.Errorf("precision %q: want f32, bf16, int8 or f16", s)
}

// stores reports whether a tensor of shape is stored in precision p (rather
// than float32) in a bundle of precision p.
func (p Precision) stores(shape []int) bool {
	switch p {
	case F16:
		return true
	case BF16, Int8:
		return len(shape) == 2
	}
	return false
}
