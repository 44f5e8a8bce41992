package importer

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/nlpodyssey/gopickle/pickle"
	"github.com/nlpodyssey/gopickle/pytorch"
	"github.com/nlpodyssey/gopickle/types"

	"github.com/musicvae-go/mvae/model"
)

// Reading a PyTorch state_dict saved by torch.save (the zip format of
// PyTorch 1.6 and later): ARCHIVE/data.pkl is a pickle whose tensors point at
// storages ARCHIVE/data/KEY. github.com/nlpodyssey/gopickle unpickles it; mvae
// drives the unpickler itself (instead of pytorch.Load) so that every storage
// is checked against its zip record before anything is allocated, and a
// tensor's offset and strides are checked against its storage.

// MaxPTValues bounds one storage (1<<30 float32 values is 4 GiB).
const MaxPTValues = 1 << 30

func fromPT(data []byte, o Options) (*Result, error) {
	sd, err := readStateDict(data)
	if err != nil {
		return nil, err
	}
	r := &Result{Weights: sd}
	r.Provenance.SourceKind = "pt"
	sh, err := shownByWeights(sd)
	if err != nil {
		return nil, err
	}
	if o.Config == nil && (o.Bars == 0 || o.Segments == 0) {
		return nil, fmt.Errorf("a state_dict does not say how many bars and segments the model has: give --config C.json (or --bars and --segments)")
	}
	cfg, notes, err := reconcile(sh, nil, o)
	if err != nil {
		return nil, err
	}
	r.Config, r.Notes = cfg, notes
	if err := sd.Check(cfg); err != nil {
		return nil, err
	}
	return r, nil
}

func readStateDict(data []byte) (w model.Weights, err error) {
	defer func() {
		// gopickle indexes its stacks without checks; a hostile pickle makes it panic.
		if p := recover(); p != nil {
			w, err = nil, fmt.Errorf("corrupt data.pkl: the pickle reader failed: %v", p)
		}
	}()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("not a PyTorch zip file: %v", err)
	}
	records := map[string]*zip.File{}
	prefix := ""
	for _, f := range zr.File {
		records[f.Name] = f
		if strings.HasSuffix(f.Name, "/data.pkl") && strings.Count(f.Name, "/") == 1 {
			prefix = strings.TrimSuffix(f.Name, "data.pkl")
		}
	}
	if prefix == "" {
		return nil, fmt.Errorf("not a PyTorch file: no data.pkl in the zip archive")
	}
	if _, ok := records[prefix+"constants.pkl"]; ok {
		return nil, fmt.Errorf("a TorchScript archive, not a state_dict: save with torch.save(model.state_dict(), path)")
	}
	pkl := records[prefix+"data.pkl"]
	if pkl.UncompressedSize64 > 256<<20 {
		return nil, fmt.Errorf("data.pkl is %d bytes; a state_dict's is small", pkl.UncompressedSize64)
	}
	rc, err := pkl.Open()
	if err != nil {
		return nil, fmt.Errorf("data.pkl: %v", err)
	}
	defer rc.Close()
	u := pickle.NewUnpickler(rc)
	fallback := u.FindClass
	u.FindClass = func(module, name string) (any, error) {
		switch module + "." + name {
		case "torch._utils._rebuild_tensor_v2":
			return &pytorch.RebuildTensorV2{}, nil
		case "torch.FloatStorage":
			return &pytorch.FloatStorageClass{}, nil
		case "torch.HalfStorage":
			return &pytorch.HalfStorageClass{}, nil
		case "torch.BFloat16Storage":
			return &pytorch.BFloat16StorageClass{}, nil
		case "torch.DoubleStorage":
			return &pytorch.DoubleStorageClass{}, nil
		case "collections.OrderedDict":
			return fallback(module, name)
		case "torch._utils._rebuild_parameter":
			return rebuildParameter{}, nil
		}
		if strings.HasPrefix(module, "torch") && strings.HasSuffix(name, "Storage") {
			return nil, fmt.Errorf("tensor storage %s.%s: mvae reads float32, float16, bfloat16 and float64 weights", module, name)
		}
		return nil, fmt.Errorf("the pickle asks for %s.%s; a state_dict holds only tensors (save model.state_dict(), not the model)", module, name)
	}
	loaded := map[string]pytorch.StorageInterface{}
	u.PersistentLoad = func(id any) (any, error) {
		t, ok := id.(*types.Tuple)
		if !ok || t.Len() < 5 {
			return nil, fmt.Errorf("unexpected persistent id %v", id)
		}
		kind, _ := t.Get(0).(string)
		class, okc := t.Get(1).(pytorch.StorageClassInterface)
		key, okk := t.Get(2).(string)
		loc, _ := t.Get(3).(string)
		n, okn := t.Get(4).(int)
		if kind != "storage" || !okc || !okk || !okn {
			return nil, fmt.Errorf("unexpected persistent id %v", id)
		}
		if s, ok := loaded[key]; ok {
			return s, nil
		}
		rec, ok := records[prefix+"data/"+key]
		if !ok {
			return nil, fmt.Errorf("storage %s is missing from the archive (truncated file?)", key)
		}
		size := 4
		switch class.(type) {
		case *pytorch.HalfStorageClass, *pytorch.BFloat16StorageClass:
			size = 2
		case *pytorch.DoubleStorageClass:
			size = 8
		}
		if n < 0 || n > MaxPTValues || uint64(n)*uint64(size) != rec.UncompressedSize64 {
			return nil, fmt.Errorf("storage %s claims %d values, its record holds %d bytes", key, n, rec.UncompressedSize64)
		}
		f, err := rec.Open()
		if err != nil {
			return nil, fmt.Errorf("storage %s: %v", key, err)
		}
		defer f.Close()
		s := class.New(n, loc)
		if err := s.SetFromFileWithSize(io.LimitReader(f, int64(n*size)), n); err != nil {
			return nil, fmt.Errorf("storage %s: %v", key, err)
		}
		loaded[key] = s
		return s, nil
	}
	obj, err := u.Load()
	if err != nil {
		return nil, fmt.Errorf("corrupt data.pkl: %v", err)
	}
	od, ok := obj.(*types.OrderedDict)
	if !ok {
		if d, isDict := obj.(*types.Dict); isDict {
			for _, k := range []string{"state_dict", "model"} {
				if v, found := d.Get(k); found {
					if inner, ok2 := v.(*types.OrderedDict); ok2 {
						od, ok = inner, true
						break
					}
				}
			}
		}
	}
	if !ok {
		return nil, fmt.Errorf("the file holds a %T, not a state_dict (an OrderedDict of tensors)", obj)
	}
	w = model.Weights{}
	for e := od.List.Front(); e != nil; e = e.Next() {
		ent := e.Value.(*types.OrderedDictEntry)
		name, ok := ent.Key.(string)
		if !ok {
			return nil, fmt.Errorf("state_dict key %v is not a string", ent.Key)
		}
		t, ok := ent.Value.(*pytorch.Tensor)
		if !ok {
			return nil, fmt.Errorf("state_dict entry %s is a %T, not a tensor", name, ent.Value)
		}
		x, err := materialize(t)
		if err != nil {
			return nil, fmt.Errorf("tensor %s: %v", name, err)
		}
		w[name] = x
	}
	return w, nil
}

// rebuildParameter unwraps torch.nn.Parameter (a state_dict of a module
// pickled with keep_vars=True).
type rebuildParameter struct{}

func (rebuildParameter) Call(args ...any) (any, error) {
	if len(args) < 1 {
		return nil, fmt.Errorf("_rebuild_parameter without arguments")
	}
	return args[0], nil
}

// materialize copies a strided view of a storage into a dense tensor.
func materialize(t *pytorch.Tensor) (*model.Tensor, error) {
	var src []float32
	switch s := t.Source.(type) {
	case *pytorch.FloatStorage:
		src = s.Data
	case *pytorch.HalfStorage:
		src = s.Data
	case *pytorch.BFloat16Storage:
		src = s.Data
	case *pytorch.DoubleStorage:
		src = make([]float32, len(s.Data))
		for i, v := range s.Data {
			src[i] = float32(v)
		}
	default:
		return nil, fmt.Errorf("storage of type %T", t.Source)
	}
	if len(t.Size) != len(t.Stride) {
		return nil, fmt.Errorf("size %v and stride %v differ in rank", t.Size, t.Stride)
	}
	n := 1
	last := t.StorageOffset
	for i, d := range t.Size {
		if d < 0 || t.Stride[i] < 0 || (d > 0 && n > MaxPTValues/d) {
			return nil, fmt.Errorf("size %v, stride %v out of range", t.Size, t.Stride)
		}
		n *= d
		if d > 0 {
			last += (d - 1) * t.Stride[i]
		}
	}
	if t.StorageOffset < 0 || (n > 0 && last >= len(src)) {
		return nil, fmt.Errorf("view (offset %d, size %v, stride %v) reaches past its storage of %d values", t.StorageOffset, t.Size, t.Stride, len(src))
	}
	out := &model.Tensor{Shape: append([]int{}, t.Size...), Data: make([]float32, n)}
	idx := make([]int, len(t.Size))
	for k := 0; k < n; k++ {
		off := t.StorageOffset
		for i, v := range idx {
			off += v * t.Stride[i]
		}
		out.Data[k] = src[off]
		for i := len(idx) - 1; i >= 0; i-- {
			idx[i]++
			if idx[i] < t.Size[i] {
				break
			}
			idx[i] = 0
		}
	}
	return out, nil
}

// shownByWeights reads the sizes a state_dict's shapes show.
func shownByWeights(w model.Weights) (*shown, error) {
	get := func(name string, rank int) ([]int, error) {
		t, ok := w[name]
		if !ok {
			var have []string
			for k := range w {
				have = append(have, k)
			}
			sort.Strings(have)
			if len(have) > 8 {
				have = append(have[:8], "...")
			}
			return nil, fmt.Errorf("not a MusicVAE state_dict: no %s (it holds %s)", name, strings.Join(have, ", "))
		}
		if len(t.Shape) != rank {
			return nil, fmt.Errorf("%s has shape %v; want rank %d", name, t.Shape, rank)
		}
		return t.Shape, nil
	}
	sh := &shown{}
	s, err := get("encoder.lstm.weight_ih_l0", 2)
	if err != nil {
		return nil, err
	}
	sh.He, sh.D = s[0]/4, s[1]
	s, err = get("encoder.mu.weight", 2)
	if err != nil {
		return nil, err
	}
	sh.Z = s[0]
	s, err = get("conductor.lstm.weight_hh_l0", 2)
	if err != nil {
		return nil, err
	}
	sh.Hc = s[1]
	s, err = get("decoder.lstm.weight_hh_l0", 2)
	if err != nil {
		return nil, err
	}
	sh.Hd = s[1]
	layers := func(prefix string) int {
		k := 0
		for {
			if _, ok := w[fmt.Sprintf("%s.weight_ih_l%d", prefix, k)]; !ok {
				return k
			}
			k++
		}
	}
	sh.Le, sh.Lc, sh.Ld = layers("encoder.lstm"), layers("conductor.lstm"), layers("decoder.lstm")
	return sh, nil
}
