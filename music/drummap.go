package music

import "fmt"

// NumDrumClasses is the number of drum classes of both maps.
const NumDrumClasses = 9

// DrumClassNames names the classes in order.
var DrumClassNames = [NumDrumClasses]string{
	"kick", "snare", "closed hi-hat", "open hi-hat", "low tom", "mid tom", "high tom", "crash", "ride",
}

// DrumMap maps General MIDI drum pitches to the 9 classes and back.
type DrumMap struct {
	Name    string
	classOf [128]int8 // -1: not in the map
	out     [NumDrumClasses]uint8
}

// Class returns the class of a pitch, or -1 when the map drops it.
func (m *DrumMap) Class(pitch uint8) int {
	if pitch > 127 {
		return -1
	}
	return int(m.classOf[pitch])
}

// OutputPitch is the pitch a class is written back as.
func (m *DrumMap) OutputPitch(class int) uint8 { return m.out[class] }

func newDrumMap(name string, pitches [NumDrumClasses][]uint8, out [NumDrumClasses]uint8) *DrumMap {
	m := &DrumMap{Name: name, out: out}
	for i := range m.classOf {
		m.classOf[i] = -1
	}
	for class, ps := range pitches {
		for _, p := range ps {
			if m.classOf[p] != -1 {
				panic(fmt.Sprintf("drum map %s: pitch %d in two classes", name, p))
			}
			m.classOf[p] = int8(class)
		}
	}
	return m
}

// GM is the General MIDI map, note_seq's default drum map.
var GM = newDrumMap("gm", [NumDrumClasses][]uint8{
	{36, 35},
	{38, 27, 28, 31, 32, 33, 34, 37, 39, 40, 56, 65, 66, 75, 85},
	{42, 44, 54, 68, 69, 70, 71, 73, 78, 80, 22},
	{46, 67, 72, 74, 79, 81, 26},
	{45, 29, 41, 43, 61, 64, 84},
	{48, 47, 60, 63, 77, 86, 87},
	{50, 30, 62, 76, 83},
	{49, 52, 55, 57, 58},
	{51, 53, 59, 82},
}, [NumDrumClasses]uint8{36, 38, 42, 46, 45, 48, 50, 49, 51})

// Roland is the map of the Groove MIDI Dataset (Roland TD-11 kit).
var Roland = newDrumMap("roland", [NumDrumClasses][]uint8{
	{36},
	{38, 37, 40},
	{42, 22, 44},
	{46, 26},
	{43, 58},
	{47, 45},
	{50, 48},
	{49, 52, 55, 57},
	{51, 53, 59},
}, [NumDrumClasses]uint8{36, 38, 42, 46, 43, 47, 50, 49, 51})

// Magenta is the map magenta.js uses (DEFAULT_DRUM_PITCH_CLASSES in
// music/src/core/constants.ts, note_seq's old map): GM's but for 43 (high
// tom, not low), 52 (ride, not crash), and 22 and 26 (not mapped).
var Magenta = newDrumMap("magenta", [NumDrumClasses][]uint8{
	{36, 35},
	{38, 27, 28, 31, 32, 33, 34, 37, 39, 40, 56, 65, 66, 75, 85},
	{42, 44, 54, 68, 69, 70, 71, 73, 78, 80},
	{46, 67, 72, 74, 79, 81},
	{45, 29, 41, 61, 64, 84},
	{48, 47, 60, 63, 77, 86, 87},
	{50, 30, 43, 62, 76, 83},
	{49, 55, 57, 58},
	{51, 52, 53, 59, 82},
}, [NumDrumClasses]uint8{36, 38, 42, 46, 45, 48, 50, 49, 51})

// DrumMapByName returns "gm", "roland" or "magenta".
func DrumMapByName(name string) (*DrumMap, error) {
	switch name {
	case "gm", "":
		return GM, nil
	case "roland":
		return Roland, nil
	case "magenta":
		return Magenta, nil
	}
	return nil, fmt.Errorf("unknown drum map %q (want gm, roland or magenta)", name)
}
