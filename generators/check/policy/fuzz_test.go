package policy

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/hue-platform/hue-gitops/generators/check"
	"github.com/hue-platform/hue-gitops/generators/manifest"
)

// FuzzEvaluate runs every policy over any manifests that decode: evaluation never fails, and
// every finding names a known policy, an object kind and a message. Seeds are the fixtures.
func FuzzEvaluate(f *testing.F) {
	dir := policiesDir(f)
	seeds, err := filepath.Glob(filepath.Join(dir, "*", "fixtures", "*", "*.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	e, err := Load(dir)
	if err != nil {
		f.Fatal(err)
	}
	spec, err := LoadClusterSpec(fixtureCluster(f))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		objs, err := manifest.Decode("fuzz.yaml", data)
		if err != nil {
			return // bad YAML is the caller's error to report
		}
		found, err := e.Evaluate(t.Context(), []*check.Cluster{{Spec: spec, Objects: objs}})
		if err != nil {
			t.Fatalf("evaluation failed: %v", err)
		}
		for _, fd := range found {
			if _, ok := e.Policy(fd.Check); !ok || fd.Message == "" {
				t.Fatalf("finding without a known policy or message: %+v", fd)
			}
		}
	})
}
