package npy

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/musicvae-go/mvae/internal/fsutil"
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

// ReadNPZ reads every array of a .npz archive.
func ReadNPZ(data []byte) (map[string]*Array, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("not a .npz archive: %v", err)
	}
	out := map[string]*Array{}
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, ".npy") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("member %s: %v", f.Name, err)
		}
		a, err := Read(rc)
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("member %s: %v", f.Name, err)
		}
		out[strings.TrimSuffix(f.Name, ".npy")] = a
	}
	return out, nil
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

// maxFile bounds the size of a tensor file read whole.
const maxFile = 8 << 30

// ReadFile reads a .npy file. Errors name the file.
func ReadFile(path string) (*Array, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	a, err := Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return a, nil
}

// ReadNPZFile reads a .npz file. Errors name the file.
func ReadNPZFile(path string) (map[string]*Array, error) {
	data, err := fsutil.ReadFileLimit(path, maxFile)
	if err != nil {
		return nil, err
	}
	m, err := ReadNPZ(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return m, nil
}

// WriteFile writes a .npy file atomically, replacing an old one.
func WriteFile(path string, a *Array) error {
	return fsutil.WriteAtomic(path, func(w io.Writer) error { return Write(w, a) })
}

// WriteNPZFile writes a .npz file atomically, replacing an old one.
func WriteNPZFile(path string, names []string, arrays map[string]*Array) error {
	return fsutil.WriteAtomic(path, func(w io.Writer) error { return WriteNPZ(w, names, arrays) })
}
