package fsutil

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteAtomicKeepsOldFileOnError(t *testing.T) {
	p := filepath.Join(t.TempDir(), "out.npy")
	if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := WriteAtomic(p, func(w io.Writer) error {
		w.Write([]byte("partial"))
		return errors.New("boom")
	})
	if err == nil {
		t.Fatal("want error")
	}
	b, _ := os.ReadFile(p)
	if string(b) != "old" {
		t.Fatalf("old file changed: %q", b)
	}
	ents, _ := os.ReadDir(filepath.Dir(p))
	if len(ents) != 1 {
		t.Fatalf("temporary file left behind: %v", ents)
	}
	if err := WriteAtomic(p, func(w io.Writer) error { _, err := w.Write([]byte("new")); return err }); err != nil {
		t.Fatal(err)
	}
	b, _ = os.ReadFile(p)
	if string(b) != "new" {
		t.Fatalf("got %q", b)
	}
}

func TestCreateNewNeedsForce(t *testing.T) {
	p := filepath.Join(t.TempDir(), "a.mid")
	w := func(s string) func(io.Writer) error {
		return func(x io.Writer) error { _, err := x.Write([]byte(s)); return err }
	}
	if err := CreateNew(p, false, w("1")); err != nil {
		t.Fatal(err)
	}
	if err := CreateNew(p, false, w("2")); !errors.Is(err, ErrExists) {
		t.Fatalf("want ErrExists, got %v", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "1" {
		t.Fatalf("file replaced without force: %q", b)
	}
	if err := CreateNew(p, true, w("3")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "3" {
		t.Fatalf("got %q", b)
	}
}
