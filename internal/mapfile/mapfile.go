// Package mapfile maps a file read-only into memory, so that a big model is
// parsed where it lies instead of from a copy: pages come from the file as
// they are touched, and Release hands back those a reader is done with.
package mapfile

import (
	"errors"
	"os"
	"runtime/debug"
)

// Map returns the first size bytes of f, mapped read-only where the system
// can map files (else read into memory). The bytes must not be changed, and
// must not be used after Unmap.
func Map(f *os.File, size int64) ([]byte, error) { return mapFile(f, size) }

// Release tells the system that the pages wholly inside b, which Map
// returned, are not needed now: they leave the process's memory and are
// read again from the file if touched. Elsewhere it does nothing.
func Release(b []byte) { release(b) }

// Unmap unmaps what Map returned.
func Unmap(b []byte) error { return unmap(b) }

// Do runs f, which reads memory that Map returned, on the calling
// goroutine, and turns a fault on that memory into an error: a mapped file
// that another process truncates makes reading its lost pages fault
// (SIGBUS), which would otherwise crash the program. Any other panic goes
// on.
func Do(f func() error) (err error) {
	old := debug.SetPanicOnFault(true)
	defer func() {
		debug.SetPanicOnFault(old)
		if r := recover(); r != nil {
			if e, ok := r.(interface{ Addr() uintptr }); ok && e != nil {
				err = errors.New("the file changed while it was read (it was truncated): read it again when nothing writes it")
				return
			}
			panic(r)
		}
	}()
	return f()
}
