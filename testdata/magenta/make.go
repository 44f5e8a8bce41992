//go:build ignore

// Writes tiny magenta.js checkpoints (random weights, Magenta's own tensor
// names, written by magenta.js's side of the conformance harness in Node)
// into testdata/magenta/NAME/, for the README's examples:
//
//	scripts/fetch-magentajs.sh && go run testdata/magenta/make.go
package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/musicvae-go/mvae/conformance/magentajs"
	"github.com/musicvae-go/mvae/model"
)

func main() {
	out, err := exec.Command("scripts/fetch-magentajs.sh").Output()
	if err != nil {
		fail(fmt.Errorf("scripts/fetch-magentajs.sh: %v", err))
	}
	h := &magentajs.Harness{Node: "node", Script: "conformance/magentajs/harness.mjs", Modules: strings.TrimSpace(string(out))}
	for _, name := range []string{"groove_4bar", "mel_2bar"} {
		dir := filepath.Join("testdata", "magenta", name)
		if err := os.RemoveAll(dir); err != nil {
			fail(err)
		}
		req, err := magentajs.CheckpointRequest(model.TinyFamilies()[name], dir, 1)
		if err != nil {
			fail(err)
		}
		var resp magentajs.WriteResponse
		if err := h.Do(req, &resp); err != nil {
			fail(err)
		}
		fmt.Println("wrote", dir)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "make.go:", err)
	os.Exit(1)
}
