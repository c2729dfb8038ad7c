package report

import (
	"bytes"
	"encoding/json"
	"io"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
)

// sarifDefaults are properties go-sarif always writes with the value the SARIF 2.1.0 schema
// gives as default, so leaving them out means the same. Only strings and arrays: go-sarif reads
// a missing one back as empty, which is written out as missing again, whereas a missing number
// or bool (index -1, rank -1, enabled true) would come back as 0 or false.
var sarifDefaults = map[string]string{
	"language":         `"en-US"`,
	"newlineSequences": `["\r\n","\n"]`,
	"kind":             `"fail"`,
	"contents":         `["localizedData","nonLocalizedData"]`,
}

// writeSARIFLog writes log indented, without the empty arrays, empty objects and empty strings
// (and string defaults) go-sarif's types write for every property they have.
func writeSARIFLog(w io.Writer, log *sarif.Report) error {
	var raw bytes.Buffer
	if err := log.Write(&raw); err != nil {
		return err
	}
	dec := json.NewDecoder(&raw)
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return err
	}
	doc, _ = omitEmpty(doc)
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	out = append(out, '\n')
	_, err = w.Write(out)
	return err
}

// omitEmpty prunes v and says whether anything is left of it.
func omitEmpty(v any) (any, bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if d, ok := sarifDefaults[k]; ok {
				if b, err := json.Marshal(val); err == nil && string(b) == d {
					delete(x, k)
					continue
				}
			}
			if pruned, keep := omitEmpty(val); keep {
				x[k] = pruned
			} else {
				delete(x, k)
			}
		}
		return x, len(x) > 0
	case []any:
		out := x[:0]
		for _, val := range x {
			if pruned, keep := omitEmpty(val); keep {
				out = append(out, pruned)
			}
		}
		return out, len(out) > 0
	case string:
		return x, x != ""
	case nil:
		return nil, false
	}
	return v, true
}
