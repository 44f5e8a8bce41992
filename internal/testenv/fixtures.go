package testenv

import (
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// ModelFixtures returns every fixture folder (a model.pt beside its
// golden.npz): the repository's own, testdata/models/*/ and
// testdata/models/*/*/, which always run, then the steering repository's
// shared fixtures (SharedFixtures' folder) as an addition. Where the shared
// fixtures are missing the local ones still run: the test logs it on a
// developer's machine and fails (without stopping) in CI.
func ModelFixtures(t testing.TB) []string {
	t.Helper()
	root := moduleRoot(t)
	var dirs []string
	for _, pat := range []string{"testdata/models/*/model.pt", "testdata/models/*/*/model.pt"} {
		m, err := filepath.Glob(filepath.Join(root, pat))
		if err != nil {
			t.Fatal(err)
		}
		sort.Strings(m)
		for _, p := range m {
			dirs = append(dirs, filepath.Dir(p))
		}
	}
	if len(dirs) == 0 {
		t.Fatalf("no fixtures under %s", filepath.Join(root, "testdata/models"))
	}
	shared := os.Getenv("MVAE_SHARED")
	if shared != "" {
		shared = filepath.Join(shared, "fixtures")
	} else {
		shared = filepath.Join(root, "..", "shared", "fixtures")
	}
	m, _ := filepath.Glob(filepath.Join(shared, "*/model.pt"))
	sort.Strings(m)
	switch {
	case len(m) > 0:
		for _, p := range m {
			dirs = append(dirs, filepath.Dir(p))
		}
	case InCI():
		t.Errorf("the shared fixtures (%s) are missing; CI lays them out beside the checkout", shared)
	default:
		t.Logf("no shared fixtures in %s: the %d fixtures of testdata/models only", shared, len(dirs))
	}
	return dirs
}

// moduleRoot is the folder of the go.mod above the test's working folder.
func moduleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's folder")
		}
		dir = parent
	}
}
