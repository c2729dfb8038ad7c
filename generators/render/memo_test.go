package render

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// A small tree: two overlays over one base, one of them with a component.
var memoTree = map[string]string{
	"base/app/kustomization.yaml":          "resources: [service.yaml]\n",
	"base/app/service.yaml":                "apiVersion: v1\nkind: Service\nmetadata:\n  name: app\nspec:\n  ports:\n  - port: 80\n",
	"components/ha/kustomization.yaml":     "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\ncommonLabels:\n  ha: \"true\"\n",
	"overlays/one/kustomization.yaml":      "namespace: one\nresources: [../../base/app]\n",
	"overlays/two/kustomization.yaml":      "namespace: two\nresources: [../../base/app]\ncomponents: [../../components/ha]\n",
	"overlays/two/unused-notes.yaml":       "not: listed\n",
	"unrelated/kustomization.yaml":         "resources: []\n",
	"overlays/one/patches/placeholder.txt": "x\n",
}

var memoOverlays = map[string]string{"one": "overlays/one", "two": "overlays/two"}

func memTree(t *testing.T, files map[string]string) filesys.FileSystem {
	t.Helper()
	fs := filesys.MakeFsInMemory()
	for p, c := range files {
		require.NoError(t, fs.WriteFile(filepath.Join("/repo", p), []byte(c)))
	}
	return fs
}

func with(files map[string]string, path, content string) map[string]string {
	out := map[string]string{}
	for p, c := range files {
		out[p] = c
	}
	if content == "" {
		delete(out, path)
	} else {
		out[path] = content
	}
	return out
}

func renderWith(t *testing.T, k Krusty, root string) map[string]string {
	t.Helper()
	results, err := k.Render(context.Background(), root, memoOverlays)
	require.NoError(t, err)
	out := map[string]string{}
	for _, r := range results {
		out[r.Cluster] = string(r.YAML)
	}
	return out
}

func TestMemoRebuildsOnlyWhatAChangeReaches(t *testing.T) {
	for _, tc := range []struct {
		name    string
		head    map[string]string
		rebuilt []string
		fails   bool
	}{
		{"nothing changed", memoTree, nil, false},
		{"a file no build reads", with(memoTree, "unrelated/kustomization.yaml", "resources: [x.yaml]\n"), nil, false},
		{"a file in an overlay folder that its kustomization does not list", with(memoTree, "overlays/two/unused-notes.yaml", "still: unlisted\n"), nil, false},
		{"the shared base", with(memoTree, "base/app/service.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: app\nspec:\n  ports:\n  - port: 8080\n"), []string{"one", "two"}, false},
		{"a component one overlay uses", with(memoTree, "components/ha/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\ncommonLabels:\n  ha: \"yes\"\n"), []string{"two"}, false},
		// kustomize looks for kustomization.yaml, .yml and Kustomization; a second one appearing
		// makes the build fail, so the memo must not answer for it.
		{"a second kustomization file appears", with(memoTree, "base/app/kustomization.yml", "resources: []\n"), []string{"one", "two"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			memo := NewMemo()
			base := Krusty{FS: memTree(t, memoTree), Memo: memo}
			renderWith(t, base, "/repo")
			require.Zero(t, memo.Hits())

			headFS := memTree(t, tc.head)
			head := Krusty{FS: headFS, Memo: memo}
			results, err := head.Render(context.Background(), "/repo", memoOverlays)
			if tc.fails {
				require.Error(t, err, "kustomize refuses two kustomization files")
				require.Zero(t, memo.Hits())
				return
			}
			require.NoError(t, err)
			require.Equal(t, len(memoOverlays)-len(tc.rebuilt), memo.Hits())
			// Whatever the memo served equals a fresh build of the head.
			fresh := renderWith(t, Krusty{FS: headFS}, "/repo")
			for _, r := range results {
				require.Equal(t, fresh[r.Cluster], string(r.YAML), r.Cluster)
				require.NotEmpty(t, r.Objects)
			}
		})
	}
}

// Paths are remembered relative to the tree's root: a tree in memory and the same files on
// disk answer alike.
func TestMemoComparesTreesAtDifferentRoots(t *testing.T) {
	memo := NewMemo()
	renderWith(t, Krusty{FS: memTree(t, memoTree), Memo: memo}, "/repo")
	dir := t.TempDir()
	for p, c := range memoTree {
		require.NoError(t, os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, p), []byte(c), 0o644))
	}
	got := renderWith(t, Krusty{Memo: memo}, dir)
	require.Equal(t, 2, memo.Hits())
	require.Equal(t, renderWith(t, Krusty{}, dir), got)
}

// A memo kept on disk serves the next run's builds, with the same YAML and the same objects a
// fresh build gives; a damaged file or one from another kustomize is rebuilt, never trusted.
func TestMemoOnDisk(t *testing.T) {
	dir := t.TempDir()
	fs := memTree(t, memoTree)
	first, err := OpenMemo(dir)
	require.NoError(t, err)
	renderWith(t, Krusty{FS: fs, Memo: first}, "/repo")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(t, err)
	require.Len(t, files, 2, "one cache file per overlay")

	fresh, err := Krusty{FS: fs}.Render(context.Background(), "/repo", memoOverlays)
	require.NoError(t, err)
	second, err := OpenMemo(dir)
	require.NoError(t, err)
	served, err := Krusty{FS: fs, Memo: second}.Render(context.Background(), "/repo", memoOverlays)
	require.NoError(t, err)
	require.Equal(t, 2, second.Hits())
	require.Equal(t, fresh, served, "objects decoded from the cache equal krusty's own")

	// A change to the component reaches one overlay only.
	changed := memTree(t, with(memoTree, "components/ha/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\ncommonLabels:\n  ha: \"no\"\n"))
	third, err := OpenMemo(dir)
	require.NoError(t, err)
	renderWith(t, Krusty{FS: changed, Memo: third}, "/repo")
	require.Equal(t, 1, third.Hits())

	// Damage one file and mark the other as another kustomize's.
	var d diskEntry
	b, err := os.ReadFile(files[0])
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &d))
	d.Kustomize = "v0.0.1"
	b, err = json.Marshal(d)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(files[0], b, 0o644))
	require.NoError(t, os.WriteFile(files[1], []byte("{not json"), 0o644))
	fourth, err := OpenMemo(dir)
	require.NoError(t, err)
	got := renderWith(t, Krusty{FS: changed, Memo: fourth}, "/repo")
	require.Zero(t, fourth.Hits())
	require.Equal(t, renderWith(t, Krusty{FS: changed}, "/repo"), got)
	fifth, err := OpenMemo(dir)
	require.NoError(t, err)
	renderWith(t, Krusty{FS: changed, Memo: fifth}, "/repo")
	require.Equal(t, 2, fifth.Hits(), "the rebuilt entries replaced the bad files")
}
