package native

import (
	"runtime"
	"sync"
)

// A product large enough is split by column panels between the calling
// goroutine and idle workers of a pool of GOMAXPROCS-1 goroutines, started
// at the first such product. A part no worker is free to take (the other
// cores are busy, for instance with the Trainer's other shares) is done by
// the caller: a split never waits for a core. Every output entry is the
// same sum in the same order whoever computes it (f32.MulAddPacked), so the
// results have the same bits whatever the split.

// splitMin is the number of multiply-adds (B rows cols) from which a
// product is split; splitParts, when > 0, forces the number of parts (for
// the tests).
var (
	splitMin   = 1 << 17
	splitParts = 0
)

// productTask is one part of a split product.
type productTask struct {
	w         *matrix
	out, x    []float32
	ldo, ldx  int
	B, p0, p1 int
	done      chan struct{}
}

var pool struct {
	once  sync.Once
	tasks chan productTask
	done  sync.Pool // of chan struct{}
}

func startPool() {
	pool.tasks = make(chan productTask) // unbuffered: a send succeeds only into an idle worker
	pool.done.New = func() any { return make(chan struct{}, 64) }
	for range runtime.GOMAXPROCS(0) - 1 {
		go func() {
			for t := range pool.tasks {
				t.w.mulAddPanels(t.out, t.ldo, t.x, t.ldx, t.B, t.p0, t.p1)
				t.done <- struct{}{}
			}
		}()
	}
}

// parallelPanels runs w.mulAddPanels over all of w's panels, in parts.
func parallelPanels(w *matrix, out []float32, ldo int, x []float32, ldx int, B int) {
	np := w.panels()
	parts := splitParts
	if parts <= 0 {
		parts = 1
		if B*w.rows*w.cols >= splitMin {
			parts = runtime.GOMAXPROCS(0)
		}
	}
	parts = min(parts, np, 64)
	if parts <= 1 {
		w.mulAddPanels(out, ldo, x, ldx, B, 0, np)
		return
	}
	pool.once.Do(startPool)
	done := pool.done.Get().(chan struct{})
	sent := 0
	var mine [64]bool // the parts left to the caller
	for k := 1; k < parts; k++ {
		t := productTask{w: w, out: out, x: x, ldo: ldo, ldx: ldx, B: B, p0: np * k / parts, p1: np * (k + 1) / parts, done: done}
		select {
		case pool.tasks <- t:
			sent++
		default:
			mine[k] = true
		}
	}
	w.mulAddPanels(out, ldo, x, ldx, B, 0, np/parts)
	for k := 1; k < parts; k++ {
		if mine[k] {
			w.mulAddPanels(out, ldo, x, ldx, B, np*k/parts, np*(k+1)/parts)
		}
	}
	for range sent {
		<-done
	}
	pool.done.Put(done)
}
