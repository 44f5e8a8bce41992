package music

import "fmt"

// FilesWindows are the windows of several MIDI files: window i is window
// Index[i] of file Files[File[i]].
type FilesWindows struct {
	*Windows
	Files []string // the files that gave windows, in the order given
	File  []int
	Index []int
}

// ReadFilesWindows reads every window of the MIDI files, in order. A file
// that gives no window is passed to skip and left out; with strict its error
// is returned instead. No window at all is an error.
func ReadFilesWindows(files []string, o Options, strict bool, skip func(error)) (*FilesWindows, error) {
	fw := &FilesWindows{Windows: &Windows{T: o.Steps(), D: o.Representation.Depth()}}
	for _, f := range files {
		w, err := FileWindows(f, o)
		if err != nil {
			if strict {
				return nil, err
			}
			if skip != nil {
				skip(err)
			}
			continue
		}
		for k := 0; k < w.N; k++ {
			fw.File = append(fw.File, len(fw.Files))
			fw.Index = append(fw.Index, k)
		}
		fw.Files = append(fw.Files, f)
		fw.Append(w)
	}
	if fw.N == 0 {
		return nil, fmt.Errorf("no usable window in %d file(s)", len(files))
	}
	return fw, nil
}
