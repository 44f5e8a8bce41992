//go:build unix

package mapfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDoTruncated: reading a mapped file that was truncated after Map is an
// error from Do, not a crash; a panic of another kind goes on.
func TestDoTruncated(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	page := os.Getpagesize()
	if err := os.WriteFile(p, make([]byte, 4*page), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := Map(f, 4*int64(page))
	if err != nil {
		t.Fatal(err)
	}
	defer Unmap(b)
	if err := os.Truncate(p, 0); err != nil {
		t.Fatal(err)
	}
	var sum byte
	err = Do(func() error {
		for _, v := range b[2*page:] {
			sum += v
		}
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Fatalf("Do on a truncated mapping: %v", err)
	}
	defer func() {
		if r := recover(); r != "other" {
			t.Fatalf("recovered %v, want the other panic", r)
		}
	}()
	Do(func() error { panic("other") })
}
