package music

import "encoding/binary"

// tev is one event of a hand-built test track.
type tev struct {
	tick int64
	b    []byte
}

func on(tick int64, ch, pitch, vel byte) tev { return tev{tick, []byte{0x90 | ch, pitch, vel}} }
func off(tick int64, ch, pitch byte) tev     { return tev{tick, []byte{0x80 | ch, pitch, 0}} }
func meta(tick int64, typ byte, data ...byte) tev {
	return tev{tick, append([]byte{0xFF, typ, byte(len(data))}, data...)}
}
func timeSig(tick int64, num, denExp byte) tev { return meta(tick, 0x58, num, denExp, 24, 8) }

// smfBytes builds a Standard MIDI File from tracks of events in tick order.
func smfBytes(format, tpq int, tracks ...[]tev) []byte {
	out := []byte("MThd\x00\x00\x00\x06")
	out = binary.BigEndian.AppendUint16(out, uint16(format))
	out = binary.BigEndian.AppendUint16(out, uint16(len(tracks)))
	out = binary.BigEndian.AppendUint16(out, uint16(tpq))
	for _, tr := range tracks {
		var body []byte
		var last int64
		for _, e := range tr {
			body = appendVarlen(body, int(e.tick-last))
			body = append(body, e.b...)
			last = e.tick
		}
		body = append(body, 0, 0xFF, 0x2F, 0)
		out = append(out, "MTrk"...)
		out = binary.BigEndian.AppendUint32(out, uint32(len(body)))
		out = append(out, body...)
	}
	return out
}
