package model

import (
	"fmt"
	"math"

	"github.com/musicvae-go/mvae/internal/floatbits"
)

// Stored is one weight tensor as a bundle stores it: float32 values, 16-bit
// floats (bfloat16 or float16 bits) or int8 values with a float32 scale per
// row (W[r, c] = Scale[r] Q[r, c]). Exactly one of F32, U16 and Q is set.
type Stored struct {
	DType Precision
	Shape []int
	F32   []float32
	U16   []uint16
	Q     []int8
	Scale []float32 // int8: one per row
}

// StoredWeights are a model's parameters by canonical name, each in the
// precision its bundle stores it in.
type StoredWeights map[string]*Stored

// Len is the number of values (the product of the shape).
func (s *Stored) Len() int {
	n := 1
	for _, d := range s.Shape {
		n *= d
	}
	return n
}

// Bytes is the memory the values take.
func (s *Stored) Bytes() int64 {
	return int64(4*len(s.F32) + 2*len(s.U16) + len(s.Q) + 4*len(s.Scale))
}

// Float32 returns the float32 values the tensor stands for: F32 itself,
// or a widened copy.
func (s *Stored) Float32() *Tensor {
	if s.DType == F32 {
		return &Tensor{Shape: s.Shape, Data: s.F32}
	}
	t := &Tensor{Shape: s.Shape, Data: make([]float32, s.Len())}
	switch s.DType {
	case BF16:
		for i, h := range s.U16 {
			t.Data[i] = floatbits.FromBF16(h)
		}
	case F16:
		for i, h := range s.U16 {
			t.Data[i] = floatbits.FromHalf(h)
		}
	case Int8:
		cols := s.Shape[1]
		for i, q := range s.Q {
			t.Data[i] = s.Scale[i/cols] * float32(q)
		}
	}
	return t
}

// Bytes is the memory all the values take.
func (sw StoredWeights) Bytes() int64 {
	var n int64
	for _, s := range sw {
		n += s.Bytes()
	}
	return n
}

// Float32 returns the float32 weights the stored weights stand for (float32
// tensors are shared, not copied).
func (sw StoredWeights) Float32() Weights {
	w := Weights{}
	for n, s := range sw {
		w[n] = s.Float32()
	}
	return w
}

// Store returns w in precision p: the tensors p stores (see Precision)
// rounded to it (bfloat16 and float16 to nearest even; int8 symmetric per
// row, Scale[r] = max_c |W[r, c]| / 127 and Q = round(W / Scale)), the
// others shared as float32.
func Store(w Weights, p Precision) StoredWeights {
	sw := StoredWeights{}
	for n, t := range w {
		s := &Stored{DType: F32, Shape: t.Shape, F32: t.Data}
		if p.stores(t.Shape) {
			s = quantize(t, p)
		}
		sw[n] = s
	}
	return sw
}

// quantize rounds one tensor to p.
func quantize(t *Tensor, p Precision) *Stored {
	s := &Stored{DType: p, Shape: t.Shape}
	switch p {
	case BF16:
		s.U16 = make([]uint16, len(t.Data))
		for i, v := range t.Data {
			s.U16[i] = floatbits.ToBF16(v)
		}
	case F16:
		s.U16 = make([]uint16, len(t.Data))
		for i, v := range t.Data {
			s.U16[i] = floatbits.ToHalf(v)
		}
	case Int8:
		rows, cols := t.Shape[0], t.Shape[1]
		s.Q = make([]int8, len(t.Data))
		s.Scale = make([]float32, rows)
		for r := range rows {
			row := t.Data[r*cols : (r+1)*cols]
			m := float32(0)
			for _, v := range row {
				m = max(m, float32(math.Abs(float64(v))))
			}
			if m == 0 {
				continue // a zero row: scale 0, values 0
			}
			sc := m / 127
			s.Scale[r] = sc
			for c, v := range row {
				q := math.RoundToEven(float64(v / sc))
				s.Q[r*cols+c] = int8(max(-127, min(127, q)))
			}
		}
	default:
		panic(fmt.Sprintf("model: quantize to %q", p))
	}
	return s
}

// Check compares the stored weights with the config's parameter table
// (names, shapes, value counts) and with the bundle's precision p: int8
// tensors only in an int8 bundle, each with one scale per row.
func (sw StoredWeights) Check(c *Config, p Precision) error {
	shapes := Weights{}
	for n, s := range sw {
		shapes[n] = &Tensor{Shape: s.Shape}
	}
	if err := shapes.CheckShapes(c); err != nil {
		return err
	}
	for n, s := range sw {
		if s.DType == Int8 && p != Int8 {
			return fmt.Errorf("weight %s is stored as int8 in a bundle whose weights_dtype is %s", n, p)
		}
		got := len(s.F32) + len(s.U16) + len(s.Q)
		if got != s.Len() {
			return fmt.Errorf("weights do not match the config: %s holds %d values for shape %v", n, got, s.Shape)
		}
		if s.DType == Int8 && (len(s.Shape) != 2 || len(s.Scale) != s.Shape[0]) {
			return fmt.Errorf("weight %s: %d scales for shape %v, want one per row", n, len(s.Scale), s.Shape)
		}
		if err := s.checkFinite(n); err != nil {
			return err
		}
	}
	return nil
}

// Names returns the weights' names in the config's table order.
func (sw StoredWeights) Names(c *Config) []string {
	var out []string
	for _, p := range c.Params() {
		if _, ok := sw[p.Name]; ok {
			out = append(out, p.Name)
		}
	}
	return out
}

// Clone is a deep copy of the stored weights.
func (sw StoredWeights) Clone() StoredWeights {
	out := StoredWeights{}
	for n, s := range sw {
		c := *s
		c.Shape = append([]int(nil), s.Shape...)
		c.F32 = cloneOrNil(s.F32)
		c.U16 = cloneOrNil(s.U16)
		c.Q = cloneOrNil(s.Q)
		c.Scale = cloneOrNil(s.Scale)
		out[n] = &c
	}
	return out
}

func cloneOrNil[T any](s []T) []T {
	if s == nil {
		return nil
	}
	return append([]T(nil), s...)
}
