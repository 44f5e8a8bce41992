package native

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// sideBySide runs fs, on up to GOMAXPROCS goroutines, and returns when all
// have returned.
func sideBySide(fs []func()) {
	n := min(runtime.GOMAXPROCS(0), len(fs))
	if n <= 1 {
		for _, f := range fs {
			f()
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range n - 1 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := int(next.Add(1)) - 1; k < len(fs); k = int(next.Add(1)) - 1 {
				fs[k]()
			}
		}()
	}
	for k := int(next.Add(1)) - 1; k < len(fs); k = int(next.Add(1)) - 1 {
		fs[k]()
	}
	wg.Wait()
}
