package serve

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/musicvae-go/mvae/musicvae"
	"github.com/musicvae-go/mvae/npy"
)

// Spec names a model to serve: NAME=PATH (`--model`). Path "" (or
// "default") is the embedded default model, groove or melody an embedded
// model (model/embedded); any other path is what musicvae.LoadBundle reads
// (a bundle, an .onnx or .pt file, a magenta.js checkpoint folder).
type Spec struct {
	Name, Path string
}

// nameRE is what a model or attribute name may hold: it travels in URLs and
// JSON, never as a path.
var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

// ParseSpec parses NAME=PATH.
func ParseSpec(s string) (Spec, error) {
	name, path, ok := strings.Cut(s, "=")
	if !ok || path == "" {
		return Spec{}, fmt.Errorf("%q is not NAME=PATH", s)
	}
	if !nameRE.MatchString(name) {
		return Spec{}, fmt.Errorf("%q: the name %q may hold letters, digits, '_', '.' and '-' (at most 64, starting with a letter or digit)", s, name)
	}
	return Spec{Name: name, Path: path}, nil
}

// AttributeSpec names an attribute vector to serve: [MODEL/]NAME=VEC.npy
// (`--attribute`). Without MODEL the vector goes to every model whose
// latent size is the vector's length.
type AttributeSpec struct {
	Model, Name, Path string
}

// ParseAttributeSpec parses [MODEL/]NAME=PATH.
func ParseAttributeSpec(s string) (AttributeSpec, error) {
	name, path, ok := strings.Cut(s, "=")
	if !ok || path == "" {
		return AttributeSpec{}, fmt.Errorf("%q is not [MODEL/]NAME=VEC.npy", s)
	}
	var a AttributeSpec
	if m, n, ok := strings.Cut(name, "/"); ok {
		a.Model, name = m, n
		if !nameRE.MatchString(m) {
			return AttributeSpec{}, fmt.Errorf("%q: bad model name %q", s, m)
		}
	}
	if !nameRE.MatchString(name) {
		return AttributeSpec{}, fmt.Errorf("%q: the name %q may hold letters, digits, '_', '.' and '-'", s, name)
	}
	a.Name, a.Path = name, path
	return a, nil
}

// Model is a model the server serves: a musicvae.Model, which may not be
// called from several goroutines at once, behind a mutex, with its
// attribute vectors and its sampling batcher.
type Model struct {
	Name    string
	sem     chan struct{} // holds the model: one call at a time
	waiting atomic.Int64  // calls waiting for sem
	m       *musicvae.Model
	attrs   map[string][]float32
	b       *batcher
}

// NewModel serves m under name.
func NewModel(name string, m *musicvae.Model) *Model {
	return &Model{Name: name, m: m, sem: make(chan struct{}, 1), attrs: map[string][]float32{}}
}

// do runs f with the model held, once no other call holds it. It gives up
// when ctx ends first (errTimeout) or when more than maxWaiting calls wait
// already (errOverloaded; maxWaiting 0: no bound).
func (m *Model) do(ctx context.Context, maxWaiting int, f func(*musicvae.Model) error) error {
	if w := m.waiting.Add(1); maxWaiting > 0 && w > int64(maxWaiting) {
		m.waiting.Add(-1)
		return errOverloaded
	}
	select {
	case m.sem <- struct{}{}:
		m.waiting.Add(-1)
	case <-ctx.Done():
		m.waiting.Add(-1)
		return errTimeout
	}
	defer func() { <-m.sem }()
	return f(m.m)
}

// AddAttribute adds a named attribute vector (its length must be the
// model's latent size; it must be finite).
func (m *Model) AddAttribute(name string, v []float32) error {
	if z := m.m.Config().ZSize; len(v) != z {
		return fmt.Errorf("attribute %q has %d values; model %q's latent vectors have %d", name, len(v), m.Name, z)
	}
	if i := npy.FirstNonFinite(v); i >= 0 {
		return fmt.Errorf("attribute %q: value %d is not finite", name, i)
	}
	if _, dup := m.attrs[name]; dup {
		return fmt.Errorf("model %q has two attributes named %q", m.Name, name)
	}
	m.attrs[name] = v
	return nil
}

// Attributes lists the model's attribute names, sorted.
func (m *Model) Attributes() []string {
	names := make([]string, 0, len(m.attrs))
	for n := range m.attrs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Close closes the model.
func (m *Model) Close() error { return m.m.Close() }

// LoadModels loads every spec (musicvae.Load with opts) and the attribute
// vectors. Errors name the spec and the file.
func LoadModels(specs []Spec, attrs []AttributeSpec, opts ...musicvae.Option) ([]*Model, error) {
	var out []*Model
	fail := func(err error) ([]*Model, error) {
		for _, m := range out {
			m.Close()
		}
		return nil, err
	}
	seen := map[string]bool{}
	for _, s := range specs {
		if seen[s.Name] {
			return fail(fmt.Errorf("two models named %q", s.Name))
		}
		seen[s.Name] = true
		path := s.Path
		if path == "default" {
			path = ""
		}
		m, err := musicvae.Load(path, opts...)
		if err != nil {
			return fail(fmt.Errorf("model %s=%s: %w", s.Name, s.Path, err))
		}
		out = append(out, NewModel(s.Name, m))
	}
	for _, a := range attrs {
		arr, err := npy.ReadFile(a.Path)
		if err != nil {
			return fail(fmt.Errorf("attribute %s: %w", a.Path, err))
		}
		added := false
		for _, m := range out {
			if a.Model != "" && m.Name != a.Model {
				continue
			}
			if a.Model == "" && m.m.Config().ZSize != len(arr.Data) {
				continue
			}
			if err := m.AddAttribute(a.Name, arr.Data); err != nil {
				return fail(fmt.Errorf("attribute %s: %w", a.Path, err))
			}
			added = true
		}
		if !added {
			if a.Model != "" {
				return fail(fmt.Errorf("attribute %s: no model named %q", a.Path, a.Model))
			}
			return fail(fmt.Errorf("attribute %s: %d values, and no model has latent vectors of that size", a.Path, len(arr.Data)))
		}
	}
	return out, nil
}
