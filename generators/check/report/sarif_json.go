package report

import (
	"bytes"
	"encoding/json"
	"io"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/hue-platform/hue-gitops/generators/manifest"
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
	doc, _ = manifest.Prune(doc, nil, func(key string, value any) bool {
		d, ok := sarifDefaults[key]
		b, err := json.Marshal(value)
		return ok && err == nil && string(b) == d
	})
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	out = append(out, '\n')
	_, err = w.Write(out)
	return err
}
