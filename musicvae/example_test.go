package musicvae_test

import (
	"bytes"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/musicvae-go/mvae/music"
	"github.com/musicvae-go/mvae/musicvae"
)

// Sample two grooves from the embedded model's prior and write the first as
// a MIDI file.
func Example() {
	m, err := musicvae.LoadDefault()
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	s, err := m.Sample(2, musicvae.Options{Temperature: 0.5, Seed: 42})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d sequences of %d steps, z of %d\n", s.N, s.T, s.ZSize)

	dir, _ := os.MkdirTemp("", "musicvae")
	defer os.RemoveAll(dir)
	f, err := os.Create(filepath.Join(dir, "groove.mid"))
	if err != nil {
		log.Fatal(err)
	}
	if err := m.WriteMIDI(f, s.Sequence(0), music.WriteOptions{BPM: 100, Name: "groove"}); err != nil {
		log.Fatal(err)
	}
	f.Close()
	w, err := m.ReadMIDI(f.Name())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("read back: %d window(s) of %d steps\n", w.N, w.T)
	// Output:
	// 2 sequences of 64 steps, z of 64
	// read back: 1 window(s) of 64 steps
}

// grooves makes n grooves to play with (a real program reads them with
// ReadMIDI).
func grooves(m *musicvae.Model, n int, seed uint64) [][]float32 {
	s, err := m.Sample(n, musicvae.Options{Temperature: 0.5, Seed: seed})
	if err != nil {
		log.Fatal(err)
	}
	out := make([][]float32, n)
	for i := range out {
		out[i] = s.Sequence(i)
	}
	return out
}

// Encode a sequence to its latent vector and decode it back.
func ExampleModel_Encode() {
	m, _ := musicvae.LoadDefault()
	defer m.Close()
	x := grooves(m, 1, 7)[0]
	mu, sigma, err := m.Encode(x, 1)
	if err != nil {
		log.Fatal(err)
	}
	back, err := m.Decode(mu, musicvae.Options{Temperature: 0})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(mu), len(sigma), back.N)
	// Output: 64 64 1
}

// Interpolate across four grooves: a 3×3 grid whose corners are the
// grooves' own latent vectors.
func ExampleModel_Interpolate() {
	m, _ := musicvae.LoadDefault()
	defer m.Close()
	corners := grooves(m, 4, 1)
	grid, err := m.Interpolate(corners, 3, musicvae.Lerp, musicvae.Options{Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	mu, _, _ := m.Encode(corners[2], 1)
	fmt.Println(grid.N, "sequences; top-right corner is the third groove:", equal(grid.Latent(2), mu))

	// Two grooves: 5 steps along the great circle, written as one file.
	path, _ := m.Interpolate(corners[:2], 5, musicvae.Slerp, musicvae.Options{Seed: 1})
	var buf bytes.Buffer
	if err := m.WriteMIDI(&buf, path.Concat(), music.WriteOptions{}); err != nil {
		log.Fatal(err)
	}
	fmt.Println(path.N, "sequences in one file")
	// Output:
	// 9 sequences; top-right corner is the third groove: true
	// 5 sequences in one file
}

func equal(a, b []float32) bool {
	for i := range a {
		if d := a[i] - b[i]; d > 1e-6 || d < -1e-6 {
			return false
		}
	}
	return len(a) == len(b)
}

// Variations of a groove: at similarity 1 every variation decodes the
// groove's own latent vector.
func ExampleModel_Similar() {
	m, _ := musicvae.LoadDefault()
	defer m.Close()
	x := grooves(m, 1, 3)[0]
	v, err := m.Similar(x, 4, 0.8, musicvae.Options{Temperature: 0.5, Seed: 9})
	if err != nil {
		log.Fatal(err)
	}
	same, _ := m.Similar(x, 2, 1, musicvae.Options{Seed: 9})
	mu, _, _ := m.Encode(x, 1)
	fmt.Println(v.N, equal(same.Latent(1), mu))
	// Output: 4 true
}

// An attribute vector: the mean latent vector of one set of grooves minus
// another's, added to a decoding with an amount.
func ExampleModel_AttributeVector() {
	m, _ := musicvae.LoadDefault()
	defer m.Close()
	busy, _ := m.Sample(3, musicvae.Options{Temperature: 1, Seed: 1})
	calm, _ := m.Sample(3, musicvae.Options{Temperature: 0.1, Seed: 2})
	v, err := m.AttributeVector(busy.Tokens, busy.N, calm.Tokens, calm.N)
	if err != nil {
		log.Fatal(err)
	}
	mu, _, _ := m.Encode(calm.Sequence(0), 1)
	out, _ := m.Decode(mu, musicvae.Options{Attribute: v, Amount: 1.5})
	fmt.Println(len(v), out.N)
	// Output: 64 1
}

// Humanize a quantised groove: the same model gives it velocities and
// micro-timing.
func ExampleModel_Humanize() {
	m, _ := musicvae.LoadDefault()
	defer m.Close()
	x := grooves(m, 1, 5)[0]
	const C = music.NumDrumClasses
	for i := 0; i < len(x); i += 3 * C { // quantise: on the grid, velocity 100
		for k := 0; k < C; k++ {
			x[i+C+k], x[i+2*C+k] = 0, 0
			if x[i+k] == 1 {
				x[i+C+k] = 100.0 / 127
			}
		}
	}
	h, err := m.Humanize(x, 1, musicvae.Options{Temperature: 0})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(h.N, h.T)
	// Output: 1 64
}

// Humanize a whole quantised drum file: its 8 bars are two windows of the
// embedded 4-bar model, written back as one file.
func ExampleModel_HumanizeFile() {
	m, _ := musicvae.LoadDefault()
	defer m.Close()
	c := m.Config()
	const C = music.NumDrumClasses
	x := make([]float32, 2*c.T()*c.InputSize) // 8 bars: a kick on every beat, a hi-hat on every 8th
	for t := 0; t < 2*c.T(); t += 2 {
		row := x[t*3*C : (t+1)*3*C]
		row[2], row[C+2] = 1, 90.0/127 // closed hi-hat
		if t%4 == 0 {
			row[0], row[C+0] = 1, 100.0/127 // kick
		}
	}
	dir, _ := os.MkdirTemp("", "musicvae")
	defer os.RemoveAll(dir)
	in := filepath.Join(dir, "quantised.mid")
	f, _ := os.Create(in)
	m.WriteMIDI(f, x, music.WriteOptions{})
	f.Close()

	h, err := m.HumanizeFile(in, musicvae.Options{Temperature: 0.3, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	out, _ := os.Create(filepath.Join(dir, "humanized.mid"))
	defer out.Close()
	if err := m.WriteMIDI(out, h.Concat(), music.WriteOptions{Name: "humanized"}); err != nil {
		log.Fatal(err)
	}
	fmt.Println(h.N, "windows of", h.T, "steps")
	// Output: 2 windows of 64 steps
}

// Turn a tapped rhythm into a drum groove: the taps' timing and loudness
// count, not which drum (or which instrument) was hit.
func ExampleModel_Tap() {
	m, _ := musicvae.LoadDefault()
	defer m.Close()
	c := m.Config()
	const C = music.NumDrumClasses
	taps := make([]float32, c.T()*c.InputSize)
	for t := 0; t < c.T(); t += 3 { // a tap every three 16ths, a little late
		row := taps[t*3*C : (t+1)*3*C]
		row[1], row[C+1], row[2*C+1] = 1, 0.8, 0.2
	}
	g, err := m.Tap(taps, 1, musicvae.Options{Temperature: 0, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(g.N, "groove of", g.T, "steps")
	// Output: 1 groove of 64 steps
}

// Refine every encoded latent vector (WithRefine): decoding it follows the
// input at least as closely as decoding the encoder's mu.
func ExampleWithRefine() {
	plain, _ := musicvae.LoadDefault()
	defer plain.Close()
	refined, err := musicvae.LoadDefault(musicvae.WithRefine(100, 0))
	if err != nil {
		log.Fatal(err)
	}
	defer refined.Close()
	s, _ := plain.Sample(4, musicvae.Options{Temperature: 1.2, Seed: 3}) // unusual grooves
	missed := func(m *musicvae.Model) int {
		mu, _, err := m.Encode(s.Tokens, s.N)
		if err != nil {
			log.Fatal(err)
		}
		back, _ := m.Decode(mu, musicvae.Options{Temperature: 0})
		n := 0
		for i, v := range back.Tokens {
			if i%s.D < music.NumDrumClasses && (v > 0.5) != (s.Tokens[i] > 0.5) {
				n++
			}
		}
		return n
	}
	a, b := missed(plain), missed(refined)
	fmt.Println("hits wrong with the encoder's mu > 0:", a > 0)
	fmt.Println("refined no worse:", b <= a)
	// Output:
	// hits wrong with the encoder's mu > 0: true
	// refined no worse: true
}
