package cli

import (
	"bytes"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/musicvae-go/mvae/model"
)

// TestImportCheckKeepsTheBundle: the onnxruntime check drops the weights
// from memory and reads back the bundle it wrote; what it writes holds the
// same weights and graphs as an import without the check (with --graphs,
// --half and --precision too), plus the check's record.
func TestImportCheckKeepsTheBundle(t *testing.T) {
	needORT(t)
	dir := t.TempDir()
	src := filepath.Join("../testdata/models/groove", "model.pt")
	for _, flags := range [][]string{nil, {"--graphs"}, {"--half"}, {"--precision", "bf16"}} {
		name := strings.Join(append([]string{"b"}, flags...), "")
		checked, unchecked := filepath.Join(dir, name+".mvae"), filepath.Join(dir, name+"-nv.mvae")
		if _, err := run(t, append([]string{"import", src, "-o", checked}, flags...)...); err != nil {
			t.Fatalf("%v: %v", flags, err)
		}
		if _, err := run(t, append([]string{"import", src, "-o", unchecked, "--no-verify"}, flags...)...); err != nil {
			t.Fatalf("%v --no-verify: %v", flags, err)
		}
		a, err := model.ReadBundleFile(checked)
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		b, err := model.ReadBundleFile(unchecked)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		if a.Manifest.Verification["runtime"] != "onnxruntime" {
			t.Errorf("%v: verification %v", flags, a.Manifest.Verification)
		}
		if a.Precision() != b.Precision() {
			t.Errorf("%v: precision %v, without the check %v", flags, a.Precision(), b.Precision())
		}
		sa, err := a.Stored()
		if err != nil {
			t.Fatal(err)
		}
		sb, err := b.Stored()
		if err != nil {
			t.Fatal(err)
		}
		if len(sa) != len(sb) {
			t.Fatalf("%v: %d tensors, without the check %d", flags, len(sa), len(sb))
		}
		for k, ta := range sa {
			if tb, ok := sb[k]; !ok || !reflect.DeepEqual(ta, tb) {
				t.Errorf("%v: tensor %s differs from the import without the check", flags, k)
			}
		}
		if !slices.Equal(a.GraphNames(), b.GraphNames()) {
			t.Errorf("%v: graphs %v, without the check %v", flags, a.GraphNames(), b.GraphNames())
		}
		for _, g := range a.GraphNames() {
			ga, err := a.ReadGraph(g, 1<<30)
			if err != nil {
				t.Fatal(err)
			}
			gb, err := b.ReadGraph(g, 1<<30)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(ga, gb) {
				t.Errorf("%v: graph %s differs from the import without the check", flags, g)
			}
		}
	}
}
