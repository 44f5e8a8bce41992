package native

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// A product large enough is split by column panels, and an LSTM cell by
// batch rows, between the calling goroutine and idle workers of a pool of
// GOMAXPROCS-1 goroutines, started at the first split. A part no worker is
// free to take (the other cores are busy, for instance with the Trainer's
// other shares) is done by the caller: a split never waits for a core.
// Every output entry is the same sum in the same order whoever computes it
// (f32.MulAddPacked, f32.Cell), so the results have the same bits whatever
// the split.

// splitMin is the number of multiply-adds (B rows cols) from which a
// product is split, cellSplitMin the number of units (B H) from which a
// cell is; splitParts, when > 0, forces the number of parts (for the
// tests).
var (
	splitMin     = 1 << 17
	cellSplitMin = 2048
	splitParts   = 0
)

// task is one part of a split: a product's panels [p0, p1), a cell's rows
// [p0, p1), or initState's rows [p0, p1).
type task struct {
	cell bool
	init bool
	p0   int
	p1   int
	// product
	w        *matrix
	out, x   []float32
	ldo, ldx int
	B        int
	xT       bool
	w2       *matrix // when not nil, then out += x2 W2^T (row stride w2.cols)
	x2       []float32
	// cell
	gates, cPrev, c, h []float32
	H                  int
	act                *cellActs
	// init (and H)
	s      []float32
	L      int
	h0, c0 [][]float32

	sync *splitSync
}

func (t *task) run() {
	if t.init {
		initRows(t.s, t.p0, t.p1, t.L, t.H, t.h0, t.c0)
		return
	}
	if t.cell {
		cellRows(t.gates, t.cPrev, t.c, t.h, t.p0, t.p1, t.H, t.act)
	} else {
		if t.w.cols > 0 {
			t.w.mulAddPanels(t.out, t.ldo, t.x, t.ldx, t.B, t.p0, t.p1, t.xT)
		}
		if t.w2 != nil && t.w2.cols > 0 {
			t.w2.mulAddPanels(t.out, t.ldo, t.x2, t.w2.cols, t.B, t.p0, t.p1, false)
		}
	}
}

// The pool's workers wait for work spinning for spinFor before they park,
// and so does a caller for its parts: a product of a decoder step at batch
// 1 takes tens of microseconds, about what waking a parked thread costs.
// Spinning changes who computes a part, never its bits.
const spinFor = 50 * time.Microsecond

// A worker's states: spinning (idle, polling posted), busy (a caller has
// claimed it), parked (idle, blocked on wake).
const (
	workerSpinning int32 = iota
	workerBusy
	workerParked
)

type worker struct {
	state  atomic.Int32
	posted atomic.Bool // a claimed worker's task is in t (spinning path)
	t      task
	wake   chan struct{} // a claimed worker's task is in t (parked path)
}

// splitSync is what a split's parts report to: left counts the parts
// still running on workers, each of which also sends on done.
type splitSync struct {
	left atomic.Int32
	done chan struct{}
}

var pool struct {
	once    sync.Once
	workers []*worker
	syncs   sync.Pool // of *splitSync
}

func startPool() {
	pool.syncs.New = func() any { return &splitSync{done: make(chan struct{}, 64)} }
	for range runtime.GOMAXPROCS(0) - 1 {
		w := &worker{wake: make(chan struct{}, 1)}
		pool.workers = append(pool.workers, w)
		go w.loop()
	}
}

// post hands t to w if w is idle, and reports whether it did.
func (w *worker) post(t task) bool {
	if w.state.CompareAndSwap(workerSpinning, workerBusy) {
		w.t = t
		w.posted.Store(true)
		return true
	}
	if w.state.CompareAndSwap(workerParked, workerBusy) {
		w.t = t
		w.wake <- struct{}{}
		return true
	}
	return false
}

func (w *worker) loop() {
	for {
		t := w.next() // a copy: a claim after the Store below may write w.t
		t.run()
		w.state.Store(workerSpinning)
		// left first: once done is received, the split's sync is the
		// caller's again (its pool may hand it to the next split).
		t.sync.left.Add(-1)
		t.sync.done <- struct{}{}
	}
}

// next waits for a task: spinning for spinFor, then parked.
func (w *worker) next() task {
	start := time.Now()
	for i := 1; ; i++ {
		if w.posted.Load() {
			w.posted.Store(false)
			return w.t
		}
		if i%64 == 0 {
			if time.Since(start) > spinFor && w.state.CompareAndSwap(workerSpinning, workerParked) {
				<-w.wake
				return w.t
			}
			runtime.Gosched() // whatever else wants this core runs
		}
	}
}

// runSplit runs t over [0, n) in parts: t.p0 and t.p1 are set for each.
func runSplit(t task, n, parts int) {
	parts = min(parts, n, 64)
	if parts <= 1 {
		t.p0, t.p1 = 0, n
		t.run()
		return
	}
	pool.once.Do(startPool)
	ss := pool.syncs.Get().(*splitSync)
	t.sync = ss
	sent := 0
	var mine [64]bool // the parts left to the caller
	next := 0         // the next worker to try
	for k := 1; k < parts; k++ {
		t.p0, t.p1 = n*k/parts, n*(k+1)/parts
		mine[k] = true
		for ; next < len(pool.workers); next++ {
			ss.left.Add(1)
			if pool.workers[next].post(t) {
				sent++
				mine[k] = false
				next++
				break
			}
			ss.left.Add(-1)
		}
	}
	t.p0, t.p1 = 0, n/parts
	t.run()
	for k := 1; k < parts; k++ {
		if mine[k] {
			t.p0, t.p1 = n*k/parts, n*(k+1)/parts
			t.run()
		}
	}
	start := time.Now()
	for i := 1; ss.left.Load() > 0; i++ {
		if i%64 == 0 && time.Since(start) > spinFor {
			break
		}
	}
	for range sent {
		<-ss.done
	}
	pool.syncs.Put(ss)
}

// splitInto is the number of parts for work of the given size: one while
// a Trainer's shares keep every core busy (sharesBusy).
func splitInto(work, min int) int {
	if splitParts > 0 {
		return splitParts
	}
	if work >= min && !sharesBusy() {
		return runtime.GOMAXPROCS(0)
	}
	return 1
}

// parallelPanels runs w.mulAddPanels over all of w's panels, in parts.
func parallelPanels(w *matrix, out []float32, ldo int, x []float32, ldx int, B int, xT bool) {
	runSplit(task{w: w, out: out, x: x, ldo: ldo, ldx: ldx, B: B, xT: xT}, w.panels(), splitInto(B*w.rows*w.cols, splitMin))
}
