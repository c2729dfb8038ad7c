package v1alpha1

import (
	"os"
	"path/filepath"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// FuzzDecode feeds any bytes to the spec decoder, then defaults and validates what it decodes:
// nothing may panic, and every error names the file it came from. The seeds are the
// repository's own specs and the bad-input cases; `go test` runs them, `go test -fuzz` explores.
func FuzzDecode(f *testing.F) {
	for _, glob := range []string{"../../../base/*/hue.yaml", "../../../clusters/*/*.yaml", "../../../tests/bad-input/*/*/*/hue.yaml", "../../../tests/bad-input/*/clusters/*/*.yaml"} {
		files, err := filepath.Glob(glob)
		if err != nil {
			f.Fatal(err)
		}
		for _, p := range files {
			b, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Add([]byte("apiVersion: platform.hue.dev/v1alpha1\nkind: HueService\nmetadata: {name: x}\nspec: {replicas: -1, ports: [{}]}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		const file = "fuzz/hue.yaml"
		docs, errs := Decode(file, data)
		for _, e := range errs {
			if e.File != file {
				t.Fatalf("error without its file: %v", e)
			}
		}
		for _, d := range docs {
			o, ok := d.Object.(interface {
				Default()
				Validate() field.ErrorList
			})
			if !ok {
				t.Fatalf("%s %s decodes to %T, which cannot be defaulted and validated", d.Kind, d.Name, d.Object)
			}
			o.Default()
			_ = o.Validate()
		}
	})
}
