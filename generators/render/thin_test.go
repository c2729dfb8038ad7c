package render

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// The repository's own overlays, laid over their shapes, print what kustomize's full build of
// each prints, byte for byte; and they really are laid over shapes.
func TestThinMatchesFullBuild(t *testing.T) {
	root, overlays := repoOverlays(t)
	var stats Stats
	thin, err := Krusty{Stats: &stats}.Render(context.Background(), root, overlays)
	if err != nil {
		t.Fatal(err)
	}
	full, err := Krusty{Full: true}.Render(context.Background(), root, overlays)
	if err != nil {
		t.Fatal(err)
	}
	if len(thin) != len(full) || len(thin) != len(overlays) {
		t.Fatalf("rendered %d and %d of %d overlays", len(thin), len(full), len(overlays))
	}
	for i := range thin {
		if thin[i].Cluster != full[i].Cluster || !bytes.Equal(thin[i].YAML, full[i].YAML) {
			t.Errorf("%s: the render over its shape differs from the full build", thin[i].Cluster)
		}
		if len(thin[i].Objects) != len(full[i].Objects) {
			t.Errorf("%s: %d objects over its shape, %d in full", thin[i].Cluster, len(thin[i].Objects), len(full[i].Objects))
		}
	}
	// Every overlay but those that set kustomize's images field (a transformer that reaches
	// every container of every kind, left to the full build) is thin.
	fs := filesys.MakeFsOnDisk()
	want := 0
	for name, o := range overlays {
		b, err := os.ReadFile(filepath.Join(root, o, "kustomization.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		thin := loadThin(fs, filepath.Join(root, o)) != nil
		if thin == bytes.Contains(b, []byte("\nimages:")) {
			t.Errorf("%s: thin is %v", name, thin)
		}
		if thin {
			want++
		}
	}
	if got := stats.Thin.Load(); got != int64(want) || want < len(overlays)-2 {
		t.Errorf("%d of %d overlays laid over a shape (%d in full), want %d", got, len(overlays), stats.Full.Load(), want)
	}
	if stats.Shapes.Load() >= int64(len(overlays)) {
		t.Errorf("%d shapes built for %d overlays: nothing shared", stats.Shapes.Load(), len(overlays))
	}
}

// BuildOnly prints the kept objects of a cluster exactly as the whole build does, whether or
// not a patch of the overlay reaches them.
func TestBuildOnlyMatchesBuild(t *testing.T) {
	root, overlays := repoOverlays(t)
	k := Krusty{Want: WantDocs}
	whole, err := k.Open(root, overlays)
	if err != nil {
		t.Fatal(err)
	}
	only, err := k.Open(root, overlays)
	if err != nil {
		t.Fatal(err)
	}
	keep := func(id ID) bool {
		return id.Kind == "DaemonSet" || id.Kind == "Ingress" && id.Name == "identity" || id.Kind == "Service" && id.Name == "music"
	}
	for _, name := range whole.Order() {
		all, err := whole.Build(name)
		if err != nil {
			t.Fatal(err)
		}
		some, err := only.BuildOnly(name, keep)
		if err != nil {
			t.Fatal(err)
		}
		var want []Doc
		for _, d := range all.Docs {
			if keep(d.ID) {
				want = append(want, d)
			}
		}
		if len(want) == 0 || len(want) != len(some.Docs) {
			t.Fatalf("%s: %d kept documents, %d in the whole build", name, len(some.Docs), len(want))
		}
		for i := range want {
			if want[i].ID != some.Docs[i].ID || !bytes.Equal(want[i].YAML, some.Docs[i].YAML) {
				t.Errorf("%s: %v differs from the whole build", name, want[i].ID)
			}
		}
	}
}

// repoOverlays is the repository's root and its overlays by cluster.
func repoOverlays(t *testing.T) (string, map[string]string) {
	t.Helper()
	root := filepath.Join("..", "..")
	entries, err := os.ReadDir(filepath.Join(root, "overlays"))
	if err != nil {
		t.Fatal(err)
	}
	overlays := map[string]string{}
	for _, e := range entries {
		overlays[e.Name()] = filepath.Join("overlays", e.Name())
	}
	return root, overlays
}
