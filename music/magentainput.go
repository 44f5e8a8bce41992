package music

import "math"

// What magenta.js's converters' toTensor return, bit for bit: the input
// magenta.js's MusicVAE.encode feeds its encoder. Where mvae's tokens and
// model.EncoderInput (music.EncoderInput.Apply) differ from it, it is
// because magenta.js 1.23.1 does something its models were not trained on:
//
//   - DrumsConverter's NOR column is one step early: the column is set with
//     TensorBuffer.set(1, i, -1), and tfjs resolves the index -1 as the
//     flat index 10·i − 1, the last column of row i−1. So row r has NOR = 1
//     iff r < numSteps−1 and no note handed to the converter (any pitch,
//     mapped or not) starts on step r+1; mvae's roll has NOR = 1 iff no
//     class is hit on step r (TF's roll_input, what the model was trained on).
//   - tapify keeps the loudest note of any pitch, the first in the
//     NoteSequence on a tie; mvae's Tapify on tokens sees mapped pitches only
//     and takes the first class on a tie.
//   - TrioConverter's DrumsOneHotConverter adds 2^class for every note:
//     two notes of one class on a step give the next class up (two kicks are
//     a snare), a sum past 511 gives a row of zeros, and an unmapped pitch
//     makes the sum NaN, which becomes class 0; mvae's tokens are the set of
//     classes hit.

// InputDepth is D_in of the converter's toTensor: 10 for drums, else the
// tokens' depth.
func (c *MagentaConverter) InputDepth() int {
	if c.Type == DrumsConverter {
		return RollDepth
	}
	return c.Representation().Depth()
}

func (l *melodyLine) input(dst []float32, from, T int) { l.window(dst, from, T) }

func (l *drumLine) input(dst []float32, from, T int) {
	const C = NumDrumClasses
	switch {
	case l.c.Type == DrumsConverter:
		for t := 0; t < T; t++ {
			row := dst[t*RollDepth : (t+1)*RollDepth]
			if h := l.hits[from+t]; h != nil {
				for d, n := range h {
					if n != nil {
						row[d] = 1
					}
				}
			}
			if t < T-1 && !l.any[from+t+1] {
				row[C] = 1
			}
		}
	case l.c.Type == TrioConverter:
		D := Drums.Depth()
		for t := 0; t < T; t++ {
			k := 0 // no note, or a NaN sum: class 0
			if s, ok := l.sums[from+t]; ok && !math.IsNaN(s) {
				k = int(s)
			}
			if k < D {
				dst[t*D+k] = 1
			}
		}
	case l.c.Tapify:
		for t := 0; t < T; t++ {
			if n := l.tap[from+t]; n != nil {
				dst[t*3*C+TapifyClass] = 1
				dst[t*3*C+2*C+TapifyClass] = float32(l.offset(n))
			}
		}
	default:
		l.window(dst, from, T)
		if l.c.Humanize {
			for t := 0; t < T; t++ {
				clear(dst[t*3*C+C : (t+1)*3*C])
			}
		}
	}
}

func (l *trioLine) input(dst []float32, from, T int) {
	M, B := Melody.Depth(), Drums.Depth()
	D := 2*M + B
	ev := make([]int, T)
	for part, ml := range []*melodyLine{l.mel, l.bass} {
		ml.events(ev, from, T)
		for t, k := range ev {
			dst[t*D+part*M+k] = 1
		}
	}
	drums := make([]float32, T*B)
	l.drums.input(drums, from, T)
	for t := 0; t < T; t++ {
		copy(dst[t*D+2*M:(t+1)*D], drums[t*B:(t+1)*B])
	}
}
