package music

import "fmt"

// EncoderInput says how a window of tokens [T, D] becomes an encoder's input
// [T, D_in] (docs/FAMILIES.md §3).
type EncoderInput string

const (
	// AsTokens feeds the tokens themselves (the spec).
	AsTokens EncoderInput = ""
	// Roll feeds a drums token as its 9 class bits and a NOR bit (Magenta's
	// drums models: D_in = 10).
	Roll EncoderInput = "roll"
	// Humanize feeds a groove window with its velocities and offsets set to 0.
	Humanize EncoderInput = "humanize"
	// Tapify feeds every step's hits as one open hi-hat hit of velocity 0,
	// keeping the offset of the step's loudest hit.
	Tapify EncoderInput = "tapify"
)

// RollDepth is D_in of the Roll input: 9 class bits and the NOR bit.
const RollDepth = NumDrumClasses + 1

// TapifyClass is the class every tapped hit moves to (open hi-hat), as
// magenta.js's GrooveConverter.TAPIFY_CHANNEL.
const TapifyClass = 3

// ParseEncoderInput checks an encoder input name.
func ParseEncoderInput(s string) (EncoderInput, error) {
	switch e := EncoderInput(s); e {
	case AsTokens, Roll, Humanize, Tapify:
		return e, nil
	}
	return "", fmt.Errorf("unknown encoder input %q (want roll, humanize or tapify, or none)", s)
}

// Depth is D_in for tokens of representation r, and whether e applies to r.
func (e EncoderInput) Depth(r Representation) (int, bool) {
	switch e {
	case AsTokens:
		return r.Depth(), true
	case Roll:
		return RollDepth, r == Drums
	case Humanize, Tapify:
		return r.Depth(), r == Groove
	}
	return 0, false
}

// TrioSplits are the depths of a trio's split decoders: melody, bass, drums.
func TrioSplits() []int { return []int{Melody.Depth(), Melody.Depth(), Drums.Depth()} }

// Apply writes the encoder input of n windows of tokens x [n, T, D] of
// representation r into dst [n, T, D_in]. x is left unchanged. It panics
// when e does not apply to r or a length is wrong: callers check configs.
//
// Roll, for a drums token with class k (a one-hot of k = Σ 2^class):
//
//	dst[j] = (k >> j) & 1 for j < 9;  dst[9] = 1 if k == 0 else 0
//
// Humanize: dst = x with velocities and offsets 0. Tapify: where a step has
// a hit, dst has one hit at TapifyClass, velocity 0, and the offset of the
// hit of highest velocity (the first class on a tie).
func (e EncoderInput) Apply(dst, x []float32, r Representation, n, T int) {
	D := r.Depth()
	Din, ok := e.Depth(r)
	if !ok {
		panic(fmt.Sprintf("music: encoder input %q does not apply to %s", e, r))
	}
	if len(x) != n*T*D || len(dst) != n*T*Din {
		panic(fmt.Sprintf("music: encoder input of %d windows of %d steps: x has %d values, dst %d", n, T, len(x), len(dst)))
	}
	for i := 0; i < n*T; i++ {
		src, out := x[i*D:(i+1)*D], dst[i*Din:(i+1)*Din]
		switch e {
		case AsTokens:
			copy(out, src)
		case Roll:
			k := 0
			for c, v := range src {
				if v > 0.5 {
					k = c
					break
				}
			}
			for j := 0; j < NumDrumClasses; j++ {
				out[j] = float32((k >> j) & 1)
			}
			out[NumDrumClasses] = 0
			if k == 0 {
				out[NumDrumClasses] = 1
			}
		case Humanize:
			clear(out)
			copy(out[:NumDrumClasses], src[:NumDrumClasses])
		case Tapify:
			clear(out)
			best := -1
			for c := 0; c < NumDrumClasses; c++ {
				if src[c] > 0.5 && (best < 0 || src[NumDrumClasses+c] > src[NumDrumClasses+best]) {
					best = c
				}
			}
			if best >= 0 {
				out[TapifyClass] = 1
				out[2*NumDrumClasses+TapifyClass] = src[2*NumDrumClasses+best]
			}
		}
	}
}
