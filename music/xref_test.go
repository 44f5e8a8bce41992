package music

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/musicvae-go/mvae/internal/testenv"
	"github.com/musicvae-go/mvae/npy"
)

// corpusDir is where testdata/corpus/build.sh renders the MMA grooves.
const corpusDir = "../testdata/corpus/mma/" // the slash: WalkDir follows the symlink a checkout may hold

// TestCrossCheckReference compares SongWindows with an independent
// implementation of spec §1 (testdata/xref/spec_repr.py, Python and mido,
// written from the spec alone) on tricky generated files and, where
// testdata/corpus/build.sh has rendered it, on real MMA grooves: the same
// files skipped, the same windows, hits and classes equal, velocities and
// offsets within 1e-6.
func TestCrossCheckReference(t *testing.T) {
	py := testenv.Python(t, "mido", "numpy")
	dir := t.TempDir()
	cases := filepath.Join(dir, "cases")
	if out, err := exec.Command(py, "testdata/xref/make_midi_cases.py", cases).CombinedOutput(); err != nil {
		t.Fatalf("make_midi_cases.py: %v\n%s", err, out)
	}
	files, _ := filepath.Glob(filepath.Join(cases, "*.mid"))
	nCases := len(files)
	var corpus []string
	filepath.WalkDir(corpusDir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".mid") {
			corpus = append(corpus, p)
		}
		return nil
	})
	sort.Strings(corpus)
	if len(corpus) == 0 {
		if testenv.InCI() {
			t.Fatal("the MMA corpus is missing in CI: .ci/run should run testdata/corpus/build.sh")
		}
		t.Logf("no MMA corpus at %s (run testdata/corpus/build.sh): checking generated files only", corpusDir)
	}
	// Every 8th groove: about 250 real files from all seven libraries.
	for i := 0; i < len(corpus); i += 8 {
		files = append(files, corpus[i])
	}
	type job struct {
		file string
		o    Options
		out  string
	}
	var jobs []job
	var lines []string
	add := func(f string, o Options) {
		out := filepath.Join(dir, fmt.Sprintf("w%05d.npy", len(jobs)))
		jobs = append(jobs, job{f, o, out})
		args := []string{f, "--representation", string(o.Representation), "--bars", fmt.Sprint(o.Bars), "--drum-map", o.drumMap().Name, "-o", out}
		if o.Channel >= 0 {
			args = append(args, "--channel", fmt.Sprint(o.Channel))
		}
		lines = append(lines, strings.Join(args, "\t"))
	}
	for i, f := range files {
		add(f, Options{Representation: Groove, Bars: []int{1, 2, 4}[i%3], DrumMap: GM, Channel: -1})
		add(f, Options{Representation: Drums, Bars: 2, DrumMap: []*DrumMap{GM, Roland}[i%2], Channel: -1})
		add(f, Options{Representation: Melody, Bars: []int{1, 2}[i%2], Channel: -1})
		if i < nCases {
			add(f, Options{Representation: Groove, Bars: 1, DrumMap: Roland, Channel: -1})
			add(f, Options{Representation: Melody, Bars: 1, Channel: 1})
		}
	}
	jobFile := filepath.Join(dir, "jobs.tsv")
	os.WriteFile(jobFile, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
	cmd := exec.Command(py, "testdata/xref/batch.py", jobFile)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("batch.py: %v", err)
	}
	results := map[int]string{}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		var i int
		var rest string
		if k, _ := fmt.Sscanf(sc.Text(), "%d", &i); k == 1 {
			rest = strings.TrimSpace(strings.TrimPrefix(sc.Text(), fmt.Sprint(i)))
			results[i] = rest
		}
	}
	compared, skipped := 0, 0
	for i, j := range jobs {
		ref := results[i]
		w, err := FileWindows(j.file, j.o)
		name := fmt.Sprintf("%s (%s, %d bars, %s, channel %d)", j.file, j.o.Representation, j.o.Bars, j.o.drumMap().Name, j.o.Channel)
		if strings.HasPrefix(ref, "SKIP") {
			if err == nil {
				t.Errorf("%s: reference skips (%s), mvae gives %d windows", name, ref, w.N)
			}
			skipped++
			continue
		}
		if err != nil {
			t.Errorf("%s: mvae skips (%v), reference says %s", name, err, ref)
			continue
		}
		a, rerr := npy.ReadFile(j.out)
		if rerr != nil {
			t.Fatalf("%s: %v", name, rerr)
		}
		if a.Shape[0] != w.N || a.Shape[1] != w.T || a.Shape[2] != w.D {
			t.Errorf("%s: reference shape %v, mvae [%d %d %d]", name, a.Shape, w.N, w.T, w.D)
			continue
		}
		for k, v := range w.Data {
			col := k % w.D
			tol := 0.0
			if j.o.Representation == Groove && col >= NumDrumClasses {
				tol = 1e-6
			}
			if math.Abs(float64(v)-float64(a.Data[k])) > tol {
				n, s := k/(w.T*w.D), (k/w.D)%w.T
				t.Errorf("%s: window %d step %d column %d: mvae %v, reference %v", name, n, s, col, v, a.Data[k])
				break
			}
		}
		compared++
	}
	t.Logf("%d jobs over %d files (%d generated, %d real): %d compared window by window, %d skipped by both",
		len(jobs), len(files), nCases, len(files)-nCases, compared, skipped)
}
