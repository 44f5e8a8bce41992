package npy

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/musicvae-go/mvae/internal/craft"
)

var npyHeader = craft.NPYHeader

func deflate(b []byte) []byte {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestCompression)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

// hostileNPZ holds a good array "x" (shape (2,)) and arrays that lie.
func hostileNPZ() []byte {
	x := append(npyHeader("<f4", "(2,)"), 0, 0, 0x80, 0x3f, 0, 0, 0, 0x40)
	// big: shape (2^31,), 1 KiB of zeros, a zip entry that claims 8 GiB.
	big := append(npyHeader("<f4", "(2147483648,)"), make([]byte, 1024)...)
	// short: an honest zip entry whose header claims more than it holds.
	short := append(npyHeader("<f4", "(2147483648,)"), make([]byte, 64)...)
	return craft.NPZ(
		craft.NPZMember{Name: "x.npy", Method: zip.Deflate, CRC32: crc32.ChecksumIEEE(x), Compressed: deflate(x), Size: uint64(len(x))},
		craft.NPZMember{Name: "big.npy", Method: zip.Deflate, CRC32: crc32.ChecksumIEEE(big), Compressed: deflate(big), Size: 8<<30 + uint64(len(big))},
		craft.Plain("short.npy", short),
		// stored: a stored member that claims more than it stores.
		craft.NPZMember{Name: "stored.npy", Method: zip.Store, CRC32: crc32.ChecksumIEEE(x), Compressed: x, Size: 1 << 40},
	)
}

// TestNPZLazy: members are decoded only when asked for, and a member's claims
// are checked against what its bytes can hold before anything is allocated.
func TestNPZLazy(t *testing.T) {
	data := hostileNPZ()
	p := filepath.Join(t.TempDir(), "h.npz")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	z, err := OpenNPZ(p)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	if got := strings.Join(z.Names(), ","); got != "big,short,stored,x" {
		t.Errorf("names %s", got)
	}
	x, err := z.Get("x")
	if err != nil {
		t.Fatal(err)
	}
	if len(x.Data) != 2 || x.Data[0] != 1 || x.Data[1] != 2 {
		t.Errorf("x = %v", x.Data)
	}
	for name, want := range map[string]string{
		"big":     "more than deflate can expand",
		"short":   "truncated .npy data",
		"stored":  "stored uncompressed",
		"missing": "no array missing (it holds big, short, stored, x)",
	} {
		_, err := z.Get(name)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: %v, want an error naming %s and saying %q", name, err, p, want)
		}
	}
	if _, err := ReadNPZFile(p); err == nil {
		t.Error("ReadNPZFile decodes every member: want an error")
	}
}

func TestNPZSaysWhatItIs(t *testing.T) {
	var b bytes.Buffer
	Write(&b, New(2))
	_, err := NewNPZ(bytes.NewReader(b.Bytes()), int64(b.Len()))
	if err == nil || err.Error() != "a NumPy .npy array, not a .npz archive" {
		t.Errorf("got %v", err)
	}
	_, err = NewNPZ(bytes.NewReader([]byte("PK\x03\x04 cut")), 8)
	if err == nil || !strings.HasPrefix(err.Error(), "not a .npz archive: ") {
		t.Errorf("got %v", err)
	}
}

// TestReadFileBounded: a .npy header's shape is checked against the file's
// size before the values are allocated.
func TestReadFileBounded(t *testing.T) {
	p := filepath.Join(t.TempDir(), "h.npy")
	os.WriteFile(p, append(npyHeader("<f4", "(2147483648,)"), make([]byte, 64)...), 0o644)
	_, err := ReadFile(p)
	if err == nil || !strings.Contains(err.Error(), "needs 8589934592 bytes, 64 remain") || !strings.Contains(err.Error(), p) {
		t.Errorf("got %v", err)
	}
}

func TestFirstNonFinite(t *testing.T) {
	nan := float32(math.NaN())
	inf := float32(math.Inf(1))
	ref := func(x []float32) int {
		for i, v := range x {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return i
			}
		}
		return -1
	}
	for _, x := range [][]float32{{}, {1, 2}, {1, nan}, {-inf, 1}, {0, 1, inf, nan}, {math.MaxFloat32, -math.MaxFloat32}} {
		// NaN sentinels around the input must not be seen.
		buf := append(append([]float32{nan}, x...), nan)
		in := buf[1 : len(x)+1]
		before := append([]float32(nil), buf...)
		if got, want := FirstNonFinite(in), ref(x); got != want {
			t.Errorf("FirstNonFinite(%v) = %d, want %d", x, got, want)
		}
		for i := range buf {
			if math.Float32bits(buf[i]) != math.Float32bits(before[i]) {
				t.Fatalf("input changed at %d", i)
			}
		}
	}
	a := New(2, 3)
	if err := a.CheckFinite(); err != nil {
		t.Error(err)
	}
	a.Data[4] = float32(math.Inf(-1))
	if err := a.CheckFinite(); err == nil || err.Error() != "element [1 1] is -Inf" {
		t.Errorf("CheckFinite: %v", err)
	}
}

// FuzzReadNPY: arbitrary bytes never panic the .npy reader, which never
// returns more values than the shape holds.
func FuzzReadNPY(f *testing.F) {
	var good bytes.Buffer
	Write(&good, &Array{Shape: []int{2, 2}, Data: []float32{1, 2, 3, 4}})
	f.Add(good.Bytes())
	f.Add(append(npyHeader("<f4", "(2147483648,)"), make([]byte, 64)...))
	f.Add(append(npyHeader("|b1", "(3, 0)"), 1))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, avail := range []int64{-1, int64(len(data))} {
			a, err := read(bytes.NewReader(data), avail)
			if err == nil && a.Len() != len(a.Data) {
				t.Fatalf("shape %v, %d values", a.Shape, len(a.Data))
			}
		}
	})
}

// FuzzReadNPZ: arbitrary archives never panic the .npz reader.
func FuzzReadNPZ(f *testing.F) {
	var good bytes.Buffer
	WriteNPZ(&good, []string{"a"}, map[string]*Array{"a": New(3)})
	f.Add(good.Bytes())
	f.Add(hostileNPZ())
	// The crafted files of the hostile-input harness (the small ones).
	for _, b := range craft.SmallNPZ() {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		z, err := NewNPZ(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		for _, name := range z.Names() {
			z.Get(name)
		}
	})
}
