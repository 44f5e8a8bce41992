package fsutil

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func writeString(s string) func(io.Writer) error {
	return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
}

func TestWriteAtomicRefusesInputs(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "a.mid")
	corpus := filepath.Join(dir, "corpus")
	os.MkdirAll(filepath.Join(corpus, "sub"), 0o755)
	deep := filepath.Join(corpus, "sub", "b.MID")
	other := filepath.Join(corpus, "sub", "old.npz")
	for _, p := range []string{in, deep, other} {
		os.WriteFile(p, []byte("input"), 0o644)
	}
	link := filepath.Join(dir, "link.mid")
	if err := os.Symlink(in, link); err != nil {
		t.Fatal(err)
	}
	SetInputs(Input{Path: in}, Input{Path: corpus, Suffixes: []string{".mid", ".midi"}}, Input{Path: filepath.Join(dir, "missing")})
	defer SetInputs()
	for _, p := range []string{
		in,
		filepath.Join(dir, ".", "sub", "..", "a.mid"), // another name of the same file
		link,
		deep,
		filepath.Join(dir, "corpus", "..", "corpus", "sub", "b.MID"),
	} {
		err := WriteAtomic(p, writeString("out"))
		if !errors.Is(err, ErrIsInput) {
			t.Errorf("WriteAtomic(%s): %v, want ErrIsInput", p, err)
		}
		if err := CreateNew(p, true, writeString("out")); !errors.Is(err, ErrIsInput) {
			t.Errorf("CreateNew(%s, force): %v, want ErrIsInput", p, err)
		}
	}
	for _, p := range []string{in, deep} {
		if b, _ := os.ReadFile(p); string(b) != "input" {
			t.Errorf("%s changed: %q", p, b)
		}
	}
	// A file under the folder that the command does not read, and a new file.
	for _, p := range []string{other, filepath.Join(corpus, "new.mid"), filepath.Join(dir, "b.mid")} {
		if err := WriteAtomic(p, writeString("out")); err != nil {
			t.Errorf("WriteAtomic(%s): %v", p, err)
		}
	}
	SetInputs()
	if err := WriteAtomic(in, writeString("out")); err != nil {
		t.Errorf("after SetInputs(): %v", err)
	}
}

func TestWriteAtomicRefusesAFolder(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "outdir")
	os.Mkdir(out, 0o755)
	err := WriteAtomic(out, writeString("x"))
	if !errors.Is(err, ErrIsFolder) {
		t.Fatalf("got %v, want ErrIsFolder", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Fatalf("left behind: %v", ents)
	}
}

func TestWriteAtomicRefusesADevice(t *testing.T) {
	if _, err := os.Stat(os.DevNull); err != nil {
		t.Skip(err)
	}
	if err := WriteAtomic(os.DevNull, writeString("x")); !errors.Is(err, ErrNotRegular) {
		t.Fatalf("got %v, want ErrNotRegular", err)
	}
	if st, err := os.Stat(os.DevNull); err != nil || st.Mode().IsRegular() {
		t.Fatalf("%s: %v %v", os.DevNull, st.Mode(), err)
	}
}
