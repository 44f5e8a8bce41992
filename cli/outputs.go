package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/musicvae-go/mvae/importer"
	"github.com/musicvae-go/mvae/internal/fsutil"
)

// inputFlags are the flags that name files a command reads.
var inputFlags = []string{"model", "x", "eps", "z", "data", "train", "config", "shift", "with", "without"}

// outputFileFlags are the flags that name a file a command writes.
var outputFileFlags = []string{"output", "tensors", "grads", "checkpoint", "safetensors", "pt", "plot"}

// outputDirCommands are the commands whose --output is a folder that
// generated files are written into.
var outputDirCommands = map[string]bool{"generate": true, "decode": true, "interpolate": true, "render": true,
	"similar": true, "humanize": true, "tap": true}

// midiSuffixes are the files a command that takes folders reads in them
// (info.csv: the Groove MIDI Dataset's split).
var midiSuffixes = []string{".mid", ".midi", "info.csv"}

// commandInputs lists what c reads: its file arguments and input flags. A
// folder stands for the MIDI files under it (a magenta.js checkpoint, for
// its files); a .pt, also for the config.json beside it that the importer
// reads.
func commandInputs(c *ucli.Context) []fsutil.Input {
	var in []fsutil.Input
	add := func(p string) {
		if p == "" {
			return
		}
		if importer.IsMagentaDir(p) {
			if es, err := os.ReadDir(p); err == nil {
				for _, e := range es {
					in = append(in, fsutil.Input{Path: filepath.Join(p, e.Name())})
				}
			}
		}
		in = append(in, fsutil.Input{Path: p, Suffixes: midiSuffixes})
		if strings.HasSuffix(strings.ToLower(p), ".pt") || strings.HasSuffix(strings.ToLower(p), ".pth") {
			in = append(in, fsutil.Input{Path: filepath.Join(filepath.Dir(p), "config.json")})
		}
	}
	for _, a := range c.Args().Slice() {
		add(a)
	}
	for _, name := range inputFlags {
		if flagNamed(c.Command.Flags, name) != nil {
			add(c.String(name))
		}
	}
	return in
}

// outputFiles lists the files c writes, by flag; finetune's checkpoint has
// a default beside its output.
func outputFiles(c *ucli.Context) (flags, paths []string) {
	for _, name := range outputFileFlags {
		if flagNamed(c.Command.Flags, name) == nil || name == "output" && outputDirCommands[c.Command.Name] {
			continue
		}
		if p := c.String(name); p != "" {
			flags, paths = append(flags, name), append(paths, p)
		}
	}
	if c.Command.Name == "finetune" && c.String("checkpoint") == "" && c.String("output") != "" {
		flags, paths = append(flags, "checkpoint"), append(paths, c.String("output")+".ckpt")
	}
	return flags, paths
}

// checkOutputs refuses, before any work, an output that names an input (the
// same file, however named), a folder where a file is written, a file where
// a folder is, or two outputs that name one file. It leaves the command's
// inputs declared to fsutil, so that every write (files generated into a
// folder included) refuses to replace one.
func checkOutputs(c *ucli.Context) error {
	fsutil.SetInputs(commandInputs(c)...)
	flags, paths := outputFiles(c)
	for i, p := range paths {
		// The folder as written (not cleaned: "sub/../x" needs sub).
		if dir := strings.TrimSuffix(p, filepath.Base(p)); dir != "" {
			if st, err := os.Stat(dir); err != nil || !st.IsDir() {
				return fmt.Errorf("--%s %s: there is no folder %s to write it into", flags[i], p, dir)
			}
		}
		if err := fsutil.CheckTarget(p); err != nil {
			if errors.Is(err, fsutil.ErrIsFolder) {
				return fmt.Errorf("--%s %s is a folder; name the file to write (e.g. %s)", flags[i], p, exampleIn(c, p, flags[i]))
			}
			return fmt.Errorf("--%s %w", flags[i], err)
		}
		for j := range i {
			if sameFile(p, paths[j]) {
				return fmt.Errorf("--%s and --%s both name %s", flags[j], flags[i], p)
			}
		}
	}
	if p := c.String("prefix"); flagNamed(c.Command.Flags, "prefix") != nil && (strings.ContainsAny(p, `/\`) || p == "..") {
		return fmt.Errorf("--prefix %s: a file name prefix, not a path (the files go into --output)", p)
	}
	if outputDirCommands[c.Command.Name] {
		if d := c.String("output"); d != "" {
			if st, err := os.Stat(d); err == nil && !st.IsDir() {
				return fmt.Errorf("--output %s is a file; name a folder to write the MIDI files into", d)
			}
		}
	}
	return nil
}

// sameFile reports whether a and b name one file: the same string, or the
// same existing file.
func sameFile(a, b string) bool {
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	if errA == nil && errB == nil {
		return os.SameFile(sa, sb)
	}
	absA, errA := filepath.Abs(a)
	absB, errB := filepath.Abs(b)
	return errA == nil && errB == nil && absA == absB
}

// exampleNames are file names checkOutputs suggests, by flag, and for
// --output by command.
var exampleNames = map[string]string{
	"tensors": "tensors.npz", "grads": "grads.npz", "checkpoint": "new.mvae.ckpt", "safetensors": "model.safetensors", "pt": "model.pt",
	"forward": "out.npz", "encode": "z.npz", "show": "windows.npy", "build": "data.npz",
	"import": "model.mvae", "finetune": "new.mvae", "export": "model.onnx", "attribute": "vec.npy",
	"plot": "roll.png",
}

// exampleIn suggests a file inside folder dir for the output of flag.
func exampleIn(c *ucli.Context, dir, flag string) string {
	name := exampleNames[flag]
	if flag == "output" {
		name = exampleNames[c.Command.Name]
	}
	if name == "" {
		name = "out"
	}
	return filepath.Join(dir, name)
}
