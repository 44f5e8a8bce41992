package model

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/musicvae-go/mvae/internal/fsutil"
)

// BundleFormat is the version tag of NAME.mvae files.
const BundleFormat = "mvae-bundle/1"

// A bundle (NAME.mvae) is a zip archive:
//
//	mvae.json            the manifest: format, config, provenance, contents
//	weights.safetensors  the canonical weights by PyTorch name: F32; F16 if the manifest's
//	                     weights_dtype says float16; the matrices BF16 (bfloat16), or I8
//	                     with an F32 NAME_scale tensor of one scale per row (int8)
//	graphs/NAME.onnx     optional: the ONNX graphs built from the weights (encoder, conductor, ...)
//
// Everything a reader needs is named in mvae.json, so the file describes itself.
// mvae stores the weights once: the graphs are rebuilt from them when
// onnxruntime needs them (graphs.ForBundle), and a bundle stores them too
// only when asked (mvae import --graphs), for onnxruntime users; stored
// graphs are checked against the weights, never trusted.

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
	WeightsDType Precision         `json:"weights_dtype"` // "float32", "float16", "bfloat16" or "int8"
	Graphs       map[string]string `json:"graphs,omitempty"`
	Verification map[string]any    `json:"verification,omitempty"`
}

// Bundle is a model: its manifest, weights and ONNX graphs. A bundle made
// with NewBundle holds them in memory; one opened from a file (OpenBundle,
// ReadBundle, ReadBundleFile) has read its manifest alone, and reads its
// weights the first time they are asked for and a graph each time it is
// asked for, so that what a command does not use is never read. A Bundle is
// safe for concurrent use.
type Bundle struct {
	Manifest Manifest

	src *bundleSource // nil for a bundle in memory

	mu      sync.Mutex
	weights Weights
	werr    error
	stored  StoredWeights // the weights in their stored precision, when asked for (or made so)
	serr    error
	graphs  map[string][]byte // a bundle in memory: name -> ONNX bytes
}

// NewBundle makes a bundle in memory; it keeps w and graphs (nil for none)
// without copying them.
func NewBundle(m Manifest, w Weights, graphs map[string][]byte) *Bundle {
	return &Bundle{Manifest: m, weights: w, graphs: graphs}
}

// NewStoredBundle makes a bundle in memory of weights stored in precision p
// (see Store); its Weights are sw widened to float32.
func NewStoredBundle(m Manifest, sw StoredWeights, p Precision) *Bundle {
	m.WeightsDType = p
	return &Bundle{Manifest: m, stored: sw}
}

// Precision is how the bundle stores its weights.
func (b *Bundle) Precision() Precision {
	if b.Manifest.WeightsDType == "" {
		return F32
	}
	return b.Manifest.WeightsDType
}

// errorf is an error naming the bundle's file, if it has one.
func (b *Bundle) errorf(format string, args ...any) error {
	if b.src == nil {
		return fmt.Errorf(format, args...)
	}
	return b.src.errorf(format, args...)
}

// Config is the bundle's config.
func (b *Bundle) Config() *Config { return b.Manifest.Config }

// Name is the file an opened bundle was read from, as its errors name it
// ("" for a bundle in memory or one whose caller names it).
func (b *Bundle) Name() string {
	if b.src == nil {
		return ""
	}
	return b.src.name
}

// Weights returns the bundle's weights as float32, read and checked (names,
// shapes, finite values) the first time; those of a bundle stored below
// float32 are widened (int8 values times their scales). Callers must not
// change them.
func (b *Bundle) Weights() (Weights, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.weights == nil && b.werr == nil && b.stored != nil {
		b.weights = b.stored.Float32()
	}
	if b.weights == nil && b.werr == nil && b.src != nil {
		var sw StoredWeights
		sw, b.werr = b.src.readWeights(&b.Manifest, false)
		if b.werr == nil {
			b.weights = sw.Float32()
		}
	}
	if b.werr != nil {
		return nil, b.werr
	}
	if b.weights == nil {
		return nil, fmt.Errorf("bundle has no weights")
	}
	return b.weights, nil
}

// ReleaseWeights drops the float32 weights a bundle read from its file
// kept (Weights), so that they go back to the system once its callers
// drop theirs; the next Weights reads them again. A bundle in memory, or
// one whose stored weights are kept (Stored), keeps them: it has nothing
// to read them again from, or they are the stored ones.
func (b *Bundle) ReleaseWeights() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.src != nil && b.stored == nil && b.werr == nil {
		b.weights = nil
	}
}

// Stored returns the bundle's weights in the precision it stores them in,
// read and checked the first time: a native model keeps them so. Callers
// must not change them.
func (b *Bundle) Stored() (StoredWeights, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stored == nil && b.serr == nil {
		switch {
		case b.src != nil:
			b.stored, b.serr = b.src.readWeights(&b.Manifest, true)
		case b.weights != nil:
			b.stored = Store(b.weights, F32)
		default:
			b.serr = fmt.Errorf("bundle has no weights")
		}
	}
	return b.stored, b.serr
}

// StoredCopy returns the bundle's weights in their stored precision, as
// Stored does, but the caller's own: read again from the file (and not
// kept by the bundle), or copied from the bundle's memory.
func (b *Bundle) StoredCopy() (StoredWeights, error) {
	b.mu.Lock()
	src, cached := b.src, b.stored != nil
	b.mu.Unlock()
	if src != nil && !cached {
		return src.readWeights(&b.Manifest, true)
	}
	sw, err := b.Stored()
	if err != nil {
		return nil, err
	}
	return sw.Clone(), nil
}

// GraphNames lists the graphs the bundle stores, sorted.
func (b *Bundle) GraphNames() []string {
	var names []string
	if b.src != nil {
		for n := range b.Manifest.Graphs {
			names = append(names, n)
		}
	} else {
		for n := range b.graphs {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// GraphSize is the size of a stored graph in bytes, as the bundle declares
// it (nothing is read), and whether the bundle stores that graph.
func (b *Bundle) GraphSize(name string) (int64, bool) {
	if b.src == nil {
		g, ok := b.graphs[name]
		return int64(len(g)), ok
	}
	f := b.src.files[b.Manifest.Graphs[name]]
	if f == nil {
		return 0, false
	}
	return int64(f.UncompressedSize64), true
}

// ReadGraph reads a stored graph. One larger than limit bytes is an error
// that names it, and nothing of it is read.
func (b *Bundle) ReadGraph(name string, limit int64) ([]byte, error) {
	if b.src == nil {
		g, ok := b.graphs[name]
		if !ok {
			return nil, fmt.Errorf("bundle has no graph %s", name)
		}
		if int64(len(g)) > limit {
			return nil, fmt.Errorf("graph %s is %d bytes, more than %d", name, len(g), limit)
		}
		return g, nil
	}
	p, ok := b.Manifest.Graphs[name]
	if !ok {
		return nil, b.src.errorf("bundle has no graph %s", name)
	}
	return b.src.read(p, limit)
}

// Close releases the file an opened bundle reads from; its weights, once
// read, stay usable. Closing a bundle in memory does nothing.
func (b *Bundle) Close() error {
	if b.src == nil || b.src.closer == nil {
		return nil
	}
	return b.src.closer.Close()
}

// MaxBundleSize bounds the bundles a reader accepts.
const MaxBundleSize = 4 << 30

// Limits on what a bundle's zip directory may declare.
const (
	// MaxManifestSize bounds mvae.json.
	MaxManifestSize = 1 << 20
	// MaxBundleMembers bounds the zip entries of a bundle.
	MaxBundleMembers = 64
	// MaxBundleGraphs bounds the graphs a manifest names.
	MaxBundleGraphs = 2*MaxSplits + 3 // encoder, conductor, full, and init and step a split decoder
	// MaxDeflateRatio bounds how much a compressed member may declare to
	// inflate to (float data and ONNX graphs barely compress); members of
	// up to smallMember bytes are not held to it.
	MaxDeflateRatio = 100
	// MaxWeightsDeflateRatio is the same for the weights: trained float
	// weights compress to nine tenths of their size at best, and a weights
	// member that inflates further would have mvae allocate for values
	// the file does not hold.
	MaxWeightsDeflateRatio = 8
	smallMember            = 1 << 20
)

// WriteBundle writes a bundle as a zip archive, its weights in the
// bundle's precision. With half, float32 weights are stored as float16 (half
// the size; the native runtime keeps the matrices so, the others widen them
// to float32).
func WriteBundle(w io.Writer, b *Bundle, half bool) error {
	c := b.Config()
	p := b.Precision()
	if p == F32 && half {
		p = F16
	}
	var weights StoredWeights
	if b.Precision() == F32 {
		fw, err := b.Weights()
		if err != nil {
			return err
		}
		if err := fw.Check(c); err != nil {
			return err
		}
		weights = Store(fw, F32)
	} else {
		sw, err := b.Stored()
		if err != nil {
			return err
		}
		if err := sw.Check(c, p); err != nil {
			return err
		}
		weights, half = sw, false
	}
	m := b.Manifest
	m.Provenance = m.Provenance.Portable()
	m.Format = BundleFormat
	m.Weights = "weights.safetensors"
	m.WeightsDType = p
	m.Graphs = map[string]string{}
	names := b.GraphNames()
	for _, n := range names {
		m.Graphs[n] = "graphs/" + n + ".onnx"
	}
	zw := zip.NewWriter(w)
	mj, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	f, err := zw.Create("mvae.json")
	if err != nil {
		return err
	}
	if _, err := f.Write(append(mj, '\n')); err != nil {
		return err
	}
	// Weights are stored, not deflated: float data barely compresses.
	f, err = zw.CreateHeader(&zip.FileHeader{Name: m.Weights, Method: zip.Store})
	if err != nil {
		return err
	}
	if err := WriteStoredSafetensors(f, weights.Names(c), weights, map[string]string{"format": ConfigFormat, "mvae.config": string(c.JSON())}, half); err != nil {
		return err
	}
	for _, n := range names {
		g, err := b.ReadGraph(n, MaxBundleSize)
		if err != nil {
			return err
		}
		f, err := zw.CreateHeader(&zip.FileHeader{Name: m.Graphs[n], Method: zip.Deflate})
		if err != nil {
			return err
		}
		if _, err := f.Write(g); err != nil {
			return err
		}
	}
	return zw.Close()
}

// WriteBundleFile writes a bundle atomically.
func WriteBundleFile(path string, b *Bundle, half bool) error {
	return fsutil.WriteAtomic(path, func(w io.Writer) error { return WriteBundle(w, b, half) })
}

// bundleSource is the zip archive an opened bundle reads its members from.
type bundleSource struct {
	name   string // the file, for errors ("" when the caller adds it)
	size   int64  // of the archive
	files  map[string]*zip.File
	closer io.Closer
}

func (s *bundleSource) errorf(format string, args ...any) error {
	if s.name == "" {
		return fmt.Errorf(format, args...)
	}
	return fmt.Errorf("%s: %s", s.name, fmt.Sprintf(format, args...))
}

// read reads one member, of at most limit bytes, trusting neither its
// declared size nor its compressed data: a member that declares more than
// limit, or more than its compressed size can hold, is refused unread, and
// one whose data inflates to anything but its declared size is an error.
func (s *bundleSource) read(name string, limit int64) ([]byte, error) {
	f, ok := s.files[name]
	if !ok {
		return nil, s.errorf("bundle has no member %s", name)
	}
	size, err := s.checkMember(f, limit, MaxDeflateRatio)
	if err != nil {
		return nil, s.errorf("bundle member %s: %v", name, err)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, s.errorf("bundle member %s: %v", name, err)
	}
	defer rc.Close()
	buf := make([]byte, size)
	if _, err := io.ReadFull(rc, buf); err != nil {
		return nil, s.errorf("bundle member %s: %v (it is damaged or shorter than it declares)", name, err)
	}
	// Reading to the end checks the CRC and that nothing follows.
	if err := atEnd(rc); err != nil {
		return nil, s.errorf("bundle member %s: %v", name, err)
	}
	return buf, nil
}

// atEnd reads what follows in r: it must be nothing.
func atEnd(r io.Reader) error {
	var one [1]byte
	n, err := r.Read(one[:])
	for n == 0 && err == nil {
		n, err = r.Read(one[:])
	}
	if n > 0 {
		return fmt.Errorf("holds more data than it declares")
	}
	if err != io.EOF {
		return fmt.Errorf("%v (it is damaged)", err)
	}
	return nil
}

// checkMember checks a member's declared sizes against limit, against the
// archive and against each other, and returns its size.
func (s *bundleSource) checkMember(f *zip.File, limit int64, ratio uint64) (int64, error) {
	u, c := f.UncompressedSize64, f.CompressedSize64
	if u > uint64(limit) {
		return 0, fmt.Errorf("declares %d bytes, more than the %d it may hold", u, limit)
	}
	off, err := f.DataOffset()
	if err != nil {
		return 0, err
	}
	if off < 0 || c > uint64(s.size-off) {
		return 0, fmt.Errorf("declares %d compressed bytes at offset %d of a %d-byte file", c, off, s.size)
	}
	switch f.Method {
	case zip.Store:
		if u != c {
			return 0, fmt.Errorf("is stored uncompressed but declares %d bytes in %d", u, c)
		}
	case zip.Deflate:
		if u > smallMember && u/ratio > c {
			return 0, fmt.Errorf("declares %d bytes in %d compressed, a ratio beyond %d: not a bundle mvae wrote", u, c, ratio)
		}
	default:
		return 0, fmt.Errorf("compression method %d; bundles are stored or deflated", f.Method)
	}
	return int64(u), nil
}

// readWeights reads and checks the weights member; keep keeps 16-bit
// floats so (see readSafetensors).
func (s *bundleSource) readWeights(m *Manifest, keep bool) (StoredWeights, error) {
	f, ok := s.files[m.Weights]
	if !ok {
		return nil, s.errorf("bundle has no member %s", m.Weights)
	}
	c := m.Config
	// What the config's weights can take: every value as float64, and the
	// largest header.
	limit := int64(c.NumParams())*8 + 8 + MaxSafetensorsHeader
	size, err := s.checkMember(f, min(limit, MaxBundleSize), MaxWeightsDeflateRatio)
	if err != nil {
		return nil, s.errorf("bundle member %s: %v", m.Weights, err)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, s.errorf("bundle member %s: %v", m.Weights, err)
	}
	defer rc.Close()
	// Names and shapes are checked before any value is read.
	w, _, err := readSafetensors(rc, size, func(w Weights) error { return w.CheckShapes(c) }, keep)
	if err != nil {
		return nil, s.errorf("bundle member %s: %v", m.Weights, err)
	}
	if err := atEnd(rc); err != nil {
		return nil, s.errorf("bundle member %s: %v", m.Weights, err)
	}
	if err := w.Check(c, m.WeightsDType); err != nil {
		return nil, s.errorf("bundle member %s: %v", m.Weights, err)
	}
	return w, nil
}

// OpenBundle opens a bundle read through r (size bytes) and reads its
// manifest; weights and graphs are read when asked for. name (the file) is
// put before every error; "" leaves that to the caller.
func OpenBundle(r io.ReaderAt, size int64, name string) (*Bundle, error) {
	s := &bundleSource{name: name, size: size, files: map[string]*zip.File{}}
	if size > MaxBundleSize {
		return nil, s.errorf("%d bytes is more than a bundle may hold (%d)", size, int64(MaxBundleSize))
	}
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, s.errorf("not an mvae bundle (not a zip archive): %v", err)
	}
	if len(zr.File) > MaxBundleMembers {
		return nil, s.errorf("not an mvae bundle: %d zip members, more than %d", len(zr.File), MaxBundleMembers)
	}
	for _, f := range zr.File {
		if _, dup := s.files[f.Name]; dup {
			return nil, s.errorf("not an mvae bundle: two zip members are named %s", f.Name)
		}
		s.files[f.Name] = f
	}
	mj, err := s.read("mvae.json", MaxManifestSize)
	if err != nil {
		if _, ok := s.files["mvae.json"]; !ok {
			return nil, s.errorf("not an mvae bundle: it has no mvae.json")
		}
		return nil, err
	}
	b := &Bundle{src: s}
	if err := json.Unmarshal(mj, &b.Manifest); err != nil {
		return nil, s.errorf("bundle manifest mvae.json: %v", err)
	}
	m := &b.Manifest
	if m.Format != BundleFormat {
		if strings.HasPrefix(m.Format, "mvae-bundle/") {
			return nil, s.errorf("bundle format %q is newer than this mvae reads (%s); update mvae", m.Format, BundleFormat)
		}
		return nil, s.errorf("bundle format %q, want %s", m.Format, BundleFormat)
	}
	if m.Config == nil {
		return nil, s.errorf("bundle manifest has no config")
	}
	if err := m.Config.Validate(); err != nil {
		return nil, s.errorf("bundle: %v", err)
	}
	if !slices.Contains(Precisions, m.WeightsDType) {
		return nil, s.errorf("bundle manifest: weights_dtype %q, want float32, float16, bfloat16 or int8", m.WeightsDType)
	}
	// Every member the manifest names exists, and none is named twice.
	if len(m.Graphs) > MaxBundleGraphs {
		return nil, s.errorf("bundle manifest names %d graphs, more than %d", len(m.Graphs), MaxBundleGraphs)
	}
	named := map[string]string{"mvae.json": "the manifest"}
	use := func(p, what string) error {
		if other, ok := named[p]; ok {
			return s.errorf("bundle manifest names member %s for both %s and %s", p, other, what)
		}
		if _, ok := s.files[p]; !ok {
			return s.errorf("bundle has no %s (the manifest's %s)", p, what)
		}
		named[p] = what
		return nil
	}
	if err := use(m.Weights, "weights"); err != nil {
		return nil, err
	}
	for _, n := range b.GraphNames() {
		if err := use(m.Graphs[n], "graph "+n); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// ReadBundle opens a bundle held in memory (see OpenBundle); data must not
// change while the bundle is used. Errors say what is wrong; callers add
// the file name.
func ReadBundle(data []byte) (*Bundle, error) {
	return OpenBundle(bytes.NewReader(data), int64(len(data)), "")
}

// ReadBundleFile opens a bundle file (see OpenBundle), keeping it open until
// Close (or until the file is garbage, as any os.File). Errors name the file.
func ReadBundleFile(path string) (*Bundle, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	b, err := OpenBundle(f, st.Size(), path)
	if err != nil {
		f.Close()
		return nil, err
	}
	b.src.closer = f
	return b, nil
}

// EmbeddedBundle returns the function that opens a bundle embedded in the
// binary (data, named name in messages), parsed once: callers must not
// change the bundle it returns.
func EmbeddedBundle(data []byte, name string) func() (*Bundle, error) {
	return sync.OnceValues(func() (*Bundle, error) {
		return OpenBundle(bytes.NewReader(data), int64(len(data)), name)
	})
}
