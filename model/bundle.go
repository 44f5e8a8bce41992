package model

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/musicvae-go/mvae/internal/fsutil"
)

// BundleFormat is the version tag of NAME.mvae files.
const BundleFormat = "mvae-bundle/1"

// A bundle (NAME.mvae) is a zip archive:
//
//	mvae.json            the manifest: format, config, provenance, contents
//	weights.safetensors  the canonical weights by PyTorch name (F32, or F16 if the manifest says so)
//	graphs/NAME.onnx     the ONNX graphs the runtimes need (encoder, conductor, ...)
//
// Everything a reader needs is named in mvae.json, so the file describes itself.

// Provenance records where a bundle's weights came from.
type Provenance struct {
	Source       string `json:"source,omitempty"`        // the file imported, as named (an absolute path: its base name)
	SourceSHA256 string `json:"source_sha256,omitempty"` // of that file
	SourceKind   string `json:"source_kind,omitempty"`   // "onnx", "pt", "finetune", "train"
	Producer     string `json:"producer,omitempty"`      // e.g. "pytorch 1.13.1"
	Opset        int    `json:"opset,omitempty"`
	Tool         string `json:"tool,omitempty"` // the mvae version that wrote the bundle
	Created      string `json:"created,omitempty"`
	Notes        string `json:"notes,omitempty"`
}

// Manifest is mvae.json.
type Manifest struct {
	Format       string            `json:"format"`
	Config       *Config           `json:"config"`
	Provenance   Provenance        `json:"provenance"`
	Weights      string            `json:"weights"`
	WeightsDType string            `json:"weights_dtype"` // "float32" or "float16"
	Graphs       map[string]string `json:"graphs,omitempty"`
	Verification map[string]any    `json:"verification,omitempty"`
}

// Bundle is a model in memory.
type Bundle struct {
	Manifest Manifest
	Weights  Weights
	Graphs   map[string][]byte // name -> ONNX bytes
}

// Config is the bundle's config.
func (b *Bundle) Config() *Config { return b.Manifest.Config }

// MaxBundleSize bounds the bundles a reader accepts.
const MaxBundleSize = 4 << 30

// WriteBundle writes a bundle as a zip archive. With half the weights are
// stored as float16 (half the size; they read back as float32).
func WriteBundle(w io.Writer, b *Bundle, half bool) error {
	c := b.Config()
	if err := b.Weights.Check(c); err != nil {
		return err
	}
	m := b.Manifest
	m.Provenance = m.Provenance.Portable()
	m.Format = BundleFormat
	m.Weights = "weights.safetensors"
	m.WeightsDType = "float32"
	if half {
		m.WeightsDType = "float16"
	}
	m.Graphs = map[string]string{}
	names := make([]string, 0, len(b.Graphs))
	for n := range b.Graphs {
		names = append(names, n)
		m.Graphs[n] = "graphs/" + n + ".onnx"
	}
	sort.Strings(names)
	zw := zip.NewWriter(w)
	mj, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	f, err := zw.Create("mvae.json")
	if err != nil {
		return err
	}
	f.Write(append(mj, '\n'))
	// Weights are stored, not deflated: float data barely compresses.
	f, err = zw.CreateHeader(&zip.FileHeader{Name: m.Weights, Method: zip.Store})
	if err != nil {
		return err
	}
	if err := WriteSafetensors(f, b.Weights.Names(c), b.Weights, map[string]string{"format": ConfigFormat, "mvae.config": string(c.JSON())}, half); err != nil {
		return err
	}
	for _, n := range names {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: m.Graphs[n], Method: zip.Deflate})
		if err != nil {
			return err
		}
		if _, err := f.Write(b.Graphs[n]); err != nil {
			return err
		}
	}
	return zw.Close()
}

// WriteBundleFile writes a bundle atomically.
func WriteBundleFile(path string, b *Bundle, half bool) error {
	return fsutil.WriteAtomic(path, func(w io.Writer) error { return WriteBundle(w, b, half) })
}

// ReadBundle reads a bundle from memory. Errors say what is wrong; callers
// add the file name.
func ReadBundle(data []byte) (*Bundle, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("not an mvae bundle (not a zip archive): %v", err)
	}
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		files[f.Name] = f
	}
	read := func(name string, limit uint64) ([]byte, error) {
		f, ok := files[name]
		if !ok {
			return nil, fmt.Errorf("bundle has no %s", name)
		}
		if f.UncompressedSize64 > limit {
			return nil, fmt.Errorf("bundle member %s is %d bytes, more than %d", name, f.UncompressedSize64, limit)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("bundle member %s: %v", name, err)
		}
		defer rc.Close()
		b, err := io.ReadAll(io.LimitReader(rc, int64(limit)+1))
		if err != nil {
			return nil, fmt.Errorf("bundle member %s: %v", name, err)
		}
		if uint64(len(b)) > limit {
			return nil, fmt.Errorf("bundle member %s is larger than %d bytes", name, limit)
		}
		return b, nil
	}
	mj, err := read("mvae.json", 1<<20)
	if err != nil {
		return nil, fmt.Errorf("not an mvae bundle: %v", err)
	}
	var b Bundle
	if err := json.Unmarshal(mj, &b.Manifest); err != nil {
		return nil, fmt.Errorf("bundle manifest mvae.json: %v", err)
	}
	m := &b.Manifest
	if m.Format != BundleFormat {
		if strings.HasPrefix(m.Format, "mvae-bundle/") {
			return nil, fmt.Errorf("bundle format %q is newer than this mvae reads (%s); update mvae", m.Format, BundleFormat)
		}
		return nil, fmt.Errorf("bundle format %q, want %s", m.Format, BundleFormat)
	}
	if m.Config == nil {
		return nil, fmt.Errorf("bundle manifest has no config")
	}
	if err := m.Config.Validate(); err != nil {
		return nil, fmt.Errorf("bundle: %v", err)
	}
	wb, err := read(m.Weights, MaxBundleSize)
	if err != nil {
		return nil, err
	}
	w, _, err := ReadSafetensors(wb)
	if err != nil {
		return nil, fmt.Errorf("bundle %s: %v", m.Weights, err)
	}
	if err := w.Check(m.Config); err != nil {
		return nil, fmt.Errorf("bundle %s: %v", m.Weights, err)
	}
	b.Weights = w
	b.Graphs = map[string][]byte{}
	for n, p := range m.Graphs {
		g, err := read(p, MaxBundleSize)
		if err != nil {
			return nil, err
		}
		b.Graphs[n] = g
	}
	return &b, nil
}

// ReadBundleFile reads a bundle. Errors name the file.
func ReadBundleFile(path string) (*Bundle, error) {
	data, err := fsutil.ReadFileLimit(path, MaxBundleSize)
	if err != nil {
		return nil, err
	}
	b, err := ReadBundle(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return b, nil
}
