package cli

import (
	"errors"
	"fmt"

	ucli "github.com/urfave/cli/v2"

	"github.com/musicvae-go/mvae/runtime"
)

// Exit statuses of mvae. They are documented in `mvae --help` (exitCodesHelp)
// and the README.
const (
	ExitOK        = 0 // the command did its work
	ExitError     = 1 // bad input or data, or a file that cannot be read or written (one line on stderr)
	ExitUsage     = 2 // the command line: unknown command or flag, a flag's bad value, a missing flag or argument
	ExitNoRuntime = 3 // --runtime ort, but onnxruntime is not available
	// 130 and 143: interrupted by SIGINT (Ctrl-C) or SIGTERM
	// (fsutil.RemoveTempsOnSignal ends the process).
)

// exitCodesHelp is the paragraph `mvae --help` ends with.
const exitCodesHelp = "Exit status: 0 done; 1 bad input or data (one line on stderr names the file and the problem);\n" +
	"2 a bad command line (unknown command or flag, a flag's bad value, a missing flag or argument);\n" +
	"3 onnxruntime is not available (--runtime ort); 130 or 143 interrupted (Ctrl-C, SIGTERM)."

// usageErr marks an error of the command line.
type usageErr struct{ error }

func (e usageErr) Unwrap() error { return e.error }

// usage marks err as an error of the command line (exit status 2).
func usage(err error) error {
	if err == nil {
		return nil
	}
	return usageErr{err}
}

// usagef is usage(fmt.Errorf(...)).
func usagef(format string, args ...any) error { return usageErr{fmt.Errorf(format, args...)} }

// exitCode is the exit status of a command's error.
func exitCode(err error) int {
	var u usageErr
	var ec ucli.ExitCoder
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &u):
		return ExitUsage
	case errors.Is(err, runtime.ErrUnavailable):
		return ExitNoRuntime
	case errors.As(err, &ec) && ec.ExitCode() != 0:
		return ec.ExitCode()
	}
	return ExitError
}

// unknownCommand is the app's action: mvae alone shows the help, mvae WORD
// (no such command) is a usage error.
func unknownCommand(c *ucli.Context) error {
	if c.NArg() > 0 {
		return usagef("unknown command %q (see mvae --help)", c.Args().First())
	}
	return ucli.ShowAppHelp(c)
}
