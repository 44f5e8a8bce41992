package npy

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/musicvae-go/mvae/internal/testenv"
)

func TestRoundTrip(t *testing.T) {
	for _, shape := range [][]int{{0}, {5}, {2, 3}, {2, 3, 4}, {1, 0, 3}} {
		a := New(shape...)
		for i := range a.Data {
			a.Data[i] = float32(i) * 0.5
		}
		var buf bytes.Buffer
		if err := Write(&buf, a); err != nil {
			t.Fatal(err)
		}
		if (buf.Len()-4*len(a.Data))%64 != 0 {
			t.Errorf("shape %v: data does not start on a 64-byte boundary", shape)
		}
		b, err := Read(&buf)
		if err != nil {
			t.Fatalf("shape %v: %v", shape, err)
		}
		if len(b.Shape) != len(shape) {
			t.Fatalf("shape %v read back as %v", shape, b.Shape)
		}
		for i := range a.Data {
			if a.Data[i] != b.Data[i] {
				t.Fatalf("value %d differs", i)
			}
		}
	}
}

func TestReadSaysWhatItIs(t *testing.T) {
	for data, want := range map[string]string{
		"\x89PNG\r\n\x1a\n\x00\x00":        "a PNG image, not a .npy file",
		"PK\x03\x04\x14\x00\x00\x00":       "a zip archive (an .npz?), not a .npy file",
		"\x00\x01\x02\x03\x04\x05\x06\x07": "not a .npy file: bad magic",
	} {
		if _, err := Read(strings.NewReader(data)); err == nil || err.Error() != want {
			t.Errorf("%q: %v, want %q", data, err, want)
		}
	}
}

func TestReadRejects(t *testing.T) {
	for name, data := range map[string]string{
		"empty":     "",
		"magic":     "\x93NUMPX\x01\x00\x10\x00",
		"truncated": "\x93NUMPY\x01\x00\x40\x00{'descr'",
		"dtype":     "\x93NUMPY\x01\x00\x3a\x00{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }",
		"huge":      "\x93NUMPY\x01\x00\x4b\x00{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000, 1000), }",
		"short":     "\x93NUMPY\x01\x00\x3a\x00{'descr': '<f4', 'fortran_order': False, 'shape': (9,), }\x00\x00",
	} {
		if _, err := Read(strings.NewReader(data)); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
}

// TestNumPyReads checks that NumPy itself reads what we write, where python3
// with numpy is installed (CI installs it).
func TestNumPyReads(t *testing.T) {
	py := testenv.Python(t, "numpy")
	dir := t.TempDir()
	a := New(2, 3)
	for i := range a.Data {
		a.Data[i] = float32(i) + 0.25
	}
	p := filepath.Join(dir, "a.npz")
	if err := WriteNPZFile(p, []string{"x"}, map[string]*Array{"x": a}); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(py, "-c", `import numpy as np, sys
x = np.load(sys.argv[1])["x"]
assert x.dtype == np.float32 and x.shape == (2, 3), (x.dtype, x.shape)
np.save(sys.argv[2], (x * 2).astype(np.float64))
`, p, filepath.Join(dir, "b.npy")).CombinedOutput()
	if err != nil {
		t.Fatalf("numpy: %v\n%s", err, out)
	}
	b, err := ReadFile(filepath.Join(dir, "b.npy"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range a.Data {
		if b.Data[i] != 2*a.Data[i] {
			t.Fatalf("value %d: %v", i, b.Data[i])
		}
	}
}
