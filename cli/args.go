package cli

import (
	"strings"

	ucli "github.com/urfave/cli/v2"
)

// reorder lets flags stand after file arguments. urfave/cli v2 stops reading
// flags at the first argument that is not one, so
// `mvae data show FILE.mid -o W.npy` would leave "-o" as a file name. reorder
// finds the command the arguments name and moves its flags (with their values)
// in front of the other arguments. "--" ends flag reading as usual.
func reorder(app *ucli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	// `mvae help data show` shows what `mvae data show --help` shows (urfave/cli
	// v2's help command stops at the first level of subcommands).
	if (args[1] == "help" || args[1] == "h") && len(args) > 2 {
		return append(append([]string{args[0]}, args[2:]...), "--help")
	}
	out := []string{args[0]}
	i := 1
	// Global flags, then the command path.
	flags := app.Flags
	cmds := app.Commands
	var leaf *ucli.Command
	for i < len(args) {
		a := args[i]
		if a == "--" {
			return args
		}
		if strings.HasPrefix(a, "-") && len(a) > 1 {
			n := flagArgs(flags, a)
			out = append(out, args[i:min(i+n, len(args))]...)
			i += n
			continue
		}
		c := findCommand(cmds, a)
		if c == nil {
			return args // help text, unknown command: leave it to urfave/cli
		}
		out = append(out, a)
		i++
		if len(c.Subcommands) == 0 {
			leaf = c
			break
		}
		flags, cmds = c.Flags, c.Subcommands
	}
	if leaf == nil {
		return args
	}
	var fl, pos []string
	for i < len(args) {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if strings.HasPrefix(a, "-") && len(a) > 1 {
			n := flagArgs(leaf.Flags, a)
			fl = append(fl, args[i:min(i+n, len(args))]...)
			i += n
			continue
		}
		pos = append(pos, a)
		i++
	}
	out = append(out, fl...)
	for _, p := range pos {
		if strings.HasPrefix(p, "-") && len(p) > 1 {
			out = append(out, "--")
			break
		}
	}
	return append(out, pos...)
}

// flagArgs is how many arguments the flag a takes up: 2 for "-o FILE", 1 for
// a boolean flag, "--name=value" or a flag the command does not know.
func flagArgs(flags []ucli.Flag, a string) int {
	name := strings.TrimLeft(a, "-")
	if strings.Contains(name, "=") {
		return 1
	}
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				if v, ok := f.(interface{ TakesValue() bool }); ok && v.TakesValue() {
					return 2
				}
				return 1
			}
		}
	}
	return 1
}

func findCommand(cmds []*ucli.Command, name string) *ucli.Command {
	for _, c := range cmds {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}
