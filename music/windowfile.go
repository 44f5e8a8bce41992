package music

import (
	"fmt"

	"github.com/musicvae-go/mvae/npy"
)

// WindowsOf checks an array against o's windows, [N, T, D] for o's
// representation and bars with every value finite, and returns it as
// Windows sharing its data; N may be 0. Errors say what is wrong; callers
// add the file.
func WindowsOf(a *npy.Array, o Options) (*Windows, error) {
	T, D := o.Steps(), o.Representation.Depth()
	if err := a.CheckShape(-1, T, D); err != nil {
		return nil, fmt.Errorf("%v (windows of %s, %d bars)", err, o.Representation, o.Bars)
	}
	if err := a.CheckFinite(); err != nil {
		return nil, err
	}
	return &Windows{N: a.Shape[0], T: T, D: D, Data: a.Data}, nil
}

// CheckWindows checks n windows of o's shape held in x (see WindowsOf).
func CheckWindows(x []float32, n int, o Options) error {
	_, err := WindowsOf(&npy.Array{Shape: []int{n, o.Steps(), o.Representation.Depth()}, Data: x}, o)
	return err
}

// arrayLabel names an array of a tensor file in messages ("" for a .npy).
func arrayLabel(path, name string) string {
	if name == "" {
		return path
	}
	return fmt.Sprintf("%s: array %s", path, name)
}

// ReadWindowsFile reads windows of o's shape from a .npy file, or from
// arrays of a .npz file: those named, in order, or all of them when none is
// named (names are ignored for a .npy). Each array must hold windows of o's
// shape with finite values (see WindowsOf), and together at least one
// window. Errors name the file and the array.
func ReadWindowsFile(path string, o Options, arrays ...string) (*Windows, error) {
	names, m, err := npy.ReadArrays(path, arrays...)
	if err != nil {
		return nil, err
	}
	if len(arrays) > 0 && names[0] != "" {
		for _, n := range arrays {
			if _, ok := m[n]; !ok {
				return nil, fmt.Errorf("%s has no array %s (it holds %s)", path, n, npy.Held(names))
			}
		}
		names = arrays
	}
	w := &Windows{T: o.Steps(), D: o.Representation.Depth()}
	for _, n := range names {
		x, err := WindowsOf(m[n], o)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", arrayLabel(path, n), err)
		}
		w.Append(x)
	}
	if w.N == 0 {
		return nil, fmt.Errorf("%s holds no windows: an empty batch", path)
	}
	return w, nil
}
