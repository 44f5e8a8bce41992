package npy

import (
	"fmt"
	"math"
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
	m, err := ReadNPZFile(path)
	if err != nil {
		return nil, "", err
	}
	for _, n := range names {
		if n == "" && len(m) == 1 {
			n = Names(m)[0]
		}
		if a, ok := m[n]; ok {
			return a, n, nil
		}
	}
	return nil, "", &MissingArrayError{Path: path, Want: names, Held: Names(m)}
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
func Held(m map[string]*Array) string { return heldNames(Names(m)) }

func heldNames(names []string) string {
	if len(names) == 0 {
		return "no array"
	}
	return strings.Join(names, ", ")
}

// ReadArrays reads every array of a tensor file in name order: a .npy is one
// array named "". Errors name the file.
func ReadArrays(path string) ([]string, map[string]*Array, error) {
	if !isNPZ(path) {
		a, err := ReadFile(path)
		if err != nil {
			return nil, nil, err
		}
		return []string{""}, map[string]*Array{"": a}, nil
	}
	m, err := ReadNPZFile(path)
	if err != nil {
		return nil, nil, err
	}
	return Names(m), m, nil
}

// NonFinite returns the flat index of the first NaN or infinite value, or -1.
func (a *Array) NonFinite() int {
	for i, v := range a.Data {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return i
		}
	}
	return -1
}

// At returns the coordinates of flat index i in the array's shape.
func (a *Array) At(i int) []int {
	at := make([]int, len(a.Shape))
	for k := len(a.Shape) - 1; k >= 0; k-- {
		if d := a.Shape[k]; d > 0 {
			at[k] = i % d
			i /= d
		}
	}
	return at
}

// CheckFinite fails on the first NaN or infinite value, naming where it is.
func (a *Array) CheckFinite() error {
	if i := a.NonFinite(); i >= 0 {
		return fmt.Errorf("value %v at %v (NaN and infinity are not valid input)", a.Data[i], a.At(i))
	}
	return nil
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
