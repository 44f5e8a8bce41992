package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/musicvae-go/mvae/npy"
)

// TestOutputThatNamesAnInput runs commands whose output would replace one
// of their inputs: each is refused with one line naming the file, and
// every input is left as it was.
func TestOutputThatNamesAnInput(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.mid"), filepath.Join(dir, "b.mid")
	writeGroove(t, a, 2, 90)
	writeGroove(t, b, 2, 60)
	corpus := filepath.Join(dir, "corpus")
	os.Mkdir(corpus, 0o755)
	inCorpus := filepath.Join(corpus, "c.mid")
	writeGroove(t, inCorpus, 2, 70)
	z := filepath.Join(dir, "z.npy")
	if err := npy.WriteFile(z, &npy.Array{Shape: []int{1, 64}, Data: make([]float32, 64)}); err != nil {
		t.Fatal(err)
	}
	// An input named as a file decode would generate into its folder.
	out := filepath.Join(dir, "out")
	os.Mkdir(out, 0o755)
	zAsOutput := filepath.Join(out, "decode_t0_seed0_000.mid")
	os.WriteFile(zAsOutput, readForTest(t, z), 0o644)
	outdir := filepath.Join(dir, "outdir")
	os.Mkdir(outdir, 0o755)
	link := filepath.Join(dir, "link.mid")
	if err := os.Symlink(a, link); err != nil {
		t.Fatal(err)
	}
	before := folderSnapshot(t, dir)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"encode", a, b, "-o", b}, "refusing to write over an input"},
		{[]string{"encode", a, b, "-o", filepath.Join(dir, ".", "b.mid")}, "refusing to write over an input"},
		{[]string{"encode", a, "-o", link}, "refusing to write over an input"},
		{[]string{"data", "show", a, "-o", a}, "refusing to write over an input"},
		{[]string{"data", "build", corpus, "-o", inCorpus}, "refusing to write over an input"},
		{[]string{"decode", "--z", z, "--tensors", z}, "refusing to write over an input"},
		{[]string{"decode", "--z", zAsOutput, "--temperature", "0", "--seed", "0", "-o", out, "--force"}, "refusing to write over an input"},
		{[]string{"forward", "--x", z, "--eps", z, "-o", z}, "refusing to write over an input"},
		{[]string{"loss", "--x", z, "--eps", a, "--grads", a}, "refusing to write over an input"},
		{[]string{"finetune", "--data", z, "-o", filepath.Join(dir, "n.mvae"), "--checkpoint", z}, "refusing to write over an input"},
		{[]string{"export", "--model", a, "-o", a}, "refusing to write over an input"},
		{[]string{"import", a, "-o", a}, "refusing to write over an input"},
		{[]string{"data", "show", a, "-o", outdir}, "is a folder; name the file to write"},
		{[]string{"generate", "-n", "1", "--tensors", outdir}, "is a folder"},
		{[]string{"generate", "-n", "1", "-o", a}, "is a file; name a folder"},
		{[]string{"export", "-o", filepath.Join(dir, "m.onnx"), "--pt", filepath.Join(dir, "m.onnx")}, "both name"},
		{[]string{"data", "show", a, "-o", filepath.Join(dir, "nosuch", "w.npy")}, "there is no folder"},
		{[]string{"data", "render", z, "-o", out, "--prefix", "../a"}, "not a path"},
	} {
		_, err := run(t, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("mvae %s: %v, want %q", strings.Join(c.args, " "), err, c.want)
		}
		if after := folderSnapshot(t, dir); !sameFolderSnapshot(before, after) {
			t.Fatalf("mvae %s changed the folder:\nbefore %v\nafter  %v", strings.Join(c.args, " "), before, after)
		}
	}
	// The finetune checkpoint's default name, beside the output.
	ck := filepath.Join(dir, "n.mvae.ckpt")
	os.WriteFile(ck, readForTest(t, z), 0o644)
	if _, err := run(t, "finetune", "--data", ck, "-o", filepath.Join(dir, "n.mvae")); err == nil || !strings.Contains(err.Error(), "--checkpoint") {
		t.Errorf("finetune with the default checkpoint naming --data: %v", err)
	}
	// After a refused command the next one may write the file it protected.
	if _, err := run(t, "data", "show", b, "--bars", "2", "-o", a); err != nil {
		t.Fatal(err)
	}
}

func readForTest(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// folderSnapshot maps every entry under dir to its contents (a link to its target).
func folderSnapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		switch {
		case info.Mode()&os.ModeSymlink != 0:
			l, _ := os.Readlink(p)
			out[p] = "-> " + l
		case info.Mode().IsRegular():
			out[p] = string(readForTest(t, p))
		default:
			out[p] = "dir"
		}
		return nil
	})
	return out
}

func sameFolderSnapshot(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || !bytes.Equal([]byte(v), []byte(w)) {
			return false
		}
	}
	return true
}
