package platform

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/hue-platform/hue-gitops/generators/api/v1alpha1"
	"github.com/hue-platform/hue-gitops/generators/layout"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// FuzzDecode feeds any bytes to the spec decoder, then defaults and validates what it decodes:
// nothing may panic, and every error names the file it came from. The seeds are the
// repository's own specs and the bad-input cases; `go test` runs them, `go test -fuzz` explores.
func FuzzDecode(f *testing.F) {
	seeds(f, func(_ string, b []byte) { f.Add(b) }, "../../base/*/hue.yaml", "../../clusters/*/*.yaml",
		"../../tests/bad-input/*/*/*/hue.yaml", "../../tests/bad-input/*/clusters/*/*.yaml")
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

// FuzzInventory feeds any bytes as a fleet file and as a cluster file of the school fleet,
// beside the repository's registry, to the inventory loader (decode, fleet defaults, defaults,
// validation against the catalog, cross-validation): nothing may panic, and every error names
// one of the files given. Seeds: the committed fleet and cluster files, and the bad-input ones.
func FuzzInventory(f *testing.F) {
	const root = "../.."
	cat, err := LoadCatalog(root)
	if err != nil {
		f.Fatal(err)
	}
	registry, err := os.ReadFile(filepath.Join(root, layout.RegistryFile))
	if err != nil {
		f.Fatal(err)
	}
	fleet, err := os.ReadFile(filepath.Join(root, "clusters/school/fleet.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	seeds(f, func(p string, b []byte) {
		if filepath.Base(p) == "fleet.yaml" {
			f.Add(b, []byte("apiVersion: platform.hue.dev/v1alpha1\nkind: HueCluster\nmetadata: {name: school-x}\n"))
		} else {
			f.Add(fleet, b)
		}
	}, filepath.Join(root, "clusters/*/*.yaml"), filepath.Join(root, "tests/bad-input/*/clusters/*/*.yaml"))
	f.Fuzz(func(t *testing.T, fleetFile, clusterFile []byte) {
		files := map[string][]byte{
			layout.RegistryFile:             registry,
			"clusters/school/fleet.yaml":    fleetFile,
			"clusters/school/school-x.yaml": clusterFile,
		}
		inv, err := BuildInventory(files, cat)
		if err == nil {
			if inv == nil {
				t.Fatal("no inventory and no error")
			}
			return
		}
		var errs v1alpha1.Errors
		if !errors.As(err, &errs) {
			t.Fatalf("not a list of located errors: %v", err)
		}
		for _, e := range errs {
			if _, ok := files[e.File]; !ok {
				t.Fatalf("error not naming one of the files given: %v", e)
			}
		}
	})
}

// seeds calls add with the path and bytes of every file the globs match.
func seeds(f *testing.F, add func(path string, data []byte), globs ...string) {
	for _, glob := range globs {
		files, err := filepath.Glob(glob)
		if err != nil {
			f.Fatal(err)
		}
		for _, p := range files {
			b, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			add(p, b)
		}
	}
}
