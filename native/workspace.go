package native

import (
	"math"
	"sync"
)

// workspace is the memory of one goroutine's training passes (one share of
// a Trainer's batch), kept from one optimizer step to the next so that a
// step reuses the previous one's memory instead of allocating (and the
// collector freeing) it afresh:
//
//   - floats and zeros hand out buffers that live until reset, the end of
//     the step (the forward pass's activations and most of the backward's
//     buffers), cut from one block sized by the steps before;
//   - get and put lend the large buffers of one LSTM pass (the steps'
//     activations, the gates' gradients), which are given back as soon as
//     they are dead and lent again, by length, within the step;
//   - packT packs addGradW's chunks into one scratch matrix.
//
// A nil *workspace allocates every buffer (the inference paths that share
// these functions). A workspace is for one goroutine at a time.
type workspace struct {
	block []float32 // floats' memory: used values, then free ones
	used  int
	spill int                  // values floats allocated apart since reset (block was too small)
	free  map[int][]*[]float32 // get's buffers, by length
	asked map[int]bool         // the lengths get was asked for since reset
	pack  []float32            // packT's values
	packM matrix               // packT's matrix
}

// poisonWork, for the tests, fills every buffer floats and get hand out
// with NaN.
var poisonWork = false

// floats returns n values, not zeroed: only buffers that are written in
// full before they are read may come from here.
func (ws *workspace) floats(n int) []float32 {
	if ws == nil {
		return make([]float32, n)
	}
	var s []float32
	if ws.used+n <= len(ws.block) {
		s = ws.block[ws.used : ws.used+n : ws.used+n]
		ws.used += n
	} else {
		s = make([]float32, n)
		ws.spill += n
	}
	if poisonWork {
		poison(s)
	}
	return s
}

// zeros returns n zeroed values.
func (ws *workspace) zeros(n int) []float32 {
	if ws == nil {
		return make([]float32, n)
	}
	s := ws.floats(n)
	clear(s)
	return s
}

// reset ends a step: every buffer of floats, zeros and get is dead. When
// floats had to allocate apart, the block grows to what the step used, so
// that the next step of the same size allocates nothing; get's buffers of
// lengths the step did not ask for are let go (a batch of another size
// does not keep the last one's).
func (ws *workspace) reset() {
	if ws.spill > 0 {
		ws.block = make([]float32, ws.used+ws.spill)
	}
	ws.used, ws.spill = 0, 0
	for n := range ws.free {
		if !ws.asked[n] {
			delete(ws.free, n)
		}
	}
	clear(ws.asked)
}

// get lends a buffer of n values, not zeroed, until put.
func (ws *workspace) get(n int) *[]float32 {
	if ws == nil {
		b := make([]float32, n)
		return &b
	}
	if ws.asked == nil {
		ws.asked = map[int]bool{}
	}
	ws.asked[n] = true
	var s *[]float32
	if l := ws.free[n]; len(l) > 0 {
		s = l[len(l)-1]
		ws.free[n] = l[:len(l)-1]
	} else {
		b := make([]float32, n)
		s = &b
	}
	if poisonWork {
		poison(*s)
	}
	return s
}

// put gives back a buffer of get, which its user must no longer read or
// write.
func (ws *workspace) put(s *[]float32) {
	if ws == nil {
		return
	}
	if ws.free == nil {
		ws.free = map[int][]*[]float32{}
	}
	ws.free[len(*s)] = append(ws.free[len(*s)], s)
}

func poison(s []float32) {
	for i := range s {
		s[i] = float32(math.NaN())
	}
}

// workspaces keeps the workspaces of Model.LossAndGrad's calls (a Trainer
// keeps one per share itself).
var workspaces = sync.Pool{New: func() any { return new(workspace) }}
