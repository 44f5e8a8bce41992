package music

import (
	"fmt"
	"strings"

	"github.com/musicvae-go/mvae/npy"
)

// All returns the windows of every split, in split order.
func (ds *Dataset) All() *Windows {
	w := &Windows{T: ds.Splits[Train].T, D: ds.Splits[Train].D}
	for _, s := range ds.Splits {
		w.Append(s)
	}
	return w
}

// GatherWindows reads windows of o's shape from every path: a tensor file
// (.npy, .npz) as ReadWindowsFile reads it (arrays names the arrays of a
// .npz; none: all), any other path as MIDI files and folders for
// BuildDataset (every split). The report is that of the MIDI files (nil
// when there are none). No window at all is an error.
func GatherWindows(paths []string, o BuildOptions, arrays ...string) (*Windows, *BuildReport, error) {
	if err := o.Check(); err != nil {
		return nil, nil, err
	}
	w := &Windows{T: o.Steps(), D: o.Representation.Depth()}
	var midi []string
	for _, p := range paths {
		if !npy.IsTensorFile(p) {
			midi = append(midi, p)
			continue
		}
		x, err := ReadWindowsFile(p, o.Options, arrays...)
		if err != nil {
			return nil, nil, err
		}
		w.Append(x)
	}
	var rep *BuildReport
	if len(midi) > 0 {
		ds, r, err := BuildDataset(midi, o)
		if err != nil {
			return nil, r, err
		}
		rep = r
		w.Append(ds.All())
	}
	if w.N == 0 {
		return nil, rep, fmt.Errorf("no windows in %s", strings.Join(paths, ", "))
	}
	return w, rep, nil
}
