// Package fsutil holds the small file-system rules every command follows:
// files the user names are replaced atomically, files generated into a folder
// never replace existing ones unless asked.
package fsutil

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// WriteAtomic writes path through write: the data goes to a temporary file in
// the same folder, which is synced and then renamed over path. A failure at any
// point leaves an existing file at path untouched. A path that is a folder or
// an input of the running command (see SetInputs) is refused before anything
// is written. The temporary file is removed when the process gets SIGINT or
// SIGTERM (see RemoveTempsOnSignal); those of killed writes to the same path
// are removed once older than StaleTempAge.
func WriteAtomic(path string, write func(w io.Writer) error) (err error) {
	if err := CheckTarget(path); err != nil {
		return err
	}
	sweepStaleTemps(path)
	tmp, err := createTemp(path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	defer forgetTemp(tmp.Name())
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, 1<<20)
	if err = write(bw); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err = bw.Flush(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	// CreateTemp makes the file 0600; give it the usual permissions.
	if err = os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// ErrExists is returned by CreateNew when the file is already there.
var ErrExists = errors.New("file exists")

// CreateNew writes a generated file into a folder. Without force an existing
// file is never touched and the error wraps ErrExists; with force it is
// replaced atomically.
func CreateNew(path string, force bool, write func(w io.Writer) error) error {
	if !force {
		if _, err := os.Lstat(path); err == nil {
			return fmt.Errorf("%s: %w", path, ErrExists)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	return WriteAtomic(path, write)
}

// ReadFileLimit reads a whole file that may be at most limit bytes; the
// error names the file.
func ReadFileLimit(path string, limit int64) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Size() > limit {
		return nil, fmt.Errorf("%s: %d bytes is more than the %d this reader takes", path, st.Size(), limit)
	}
	return os.ReadFile(path)
}
