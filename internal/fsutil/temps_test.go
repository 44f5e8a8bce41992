package fsutil

import (
	"bufio"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the signal test run this binary as the child that writes.
func TestMain(m *testing.M) {
	if out := os.Getenv("FSUTIL_TEST_SLOW_WRITE"); out != "" {
		slowWrite(out)
		return
	}
	os.Exit(m.Run())
}

// slowWrite installs the handler and writes out forever, a megabyte at a
// time, after saying "writing" on stdout.
func slowWrite(out string) {
	RemoveTempsOnSignal()
	err := WriteAtomic(out, func(w io.Writer) error {
		chunk := make([]byte, 1<<20)
		for i := 0; ; i++ {
			if _, err := w.Write(chunk); err != nil {
				return err
			}
			if i == 2 {
				os.Stdout.WriteString("writing\n")
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
	os.Stderr.WriteString("write returned: " + err.Error() + "\n")
	os.Exit(3)
}

func TestSignalRemovesTheTemporaryFile(t *testing.T) {
	for _, c := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGTERM, 143}, {syscall.SIGINT, 130}} {
		t.Run(c.sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, "big.mvae")
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "FSUTIL_TEST_SLOW_WRITE="+out)
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			line, err := bufio.NewReader(stdout).ReadString('\n')
			if err != nil || line != "writing\n" {
				cmd.Process.Kill()
				t.Fatalf("child: %q %v", line, err)
			}
			tmps, _ := filepath.Glob(filepath.Join(dir, ".big.mvae.tmp-*"))
			if len(tmps) != 1 {
				cmd.Process.Kill()
				t.Fatalf("while writing: %v", tmps)
			}
			cmd.Process.Signal(c.sig)
			err = cmd.Wait()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != c.code {
				t.Fatalf("child ended with %v, want exit %d\n%s", err, c.code, stderr.String())
			}
			if !strings.Contains(stderr.String(), filepath.Base(tmps[0])) {
				t.Errorf("the message does not name the removed file:\n%s", stderr.String())
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 0 {
				t.Fatalf("left behind: %v", ents)
			}
		})
	}
}

func TestWriteAtomicSweepsStaleTemps(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "m.mvae")
	stale := filepath.Join(dir, ".m.mvae.tmp-123")
	fresh := filepath.Join(dir, ".m.mvae.tmp-456")
	otherName := filepath.Join(dir, ".n.mvae.tmp-789")
	for _, p := range []string{stale, fresh, otherName} {
		os.WriteFile(p, []byte("partial"), 0o644)
	}
	old := time.Now().Add(-StaleTempAge - time.Minute)
	os.Chtimes(stale, old, old)
	os.Chtimes(otherName, old, old)
	if err := WriteAtomic(out, writeString("x")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); err == nil {
		t.Error("the stale temporary file is still there")
	}
	for _, p := range []string{fresh, otherName} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was removed: a write in progress, or another file's", p)
		}
	}
}
