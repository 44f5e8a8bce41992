package plot

import (
	"bytes"
	"image"
	"image/png"
	"math"
	"testing"

	"github.com/musicvae-go/mvae/music"
)

func groove(T int, vel float32) []float32 {
	const C = music.NumDrumClasses
	x := make([]float32, T*3*C)
	for t := 0; t < T; t += 2 {
		r := x[t*3*C:]
		r[2], r[C+2], r[2*C+2] = 1, vel, 0.6 // hats, late
		if t%8 == 0 {
			r[0], r[C] = 1, vel
		}
	}
	return x
}

func decode(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	return img
}

// dark counts the pixels darker than light grey.
func dark(img image.Image) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bb, _ := img.At(x, y).RGBA()
			if r+g+bb < 3*0x9000 {
				n++
			}
		}
	}
	return n
}

func TestWindowRollsGroove(t *testing.T) {
	T := 2 * music.StepsPerBar
	x := groove(T, 0.9)
	keep := append([]float32(nil), x...)
	rolls, err := WindowRolls(x, music.WriteOptions{Representation: music.Groove}, "g")
	if err != nil {
		t.Fatal(err)
	}
	for i := range x {
		if x[i] != keep[i] {
			t.Fatal("the window was modified")
		}
	}
	if len(rolls) != 1 || !rolls[0].Drums || rolls[0].Steps != T || len(rolls[0].Cells) != 20 {
		t.Fatalf("rolls %+v", rolls)
	}
	for _, c := range rolls[0].Cells {
		if c.Row == 2 && math.Abs(c.Start-math.Round(c.Start)-0.3) > 1e-9 {
			t.Errorf("a hat with offset 0.6 (0.3 steps late) starts at %v", c.Start)
		}
		if math.Abs(c.Velocity-math.Round(0.9*127)/127) > 1e-9 {
			t.Errorf("velocity %v", c.Velocity)
		}
	}
}

func TestRollsPNG(t *testing.T) {
	T := 4 * music.StepsPerBar
	var all []Roll
	for _, v := range []float32{0.2, 1} {
		r, err := WindowRolls(groove(T, v), music.WriteOptions{Representation: music.Groove}, "v")
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, r...)
	}
	mel := make([]float32, T*music.Melody.Depth())
	for t := 0; t < T; t++ {
		k := 0
		if t%4 == 0 {
			k = 2 + 60 + t/4 - music.MinMelodyPitch
		}
		mel[t*music.Melody.Depth()+k] = 1
	}
	m, err := WindowRolls(mel, music.WriteOptions{Representation: music.Melody}, "m")
	if err != nil || len(m) != 1 || m[0].Drums || len(m[0].Cells) != T/4 {
		t.Fatalf("melody rolls %+v, %v", m, err)
	}
	all = append(all, m...)
	var one, soft, loud, three bytes.Buffer
	if err := Rolls(&one, all[:1]); err != nil {
		t.Fatal(err)
	}
	Rolls(&soft, all[:1])
	Rolls(&loud, all[1:2])
	if err := Rolls(&three, all); err != nil {
		t.Fatal(err)
	}
	a, b := decode(t, one.Bytes()), decode(t, three.Bytes())
	if b.Bounds().Dy() <= 2*a.Bounds().Dy() || a.Bounds().Dx() != b.Bounds().Dx() {
		t.Errorf("1 panel %v, 3 panels %v: want three bands of one width", a.Bounds(), b.Bounds())
	}
	if ds, dl := dark(decode(t, soft.Bytes())), dark(decode(t, loud.Bytes())); dl <= ds {
		t.Errorf("loud notes should be darker: %d dark pixels soft, %d loud", ds, dl)
	}
	if err := Rolls(&bytes.Buffer{}, nil); err == nil {
		t.Error("no panels: no error")
	}
	if err := Rolls(&bytes.Buffer{}, make([]Roll, MaxPanels+1)); err == nil {
		t.Error("too many panels: no error")
	}
}

func TestBarsPNG(t *testing.T) {
	var buf bytes.Buffer
	names := music.DrumClassNames[:]
	v := []float64{0.9, 0.8, 0.95, 0.3, 0.1, 0, 0.5, 0.6, 1}
	if err := Bars(&buf, "F1", "F1", names, v); err != nil {
		t.Fatal(err)
	}
	if img := decode(t, buf.Bytes()); img.Bounds().Dx() < 400 {
		t.Errorf("bounds %v", img.Bounds())
	}
}
