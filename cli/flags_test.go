package cli

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	ucli "github.com/urfave/cli/v2"
)

// leafCommands returns every command that runs an action, by its path.
func leafCommands(prefix string, cmds []*ucli.Command) map[string]*ucli.Command {
	out := map[string]*ucli.Command{}
	for _, c := range cmds {
		if len(c.Subcommands) > 0 {
			for k, v := range leafCommands(prefix+c.Name+" ", c.Subcommands) {
				out[k] = v
			}
			continue
		}
		out[prefix+c.Name] = c
	}
	return out
}

func TestEveryNumericFlagHasARule(t *testing.T) {
	n := 0
	for path, cmd := range leafCommands("", NewApp().Commands) {
		for _, f := range cmd.Flags {
			numeric, _ := numericFlag(f)
			if !numeric {
				continue
			}
			n++
			if _, ok := ruleFor(cmd.Name, f.Names()[0]); !ok {
				t.Errorf("%s: --%s has no rule in flagRules", path, f.Names()[0])
			}
		}
	}
	if n < 30 {
		t.Fatalf("only %d numeric flags found", n)
	}
}

// TestNumericFlags gives each numeric flag a value it must refuse: the error
// is one line that names the flag and says what it wants, before any file is
// read (the files named here do not exist).
func TestNumericFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"generate", "--seed", "-3"}, `invalid value "-3" for flag --seed: want a whole number ≥ 0`},
		{[]string{"generate", "--temperature", "NaN"}, `invalid value "NaN" for flag --temperature: want a number ≥ 0`},
		{[]string{"generate", "-t", "-0.5"}, `invalid value "-0.5" for flag --temperature`},
		{[]string{"decode", "--z", "z.npy", "--temperature", "+Inf"}, `invalid value "+Inf" for flag --temperature`},
		{[]string{"generate", "--bpm", "0"}, `invalid value "0" for flag --bpm: want a number above 0 and at most 1000`},
		{[]string{"generate", "--bpm", "-5"}, `invalid value "-5" for flag --bpm`},
		{[]string{"data", "render", "x.npy", "-o", "d", "--bpm", "1e6"}, `invalid value "1e+06" for flag --bpm`},
		{[]string{"generate", "-n", "0"}, `invalid value "0" for flag -n: want a whole number from 1 to 100000`},
		{[]string{"generate", "-n", "1e3"}, `invalid value "1e3" for flag -n: want a whole number from 1 to 100000`},
		{[]string{"generate", "--threads", "-1"}, `invalid value "-1" for flag --threads`},
		{[]string{"interpolate", "a.mid", "b.mid", "--steps", "1000000"}, `invalid value "1000000" for flag --steps: want a whole number from 2 to 1000`},
		{[]string{"interpolate", "a.mid", "b.mid", "--window", "-1"}, `invalid value "-1" for flag --window`},
		{[]string{"interpolate", "a.mid", "b.mid", "--refine", "-1"}, `invalid value "-1" for flag --refine: want a whole number from 0 to 100000`},
		{[]string{"evaluate", "--data", "d.npz", "--refine", "1e9"}, `invalid value "1e9" for flag --refine`},
		{[]string{"finetune", "-o", "n.mvae", "--lr", "-1"}, `invalid value "-1" for flag --lr: want a number above 0`},
		{[]string{"finetune", "-o", "n.mvae", "--lr", "0"}, `invalid value "0" for flag --lr`},
		{[]string{"finetune", "-o", "n.mvae", "--steps", "0"}, `invalid value "0" for flag --steps`},
		{[]string{"finetune", "-o", "n.mvae", "--batch", "0"}, `invalid value "0" for flag --batch`},
		{[]string{"finetune", "-o", "n.mvae", "--beta", "-0.1"}, `invalid value "-0.1" for flag --beta`},
		{[]string{"finetune", "-o", "n.mvae", "--lr-decay", "1.5"}, `invalid value "1.5" for flag --lr-decay`},
		{[]string{"finetune", "-o", "n.mvae", "--drop", "2"}, `invalid value "2" for flag --drop: want a number from 0 to 1`},
		{[]string{"finetune", "-o", "n.mvae", "--sampling-rate", "-1"}, `invalid value "-1" for flag --sampling-rate: want a number ≥ 0`},
		{[]string{"finetune", "-o", "n.mvae", "--sampling", "linear"}, `sampling schedule "linear": want one of none, constant, inverse_sigmoid, exponential`},
		{[]string{"finetune", "-o", "n.mvae", "--sampling", "constant", "--sampling-rate", "1.5"}, `constant sampling rate 1.5: want a chance in [0, 1]`},
		{[]string{"finetune", "-o", "n.mvae", "--sampling", "inverse_sigmoid", "--sampling-rate", "0.5"}, `inverse_sigmoid sampling rate 0.5: want a finite k ≥ 1`},
		{[]string{"finetune", "-o", "n.mvae", "--sampling-rate", "0.5"}, `--sampling-rate and --sampling-temperature need --sampling constant, inverse_sigmoid or exponential`},
		{[]string{"finetune", "-o", "n.mvae", "--clip", "NaN"}, `invalid value "NaN" for flag --clip`},
		{[]string{"finetune", "-o", "n.mvae", "--patience", "-2"}, `invalid value "-2" for flag --patience`},
		{[]string{"loss", "--x", "x.npy", "--eps", "e.npy", "--free-bits", "-Inf"}, `invalid value "-Inf" for flag --free-bits`},
		{[]string{"evaluate", "--batch", "-4"}, `invalid value "-4" for flag --batch`},
		{[]string{"evaluate", "--samples", "-1"}, `invalid value "-1" for flag --samples`},
		{[]string{"parity", "--batch", "5000"}, `invalid value "5000" for flag --batch: want a whole number from 1 to 4096`},
		{[]string{"data", "show", "a.mid", "--bars", "0"}, `invalid value "0" for flag --bars`},
		{[]string{"data", "build", "d", "-o", "x.npz", "--channel", "17"}, `invalid value "17" for flag --channel`},
		{[]string{"import", "m.onnx", "-o", "m.mvae", "--bars", "-1"}, `invalid value "-1" for flag --bars`},
		{[]string{"import", "m.onnx", "-o", "m.mvae", "--max-beta", "NaN"}, `invalid value "NaN" for flag --max-beta`},
		{[]string{"generate", "--nosuch"}, `unknown flag --nosuch (see mvae help generate)`},
		{[]string{"data", "show", "--bogus", "a.mid"}, `unknown flag --bogus (see mvae help data show)`},
		{[]string{"generate", "--bpm"}, `flag --bpm needs a value`},
		{[]string{"encode", "a.mid"}, `encode: missing flag --output (see mvae help encode)`},
		{[]string{"data", "build", "d"}, `data build: missing flag --output`},
	} {
		out, err := run(t, c.args...)
		if err == nil {
			t.Errorf("mvae %s: no error", strings.Join(c.args, " "))
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, c.want) || strings.Contains(msg, "\n") {
			t.Errorf("mvae %s:\n got %q\nwant %q", strings.Join(c.args, " "), msg, c.want)
		}
		if out != "" {
			t.Errorf("mvae %s printed on stdout (the help?):\n%s", strings.Join(c.args, " "), out)
		}
	}
}

// TestNumericFlagsAcceptTheirRange runs commands with values at the edges
// of their ranges.
func TestNumericFlagsAcceptTheirRange(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"generate", "-n", "1", "--temperature", "0", "--bpm", "1000", "--seed", "18446744073709551615", "--threads", "0"},
		{"generate", "-n", "1", "-t", "1e-9", "--bpm", "0.5"},
	} {
		args = append(args, "--tensors", filepath.Join(dir, "t.npz"))
		if _, err := run(t, args...); err != nil {
			t.Errorf("mvae %s: %v", strings.Join(args, " "), err)
		}
	}
}

func TestMissingFlagIsWrapped(t *testing.T) {
	_, err := run(t, "forward", "--x", "x.npy")
	if !errors.Is(err, errMissingFlag) {
		t.Fatalf("got %v", err)
	}
}
