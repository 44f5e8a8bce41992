package model

import (
	"bytes"
	"testing"
)

func TestProvenancePortable(t *testing.T) {
	for in, want := range map[string]string{
		"/work/train/go/model.onnx":  "model.onnx",
		"models/groove.onnx":         "models/groove.onnx",
		"the embedded default model": "the embedded default model",
		"":                           "",
	} {
		p := Provenance{Source: in, SourceSHA256: "abc"}.Portable()
		if p.Source != want || p.SourceSHA256 != "abc" {
			t.Errorf("Portable(%q) = %+v, want source %q", in, p, want)
		}
	}
}

func TestWriteBundleLeavesOutFolders(t *testing.T) {
	c := testConfig()
	b := NewBundle(Manifest{Config: c, Provenance: Provenance{Source: "/home/someone/models/x.onnx", SourceKind: "onnx"}}, randomWeights(c), nil)
	var buf bytes.Buffer
	if err := WriteBundle(&buf, b, false); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(buf.Bytes(), []byte("/home/someone")) {
		t.Fatal("the bundle holds the writing machine's folder")
	}
	r, err := ReadBundle(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Manifest.Provenance.Source; got != "x.onnx" {
		t.Fatalf("source %q, want x.onnx", got)
	}
	if b.Manifest.Provenance.Source != "/home/someone/models/x.onnx" {
		t.Fatal("WriteBundle changed the caller's bundle")
	}
}
