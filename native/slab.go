package native

import (
	"math"
	"sync"
)

// slabs keeps the large per-step buffers of the training passes between
// optimizer steps, by length, so that a step reuses the memory of the
// previous one instead of allocating (and zeroing) it afresh. A slab comes
// back with whatever its last user left in it: only buffers that are
// written in full before they are read may come from here.
var slabs sync.Map // int (length) → *sync.Pool of *[]float32

// poisonSlabs, for the tests, fills every slab getSlab hands out with NaN.
var poisonSlabs = false

// getSlab returns a buffer of n values, not zeroed.
func getSlab(n int) *[]float32 {
	p, _ := slabs.LoadOrStore(n, &sync.Pool{New: func() any {
		s := make([]float32, n)
		return &s
	}})
	s := p.(*sync.Pool).Get().(*[]float32)
	if poisonSlabs {
		for i := range *s {
			(*s)[i] = float32(math.NaN())
		}
	}
	return s
}

// putSlab gives back a buffer of getSlab, which its user must no longer
// read or write.
func putSlab(s *[]float32) {
	if p, ok := slabs.Load(len(*s)); ok {
		p.(*sync.Pool).Put(s)
	}
}
