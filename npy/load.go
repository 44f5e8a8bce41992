package npy

import (
	"fmt"
	"path/filepath"
	"strings"
)

// IsTensorFile reports whether path names a .npy or .npz file.
func IsTensorFile(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".npy", ".npz":
		return true
	}
	return false
}

// isNPZ reports whether path names a .npz file.
func isNPZ(path string) bool { return strings.EqualFold(filepath.Ext(path), ".npz") }

// ReadArrayFile reads a .npy file, or one array of a .npz file: the first of
// names the archive holds, where "" stands for its only array. It returns the
// array and its name ("" for a .npy). Errors name the file.
func ReadArrayFile(path string, names ...string) (*Array, string, error) {
	if !isNPZ(path) {
		a, err := ReadFile(path)
		return a, "", err
	}
	// Only the array used is decoded: the others may be large, or damaged.
	z, err := OpenNPZ(path)
	if err != nil {
		return nil, "", err
	}
	defer z.Close()
	held := z.Names()
	for _, n := range names {
		if n == "" && len(held) == 1 {
			n = held[0]
		}
		if z.Has(n) {
			a, err := z.Get(n)
			return a, n, err
		}
	}
	return nil, "", &MissingArrayError{Path: path, Want: names, Held: held}
}

// MissingArrayError says that a .npz holds none of the arrays asked for.
type MissingArrayError struct {
	Path string
	Want []string // "" stands for the archive's only array
	Held []string
}

func (e *MissingArrayError) Error() string {
	var want []string
	for _, n := range e.Want {
		if n != "" {
			want = append(want, n)
		}
	}
	held := heldNames(e.Held)
	if len(want) == 0 {
		return fmt.Sprintf("%s holds %s; name the array to use", e.Path, held)
	}
	return fmt.Sprintf("%s has no array %s (it holds %s)", e.Path, strings.Join(want, " or "), held)
}

// Held lists an archive's arrays for messages: "a, b, c" or "no array".
func Held(names []string) string { return heldNames(names) }

func heldNames(names []string) string {
	if len(names) == 0 {
		return "no array"
	}
	return strings.Join(names, ", ")
}

// ReadArrays reads arrays of a tensor file: those of want that it holds,
// or every array when want is empty; a .npy is one array named "". It
// returns the names the file holds, in order. Arrays not asked for are never
// decoded. Errors name the file.
func ReadArrays(path string, want ...string) ([]string, map[string]*Array, error) {
	if !isNPZ(path) {
		a, err := ReadFile(path)
		if err != nil {
			return nil, nil, err
		}
		return []string{""}, map[string]*Array{"": a}, nil
	}
	z, err := OpenNPZ(path)
	if err != nil {
		return nil, nil, err
	}
	defer z.Close()
	held := z.Names()
	if len(want) == 0 {
		want = held
	}
	m := map[string]*Array{}
	for _, n := range want {
		if !z.Has(n) {
			continue
		}
		a, err := z.Get(n)
		if err != nil {
			return nil, nil, err
		}
		m[n] = a
	}
	return held, m, nil
}

// CheckShape compares the shape with want, where -1 is a dimension of any
// size; the data must fill the shape.
func (a *Array) CheckShape(want ...int) error {
	ok := len(a.Shape) == len(want)
	for i := range want {
		if ok && want[i] >= 0 && a.Shape[i] != want[i] {
			ok = false
		}
	}
	if !ok {
		w := make([]string, len(want))
		for i, d := range want {
			w[i] = fmt.Sprint(d)
			if d < 0 {
				w[i] = "N"
			}
		}
		return fmt.Errorf("shape %v, want [%s]", a.Shape, strings.Join(w, ", "))
	}
	if a.Len() != len(a.Data) {
		return fmt.Errorf("shape %v holds %d values, the data %d", a.Shape, a.Len(), len(a.Data))
	}
	return nil
}

// CheckBatch checks a batch of rows: the shape against want (see
// CheckShape), at least one row, and every value finite. Errors say what is
// wrong; callers add the file.
func (a *Array) CheckBatch(want ...int) error {
	if err := a.CheckShape(want...); err != nil {
		return err
	}
	if len(a.Shape) > 0 && a.Shape[0] == 0 {
		return fmt.Errorf("an empty batch (shape %v): no rows", a.Shape)
	}
	return a.CheckFinite()
}
