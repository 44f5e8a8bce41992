package music

import (
	"encoding/csv"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
)

// Split is one part of a dataset.
type Split int

const (
	Train Split = iota
	Validation
	Test
)

// SplitNames are the .npz array names of the splits, in order.
var SplitNames = [3]string{"train", "validation", "test"}

// Dataset holds the windows of each split.
type Dataset struct {
	Splits [3]*Windows
}

// SkippedFile is one input that gave no windows, and why.
type SkippedFile struct {
	Path   string   `json:"path"`
	Kind   SkipKind `json:"kind"`
	Reason string   `json:"reason"`
}

// BuildReport counts what a dataset build read and kept. The counts add up:
// Files = Used + len(Skipped); Windows = Duplicates + Kept[0]+Kept[1]+Kept[2].
type BuildReport struct {
	Files       int              `json:"files"`
	Used        int              `json:"files_used"`
	Skipped     []SkippedFile    `json:"skipped"`
	SkipCounts  map[SkipKind]int `json:"skip_counts"`
	Windows     int              `json:"windows"`
	Duplicates  int              `json:"duplicates_dropped"`
	Kept        [3]int           `json:"kept"` // train, validation, test
	SplitByInfo int              `json:"files_split_by_info_csv"`
	SplitByHash int              `json:"files_split_by_hash"`
}

// BuildOptions choose how a dataset is built.
type BuildOptions struct {
	Options
	Strict   bool                             // any skipped file is an error
	Workers  int                              // 0: one per CPU
	Progress func(done, total int)            // called after each file, in order; may be nil
	Warn     func(format string, args ...any) // notes about the inputs; may be nil
}

type inputFile struct {
	path  string
	split Split
	byCSV bool
}

// BuildDataset reads every MIDI file under the given folders (or the files
// named) and splits their windows. A folder that holds the Groove MIDI
// Dataset's info.csv decides the split of the files it lists by its `split`
// column; every other file goes by a stable hash of its path relative to the
// folder named (FNV-1a 64, modulo 10: 0-7 train, 8 validation, 9 test).
// Duplicate windows inside one file are dropped.
func BuildDataset(roots []string, o BuildOptions) (*Dataset, *BuildReport, error) {
	if err := o.Check(); err != nil {
		return nil, nil, err
	}
	warn := o.Warn
	if warn == nil {
		warn = func(string, ...any) {}
	}
	var files []inputFile
	for _, root := range roots {
		fs, err := collect(root, warn)
		if err != nil {
			return nil, nil, err
		}
		files = append(files, fs...)
	}
	rep := &BuildReport{Files: len(files), SkipCounts: map[SkipKind]int{}}
	if len(files) == 0 {
		return nil, rep, fmt.Errorf("no MIDI files (.mid, .midi) under %s", strings.Join(roots, ", "))
	}
	type result struct {
		w   *Windows
		err error
	}
	results := make([]result, len(files))
	done := make([]chan struct{}, len(files))
	for i := range done {
		done[i] = make(chan struct{})
	}
	workers := o.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	jobs := make(chan int)
	var wg sync.WaitGroup
	for k := 0; k < workers; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				w, err := FileWindows(files[i].path, o.Options)
				results[i] = result{w, err}
				close(done[i])
			}
		}()
	}
	go func() {
		for i := range files {
			jobs <- i
		}
		close(jobs)
	}()
	ds := &Dataset{}
	T, D := o.Steps(), o.Representation.Depth()
	for s := range ds.Splits {
		ds.Splits[s] = &Windows{T: T, D: D}
	}
	for i, f := range files {
		<-done[i]
		r := results[i]
		results[i] = result{}
		if o.Progress != nil {
			o.Progress(i+1, len(files))
		}
		if r.err != nil {
			kind := KindOf(r.err)
			if kind == "" {
				kind = SkipCorrupt
			}
			rep.Skipped = append(rep.Skipped, SkippedFile{Path: f.path, Kind: kind, Reason: reasonOf(r.err)})
			rep.SkipCounts[kind]++
			continue
		}
		rep.Used++
		if f.byCSV {
			rep.SplitByInfo++
		} else {
			rep.SplitByHash++
		}
		seen := map[string]bool{}
		dst := ds.Splits[f.split]
		for k := 0; k < r.w.N; k++ {
			x := r.w.Window(k)
			key := windowKey(x)
			rep.Windows++
			if seen[key] {
				rep.Duplicates++
				continue
			}
			seen[key] = true
			dst.add(x)
			rep.Kept[f.split]++
		}
	}
	wg.Wait()
	if o.Strict && len(rep.Skipped) > 0 {
		return nil, rep, fmt.Errorf("strict: %d of %d files skipped, first %s", len(rep.Skipped), len(files), rep.Skipped[0].Path+": "+rep.Skipped[0].Reason)
	}
	if rep.Kept[0]+rep.Kept[1]+rep.Kept[2] == 0 {
		return nil, rep, fmt.Errorf("no usable windows in %d files", len(files))
	}
	return ds, rep, nil
}

func reasonOf(err error) string {
	var se *SkipError
	if errors.As(err, &se) {
		return se.Reason
	}
	return err.Error()
}

func windowKey(x []float32) string {
	b := make([]byte, 0, 4*len(x))
	for _, v := range x {
		u := math.Float32bits(v)
		b = append(b, byte(u), byte(u>>8), byte(u>>16), byte(u>>24))
	}
	return string(b)
}

// HashSplit is the split of a file that no info.csv lists: FNV-1a 64 of its
// slash-separated path relative to the folder named, modulo 10.
func HashSplit(rel string) Split {
	h := fnv.New64a()
	io.WriteString(h, filepath.ToSlash(rel))
	switch h.Sum64() % 10 {
	case 8:
		return Validation
	case 9:
		return Test
	}
	return Train
}

func isMIDI(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".mid" || ext == ".midi"
}

// collect lists the MIDI files under root (or root itself) with their splits.
func collect(root string, warn func(string, ...any)) ([]inputFile, error) {
	root = filepath.Clean(root)
	st, err := os.Stat(root)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return []inputFile{{path: root, split: HashSplit(filepath.Base(root))}}, nil
	}
	infos := map[string]map[string]Split{} // folder -> relative path -> split
	var out []inputFile
	// WalkDir does not follow a root that is a symbolic link to a folder:
	// walk the folder it names, and report paths under the name given.
	real, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil, err
	}
	err = filepath.WalkDir(real, func(p string, d fs.DirEntry, err error) error {
		if r, rerr := filepath.Rel(real, p); rerr == nil {
			p = filepath.Join(root, r)
		}
		if err != nil {
			warn("%s: %v (skipped)", p, err)
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if m, err := readInfoCSV(filepath.Join(p, "info.csv")); err == nil {
				infos[p] = m
			} else if !errors.Is(err, fs.ErrNotExist) {
				warn("%v (its folder is split by hash)", err)
			}
			return nil
		}
		if !isMIDI(d.Name()) {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		f := inputFile{path: p, split: HashSplit(rel)}
		// The nearest folder above with an info.csv that lists the file decides.
		for dir := filepath.Dir(p); ; dir = filepath.Dir(dir) {
			if m, ok := infos[dir]; ok {
				r, _ := filepath.Rel(dir, p)
				if s, ok := m[filepath.ToSlash(r)]; ok {
					f.split, f.byCSV = s, true
					break
				}
			}
			if dir == root || dir == filepath.Dir(dir) {
				break
			}
		}
		out = append(out, f)
		return nil
	})
	sort.Slice(out, func(a, b int) bool { return out[a].path < out[b].path })
	return out, err
}

// readInfoCSV reads the Groove MIDI Dataset's info.csv: the columns
// midi_filename (relative to the folder) and split (train, validation, test).
func readInfoCSV(path string) (map[string]Split, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	head, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	fi, si := -1, -1
	for i, h := range head {
		switch strings.TrimSpace(h) {
		case "midi_filename":
			fi = i
		case "split":
			si = i
		}
	}
	if fi < 0 || si < 0 {
		return nil, fmt.Errorf("%s: no midi_filename and split columns; not the Groove MIDI Dataset's info.csv", path)
	}
	m := map[string]Split{}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		if fi >= len(rec) || si >= len(rec) {
			return nil, fmt.Errorf("%s:%d: too few columns", path, line)
		}
		var s Split
		switch strings.TrimSpace(rec[si]) {
		case "train":
			s = Train
		case "validation":
			s = Validation
		case "test":
			s = Test
		default:
			return nil, fmt.Errorf("%s:%d: unknown split %q", path, line, rec[si])
		}
		m[filepath.ToSlash(strings.TrimSpace(rec[fi]))] = s
	}
	return m, nil
}
