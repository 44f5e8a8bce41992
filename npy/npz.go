package npy

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/musicvae-go/mvae/internal/fsutil"
	filemagic "github.com/musicvae-go/mvae/internal/magic"
)

// WriteNPZ writes named arrays as a NumPy .npz archive (a zip of NAME.npy
// members, deflated as np.savez_compressed does), in the order of names.
func WriteNPZ(w io.Writer, names []string, arrays map[string]*Array) error {
	zw := zip.NewWriter(w)
	for _, name := range names {
		a, ok := arrays[name]
		if !ok {
			panic("npy: WriteNPZ: no array named " + name)
		}
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: name + ".npy", Method: zip.Deflate})
		if err != nil {
			return err
		}
		if err := Write(fw, a); err != nil {
			return err
		}
	}
	return zw.Close()
}

// MaxDeflateRatio is the most that deflate can expand its input (a stream of
// 258-byte matches, each coded in two bits or so, expands 1032 times). A
// member that claims more than its compressed size times this is lying.
const MaxDeflateRatio = 1032

// NPZ is an open .npz archive. Opening reads only the archive's directory;
// Get decodes one member when asked, so a member nobody asks for costs
// nothing however large it claims to be.
type NPZ struct {
	path    string // named in errors; "" for an archive in memory
	closer  io.Closer
	members map[string]*zip.File
	names   []string
}

// OpenNPZ opens a .npz file. Errors, here and from Get, name the file. The
// caller closes it.
func OpenNPZ(path string) (*NPZ, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	z, err := newNPZ(f, st.Size(), path)
	if err != nil {
		f.Close()
		return nil, err
	}
	z.closer = f
	return z, nil
}

// NewNPZ reads the directory of a .npz archive of size bytes held by r.
func NewNPZ(r io.ReaderAt, size int64) (*NPZ, error) { return newNPZ(r, size, "") }

func newNPZ(r io.ReaderAt, size int64, path string) (*NPZ, error) {
	z := &NPZ{path: path, members: map[string]*zip.File{}}
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		var head [16]byte
		n, _ := r.ReadAt(head[:min(int64(len(head)), max(size, 0))], 0)
		if f := filemagic.Detect(head[:n]); f != filemagic.Unknown && f != filemagic.Zip {
			return nil, z.errorf("%v, not a .npz archive", f)
		}
		return nil, z.errorf("not a .npz archive: %v", err)
	}
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, ".npy") {
			continue
		}
		name := strings.TrimSuffix(f.Name, ".npy")
		if _, dup := z.members[name]; dup {
			return nil, z.errorf("member %s appears twice in the archive", f.Name)
		}
		z.members[name] = f
		z.names = append(z.names, name)
	}
	sort.Strings(z.names)
	return z, nil
}

func (z *NPZ) errorf(format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if z.path != "" {
		return fmt.Errorf("%s: %s", z.path, msg)
	}
	return errors.New(msg)
}

// Names returns the names of the archive's arrays, sorted.
func (z *NPZ) Names() []string { return append([]string(nil), z.names...) }

// Has reports whether the archive holds an array of that name.
func (z *NPZ) Has(name string) bool {
	_, ok := z.members[name]
	return ok
}

// Get decodes the array of that name. Before anything is allocated, the
// member's claimed size is checked against what its compressed bytes can
// really expand to, and the shape the .npy header declares against the
// member's size.
func (z *NPZ) Get(name string) (*Array, error) {
	f, ok := z.members[name]
	if !ok {
		held := "no arrays"
		if len(z.names) > 0 {
			held = strings.Join(z.names, ", ")
		}
		return nil, z.errorf("no array %s (it holds %s)", name, held)
	}
	bad := func(format string, args ...any) error {
		return z.errorf("member %s: %s", f.Name, fmt.Sprintf(format, args...))
	}
	switch f.Method {
	case zip.Store:
		if f.UncompressedSize64 != f.CompressedSize64 {
			return nil, bad("stored uncompressed, yet it claims %d bytes in %d", f.UncompressedSize64, f.CompressedSize64)
		}
	case zip.Deflate:
		if f.UncompressedSize64/MaxDeflateRatio > f.CompressedSize64 {
			return nil, bad("claims %d bytes from %d compressed, more than deflate can expand (%d times)", f.UncompressedSize64, f.CompressedSize64, MaxDeflateRatio)
		}
	default:
		return nil, bad("compression method %d is not supported (NumPy stores or deflates members)", f.Method)
	}
	if f.UncompressedSize64 > 1<<62 {
		return nil, bad("claims %d bytes", f.UncompressedSize64)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, bad("%v", err)
	}
	defer rc.Close()
	a, err := read(rc, int64(f.UncompressedSize64))
	if err != nil {
		return nil, bad("%v", err)
	}
	// Read to the end so that archive/zip checks the size and checksum.
	if _, err := io.Copy(io.Discard, rc); err != nil {
		return nil, bad("%v", err)
	}
	return a, nil
}

// Close closes the file OpenNPZ opened.
func (z *NPZ) Close() error {
	if z.closer == nil {
		return nil
	}
	return z.closer.Close()
}

// all decodes every member.
func (z *NPZ) all() (map[string]*Array, error) {
	out := map[string]*Array{}
	for _, name := range z.names {
		a, err := z.Get(name)
		if err != nil {
			return nil, err
		}
		out[name] = a
	}
	return out, nil
}

// ReadNPZ decodes every array of a .npz archive held in memory. To read only
// some arrays, use NewNPZ and Get.
func ReadNPZ(data []byte) (map[string]*Array, error) {
	z, err := NewNPZ(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	return z.all()
}

// Names returns the names of an archive's arrays, sorted.
func Names(m map[string]*Array) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// ReadFile reads a .npy file. Errors name the file.
func ReadFile(path string) (*Array, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	avail := st.Size()
	if !st.Mode().IsRegular() {
		avail = -1
	}
	a, err := read(f, avail)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return a, nil
}

// ReadNPZFile decodes every array of a .npz file. Errors name the file. To
// read only some arrays, use OpenNPZ and Get.
func ReadNPZFile(path string) (map[string]*Array, error) {
	z, err := OpenNPZ(path)
	if err != nil {
		return nil, err
	}
	defer z.Close()
	return z.all()
}

// WriteFile writes a .npy file atomically, replacing an old one.
func WriteFile(path string, a *Array) error {
	return fsutil.WriteAtomic(path, func(w io.Writer) error { return Write(w, a) })
}

// WriteNPZFile writes a .npz file atomically, replacing an old one.
func WriteNPZFile(path string, names []string, arrays map[string]*Array) error {
	return fsutil.WriteAtomic(path, func(w io.Writer) error { return WriteNPZ(w, names, arrays) })
}
