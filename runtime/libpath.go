// Package runtime runs mvae's ONNX graphs under onnxruntime through
// github.com/yalue/onnxruntime_go. It is the one package of mvae that uses
// cgo; built with CGO_ENABLED=0 it reports that onnxruntime is not available.
package runtime

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ORTVersion is the onnxruntime release whose C API onnxruntime_go v1.27.0
// expects; scripts/fetch-onnxruntime.sh takes it from the npm package
// onnxruntime-node of the same version.
const ORTVersion = "1.24.3"

// LibraryEnv is the environment variable that names the shared library.
const LibraryEnv = "ONNXRUNTIME_SHARED_LIBRARY_PATH"

// libName is the file the fetch script stores in the cache folder.
const libName = "libonnxruntime.so.1"

// CacheDir is where scripts/fetch-onnxruntime.sh puts the library:
// $MVAE_CACHE_DIR, else the user cache folder ($XDG_CACHE_HOME or
// ~/.cache), under mvae/onnxruntime/VERSION. The script computes the same.
func CacheDir() string {
	base := os.Getenv("MVAE_CACHE_DIR")
	if base == "" {
		c, err := os.UserCacheDir()
		if err != nil {
			c = os.TempDir()
		}
		base = filepath.Join(c, "mvae")
	}
	return filepath.Join(base, "onnxruntime", ORTVersion)
}

// ErrUnavailable is wrapped by the errors that mean this process cannot run
// onnxruntime at all (no library, or a build without cgo).
var ErrUnavailable = errors.New("onnxruntime is not available")

// ErrNoLibrary is wrapped by FindLibrary's error when no library is found.
var ErrNoLibrary = fmt.Errorf("%w: its shared library was not found", ErrUnavailable)

// installHint tells a user how to get the library.
const installHint = "install it with `make ort` (or `scripts/fetch-onnxruntime.sh`), " +
	"or name a libonnxruntime.so " + ORTVersion + " in $" + LibraryEnv

// FindLibrary returns the onnxruntime shared library to load: the path given
// (from --ort-lib), else $ONNXRUNTIME_SHARED_LIBRARY_PATH, else the cache
// folder. It says where the path came from. A path named explicitly must
// exist; the error names it.
func FindLibrary(flag string) (path, source string, err error) {
	check := func(p, src string) (string, string, error) {
		st, err := os.Stat(p)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return "", "", fmt.Errorf("%w: %s (from %s) does not exist; %s", ErrNoLibrary, p, src, installHint)
			}
			return "", "", fmt.Errorf("onnxruntime library %s (from %s): %v", p, src, err)
		}
		if st.IsDir() {
			return "", "", fmt.Errorf("onnxruntime library %s (from %s) is a folder, not a shared library", p, src)
		}
		return p, src, nil
	}
	if flag != "" {
		return check(flag, "the path given")
	}
	if env := strings.TrimSpace(os.Getenv(LibraryEnv)); env != "" {
		return check(env, "$"+LibraryEnv)
	}
	p := filepath.Join(CacheDir(), libName)
	if _, err := os.Stat(p); err == nil {
		return p, "the cache folder", nil
	}
	return "", "", fmt.Errorf("%w (no path given, no $%s, nothing at %s); %s", ErrNoLibrary, LibraryEnv, p, installHint)
}
