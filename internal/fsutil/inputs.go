package fsutil

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// ErrIsInput is wrapped by the error of a write whose target is a file the
// command reads.
var ErrIsInput = errors.New("refusing to write over an input of this command")

// ErrIsFolder is wrapped by the error of a write whose target is a folder.
var ErrIsFolder = errors.New("is a folder; name a file to write")

// ErrNotRegular is wrapped by the error of a write whose target is a device,
// a pipe or a socket: the rename of an atomic write would replace it.
var ErrNotRegular = errors.New("is not a regular file (a device, pipe or socket); name a file to write")

// Input is a file or folder a command reads. A folder stands for the files
// under it whose names end in one of Suffixes (case-insensitive).
type Input struct {
	Path     string
	Suffixes []string
}

type input struct {
	Input
	info fs.FileInfo
	real string // the folder with every symbolic link resolved
}

var inputs struct {
	sync.Mutex
	list []input
}

// SetInputs declares what the running command reads: until the next call,
// WriteAtomic and CreateNew refuse a target that is one of these files (the
// same file however it is named: os.SameFile), or a file under one of these
// folders with a suffix the folder stands for. Paths that do not exist are
// left out. SetInputs() clears the list.
func SetInputs(in ...Input) {
	var list []input
	for _, i := range in {
		if i.Path == "" {
			continue
		}
		st, err := os.Stat(i.Path)
		if err != nil {
			continue
		}
		e := input{Input: i, info: st}
		if st.IsDir() {
			if e.real, err = realPath(i.Path); err != nil {
				continue
			}
		}
		list = append(list, e)
	}
	inputs.Lock()
	inputs.list = list
	inputs.Unlock()
}

func realPath(p string) (string, error) {
	a, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	return filepath.EvalSymlinks(a)
}

// CheckTarget says why path cannot be written as a file: it is a folder, a
// device, pipe or socket, or an input of the running command (see
// SetInputs). A missing path is fine.
func CheckTarget(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return nil // missing (or unreadable: the write itself will say)
	}
	if st.IsDir() {
		return fmt.Errorf("%s %w", path, ErrIsFolder)
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s: %w", path, ErrNotRegular)
	}
	inputs.Lock()
	defer inputs.Unlock()
	var real string
	for _, in := range inputs.list {
		if !in.info.IsDir() {
			if os.SameFile(st, in.info) {
				if in.Path == path {
					return fmt.Errorf("%s: %w", path, ErrIsInput)
				}
				return fmt.Errorf("%s: %w (%s)", path, ErrIsInput, in.Path)
			}
			continue
		}
		if real == "" {
			if real, err = realPath(path); err != nil {
				return nil
			}
		}
		rel, err := filepath.Rel(in.real, real)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			continue
		}
		for _, s := range in.Suffixes {
			if strings.HasSuffix(strings.ToLower(real), strings.ToLower(s)) {
				return fmt.Errorf("%s: %w (a %s file under %s)", path, ErrIsInput, s, in.Path)
			}
		}
	}
	return nil
}
