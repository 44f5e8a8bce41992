//go:build unix

package mapfile

import (
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

func mapFile(f *os.File, size int64) ([]byte, error) {
	if size == 0 {
		return []byte{}, nil
	}
	return unix.Mmap(int(f.Fd()), 0, int(size), unix.PROT_READ, unix.MAP_PRIVATE)
}

func release(b []byte) {
	page := os.Getpagesize()
	start := int(uintptr(unsafe.Pointer(unsafe.SliceData(b))) % uintptr(page))
	skip := (page - start) % page // to the first page wholly inside b
	if len(b) < skip+page {
		return
	}
	n := (len(b) - skip) / page * page
	// The pages lie inside a mapping of Map's: read only, never written.
	unix.Madvise(b[skip:skip+n], unix.MADV_DONTNEED)
}

func unmap(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	return unix.Munmap(b)
}
