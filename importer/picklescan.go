package importer

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// The pickle reader (github.com/nlpodyssey/gopickle) allocates whatever
// length an opcode claims before it finds the stream too short, indexes a
// table of 255 entries with a byte, and parses decimal and little-endian
// integers of any length in quadratic time. scanPickle walks the stream
// first, opcode by opcode, and refuses it unless every opcode is known and
// every length fits in the bytes that remain, so that gopickle only ever sees
// a stream whose claims are true.

// Pickle bounds: a state_dict's pickle is a few hundred bytes per tensor.
const (
	maxPickleBytes = 64 << 20 // data.pkl
	maxPickleOps   = 1 << 21  // opcodes in data.pkl
	maxPickleLine  = 64 << 10 // one text argument (GLOBAL, UNICODE, …)
	maxPickleInt   = 1 << 10  // one integer, in digits or bytes
)

// argument kinds of the pickle opcodes (CPython's Lib/pickletools.py).
const (
	argNone   = iota
	argFixed  // n bytes
	argLen1   // 1-byte length, then that many bytes
	argLen4   // 4-byte little-endian length, then that many bytes
	argLen8   // 8-byte little-endian length, then that many bytes
	argLine   // one line ending in '\n'
	argLines2 // two lines
	argFrame  // 8-byte length of the frame that follows
)

type pickleOp struct {
	name string
	kind int
	n    int  // argFixed: the byte count
	num  bool // the argument is an integer (bounded by maxPickleInt)
}

var pickleOps = map[byte]pickleOp{
	'(': {name: "MARK"}, '.': {name: "STOP"}, '0': {name: "POP"}, '1': {name: "POP_MARK"},
	'2': {name: "DUP"}, 'N': {name: "NONE"}, 'R': {name: "REDUCE"}, 'a': {name: "APPEND"},
	'b': {name: "BUILD"}, 'd': {name: "DICT"}, '}': {name: "EMPTY_DICT"}, 'e': {name: "APPENDS"},
	'l': {name: "LIST"}, ']': {name: "EMPTY_LIST"}, 'o': {name: "OBJ"}, 's': {name: "SETITEM"},
	't': {name: "TUPLE"}, ')': {name: "EMPTY_TUPLE"}, 'u': {name: "SETITEMS"}, 'Q': {name: "BINPERSID"},
	0x81: {name: "NEWOBJ"}, 0x85: {name: "TUPLE1"}, 0x86: {name: "TUPLE2"}, 0x87: {name: "TUPLE3"},
	0x88: {name: "NEWTRUE"}, 0x89: {name: "NEWFALSE"}, 0x8f: {name: "EMPTY_SET"}, 0x90: {name: "ADDITEMS"},
	0x91: {name: "FROZENSET"}, 0x92: {name: "NEWOBJ_EX"}, 0x93: {name: "STACK_GLOBAL"}, 0x94: {name: "MEMOIZE"},
	0x97: {name: "NEXT_BUFFER"}, 0x98: {name: "READONLY_BUFFER"},

	'J': {name: "BININT", kind: argFixed, n: 4}, 'K': {name: "BININT1", kind: argFixed, n: 1},
	'M': {name: "BININT2", kind: argFixed, n: 2}, 'G': {name: "BINFLOAT", kind: argFixed, n: 8},
	'h': {name: "BINGET", kind: argFixed, n: 1}, 'j': {name: "LONG_BINGET", kind: argFixed, n: 4},
	'q': {name: "BINPUT", kind: argFixed, n: 1}, 'r': {name: "LONG_BINPUT", kind: argFixed, n: 4},
	0x80: {name: "PROTO", kind: argFixed, n: 1}, 0x82: {name: "EXT1", kind: argFixed, n: 1},
	0x83: {name: "EXT2", kind: argFixed, n: 2}, 0x84: {name: "EXT4", kind: argFixed, n: 4},

	'U': {name: "SHORT_BINSTRING", kind: argLen1}, 'C': {name: "SHORT_BINBYTES", kind: argLen1},
	0x8c: {name: "SHORT_BINUNICODE", kind: argLen1}, 0x8a: {name: "LONG1", kind: argLen1, num: true},
	'T': {name: "BINSTRING", kind: argLen4}, 'X': {name: "BINUNICODE", kind: argLen4},
	'B': {name: "BINBYTES", kind: argLen4}, 0x8b: {name: "LONG4", kind: argLen4, num: true},
	0x8d: {name: "BINUNICODE8", kind: argLen8}, 0x8e: {name: "BINBYTES8", kind: argLen8},
	0x96: {name: "BYTEARRAY8", kind: argLen8},

	'F': {name: "FLOAT", kind: argLine}, 'I': {name: "INT", kind: argLine, num: true},
	'L': {name: "LONG", kind: argLine, num: true}, 'S': {name: "STRING", kind: argLine},
	'V': {name: "UNICODE", kind: argLine}, 'P': {name: "PERSID", kind: argLine},
	'g': {name: "GET", kind: argLine}, 'p': {name: "PUT", kind: argLine},
	'c': {name: "GLOBAL", kind: argLines2}, 'i': {name: "INST", kind: argLines2},

	0x95: {name: "FRAME", kind: argFrame},
}

// scanPickle checks that b is a pickle stream whose opcodes are all known,
// whose every length argument fits in what remains, and which ends in STOP.
func scanPickle(b []byte) error {
	if len(b) > maxPickleBytes {
		return fmt.Errorf("the pickle is %d bytes; a state_dict's is far smaller (at most %d)", len(b), maxPickleBytes)
	}
	i, ops := 0, 0
	for i < len(b) {
		at := i
		code := b[i]
		op, ok := pickleOps[code]
		if !ok {
			return fmt.Errorf("unknown pickle opcode 0x%02x at byte %d", code, at)
		}
		if ops++; ops > maxPickleOps {
			return fmt.Errorf("more than %d pickle opcodes; a state_dict needs a few dozen per tensor", maxPickleOps)
		}
		i++
		rest := len(b) - i
		short := func(need uint64) error {
			return fmt.Errorf("truncated pickle: %s at byte %d needs %d bytes, %d remain", op.name, at, need, rest)
		}
		var n uint64 // argument bytes after any length field
		switch op.kind {
		case argNone:
			if code == '.' {
				if i != len(b) {
					return fmt.Errorf("%d bytes after the pickle's STOP at byte %d", len(b)-i, at)
				}
				return nil
			}
		case argFixed:
			if rest < op.n {
				return short(uint64(op.n))
			}
			if code == 0x80 && b[i] > 5 {
				return fmt.Errorf("pickle protocol %d; mvae reads protocols 0 to 5", b[i])
			}
			i += op.n
			continue
		case argLen1, argLen4, argLen8, argFrame:
			w := 8
			switch op.kind {
			case argLen1:
				w = 1
			case argLen4:
				w = 4
			}
			if rest < w {
				return short(uint64(w))
			}
			switch w {
			case 1:
				n = uint64(b[i])
			case 4:
				n = uint64(binary.LittleEndian.Uint32(b[i:]))
				if code == 'T' || code == 0x8b {
					if int32(n) < 0 {
						return fmt.Errorf("%s at byte %d has a negative length", op.name, at)
					}
				}
			case 8:
				n = binary.LittleEndian.Uint64(b[i:])
			}
			i += w
			rest -= w
			if n > uint64(rest) {
				return fmt.Errorf("truncated pickle: %s at byte %d claims %d bytes, %d remain", op.name, at, n, rest)
			}
			if op.num && (n == 0 || n > maxPickleInt) {
				return fmt.Errorf("%s at byte %d: an integer of %d bytes (mvae reads 1 to %d)", op.name, at, n, maxPickleInt)
			}
			if op.kind == argFrame {
				continue // the frame's opcodes follow
			}
			i += int(n)
		case argLine, argLines2:
			lines := 1
			if op.kind == argLines2 {
				lines = 2
			}
			for k := 0; k < lines; k++ {
				end := bytes.IndexByte(b[i:min(len(b), i+maxPickleLine+1)], '\n')
				if end < 0 {
					if len(b)-i > maxPickleLine {
						return fmt.Errorf("%s at byte %d: a line longer than %d bytes", op.name, at, maxPickleLine)
					}
					return fmt.Errorf("truncated pickle: %s at byte %d has no end of line", op.name, at)
				}
				if op.num && end > maxPickleInt {
					return fmt.Errorf("%s at byte %d: an integer of %d digits", op.name, at, end)
				}
				i += end + 1
			}
		}
	}
	return fmt.Errorf("truncated pickle: no STOP opcode after %d bytes", len(b))
}
