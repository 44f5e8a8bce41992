// Package testenv finds the outside tools some tests need (Debian's python3
// with numpy, mido or onnx). Where a tool is missing a test is skipped on a
// developer's machine and fails in CI (CI is set), where .ci/run installs it.
package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// InCI reports whether the tests run under .ci/run.
func InCI() bool { return os.Getenv("CI") != "" }

// Python returns a python3 that can import every module named, preferring
// $MVAE_PYTHON, then Debian's /usr/bin/python3, then python3 on PATH.
func Python(t testing.TB, modules ...string) string {
	t.Helper()
	var cands []string
	if p := os.Getenv("MVAE_PYTHON"); p != "" {
		cands = append(cands, p)
	}
	cands = append(cands, "/usr/bin/python3")
	if p, err := exec.LookPath("python3"); err == nil {
		cands = append(cands, p)
	}
	script := "import sys"
	for _, m := range modules {
		script += "; import " + m
	}
	for _, c := range cands {
		if exec.Command(c, "-c", script).Run() == nil {
			return c
		}
	}
	Missing(t, "python3 with "+join(modules))
	return ""
}

// Missing skips the test, or fails it in CI.
func Missing(t testing.TB, what string) {
	t.Helper()
	if InCI() {
		t.Fatalf("%s is missing; .ci/run should have installed it", what)
	}
	t.Skipf("%s is not installed here (CI installs it)", what)
}

func join(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ", "
		}
		out += x
	}
	return out
}

// SharedFixtures returns the folder of the steering repository's shared
// fixtures (shared/fixtures beside the checkout, as CI lays it out), or
// $MVAE_SHARED/fixtures. Where it is missing the test is skipped, or fails in CI.
func SharedFixtures(t testing.TB) string {
	t.Helper()
	if s := os.Getenv("MVAE_SHARED"); s != "" {
		return filepath.Join(s, "fixtures")
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's folder")
		}
		dir = parent
	}
	p := filepath.Join(dir, "..", "shared", "fixtures")
	if _, err := os.Stat(p); err != nil {
		Missing(t, "the shared fixtures ("+p+")")
	}
	return p
}

// OptionalPython is Python for tools CI does not install (PyTorch): where
// they are missing the test is skipped, in CI too.
func OptionalPython(t testing.TB, modules ...string) string {
	t.Helper()
	if InCI() {
		t.Skipf("CI never runs PyTorch: the %s check runs on developer machines", join(modules))
	}
	for _, c := range []string{os.Getenv("MVAE_PYTHON"), "/usr/bin/python3"} {
		if c == "" {
			continue
		}
		script := "import sys"
		for _, m := range modules {
			script += "; import " + m
		}
		if exec.Command(c, "-c", script).Run() == nil {
			return c
		}
	}
	t.Skipf("python3 with %s is not installed (CI never runs PyTorch; this check runs on developer machines)", join(modules))
	return ""
}
