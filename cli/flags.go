package cli

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/musicvae-go/mvae/internal/fsutil"
	"github.com/musicvae-go/mvae/music"
	"github.com/musicvae-go/mvae/musicvae"
)

// numRule is the range one numeric flag accepts. Every numeric flag of every
// command has one (TestEveryNumericFlagHasARule walks the command tree);
// the value is checked right after the flags are parsed, before the command
// reads any file.
type numRule struct {
	min, max float64
	minOpen  bool // min itself is refused (lr > 0)
}

func atLeast(min float64) numRule        { return numRule{min: min, max: math.Inf(1)} }
func above(min float64) numRule          { return numRule{min: min, max: math.Inf(1), minOpen: true} }
func between(min, max float64) numRule   { return numRule{min: min, max: max} }
func aboveUpTo(min, max float64) numRule { return numRule{min: min, max: max, minOpen: true} }

// anyValue is the rule of a flag whose every parsed value is meaningful (a
// uint64 seed): the parser itself refuses the rest.
var anyValue = numRule{min: math.Inf(-1), max: math.Inf(1)}

// Bounds that keep a careless flag from asking for more memory or time
// than any real use needs.
const (
	// MaxGenerate is the most sequences one mvae generate writes (-n).
	MaxGenerate = 100000
	// MaxInterpolateSteps is the most sequences one mvae interpolate writes (--steps).
	MaxInterpolateSteps = 1000
	// MaxBatch is the most windows a batch of finetune or evaluate holds.
	MaxBatch = 65536
	// MaxBPM is the fastest tempo a MIDI file is written at.
	MaxBPM = music.MaxBPM
)

// flagRules maps "command flag" (the command's own rule) or "flag" (every
// command's) to the values the flag accepts.
var flagRules = map[string]numRule{
	"temperature":          atLeast(0),
	"bpm":                  aboveUpTo(0, MaxBPM),
	"loop":                 between(1, music.MaxLoop),
	"program":              between(1, 128),
	"seed":                 anyValue,
	"threads":              between(0, 1024),
	"n":                    between(1, MaxGenerate),
	"window":               between(0, math.MaxInt32),
	"interpolate steps":    between(2, MaxInterpolateSteps),
	"similarity":           between(0, 1),
	"amount":               anyValue, // any finite number
	"finetune steps":       between(1, 1e9),
	"batch":                between(1, MaxBatch),
	"parity batch":         between(1, 4096),
	"samples":              between(0, MaxGenerate),
	"bars":                 between(1, 64),
	"import bars":          between(0, 64), // 0: when the model does not say
	"import segments":      between(0, 4096),
	"channel":              between(0, 16), // 0: every non-drum channel
	"free-bits":            atLeast(0),
	"max-beta":             atLeast(0),
	"beta":                 atLeast(0),
	"lr":                   above(0),
	"lr-decay":             aboveUpTo(0, 1),
	"min-lr":               atLeast(0),
	"clip":                 atLeast(0),
	"val-every":            between(0, math.MaxInt32),
	"patience":             between(0, math.MaxInt32),
	"mix":                  between(0, 1),
	"toms":                 between(0, 1),
	"hat-ride":             between(0, 1),
	"drop":                 between(0, 1),
	"sampling-rate":        atLeast(0), // its schedule's range: finetune.Sampling.Check
	"sampling-temperature": atLeast(0),
	"bench steps":          between(0, 1e9),
	"bench seconds":        between(0, 3600),
	"quantize windows":     between(1, MaxGenerate),
	"refine":               between(0, musicvae.MaxRefineSteps),
}

// ruleFor returns the rule of flag name in command cmd.
func ruleFor(cmd, name string) (numRule, bool) {
	if r, ok := flagRules[cmd+" "+name]; ok {
		return r, true
	}
	r, ok := flagRules[name]
	return r, ok
}

// want says in words what r accepts.
func (r numRule) want(whole bool) string {
	kind := "a number"
	if whole {
		kind = "a whole number"
	}
	lo, hi := !math.IsInf(r.min, -1), !math.IsInf(r.max, 1)
	switch {
	case !lo && !hi && !whole:
		return "a finite number"
	case !lo && !hi:
		return kind
	case lo && !hi && r.minOpen:
		return kind + " above " + fmtNum(r.min)
	case lo && !hi:
		return kind + " ≥ " + fmtNum(r.min)
	case r.minOpen:
		return fmt.Sprintf("%s above %s and at most %s", kind, fmtNum(r.min), fmtNum(r.max))
	default:
		return fmt.Sprintf("%s from %s to %s", kind, fmtNum(r.min), fmtNum(r.max))
	}
}

func fmtNum(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func (r numRule) ok(v float64) bool {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return false
	}
	if r.minOpen && v <= r.min || v < r.min {
		return false
	}
	return v <= r.max
}

// numericFlag reports whether f holds a number, and whether a whole one.
func numericFlag(f ucli.Flag) (numeric, whole bool) {
	switch f.(type) {
	case *ucli.Float64Flag:
		return true, false
	case *ucli.IntFlag, *ucli.Int64Flag, *ucli.UintFlag, *ucli.Uint64Flag:
		return true, true
	}
	return false, false
}

// checkNumericFlags checks every numeric flag the user gave against its rule.
// Defaults are not checked: some are sentinels (--beta -1: the config's).
func checkNumericFlags(c *ucli.Context) error {
	for _, f := range c.Command.Flags {
		numeric, whole := numericFlag(f)
		name := f.Names()[0]
		if !numeric || !c.IsSet(name) {
			continue
		}
		r, ok := ruleFor(c.Command.Name, name)
		if !ok {
			return fmt.Errorf("%s has no range (a bug in mvae)", dash(name))
		}
		if v := c.Float64(name); !r.ok(v) {
			return usagef("invalid value %q for flag %s: want %s", fmt.Sprint(c.Value(name)), dash(name), r.want(whole))
		}
	}
	return nil
}

// The standard flag package, which urfave/cli parses with, returns its
// errors as plain strings (the cause is formatted with %v, not wrapped):
// usageError can only recognise them by their text. A message it does not
// recognise is passed on as it is.
var flagErrorRE = regexp.MustCompile(`^invalid value "(.*)" for flag -+([^:]+): (.*)$`)

// usageError turns a flag-parsing error into one line:
// `invalid value "-3" for flag --seed: want a whole number ≥ 0`.
func usageError(c *ucli.Context, err error, _ bool) error {
	return usage(flagUsageError(c, err))
}

// flagUsageError is usageError's one line.
func flagUsageError(c *ucli.Context, err error) error {
	msg := err.Error()
	var flags []ucli.Flag
	if c.Command != nil {
		flags = c.Command.Flags
	}
	if m := flagErrorRE.FindStringSubmatch(msg); m != nil {
		why := m[3]
		if f := flagNamed(flags, m[2]); f != nil {
			if numeric, whole := numericFlag(f); numeric {
				r, _ := ruleFor(c.Command.Name, f.Names()[0])
				why = "want " + r.want(whole)
				if _, unsigned := f.(*ucli.Uint64Flag); unsigned && r == anyValue {
					why = "want a whole number ≥ 0"
				}
			}
		}
		msg = fmt.Sprintf("invalid value %q for flag %s: %s", m[1], dash(m[2]), why)
	} else if rest, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		msg = fmt.Sprintf("unknown flag %s (%s)", dash(strings.TrimLeft(rest, "-")), helpHint(c))
	} else if rest, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
		msg = fmt.Sprintf("flag %s needs a value", dash(strings.TrimLeft(rest, "-")))
	}
	return errors.New(msg)
}

// dash writes a flag's name as the user types it: -n, --seed.
func dash(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// commandPath is the command as typed after mvae: "data show".
func commandPath(c *ucli.Context) string {
	var names []string
	for _, l := range c.Lineage() {
		if l.Command != nil && l.Command.Name != "" && l.Command.Name != c.App.Name {
			names = append([]string{l.Command.Name}, names...)
		}
	}
	return strings.Join(names, " ")
}

// helpHint points at the help of c's command.
func helpHint(c *ucli.Context) string {
	if p := commandPath(c); p != "" {
		return "see mvae help " + p
	}
	return "see mvae --help"
}

func flagNamed(flags []ucli.Flag, name string) ucli.Flag {
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				return f
			}
		}
	}
	return nil
}

// errMissingFlag is what a command says when a flag it needs is missing.
var errMissingFlag = errors.New("missing flag")

// requiredFlags names the flags a command needs; urfave/cli's own check
// prints the whole help, so harden takes the check over and says one line.
type requiredFlags map[*ucli.Command][]ucli.Flag

func (rf requiredFlags) check(c *ucli.Context) error {
	for _, f := range rf[c.Command] {
		if !c.IsSet(f.Names()[0]) {
			return usagef("%s: %w %s (%s)", commandPath(c), errMissingFlag, dash(f.Names()[0]), helpHint(c))
		}
	}
	return nil
}

// harden installs on every command the checks that run before its action:
// one-line usage errors, required flags, numeric ranges, and output paths
// that must not name an input.
func harden(app *ucli.App) {
	rf := requiredFlags{}
	app.OnUsageError = usageError
	var walk func(cmds []*ucli.Command)
	walk = func(cmds []*ucli.Command) {
		for _, cmd := range cmds {
			cmd.OnUsageError = usageError
			if len(cmd.Subcommands) > 0 {
				walk(cmd.Subcommands)
				continue
			}
			for _, f := range cmd.Flags {
				if rq, ok := f.(interface{ IsRequired() bool }); ok && rq.IsRequired() {
					rf[cmd] = append(rf[cmd], f)
					unrequire(f)
				}
			}
			after := cmd.After
			cmd.After = func(c *ucli.Context) error {
				fsutil.SetInputs()
				if after != nil {
					return after(c)
				}
				return nil
			}
			before := cmd.Before
			cmd.Before = func(c *ucli.Context) error {
				if err := rf.check(c); err != nil {
					return err
				}
				if err := checkNumericFlags(c); err != nil {
					return err
				}
				if err := checkOutputs(c); err != nil {
					return err
				}
				if before != nil {
					return before(c)
				}
				return nil
			}
		}
	}
	walk(app.Commands)
}

// unrequire clears a flag's Required field (harden checks it instead).
func unrequire(f ucli.Flag) {
	switch f := f.(type) {
	case *ucli.StringFlag:
		f.Required = false
	case *ucli.IntFlag:
		f.Required = false
	case *ucli.Float64Flag:
		f.Required = false
	case *ucli.StringSliceFlag:
		f.Required = false
	case *ucli.BoolFlag:
		f.Required = false
	}
}
