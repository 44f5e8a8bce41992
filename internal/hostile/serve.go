package hostile

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/musicvae-go/mvae/npy"
)

// serveCases are bad `mvae serve` flags and files: each must be refused
// with one clear error before the server listens.
var serveCases = []struct {
	name string
	args []string // "DIR/" anywhere in an argument is the case's folder
	file string   // the file the error names, in the case's folder
	want []string
}{
	{"addr-no-port", []string{"serve", "--addr", "localhost"}, "", []string{"--addr", "HOST:PORT"}},
	{"addr-port-huge", []string{"serve", "--addr", "127.0.0.1:99999"}, "", []string{"--addr", "port"}},
	{"addr-port-word", []string{"serve", "--addr", "127.0.0.1:http-alt"}, "", []string{"--addr", "port"}},
	{"model-no-name", []string{"serve", "--model", "DIR/bad.mvae"}, "", []string{"--model", "NAME=PATH"}},
	{"model-bad-name", []string{"serve", "--model", "../x=DIR/bad.mvae"}, "", []string{"--model", "name"}},
	{"model-missing", []string{"serve", "--model", "a=DIR/missing.mvae"}, "missing.mvae", nil},
	{"model-garbage", []string{"serve", "--model", "a=DIR/bad.mvae"}, "bad.mvae", nil},
	{"model-twice", []string{"serve", "--model", "a=default", "--model", "a=default"}, "", []string{"two models", `"a"`}},
	{"attribute-no-path", []string{"serve", "--attribute", "busy"}, "", []string{"--attribute", "NAME=VEC.npy"}},
	{"attribute-wrong-size", []string{"serve", "--attribute", "busy=DIR/vec3.npy"}, "vec3.npy", []string{"3 values"}},
	{"attribute-garbage", []string{"serve", "--attribute", "busy=DIR/bad.npy"}, "bad.npy", nil},
	{"attribute-unknown-model", []string{"serve", "--attribute", "nope/busy=DIR/vec3.npy"}, "vec3.npy", []string{`"nope"`}},
}

func init() {
	for _, c := range serveCases {
		Register(Case{
			Name: "serve/" + c.name,
			Make: func(dir string) ([]string, string, error) {
				if err := os.WriteFile(filepath.Join(dir, "bad.mvae"), []byte("not a bundle at all"), 0o644); err != nil {
					return nil, "", err
				}
				if err := os.WriteFile(filepath.Join(dir, "bad.npy"), []byte("\x93NUMPY garbage"), 0o644); err != nil {
					return nil, "", err
				}
				if err := npy.WriteFile(filepath.Join(dir, "vec3.npy"), &npy.Array{Shape: []int{3}, Data: []float32{1, 2, 3}}); err != nil {
					return nil, "", err
				}
				file := ""
				if c.file != "" {
					file = filepath.Join(dir, c.file)
				}
				args := make([]string, len(c.args))
				for i, a := range c.args {
					args[i] = strings.ReplaceAll(a, "DIR/", dir+string(filepath.Separator))
				}
				return args, file, nil
			},
			Want: c.want,
			// A listen address that is not HOST:PORT is a bad command line.
			Usage: strings.HasPrefix(c.name, "addr-"),
		})
	}
}
