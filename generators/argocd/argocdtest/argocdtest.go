// Package argocdtest reads the Argo CD generator's test cases, for the generator's tests and the
// Argo CD checker's: a case is testdata/<case>/input/{clusters/<fleet>/*.yaml,
// rendered/<cluster>.yaml} and testdata/<case>/expected/<generated path>.
package argocdtest

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/hue-platform/hue-gitops/generators/layout"
	"github.com/hue-platform/hue-gitops/generators/manifest"
	"github.com/hue-platform/hue-gitops/generators/platform"
)

// LoadCase builds the inventory of <dir>/input/clusters and the rendered objects of
// <dir>/input/rendered/<cluster>.yaml (their source is overlays/<cluster>).
func LoadCase(t testing.TB, dir string) (*platform.Inventory, map[string][]manifest.Object) {
	t.Helper()
	in := filepath.Join(dir, "input")
	specs := map[string][]byte{}
	for p, data := range ReadTree(t, filepath.Join(in, "clusters")) {
		specs[layout.Clusters+"/"+p] = data
	}
	inv, err := platform.BuildInventory(specs, nil)
	require.NoError(t, err)

	rendered := map[string][]manifest.Object{}
	for p, data := range ReadTree(t, filepath.Join(in, "rendered")) {
		cluster := strings.TrimSuffix(p, ".yaml")
		objs, err := manifest.Decode(p, data)
		require.NoError(t, err)
		for i := range objs {
			objs[i].Source = layout.OverlayDir(cluster)
		}
		rendered[cluster] = objs
	}
	return inv, rendered
}

// ReadTree reads every file below root, by slash path relative to root.
func ReadTree(t testing.TB, root string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		out[filepath.ToSlash(rel)] = data
		return nil
	})
	require.NoError(t, err)
	return out
}

// OverlayExists says which overlay folders exist: those of the rendered clusters.
func OverlayExists(rendered map[string][]manifest.Object) func(string) bool {
	return func(p string) bool {
		_, ok := rendered[path.Base(p)]
		return path.Dir(p) == layout.Overlays && ok
	}
}

// Object is a bare rendered object.
func Object(apiVersion, kind, name, namespace, source string) manifest.Object {
	u := &unstructured.Unstructured{}
	u.SetAPIVersion(apiVersion)
	u.SetKind(kind)
	u.SetName(name)
	if namespace != "" {
		u.SetNamespace(namespace)
	}
	return manifest.Object{Unstructured: u, Source: source}
}
