package cli

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/musicvae-go/mvae/runtime"
	ucli "github.com/urfave/cli/v2"
)

func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want int
	}{
		{[]string{"info"}, ExitOK},
		{[]string{"nosuchcommand"}, ExitUsage},
		{[]string{"generate", "--bogus"}, ExitUsage},
		{[]string{"generate", "--bpm", "NaN"}, ExitUsage},
		{[]string{"generate", "--temperature", "Inf"}, ExitUsage},
		{[]string{"generate", "--bpm"}, ExitUsage},
		{[]string{"finetune", "--lr", "-1", "-o", filepath.Join(dir, "m.mvae")}, ExitUsage},
		{[]string{"interpolate", "--steps", "0", "a.mid", "b.mid"}, ExitUsage},
		{[]string{"finetune", "--steps", "0", "-o", filepath.Join(dir, "m.mvae")}, ExitUsage},
		{[]string{"finetune", "--steps", "-5", "-o", filepath.Join(dir, "m.mvae")}, ExitUsage},
		{[]string{"finetune", "--lr", "NaN", "-o", filepath.Join(dir, "m.mvae")}, ExitUsage},
		{[]string{"evaluate", "--batch", "0", "a.mid"}, ExitUsage},
		{[]string{"bench", "--seconds", "Inf"}, ExitUsage},
		{[]string{"data", "render", "w.npy", "--bpm", "1e9", "-o", dir}, ExitUsage},
		{[]string{"plot", "a.mid", "--bars", "0", "-o", filepath.Join(dir, "p.png")}, ExitUsage},
		{[]string{"plot", "a.mid"}, ExitUsage}, // no -o
		{[]string{"completion", "tcsh"}, ExitUsage},
		{[]string{"serve", "--addr", "nonsense"}, ExitUsage},
		{[]string{"serve", "--addr", "127.0.0.1:99999"}, ExitUsage},
		{[]string{"data", "show", filepath.Join(dir, "missing.mid")}, ExitError},
		{[]string{"plot", filepath.Join(dir, "missing.mid"), "-o", filepath.Join(dir, "x.png")}, ExitError},
	} {
		_, err := run(t, tc.args...)
		if got := exitCode(err); got != tc.want {
			t.Errorf("mvae %s: exit status %d (%v), want %d", strings.Join(tc.args, " "), got, err, tc.want)
		}
	}
	if got := exitCode(fmt.Errorf("model: %w", runtime.ErrNoLibrary)); got != ExitNoRuntime {
		t.Errorf("onnxruntime missing: exit status %d, want %d", got, ExitNoRuntime)
	}
	out, _ := run(t, "--help")
	if !strings.Contains(out, "Exit status: 0") {
		t.Errorf("mvae --help does not document the exit statuses:\n%s", out)
	}
}

// TestCompletion: each shell's script is printed, and the shells that are
// installed accept it.
func TestCompletion(t *testing.T) {
	check := map[string][]string{"bash": {"bash", "-n"}, "zsh": {"zsh", "-n"}, "fish": {"fish", "--no-execute"}}
	for _, sh := range []string{"bash", "zsh", "fish"} {
		out, err := run(t, "completion", sh)
		if err != nil || !strings.Contains(out, "mvae") || len(out) < 200 {
			t.Fatalf("completion %s: %v\n%s", sh, err, out)
		}
		bin, err := exec.LookPath(check[sh][0])
		if err != nil {
			if sh == "bash" {
				t.Fatal("no bash")
			}
			t.Logf("%s is not installed: its script is not parsed", sh)
			continue
		}
		cmd := exec.Command(bin, check[sh][1:]...)
		cmd.Stdin = strings.NewReader(out)
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s refuses the script: %v\n%s", sh, err, msg)
		}
	}
	if out, _ := run(t, "completion", "fish"); !strings.Contains(out, "interpolate") {
		t.Error("the fish script does not know the commands")
	}
}

// TestEveryResultCommandHasJSON: every command that produces a result can
// print it as JSON (--json); only completion (a script) and serve (a
// server: its answers are JSON) have none.
func TestEveryResultCommandHasJSON(t *testing.T) {
	noResult := map[string]bool{"completion": true, "help": true, "serve": true}
	var walk func(path string, cmds []*ucli.Command)
	walk = func(path string, cmds []*ucli.Command) {
		for _, c := range cmds {
			if len(c.Subcommands) > 0 {
				walk(path+c.Name+" ", c.Subcommands)
				continue
			}
			if !noResult[c.Name] && flagNamed(c.Flags, "json") == nil {
				t.Errorf("mvae %s%s has no --json", path, c.Name)
			}
		}
	}
	walk("", NewApp().Commands)
}
