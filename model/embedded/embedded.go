// Package embedded names the models built into mvae, so that a command or
// a program can choose one by name: groove (the default, package
// defaultmodel) or melody (package melodymodel).
package embedded

import (
	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/model/defaultmodel"
	"github.com/musicvae-go/mvae/model/melodymodel"
)

// Default is the name of the model used when none is named.
const Default = "groove"

var models = []struct {
	name string
	open func() (*model.Bundle, error)
}{
	{"groove", defaultmodel.Bundle},
	{"melody", melodymodel.Bundle},
}

// Names lists the embedded models' names, the default first.
func Names() []string {
	n := make([]string, len(models))
	for i, m := range models {
		n[i] = m.name
	}
	return n
}

// Lookup returns the function that opens the embedded model called name
// (parsed once; callers must not change the bundle), or nil if there is none.
func Lookup(name string) func() (*model.Bundle, error) {
	for _, m := range models {
		if m.name == name {
			return m.open
		}
	}
	return nil
}
