package musicvae

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/importer"
	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/model/defaultmodel"
	"github.com/musicvae-go/mvae/model/embedded"
	"github.com/musicvae-go/mvae/native"
)

// Runtime opens a bundle on a runtime.
type Runtime func(*model.Bundle) (generate.Backend, error)

// Native runs a bundle in pure Go (package native): the default.
// A bundle stored below float32 stays so in memory (native.Open).
func Native(b *model.Bundle) (generate.Backend, error) {
	return native.Open(b)
}

// Option changes how Load and Open work.
type Option func(*options)

type options struct {
	runtime Runtime
	logf    func(format string, args ...any)
	refine  native.RefineOptions
}

// WithRuntime runs the model on r instead of Native (for onnxruntime, the
// mvae command passes a Runtime over package runtime, which needs cgo).
func WithRuntime(r Runtime) Option { return func(o *options) { o.runtime = r } }

// WithLog receives the notes of an import on the fly (by default they are
// dropped).
func WithLog(logf func(format string, args ...any)) Option {
	return func(o *options) { o.logf = logf }
}

// WithRefine makes Encode, and so Interpolate, Similar and
// AttributeVector, refine each mu by steps steps of gradient descent on its
// sequence's teacher-forced reconstruction (native.Refine, on the native
// runtime whatever runtime decodes; lr 0 is native.DefaultRefineLR): a
// latent vector that reconstructs the sequence more faithfully, at the
// cost of steps forward and backward passes of the conductor and decoder
// per sequence. Humanize and Tap are not refined (their encoder reads
// another input than the decoder writes).
func WithRefine(steps int, lr float64) Option {
	return func(o *options) { o.refine = native.RefineOptions{Steps: steps, LR: lr} }
}

func collect(opts []Option) options {
	o := options{runtime: Native, logf: func(string, ...any) {}}
	for _, f := range opts {
		f(&o)
	}
	return o
}

// DefaultName is the name of the embedded default model.
const DefaultName = "the embedded " + embedded.Default + " model"

// ErrNoDefaultModel is returned by Load("") when the build has no embedded
// model.
var ErrNoDefaultModel = errors.New("no model named, and this build has no embedded default model")

// defaultBundle is the embedded model (a variable for tests).
var defaultBundle = defaultmodel.Bundle

// LoadBundle reads a model without opening it: path "" is the embedded
// default model (groove), and an embedded model's name (model/embedded:
// groove, melody) is that model (write ./melody for a file of that name); a .onnx, .pt or a magenta.js checkpoint folder is imported
// in memory (importer.File, without the check `mvae import` makes); any
// other path is read as a bundle (`mvae import`'s .mvae). It returns the
// bundle and a name for messages.
func LoadBundle(path string, opts ...Option) (*model.Bundle, string, error) {
	o := collect(opts)
	if path == "" {
		if defaultBundle == nil {
			return nil, "", ErrNoDefaultModel
		}
		b, err := defaultBundle()
		return b, DefaultName, err
	}
	if open := embedded.Lookup(path); open != nil {
		b, err := open()
		return b, "the embedded " + path + " model", err
	}
	ext := strings.ToLower(filepath.Ext(path))
	if importer.IsMagentaDir(path) {
		ext = "magenta.js"
	}
	switch ext {
	case ".onnx", ".pt", ".pth", "magenta.js":
		r, err := importer.File(path, importer.Options{})
		if err != nil {
			return nil, "", err
		}
		for _, n := range r.Notes {
			o.logf("%s: %s", path, n)
		}
		o.logf("%s: imported in memory (use `mvae import` to make a verified bundle)", path)
		// No graphs: onnxruntime builds them from the weights when it runs.
		b, _, err := r.Bundle(false)
		return b, path, err
	}
	b, err := model.ReadBundleFile(path)
	return b, path, err
}

// Model is a loaded model, open on a runtime. Its methods may not be called
// from several goroutines at once.
type Model struct {
	bundle  *model.Bundle
	be      generate.Backend
	refiner generate.Refiner // nil unless WithRefine
	name    string
	owned   bool // Load read the bundle from a file: Close closes it
}

// Load reads a model (see LoadBundle; "" is the embedded default model) and
// opens it on its runtime (Native unless WithRuntime).
func Load(path string, opts ...Option) (*Model, error) {
	b, name, err := LoadBundle(path, opts...)
	if err != nil {
		return nil, err
	}
	m, err := Open(b, name, opts...)
	if err != nil {
		if path != "" {
			b.Close()
		}
		return nil, err
	}
	m.owned = path != "" // the embedded bundle is shared
	return m, nil
}

// LoadDefault opens the embedded default model.
func LoadDefault(opts ...Option) (*Model, error) { return Load("", opts...) }

// Open opens a bundle on its runtime (Native unless WithRuntime); name
// names it in errors.
func Open(b *model.Bundle, name string, opts ...Option) (*Model, error) {
	o := collect(opts)
	m := &Model{bundle: b, name: name}
	if o.refine.Steps != 0 || o.refine.LR != 0 {
		// Before the runtime opens: onnxruntime may let the bundle's
		// float32 weights go.
		r, err := refinerOf(b, o.refine)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		m.refiner = r
	}
	be, err := o.runtime(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	m.be = be
	return m, nil
}

// refinerOf builds the native model that refines latent vectors (its own
// float32 weights, packed for the backward pass).
func refinerOf(b *model.Bundle, o native.RefineOptions) (generate.Refiner, error) {
	if err := o.Check(); err != nil {
		return nil, err
	}
	w, err := b.Weights()
	if err != nil {
		return nil, err
	}
	nm, err := native.New(b.Config(), w)
	if err != nil {
		return nil, err
	}
	return native.Refiner{Model: nm, Options: o}, nil
}

// MaxRefineSteps bounds WithRefine's steps.
const MaxRefineSteps = native.MaxRefineSteps

// Refiner is what refines latent vectors (WithRefine), or nil.
func (m *Model) Refiner() generate.Refiner { return m.refiner }

// Close frees the runtime's resources, and the file of a bundle Load read
// (a bundle given to Open stays the caller's).
func (m *Model) Close() error {
	err := m.be.Close()
	if m.owned {
		if cerr := m.bundle.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// Config is the model's config.
func (m *Model) Config() *model.Config { return m.bundle.Config() }

// Bundle is the model's bundle.
func (m *Model) Bundle() *model.Bundle { return m.bundle }

// Backend is the runtime the model runs on.
func (m *Model) Backend() generate.Backend { return m.be }

// Name names the model: its path, or DefaultName.
func (m *Model) Name() string { return m.name }
