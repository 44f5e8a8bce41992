package model

import (
	"archive/zip"
	"encoding/binary"
	"fmt"
	"io"
	"math"
)

// WriteStateDict writes the weights as a PyTorch state_dict in torch.save's
// zip format (an OrderedDict of float32 tensors, pickle protocol 2), which
// torch.load and load_state_dict read. The pickle is written by hand with
// the opcodes of the pickle protocol; each tensor's storage is its own record.
func WriteStateDict(w io.Writer, c *Config, ws Weights) error {
	if err := ws.Check(c); err != nil {
		return err
	}
	names := ws.Names(c)
	var p pickler
	p.op(0x80, 2) // PROTO 2
	p.global("collections", "OrderedDict")
	p.op(')', 'R') // EMPTY_TUPLE, REDUCE: OrderedDict()
	p.op('(')      // MARK
	for i, name := range names {
		t := ws[name]
		p.unicode(name)
		p.global("torch._utils", "_rebuild_tensor_v2")
		p.op('(')
		// persistent id ('storage', torch.FloatStorage, key, 'cpu', numel)
		p.op('(')
		p.unicode("storage")
		p.global("torch", "FloatStorage")
		p.unicode(fmt.Sprint(i))
		p.unicode("cpu")
		p.int(len(t.Data))
		p.op('t', 'Q') // TUPLE, BINPERSID
		p.int(0)       // storage offset
		p.op('(')
		for _, d := range t.Shape {
			p.int(d)
		}
		p.op('t')
		p.op('(')
		stride := 1
		strides := make([]int, len(t.Shape))
		for k := len(t.Shape) - 1; k >= 0; k-- {
			strides[k] = stride
			stride *= t.Shape[k]
		}
		for _, s := range strides {
			p.int(s)
		}
		p.op('t')
		p.op(0x89) // NEWFALSE: requires_grad
		p.global("collections", "OrderedDict")
		p.op(')', 'R') // backward hooks
		p.op('t', 'R') // TUPLE, REDUCE: the tensor
	}
	p.op('u', '.') // SETITEMS, STOP
	zw := zip.NewWriter(w)
	put := func(name string, data []byte) error {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: "archive/" + name, Method: zip.Store})
		if err != nil {
			return err
		}
		_, err = f.Write(data)
		return err
	}
	if err := put("data.pkl", p.b); err != nil {
		return err
	}
	if err := put("byteorder", []byte("little")); err != nil {
		return err
	}
	for i, name := range names {
		t := ws[name]
		buf := make([]byte, 4*len(t.Data))
		for k, v := range t.Data {
			binary.LittleEndian.PutUint32(buf[4*k:], math.Float32bits(v))
		}
		if err := put(fmt.Sprintf("data/%d", i), buf); err != nil {
			return err
		}
	}
	if err := put("version", []byte("3\n")); err != nil {
		return err
	}
	return zw.Close()
}

type pickler struct{ b []byte }

func (p *pickler) op(ops ...byte) { p.b = append(p.b, ops...) }

func (p *pickler) global(module, name string) {
	p.b = append(p.b, 'c')
	p.b = append(p.b, module+"\n"+name+"\n"...)
}

func (p *pickler) unicode(s string) {
	p.b = append(p.b, 'X')
	p.b = binary.LittleEndian.AppendUint32(p.b, uint32(len(s)))
	p.b = append(p.b, s...)
}

func (p *pickler) int(v int) {
	switch {
	case v >= 0 && v < 256:
		p.b = append(p.b, 'K', byte(v))
	case v >= 0 && v < 65536:
		p.b = append(p.b, 'M')
		p.b = binary.LittleEndian.AppendUint16(p.b, uint16(v))
	default:
		p.b = append(p.b, 'J')
		p.b = binary.LittleEndian.AppendUint32(p.b, uint32(int32(v)))
	}
}
