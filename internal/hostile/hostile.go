// Package hostile holds the crafted files that mvae must refuse cleanly: each
// Case writes its files into a folder and names the mvae command to run on
// them. The test beside this file builds mvae and runs every case in a child
// process under an address-space limit, so that an out-of-memory fails the
// test rather than the machine, and requires one clear error: exit status 1
// (2 for a bad command line, Case.Usage),
// no panic, a message naming the file and the problem, and every input file
// left as it was.
//
// Each reader registers its cases from a file of its own (pt.go, onnx.go,
// bundle.go, …) with Register in an init function.
package hostile

import (
	"fmt"
	"sort"
	"sync"
)

// Case is one hostile input.
type Case struct {
	// Name is "reader/what", e.g. "pt/stride-zero".
	Name string
	// Make writes the case's files into dir (an empty folder) and returns the
	// mvae arguments (without "mvae") and the file the error must name (its
	// base name is looked for in the message).
	Make func(dir string) (args []string, file string, err error)
	// Want are substrings (case-insensitive) the error message must hold.
	Want []string
	// NeedsORT marks a case that runs onnxruntime (--runtime ort, import
	// verification); it is skipped where the library cannot be found, except
	// in CI.
	NeedsORT bool
	// ExitZero marks a case whose hostile input must be handled without an
	// error (e.g. an unused oversized member that must never be read).
	ExitZero bool
	// Usage marks a bad command line (a flag's value): exit status 2, not 1.
	Usage bool
}

var (
	mu    sync.Mutex
	cases = map[string]Case{}
)

// Register adds a case; a second case with the same name is a programmer error.
func Register(c Case) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := cases[c.Name]; dup {
		panic(fmt.Sprintf("hostile: case %q registered twice", c.Name))
	}
	if c.Make == nil {
		panic(fmt.Sprintf("hostile: case %q has no Make", c.Name))
	}
	cases[c.Name] = c
}

// Cases returns every registered case, sorted by name.
func Cases() []Case {
	mu.Lock()
	defer mu.Unlock()
	out := make([]Case, 0, len(cases))
	for _, c := range cases {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
