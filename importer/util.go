package importer

import (
	"encoding/json"
	"sort"
)

func jsonRoundTrip(v any, out any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}

func sortStrings(s []string) { sort.Strings(s) }
