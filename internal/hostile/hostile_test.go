package hostile

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/musicvae-go/mvae/internal/testenv"
	"github.com/musicvae-go/mvae/runtime"
)

// memLimitKiB is the address-space limit every case runs under (4 GiB).
const memLimitKiB = 4 << 20

// caseTimeout bounds one case; a reader that spins is a failure too.
const caseTimeout = 2 * time.Minute

func buildMVAE(t *testing.T) string {
	t.Helper()
	readSources(t)
	bin := filepath.Join(t.TempDir(), "mvae")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/musicvae-go/mvae")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// readSources opens every file the mvae binary is built from (the module's
// Go files, go.mod, go.sum and the files they embed). go test records the
// files a test opens, so a change to any of them reruns this test instead
// of reporting a cached pass: the binary it builds is not one of the test's
// own imports.
func readSources(t *testing.T) {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "testdata", "node_modules", "bin", "out":
				if p != root {
					return fs.SkipDir
				}
			}
			return nil
		}
		switch filepath.Ext(p) {
		case ".go", ".s", ".mod", ".sum", ".mvae", ".json":
			_, err := os.ReadFile(p)
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// digests hashes every regular file under dir.
func digests(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	out := map[string][32]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out[p] = sha256.Sum256(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestHostileInputs(t *testing.T) {
	if testing.Short() {
		t.Skip("builds mvae and runs every hostile case in a child process")
	}
	all := Cases()
	if len(all) == 0 {
		t.Fatal("no hostile cases registered")
	}
	bin := buildMVAE(t)
	for _, c := range all {
		t.Run(c.Name, func(t *testing.T) {
			if c.NeedsORT {
				if _, _, err := runtime.FindLibrary(""); err != nil {
					testenv.Missing(t, "onnxruntime ("+err.Error()+")")
				}
			}
			dir := t.TempDir()
			args, file, err := c.Make(dir)
			if err != nil {
				t.Fatalf("making the case: %v", err)
			}
			before := digests(t, dir)
			ctx, cancel := context.WithTimeout(context.Background(), caseTimeout)
			defer cancel()
			// ulimit -v bounds the address space: an allocation the file cannot
			// justify fails the child, not the machine.
			script := "ulimit -v " + strconv.Itoa(memLimitKiB) + ` && exec "$@"`
			cmd := exec.CommandContext(ctx, "sh", append([]string{"-c", script, "sh", bin}, args...)...)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "GOTRACEBACK=single")
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			runErr := cmd.Run()
			msg := stderr.String()
			if ctx.Err() != nil {
				t.Fatalf("mvae %s: still running after %v\n%s", strings.Join(args, " "), caseTimeout, msg)
			}
			for _, bad := range []string{"panic:", "fatal error:", "goroutine ", "SIGSEGV", "runtime error"} {
				if strings.Contains(msg, bad) {
					t.Fatalf("mvae %s crashed (%q):\n%s", strings.Join(args, " "), bad, msg)
				}
			}
			code := 0
			var ee *exec.ExitError
			if errors.As(runErr, &ee) {
				code = ee.ExitCode()
			} else if runErr != nil {
				t.Fatalf("running mvae: %v", runErr)
			}
			if c.ExitZero {
				if code != 0 {
					t.Fatalf("mvae %s: exit %d, want 0\n%s", strings.Join(args, " "), code, msg)
				}
			} else {
				want := 1 // bad input
				if c.Usage {
					want = 2 // a bad command line
				}
				if code != want {
					t.Fatalf("mvae %s: exit %d, want %d\n%s", strings.Join(args, " "), code, want, msg)
				}
				low := strings.ToLower(msg)
				if file != "" && !strings.Contains(msg, filepath.Base(file)) {
					t.Errorf("the message does not name %s:\n%s", filepath.Base(file), msg)
				}
				for _, w := range c.Want {
					if !strings.Contains(low, strings.ToLower(w)) {
						t.Errorf("the message does not say %q:\n%s", w, msg)
					}
				}
			}
			after := digests(t, dir)
			for p, h := range before {
				if a, ok := after[p]; !ok {
					t.Errorf("input %s was removed", p)
				} else if a != h {
					t.Errorf("input %s was changed", p)
				}
			}
			for p := range after {
				if _, ok := before[p]; !ok && strings.Contains(filepath.Base(p), ".tmp") {
					t.Errorf("a temporary file was left behind: %s", p)
				}
			}
		})
	}
}
