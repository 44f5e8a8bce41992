package music

import (
	"encoding/binary"
	"fmt"

	"github.com/musicvae-go/mvae/internal/magic"
)

// MaxMIDIFileSize bounds the MIDI files mvae reads (real files are kilobytes).
const MaxMIDIFileSize = 32 << 20

// normalize walks the chunk and event structure of a Standard MIDI File and
// writes it back in a plain form: only the header and MTrk chunks, every
// event with an explicit status byte, every track ending in one End of Track.
//
// gomidi's reader trusts its input: it panics on a status byte that cannot
// start an SMF event, allocates whatever length a meta event claims, drops
// the running status after meta events (mido and most players keep it) and
// reads past a track that lacks End of Track. Checking here first turns each
// of those into an error (or, for the last two, into the reading players
// use), so that gomidi only ever sees well-formed data.
func normalize(data []byte) (out []byte, format, tpq int, err error) {
	switch {
	case len(data) == 0:
		return nil, 0, 0, fmt.Errorf("empty file, not a Standard MIDI File")
	case len(data) < 4 && string(data) == "MThd"[:len(data)],
		len(data) >= 4 && len(data) < 14 && string(data[:4]) == "MThd":
		return nil, 0, 0, fmt.Errorf("truncated MIDI file: %d bytes, too short for the 14-byte MThd header", len(data))
	case len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "RMID":
		return nil, 0, 0, fmt.Errorf("a RIFF MIDI file (RMID), not a Standard MIDI File: extract its data chunk as a .mid file")
	case len(data) < 4 || string(data[:4]) != "MThd":
		if f := magic.Detect(data); f != magic.Unknown {
			return nil, 0, 0, fmt.Errorf("%v, not a Standard MIDI File (no MThd header)", f)
		}
		return nil, 0, 0, fmt.Errorf("not a Standard MIDI File (no MThd header)")
	}
	hlen := int(binary.BigEndian.Uint32(data[4:8]))
	if hlen < 6 {
		return nil, 0, 0, fmt.Errorf("corrupt MIDI header: length %d, at least 6 needed", hlen)
	}
	if hlen > len(data)-8 {
		return nil, 0, 0, fmt.Errorf("truncated MIDI file: the MThd header claims %d bytes, %d remain", hlen, len(data)-8)
	}
	format = int(binary.BigEndian.Uint16(data[8:10]))
	ntrks := int(binary.BigEndian.Uint16(data[10:12]))
	division := binary.BigEndian.Uint16(data[12:14])
	if format > 2 {
		return nil, 0, 0, fmt.Errorf("unknown SMF format %d", format)
	}
	if division&0x8000 != 0 {
		return nil, 0, 0, fmt.Errorf("SMPTE time division is not supported (the grid needs ticks per quarter note)")
	}
	if division == 0 {
		return nil, 0, 0, fmt.Errorf("ticks per quarter note is 0")
	}
	tpq = int(division)
	out = make([]byte, 0, len(data)+64)
	out = append(out, "MThd\x00\x00\x00\x06"...)
	out = binary.BigEndian.AppendUint16(out, uint16(format))
	out = append(out, 0, 0) // track count, set below
	out = binary.BigEndian.AppendUint16(out, division)

	pos := 8 + hlen
	found := 0
	for pos < len(data) && found < ntrks {
		if len(data)-pos < 8 {
			return nil, 0, 0, fmt.Errorf("truncated MIDI file: %d stray bytes after track %d", len(data)-pos, found)
		}
		typ := string(data[pos : pos+4])
		n := int(binary.BigEndian.Uint32(data[pos+4 : pos+8]))
		pos += 8
		if n > len(data)-pos {
			if typ == "MTrk" {
				return nil, 0, 0, fmt.Errorf("truncated MIDI file: track %d claims %d bytes, %d remain", found, n, len(data)-pos)
			}
			return nil, 0, 0, fmt.Errorf("truncated MIDI file: chunk %q claims %d bytes, %d remain", typ, n, len(data)-pos)
		}
		chunk := data[pos : pos+n]
		pos += n
		if typ != "MTrk" {
			continue // unknown chunks are skipped, as the SMF standard asks
		}
		var err error
		out, err = appendTrack(out, chunk, found)
		if err != nil {
			return nil, 0, 0, err
		}
		found++
	}
	if found < ntrks {
		return nil, 0, 0, fmt.Errorf("truncated MIDI file: the header promises %d tracks, found %d", ntrks, found)
	}
	if found == 0 {
		return nil, 0, 0, fmt.Errorf("MIDI file has no tracks")
	}
	binary.BigEndian.PutUint16(out[10:12], uint16(found))
	return out, format, tpq, nil
}

// appendTrack checks one MTrk chunk and appends its normalized form.
func appendTrack(out, chunk []byte, track int) ([]byte, error) {
	start := len(out)
	out = append(out, "MTrk\x00\x00\x00\x00"...)
	var running byte
	i := 0
	bad := func(format string, args ...any) error {
		return fmt.Errorf("corrupt track %d at byte %d: %s", track, i, fmt.Sprintf(format, args...))
	}
	varlen := func() (int, error) {
		v := 0
		for k := 0; k < 4; k++ {
			if i >= len(chunk) {
				return 0, bad("truncated variable-length number")
			}
			b := chunk[i]
			i++
			v = v<<7 | int(b&0x7f)
			if b&0x80 == 0 {
				return v, nil
			}
		}
		return 0, bad("variable-length number longer than 4 bytes")
	}
	for i < len(chunk) {
		delta, err := varlen()
		if err != nil {
			return nil, err
		}
		if i >= len(chunk) {
			// A delta time with no event: the track ends there.
			out = appendVarlen(out, delta)
			out = append(out, 0xFF, 0x2F, 0x00)
			return finishTrack(out, start), nil
		}
		b := chunk[i]
		switch {
		case b == 0xFF: // meta event
			if i+2 > len(chunk) {
				return nil, bad("truncated meta event")
			}
			typ := chunk[i+1]
			i += 2
			n, err := varlen()
			if err != nil {
				return nil, err
			}
			if n > len(chunk)-i {
				return nil, bad("meta event 0x%02X claims %d bytes, %d remain", typ, n, len(chunk)-i)
			}
			body := chunk[i : i+n]
			i += n
			out = appendVarlen(out, delta)
			out = append(out, 0xFF, typ)
			out = appendVarlen(out, n)
			out = append(out, body...)
			if typ == 0x2F {
				return finishTrack(out, start), nil
			}
		case b == 0xF0 || b == 0xF7: // system exclusive
			i++
			n, err := varlen()
			if err != nil {
				return nil, err
			}
			if n > len(chunk)-i {
				return nil, bad("sysex claims %d bytes, %d remain", n, len(chunk)-i)
			}
			out = appendVarlen(out, delta)
			out = append(out, b)
			out = appendVarlen(out, n)
			out = append(out, chunk[i:i+n]...)
			i += n
		case b >= 0xF0:
			return nil, bad("status byte 0x%02X cannot start an event in a MIDI file", b)
		default: // channel message, maybe with running status
			status := b
			if b >= 0x80 {
				running = b
				i++
			} else if running == 0 {
				return nil, bad("data byte 0x%02X where a status byte belongs", b)
			} else {
				status = running
			}
			need := 2
			if t := status & 0xF0; t == 0xC0 || t == 0xD0 {
				need = 1
			}
			if need > len(chunk)-i {
				return nil, bad("truncated channel message")
			}
			for _, d := range chunk[i : i+need] {
				if d >= 0x80 {
					return nil, bad("data byte 0x%02X out of range in a channel message", d)
				}
			}
			out = appendVarlen(out, delta)
			out = append(out, status)
			out = append(out, chunk[i:i+need]...)
			i += need
		}
	}
	// No End of Track: close the track where its data ends.
	out = append(out, 0x00, 0xFF, 0x2F, 0x00)
	return finishTrack(out, start), nil
}

func finishTrack(out []byte, start int) []byte {
	binary.BigEndian.PutUint32(out[start+4:start+8], uint32(len(out)-start-8))
	return out
}

func appendVarlen(out []byte, v int) []byte {
	var buf [4]byte
	k := 3
	buf[k] = byte(v & 0x7f)
	for v >>= 7; v > 0; v >>= 7 {
		k--
		buf[k] = byte(v&0x7f) | 0x80
	}
	return append(out, buf[k:]...)
}
