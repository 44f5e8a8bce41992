// Package cli wires mvae's commands with github.com/urfave/cli/v2. It parses
// flags and calls the packages that do the work; no model logic lives here.
package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	ucli "github.com/urfave/cli/v2"

	"github.com/musicvae-go/mvae/internal/fsutil"
)

// Version is set at build time with -ldflags "-X github.com/musicvae-go/mvae/cli.Version=...".
var Version = "dev"

// NewApp builds the mvae command tree.
func NewApp() *ucli.App {
	app := &ucli.App{
		Name:    "mvae",
		Usage:   "run and fine-tune MusicVAE models (Roberts et al., 2018) from Go",
		Version: Version,
		Description: "mvae reads MIDI into MusicVAE's tensors and back, imports MusicVAE models exported\n" +
			"from PyTorch, and runs them on onnxruntime or in pure Go.\n" +
			"Flags may stand before or after file arguments. Run `mvae help COMMAND` for a command's flags.\n\n" +
			exitCodesHelp,
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "ort-lib", Usage: "onnxruntime shared library `PATH` (else $ONNXRUNTIME_SHARED_LIBRARY_PATH, else the cache folder that make ort fills)"},
		},
		Commands: append([]*ucli.Command{
			dataCommand(),
			importCommand(),
			infoCommand(),
			parityCommand(),
			evaluateCommand(),
			benchCommand(),
			plotCommand(),
			completionCommand(),
			quantizeCommand(),
			serveCommand(),
		}, append(append(runCommands(), opsCommands()...), trainCommands()...)...),
		EnableBashCompletion: true,
		Action:               unknownCommand,
		Writer:               os.Stdout,
		ErrWriter:            os.Stderr,
	}
	harden(app)
	return app
}

// Main runs mvae with the process arguments and returns the exit status.
func Main(args []string) int {
	fsutil.RemoveTempsOnSignal()
	app := NewApp()
	if err := flagHint(app.Run(reorder(app, args))); err != nil {
		fmt.Fprintf(os.Stderr, "mvae: %v\n", err)
		return exitCode(err)
	}
	return ExitOK
}

// logf writes a log line to stderr: stdout is kept for results (and --json).
func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
}

// writeJSON prints v alone on stdout.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

var (
	jsonFlag   = &ucli.BoolFlag{Name: "json", Usage: "print the result as JSON on stdout (logs stay on stderr)"}
	strictFlag = &ucli.BoolFlag{Name: "strict", Usage: "fail when any input is skipped (default: skip it, say why, go on)"}
	forceFlag  = &ucli.BoolFlag{Name: "force", Usage: "replace files that already exist in the output folder"}
	// listSkippedFlag is for the commands that read folders of MIDI files.
	listSkippedFlag = &ucli.BoolFlag{Name: "list-skipped", Usage: "print every skipped file with its reason (default: the first few)"}
)
