package web_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/musicvae-go/mvae/internal/testenv"
	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/music"
	"github.com/musicvae-go/mvae/musicvae"
	"github.com/musicvae-go/mvae/serve"
	"github.com/musicvae-go/mvae/web"
)

// chromium returns Debian's chromium, or skips (fails in CI).
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	testenv.Missing(t, "chromium")
	return ""
}

// artifacts is where the test keeps its screenshot: $MVAE_ARTIFACTS, or a
// temporary folder.
func artifacts(t *testing.T) string {
	if d := os.Getenv("MVAE_ARTIFACTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// uploadFile returns a real groove MIDI file: one of the MMA corpus when it
// is rendered, else a groove the model samples, written as MIDI.
func uploadFile(t *testing.T, m *musicvae.Model) string {
	if p := "../testdata/corpus/mma/yamaha/mambo/MamboFillBB.mid"; fileExists(p) {
		abs, _ := filepath.Abs(p)
		return abs
	}
	s, err := m.Sample(1, musicvae.Options{Temperature: 0.5, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "groove.mid")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := m.WriteMIDI(f, s.Sequence(0), music.WriteOptions{BPM: 100}); err != nil {
		t.Fatal(err)
	}
	return p
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// TestPageInChromium uses the page as a musician would, in headless
// Chromium against the real server (package serve) on loopback: load it, sample, see hits, edit
// a cell, play (the AudioContext runs, the playhead moves), upload a MIDI
// file (file picker and a dropped file), move the interpolation slider,
// click the four-corner pad, ask for a similar groove, and download the
// MIDI file, which music/ parses.
func TestPageInChromium(t *testing.T) {
	exe := chromium(t)
	m, err := musicvae.LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	mel, drums, trio := tiny(t, "mel_2bar"), tiny(t, "drums_2bar"), tiny(t, "trio_hier")
	// An attribute vector for the groove: far enough that it changes the grid.
	busy := make([]float32, m.Config().ZSize)
	for i := range busy {
		busy[i] = float32(1 - 2*(i%2))
	}
	groove := serve.NewModel("groove", m)
	if err := groove.AddAttribute("busy", busy); err != nil {
		t.Fatal(err)
	}
	models := []*serve.Model{groove, serve.NewModel("melody", mel), serve.NewModel("drums", drums), serve.NewModel("trio", trio)}
	api, err := serve.New(serve.Options{Models: models, Page: web.FS()})
	if err != nil {
		t.Fatal(err)
	}
	defer api.Close()
	srv := httptest.NewServer(api.Handler())
	defer srv.Close()

	downloads := t.TempDir()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox,
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		chromedp.Flag("disable-gpu", true),
		chromedp.WindowSize(1240, 900),
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	// The first Run starts the browser: on a context without a deadline.
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	ctx, cancel := context.WithTimeout(bctx, 90*time.Second)
	defer cancel()

	// Every console error and uncaught exception of the page fails the test.
	var mu sync.Mutex
	var jsErrors []string
	cctx, stopConsole := context.WithCancel(bctx)
	messages := chromedp.Console(cctx)
	consoleDone := make(chan struct{})
	go func() {
		defer close(consoleDone)
		for msg, err := range messages {
			if err != nil {
				return
			}
			if msg.IsException() || msg.Type == chromedp.ConsoleError {
				mu.Lock()
				jsErrors = append(jsErrors, msg.String())
				mu.Unlock()
			}
		}
	}()
	defer func() {
		stopConsole()
		<-consoleDone
		for _, e := range jsErrors {
			t.Errorf("the page logged an error: %s", e)
		}
	}()

	do := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			status, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("status")))
			t.Fatalf("%s: %v (status: %q)", what, err, status)
		}
	}
	evalString := func(what, expr string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
	// waitStatus waits for the status line to start with prefix.
	waitStatus := func(what, prefix string) {
		t.Helper()
		do(what, chromedp.Poll[chromedp.Void](fmt.Sprintf(`(() => { const s = document.getElementById('status');
			if (s.classList.contains('error')) throw new Error(s.textContent);
			return s.textContent.startsWith(%q); })()`, prefix), chromedp.WithPollingTimeout(30*time.Second)))
	}
	tokens := func() string {
		t.Helper()
		return evalString("read the tokens", `JSON.stringify(mvae.state.current.tokens)`)
	}
	hits := func() int {
		t.Helper()
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#grid .cell.on').length`))
		if err != nil {
			t.Fatalf("count the hits: %v", err)
		}
		return n
	}
	downloadTo := chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads,
		})
		return err
	})

	// Load: the page fetches the models and shows a first sample.
	do("load the page",
		downloadTo,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.Poll[chromedp.Void](`document.body.dataset.ready === 'true'`, chromedp.WithPollingTimeout(30*time.Second)),
	)
	waitStatus("first sample", "Loading models: done.")
	names, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#model option')].map(o => o.value)`))
	if err != nil || len(names) != len(models) {
		t.Fatalf("the model menu holds %q (%v); want the %d models served", names, err, len(models))
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#grid .rowname')].map(e => e.textContent)`))
	if err != nil || len(rows) != music.NumDrumClasses || rows[0] != music.DrumClassNames[0] {
		t.Fatalf("the grid's rows are %q (%v); want the 9 drum classes", rows, err)
	}
	if hits() == 0 {
		t.Fatal("the first sample shows no hit")
	}

	// New sample, at a seed: the grid changes.
	before := tokens()
	do("new sample",
		chromedp.SetValue(chromedp.ID("seed"), "12345"),
		chromedp.SetValue(chromedp.ID("temperature"), "0.8"),
		chromedp.Click(chromedp.ID("sample")))
	waitStatus("new sample", "New sample: done.")
	if tokens() == before {
		t.Fatal("New sample left the tokens as they were")
	}
	if hits() == 0 {
		t.Fatal("the new sample shows no hit")
	}

	// Edit: a click on an empty kick cell adds a hit; the tokens change.
	cell := evalString("find an empty cell", `(() => { const c = document.querySelector('#grid .cell[data-r="0"]:not(.on)');
		return c ? c.dataset.s : ''; })()`)
	if cell == "" {
		t.Fatal("no empty kick cell to click")
	}
	n0 := hits()
	before = tokens()
	do("click a cell", chromedp.Click(chromedp.CSS(fmt.Sprintf(`#grid .cell[data-r="0"][data-s="%s"]`, cell))))
	if n1 := hits(); n1 != n0+1 {
		t.Fatalf("clicking an empty cell: %d hits, then %d", n0, n1)
	}
	if tokens() == before {
		t.Fatal("the edit did not reach the tokens")
	}
	// ...and the keyboard toggles it back (the cell clicked has the focus).
	do("toggle with the keyboard", chromedp.Focus(chromedp.CSS(fmt.Sprintf(`#grid .cell[data-r="0"][data-s="%s"]`, cell))), chromedp.KeyEvent(" "))
	if n := hits(); n != n0 {
		t.Fatalf("space on the focused cell: %d hits, want %d", n, n0)
	}

	// Play: the AudioContext runs and the playhead moves; then stop.
	do("play",
		chromedp.Click(chromedp.ID("play")),
		chromedp.Poll[chromedp.Void](`mvae.player.ctx && mvae.player.ctx.state === 'running' && document.getElementById('playhead').dataset.step !== undefined`, chromedp.WithPollingTimeout(10*time.Second)))
	state := evalString("AudioContext state", `mvae.player.ctx.state`)
	p1 := evalString("playhead", `document.getElementById('playhead').dataset.step`)
	do("listen", chromedp.Sleep(400*time.Millisecond))
	p2 := evalString("playhead", `document.getElementById('playhead').dataset.step`)
	if state != "running" {
		t.Fatalf("AudioContext state %q, want running", state)
	}
	if p1 == p2 {
		t.Fatalf("the playhead stayed at step %s", p1)
	}
	t.Logf("playhead: step %s, then %s", p1, p2)
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	shot := filepath.Join(artifacts(t), "serve.png")
	if err := os.WriteFile(shot, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", shot, len(png))
	do("stop", chromedp.Click(chromedp.ID("play")))
	if label := evalString("the play button", `document.getElementById('play').textContent`); label != "Play" {
		t.Fatalf("after stop the button reads %q", label)
	}

	// Upload through the file picker.
	mid := uploadFile(t, m)
	before = tokens()
	do("upload a MIDI file", chromedp.SetUploadFiles(chromedp.ID("file"), []string{mid}))
	waitStatus("encode the upload", "Encoded ")
	if tokens() == before || hits() == 0 {
		t.Fatal("the uploaded file did not become the grid")
	}
	uploaded := tokens()

	// ...and a dropped file (a synthetic drop event with the same bytes).
	data, err := os.ReadFile(mid)
	if err != nil {
		t.Fatal(err)
	}
	do("sample before the drop", chromedp.Click(chromedp.ID("sample")))
	waitStatus("sample before the drop", "New sample: done.")
	evalString("drop a MIDI file", fmt.Sprintf(`(() => {
		const bytes = Uint8Array.from(atob(%q), c => c.charCodeAt(0));
		const dt = new DataTransfer();
		dt.items.add(new File([bytes], 'dropped.mid', { type: 'audio/midi' }));
		const drop = document.getElementById('drop');
		drop.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
		drop.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
		return 'dropped';
	})()`, base64.StdEncoding.EncodeToString(data)))
	waitStatus("encode the drop", "Encoded dropped.mid")
	if tokens() != uploaded {
		t.Fatal("the dropped file decodes to other tokens than the same file uploaded")
	}

	// Interpolation: A = the upload, edited (the page encodes the edit as
	// the file it downloads as), B = a new sample; the slider's end is B.
	do("edit the upload", chromedp.Click(chromedp.CSS(`#grid .cell[data-r="2"][data-s="3"]`)))
	if evalString("the edit's latent vector", `String(mvae.state.current.z)`) != "null" {
		t.Fatal("an edited groove keeps the latent vector of the groove before the edit")
	}
	do("set A", chromedp.Click(chromedp.ID("setA")))
	waitStatus("set A", "A = current: done.")
	do("new B", chromedp.Click(chromedp.ID("newB")),
		chromedp.Poll[chromedp.Void](`!document.getElementById('interp').disabled && !document.body.hasAttribute('aria-busy')`, chromedp.WithPollingTimeout(30*time.Second)))
	start := tokens()
	do("move the slider", chromedp.Focus(chromedp.ID("interp")), chromedp.KeyEvent(kb.End))
	if pos := evalString("the slider", `document.getElementById('interp').value`); pos == "0" {
		t.Fatal("the End key left the slider at 0")
	}
	if tokens() == start {
		t.Fatal("moving the slider left the grid as it was")
	}

	// The four-corner pad and "similar".
	before = tokens()
	do("click the pad", chromedp.Click(chromedp.ID("pad")),
		chromedp.Poll[chromedp.Void](`document.getElementById('padpoint').style.display === 'block' && !document.body.hasAttribute('aria-busy')`, chromedp.WithPollingTimeout(30*time.Second)))
	if tokens() == before {
		t.Fatal("the four-corner pad left the grid as it was")
	}
	do("similar", chromedp.Click(chromedp.ID("similar")))
	waitStatus("similar", "Similar: done.")

	// Download: the tokens shown as a MIDI file that music/ reads back.
	shown := tokens()
	do("download", chromedp.Click(chromedp.ID("download")))
	waitStatus("download", "Download MIDI: done.")
	var file string
	for deadline := time.Now().Add(15 * time.Second); file == "" && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		entries, _ := os.ReadDir(downloads)
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".mid") {
				file = filepath.Join(downloads, e.Name())
			}
		}
	}
	if file == "" {
		t.Fatal("no MIDI file was downloaded")
	}
	got, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	win, err := m.ParseMIDI(got)
	if err != nil {
		t.Fatalf("the downloaded %s: %v", filepath.Base(file), err)
	}
	if win.N == 0 {
		t.Fatalf("the downloaded %s holds no window", filepath.Base(file))
	}
	var want []float32
	if err := json.Unmarshal([]byte(shown), &want); err != nil {
		t.Fatal(err)
	}
	if h, w := grooveHits(win.Window(0)), grooveHits(want); h != w {
		t.Fatalf("the downloaded file's hits:\n%s\nthe page's:\n%s", h, w)
	}
	t.Logf("downloaded %s: %d bytes, %d windows, the hits shown", filepath.Base(file), len(got), win.N)

	// An attribute slider, moved with the keyboard, shifts the groove.
	before = tokens()
	do("move the attribute slider", chromedp.Focus(chromedp.CSS(`#attributes input[data-name="busy"]`)), chromedp.KeyEvent(kb.End))
	waitStatus("attribute", "Attribute busy 3: done.")
	if tokens() == before {
		t.Fatal("the attribute slider left the grid as it was")
	}

	// A melody model: the grid becomes a piano roll, a click adds a note,
	// and it plays.
	evalString("choose the melody model", `(() => { const s = document.getElementById('model');
		s.value = 'melody'; s.dispatchEvent(new Event('change')); return s.value; })()`)
	waitStatus("melody sample", "New sample: done.")
	rows, err = chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#grid .rowname')].map(e => e.textContent)`))
	if err != nil || len(rows) < 24 || !pitchName.MatchString(rows[0]) {
		t.Fatalf("the piano roll's rows are %q (%v)", rows, err)
	}
	if hits() == 0 {
		t.Fatal("the melody shows no note")
	}
	// A melody has one note at a time: click a step where none starts.
	cell = evalString("find an empty step", `(() => {
		const steps = new Set([...document.querySelectorAll('#grid .cell.on')].map(c => c.dataset.s));
		const c = [...document.querySelectorAll('#grid .cell:not(.hold)')].find(c => !steps.has(c.dataset.s));
		return c ? c.dataset.r + ',' + c.dataset.s : ''; })()`)
	if cell == "" {
		t.Fatal("every step of the melody starts a note")
	}
	r, s, _ := strings.Cut(cell, ",")
	n0 = hits()
	do("add a note", chromedp.Click(chromedp.CSS(fmt.Sprintf(`#grid .cell[data-r="%s"][data-s="%s"]`, r, s))))
	if n := hits(); n != n0+1 {
		t.Fatalf("a click on an empty cell of the piano roll: %d notes, then %d", n0, n)
	}
	do("play the melody", chromedp.Click(chromedp.ID("play")),
		chromedp.Poll[chromedp.Void](`mvae.player.playing && mvae.player.ctx.state === 'running'`, chromedp.WithPollingTimeout(10*time.Second)),
		chromedp.Sleep(200*time.Millisecond))
	if png, err = chromedp.Run(ctx, chromedp.FullScreenshot(100)); err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(filepath.Join(filepath.Dir(shot), "serve-melody.png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
	do("stop the melody", chromedp.Click(chromedp.ID("play")))

	// Magenta's drums (one class a set of hits) and trio (lead, bass and
	// drums, one under the other): a click on an empty kick cell adds a hit.
	for _, c := range []struct{ model, first, kick string }{{"drums", "kick", "kick"}, {"trio", "lead ", "drums kick"}} {
		evalString("choose "+c.model, fmt.Sprintf(`(() => { const s = document.getElementById('model');
			s.value = %q; s.dispatchEvent(new Event('change')); return s.value; })()`, c.model))
		waitStatus(c.model+" sample", "New sample: done.")
		rows, err = chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#grid .rowname')].map(e => e.textContent)`))
		if err != nil || len(rows) == 0 || !strings.HasPrefix(rows[0], c.first) || !slices.Contains(rows, c.kick) {
			t.Fatalf("%s: the grid's rows are %q (%v)", c.model, rows, err)
		}
		kick := slices.Index(rows, c.kick)
		cell = evalString("find an empty kick cell", fmt.Sprintf(`(() => { const c = document.querySelector('#grid .cell[data-r="%d"]:not(.on)');
			return c ? c.dataset.s : ''; })()`, kick))
		if cell == "" {
			t.Fatalf("%s: no empty kick cell", c.model)
		}
		n0 = hits()
		do("add a kick", chromedp.Click(chromedp.CSS(fmt.Sprintf(`#grid .cell[data-r="%d"][data-s="%s"]`, kick, cell))))
		if n := hits(); n != n0+1 {
			t.Fatalf("%s: a click on an empty kick cell: %d hits, then %d", c.model, n0, n)
		}
	}
}

// grooveHits draws the hits of groove tokens, a line a drum class.
func grooveHits(x []float32) string {
	const D = 3 * music.NumDrumClasses
	var b strings.Builder
	for r := range music.NumDrumClasses {
		for s := 0; s < len(x)/D; s++ {
			if x[s*D+r] > 0.5 {
				b.WriteByte('x')
			} else {
				b.WriteByte('.')
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}

var pitchName = regexp.MustCompile(`^[A-G]#?-?[0-9]$`)

// tiny is a model of model.TinyFamilies with random weights.
func tiny(t *testing.T, family string) *musicvae.Model {
	b, err := model.RandomBundle(model.TinyFamilies()[family], 1)
	if err != nil {
		t.Fatal(err)
	}
	m, err := musicvae.Open(b, family)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}
