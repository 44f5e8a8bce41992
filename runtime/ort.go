//go:build cgo

package runtime

import (
	"fmt"
	"sync"

	ort "github.com/yalue/onnxruntime_go"
)

// Available reports whether this build can run onnxruntime.
const Available = true

var env struct {
	sync.Mutex
	path string
	err  error
	done bool
}

// Init loads the onnxruntime shared library (see FindLibrary) and creates the
// process's one onnxruntime environment. Later calls return the first
// result; a later call naming another library is an error.
func Init(libFlag string) (string, error) {
	env.Lock()
	defer env.Unlock()
	if env.done {
		if env.err == nil && libFlag != "" && libFlag != env.path {
			return env.path, fmt.Errorf("onnxruntime is already loaded from %s", env.path)
		}
		return env.path, env.err
	}
	env.done = true
	p, _, err := FindLibrary(libFlag)
	if err != nil {
		env.err = err
		return "", err
	}
	env.path = p
	ort.SetSharedLibraryPath(p)
	if err := ort.InitializeEnvironment(ort.WithLogLevelError()); err != nil {
		env.err = fmt.Errorf("loading onnxruntime from %s: %v; mvae needs onnxruntime %s (onnxruntime_go v1.27.0's C API): %s", p, err, ORTVersion, installHint)
		return p, env.err
	}
	return p, nil
}

// Version is the version string of the loaded library ("" before Init).
func Version() string {
	env.Lock()
	defer env.Unlock()
	if !env.done || env.err != nil {
		return ""
	}
	return ort.GetVersion()
}
