package plot

import (
	"fmt"
	"image/color"
	"io"
	"math"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/musicvae-go/mvae/music"
)

// MaxPanels is the most panels one image holds.
const MaxPanels = 64

// Sizes of a panel.
const (
	drumPanelHeight  = 2.4 * vg.Inch
	pianoPanelHeight = 3 * vg.Inch
	minWidth         = 8 * vg.Inch
	maxWidth         = 24 * vg.Inch
	widthPerStep     = 0.1 * vg.Inch
)

// noteColor is the hue of a note; its velocity sets the opacity.
var noteColor = color.NRGBA{R: 22, G: 60, B: 150, A: 255}

// shade is noteColor at velocity v (0..1): faint for soft notes, full for loud.
func shade(v float64) color.Color {
	c := noteColor
	c.A = uint8(math.Round(255 * (0.15 + 0.85*math.Max(0, math.Min(1, v)))))
	return c
}

// cells is a gonum/plot Plotter that fills one rectangle per note.
type cells struct {
	r          Roll
	height     float64 // of a row, in rows (a gap is left between rows)
	ymin, ymax float64 // the rows shown
}

func (p cells) Plot(c draw.Canvas, pl *gplot.Plot) {
	trX, trY := pl.Transforms(&c)
	for _, n := range p.r.Cells {
		x0, x1 := trX(n.Start), trX(n.Start+n.Len*0.92)
		y0, y1 := trY(float64(n.Row)-p.height/2), trY(float64(n.Row)+p.height/2)
		pts := []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}
		c.FillPolygon(shade(n.Velocity), c.ClipPolygonXY(pts))
	}
}

func (p cells) DataRange() (xmin, xmax, ymin, ymax float64) {
	return 0, float64(p.r.Steps), p.ymin, p.ymax
}

// barTicks marks the bar lines (labelled with the bar number) and beats.
type barTicks struct{}

func (barTicks) Ticks(min, max float64) []gplot.Tick {
	var t []gplot.Tick
	for s := math.Ceil(min/4) * 4; s <= max; s += 4 {
		tk := gplot.Tick{Value: s}
		if int(s)%16 == 0 {
			tk.Label = fmt.Sprint(int(s)/16 + 1)
		}
		t = append(t, tk)
	}
	return t
}

// panel builds the plot of one roll.
func panel(r Roll) *gplot.Plot {
	p := gplot.New()
	p.Title.Text = r.Title
	p.X.Label.Text = "bar"
	p.X.Min, p.X.Max = 0, float64(max(r.Steps, 1))
	p.X.Tick.Marker = barTicks{}
	grid := plotter.NewGrid()
	grid.Horizontal.Width = 0
	grid.Vertical.Color = color.Gray{Y: 215}
	p.Add(grid)
	if r.Drums {
		names := make([]gplot.Tick, len(drumNames))
		for i, n := range drumNames {
			names[i] = gplot.Tick{Value: float64(i), Label: n}
		}
		p.Y.Tick.Marker = gplot.ConstantTicks(names)
		p.Y.Min, p.Y.Max = -0.5, float64(len(drumNames))-0.5
		p.Add(cells{r, 0.8, p.Y.Min, p.Y.Max})
		return p
	}
	lo, hi := 60, 72
	for i, n := range r.Cells {
		if i == 0 {
			lo, hi = n.Row, n.Row
		}
		lo, hi = min(lo, n.Row), max(hi, n.Row)
	}
	lo, hi = lo-2, hi+2
	if d := 12 - (hi - lo); d > 0 { // at least an octave: a lone note is not a slab
		lo, hi = lo-d/2, hi+d-d/2
	}
	p.Y.Label.Text = "pitch"
	p.Y.Min, p.Y.Max = float64(lo)-0.5, float64(hi)+0.5
	p.Y.Tick.Marker = pitchTicks{}
	p.Add(cells{r, 0.9, p.Y.Min, p.Y.Max})
	return p
}

// pitchTicks labels every C (C4 = MIDI 60).
type pitchTicks struct{}

func (pitchTicks) Ticks(min, max float64) []gplot.Tick {
	var t []gplot.Tick
	for p := int(math.Ceil(min)); float64(p) <= max; p++ {
		if p%12 == 0 {
			t = append(t, gplot.Tick{Value: float64(p), Label: fmt.Sprintf("C%d", p/12-1)})
		}
	}
	return t
}

// Rolls draws the rolls as one PNG image, one panel per roll from top to
// bottom, and writes it to w. It refuses more than MaxPanels panels.
func Rolls(w io.Writer, rolls []Roll) error {
	if len(rolls) == 0 {
		return fmt.Errorf("plot: nothing to draw")
	}
	if len(rolls) > MaxPanels {
		return fmt.Errorf("plot: %d panels; one image holds at most %d", len(rolls), MaxPanels)
	}
	steps := 0
	var height vg.Length
	plots := make([][]*gplot.Plot, len(rolls))
	for i, r := range rolls {
		steps = max(steps, r.Steps)
		plots[i] = []*gplot.Plot{panel(r)}
		if r.Drums {
			height += drumPanelHeight
		} else {
			height += pianoPanelHeight
		}
	}
	width := min(max(vg.Length(steps)*widthPerStep, minWidth), maxWidth)
	img := vgimg.New(width, height)
	dc := draw.New(img)
	// Panels of unequal heights (plot.Align tiles equal rows): each is
	// drawn in its own band, from the top.
	top := height
	for i, r := range rolls {
		h := pianoPanelHeight
		if r.Drums {
			h = drumPanelHeight
		}
		c := draw.Canvas{Canvas: dc.Canvas, Rectangle: vg.Rectangle{
			Min: vg.Point{X: dc.Min.X + 0.1*vg.Inch, Y: top - h + 0.08*vg.Inch},
			Max: vg.Point{X: dc.Max.X - 0.2*vg.Inch, Y: top},
		}}
		plots[i][0].Draw(c)
		top -= h
	}
	_, err := vgimg.PngCanvas{Canvas: img}.WriteTo(w)
	return err
}

// drumNames are the rows of a drum grid, from the bottom.
var drumNames = func() []string {
	n := make([]string, len(music.DrumClassNames))
	copy(n, music.DrumClassNames[:])
	return n
}()

// Bars draws a bar chart of values (each in [0, 1], e.g. an F1) named by
// names, and writes it to w as PNG.
func Bars(w io.Writer, title, ylabel string, names []string, values []float64) error {
	if len(names) != len(values) || len(values) == 0 {
		panic("plot: Bars needs one name per value, and at least one")
	}
	p := gplot.New()
	p.Title.Text = title
	p.Y.Label.Text = ylabel
	p.Y.Min, p.Y.Max = 0, 1
	b, err := plotter.NewBarChart(plotter.Values(values), 0.5*vg.Inch)
	if err != nil {
		return err
	}
	b.Color = noteColor
	b.LineStyle.Width = 0
	p.Add(plotter.NewGrid(), b)
	p.NominalX(names...)
	labels, err := plotter.NewLabels(plotter.XYLabels{XYs: barTops(values), Labels: fmtValues(values)})
	if err != nil {
		return err
	}
	p.Add(labels)
	width := max(vg.Length(len(values))*0.9*vg.Inch+1.5*vg.Inch, 5*vg.Inch)
	img := vgimg.New(width, 4*vg.Inch)
	p.Draw(draw.New(img))
	_, err = vgimg.PngCanvas{Canvas: img}.WriteTo(w)
	return err
}

func barTops(v []float64) plotter.XYs {
	xy := make(plotter.XYs, len(v))
	for i, y := range v {
		xy[i].X, xy[i].Y = float64(i)-0.12, math.Min(y+0.02, 0.95)
	}
	return xy
}

func fmtValues(v []float64) []string {
	s := make([]string, len(v))
	for i, y := range v {
		s[i] = fmt.Sprintf("%.2f", y)
	}
	return s
}
