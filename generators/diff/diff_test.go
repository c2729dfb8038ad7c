package diff

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	argocheck "github.com/hue-platform/hue-gitops/generators/check/argocd"
	"github.com/hue-platform/hue-gitops/generators/gittest"
	"github.com/hue-platform/hue-gitops/generators/render"
)

// tree writes files (path -> content) into a fresh in-memory tree.
func tree(t *testing.T, name string, files map[string]string) Tree {
	t.Helper()
	fs := filesys.MakeFsInMemory()
	for p, c := range files {
		require.NoError(t, fs.WriteFile(filepath.Join("/repo", p), []byte(c)))
	}
	return Tree{Name: name, FS: fs, Root: "/repo"}
}

const (
	kustomization = "resources: [objects.yaml]\n"
	configMap     = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: hue\ndata:\n  mode: %s\n"
	service       = "apiVersion: v1\nkind: Service\nmetadata:\n  name: music\n  namespace: hue\nspec:\n  ports:\n  - port: 80\n"
	job           = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: export\n  namespace: hue\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: x, image: x:1}]\n"
)

func cm(mode string) string { return strings.Replace(configMap, "%s", mode, 1) }

// appSet is an ApplicationSet over a list of schools, rendering overlays/<name>.
func appSet(names ...string) string {
	var els strings.Builder
	for _, n := range names {
		els.WriteString("      - {name: " + n + "}\n")
	}
	return `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: schools, namespace: argocd}
spec:
  goTemplate: true
  generators:
  - list:
      elements:
` + els.String() + `  template:
    metadata: {name: 'hue-{{.name}}'}
    spec:
      project: hue-school
      destination: {name: '{{.name}}', namespace: hue}
      source: {repoURL: https://git.example.org/hue.git, targetRevision: main, path: 'overlays/{{.name}}'}
`
}

func baseAndHead(t *testing.T) (Tree, Tree) {
	base := tree(t, "base", map[string]string{
		"overlays/same/kustomization.yaml":           kustomization,
		"overlays/same/objects.yaml":                 cm("a"),
		"overlays/edited/kustomization.yaml":         kustomization,
		"overlays/edited/objects.yaml":               cm("a") + "---\n" + service,
		"overlays/retired/kustomization.yaml":        kustomization,
		"overlays/retired/objects.yaml":              cm("a"),
		"overlays/notes/README.md":                   "not an overlay: no kustomization\n",
		"clusters/school/argocd/apps/set.yaml":       appSet("edited"),
		"clusters/school/argocd/bootstrap/root.yaml": "kind: Application\n",
		"clusters/school/school-a.yaml":              "kind: HueCluster\n",
	})
	head := tree(t, "head", map[string]string{
		"overlays/same/kustomization.yaml":           kustomization,
		"overlays/same/objects.yaml":                 cm("a"),
		"overlays/edited/kustomization.yaml":         kustomization,
		"overlays/edited/objects.yaml":               cm("b") + "---\n" + job,
		"overlays/new/kustomization.yaml":            kustomization,
		"overlays/new/objects.yaml":                  cm("a"),
		"clusters/school/argocd/apps/set.yaml":       appSet("edited", "same"),
		"clusters/school/argocd/bootstrap/root.yaml": "kind: Application\n",
		"clusters/school/school-a.yaml":              "kind: HueCluster\nspec: {}\n",
	})
	return base, head
}

func TestCompare(t *testing.T) {
	base, head := baseAndHead(t)
	rep, err := Compare(context.Background(), render.Krusty{}, base, head)
	require.NoError(t, err)
	require.Equal(t, []string{"edited", "new", "same"}, rep.Affected(),
		"the rendered changes, and the school the ApplicationSet now deploys")
	require.Equal(t, []string{"retired"}, rep.Removed(), "a removed cluster is not affected: no matrix job can check it")
	require.Len(t, rep.Clusters, 3)
	require.Equal(t, 1, rep.Unchanged)

	edited := rep.Clusters[0]
	require.Equal(t, Changed, edited.Change)
	require.Equal(t, "overlays/edited", edited.Overlay)
	changes := map[string]Change{}
	for _, o := range edited.Objects {
		changes[o.Ref()] = o.Change
	}
	require.Equal(t, map[string]Change{"ConfigMap/hue/settings": Changed, "Job/hue/export": Added, "Service/hue/music": Removed}, changes)
	for _, o := range edited.Objects {
		switch o.Change {
		case Changed:
			require.Contains(t, o.Diff, "--- a/edited/ConfigMap/hue/settings\n+++ b/edited/ConfigMap/hue/settings\n")
			require.Contains(t, o.Diff, "-  mode: a\n+  mode: b\n")
		case Added:
			require.True(t, strings.HasPrefix(o.Diff, "--- /dev/null\n+++ b/edited/Job/hue/export\n"), o.Diff)
			require.Equal(t, "batch", o.Group)
		case Removed:
			require.True(t, strings.HasPrefix(o.Diff, "--- a/edited/Service/hue/music\n+++ /dev/null\n"), o.Diff)
			require.NotRegexp(t, `(?m)^\+[^+]`, o.Diff, "a removal adds no line")
		}
	}

	require.Equal(t, Added, rep.Clusters[1].Change)
	require.Equal(t, "overlays/new", rep.Clusters[1].Overlay)
	require.Equal(t, Removed, rep.Clusters[2].Change)
	require.Equal(t, "overlays/retired", rep.Clusters[2].Overlay, "a removed cluster keeps its base overlay")
	require.Len(t, rep.Clusters[2].Objects, 1)

	require.Len(t, rep.ArgoCD, 1, "only the changed Argo CD file, and nothing outside argocd/")
	require.Equal(t, File{Path: "clusters/school/argocd/apps/set.yaml", Fleet: "school", Change: Changed,
		Clusters: []string{"same"}, Diff: rep.ArgoCD[0].Diff}, rep.ArgoCD[0], "only same's own Application changes")
	require.Contains(t, rep.ArgoCD[0].Diff, "       - {name: edited}\n+      - {name: same}\n")

	// The memo remembers full builds (a thin overlay is laid over its shape instead).
	memo := render.NewMemo()
	memoized, err := Compare(context.Background(), render.Krusty{Memo: memo, Full: true}, base, head)
	require.NoError(t, err)
	require.Equal(t, rep, memoized, "full builds and the memo change the cost, not the report")
	require.Equal(t, 1, memo.Hits(), "only the unchanged cluster is served from the memo")
}

func TestCompareIdentical(t *testing.T) {
	base, _ := baseAndHead(t)
	rep, err := Compare(context.Background(), render.Krusty{}, base, base)
	require.NoError(t, err)
	require.True(t, rep.Empty())
	require.Equal(t, 3, rep.Unchanged)
	var out bytes.Buffer
	require.NoError(t, Write(&out, "markdown", rep))
	require.Contains(t, out.String(), "no cluster changes")
	out.Reset()
	require.NoError(t, Write(&out, "affected", rep))
	require.Empty(t, out.String())
}

func TestCompareNamesTheBrokenOverlay(t *testing.T) {
	base, head := baseAndHead(t)
	require.NoError(t, head.FS.WriteFile("/repo/overlays/new/kustomization.yaml", []byte("resources: [missing.yaml]\n")))
	_, err := Compare(context.Background(), render.Krusty{}, base, head)
	require.ErrorContains(t, err, "head: new: kustomize build overlays/new")
}

func TestWriteFormats(t *testing.T) {
	base, head := baseAndHead(t)
	rep, err := Compare(context.Background(), render.Krusty{}, base, head)
	require.NoError(t, err)

	var out bytes.Buffer
	require.NoError(t, Write(&out, "affected", rep))
	require.Equal(t, "edited\nnew\nsame\n", out.String())
	out.Reset()
	require.NoError(t, Write(&out, "removed", rep))
	require.Equal(t, "retired\n", out.String())

	out.Reset()
	require.NoError(t, Write(&out, "json", rep))
	var doc struct {
		Affected []string `json:"affected"`
		Removed  []string `json:"removed"`
		Clusters []Cluster
		ArgoCD   []File `json:"argocd"`
	}
	require.NoError(t, json.Unmarshal(out.Bytes(), &doc))
	require.Equal(t, rep.Affected(), doc.Affected)
	require.Equal(t, []string{"retired"}, doc.Removed)
	require.Equal(t, rep.Clusters, doc.Clusters)

	out.Reset()
	require.NoError(t, Write(&out, "text", rep))
	text := out.String()
	require.Contains(t, text, "cluster edited changed (overlays/edited): 1 added, 1 changed, 1 removed\n")
	require.Contains(t, text, "argocd clusters/school/argocd/apps/set.yaml changed (fleet school): changes the Application of same\n")
	require.Contains(t, text, "3 cluster(s) affected, 1 removed, 3 rendered differently (3 distinct change(s)), 1 unchanged, 1 Argo CD file(s) changed\n")

	md := markdown(rep, CommentBudget)
	require.Contains(t, md, "| edited | no fleet | changed | 1 | 1 | 1 |")
	require.Less(t, strings.Index(md, "| retired |"), strings.Index(md, "| edited |"), "a removal comes first")
	require.Contains(t, md, "<details><summary>edited: 1 added, 1 changed, 1 removed</summary>")
	require.Contains(t, md, "```diff\n--- a/edited/")
	require.NotContains(t, md, "left out")

	require.ErrorContains(t, Write(&out, "html", rep), `unknown diff format "html"`)
}

func TestMarkdownKeepsToTheBudget(t *testing.T) {
	base, head := baseAndHead(t)
	rep, err := Compare(context.Background(), render.Krusty{}, base, head)
	require.NoError(t, err)
	full := markdown(rep, CommentBudget)
	table := full[:strings.Index(full, "<details>")]
	short := markdown(rep, len(table)+10)
	require.True(t, strings.HasPrefix(short, table), "the summary is always whole")
	require.NotContains(t, short, "<details>")
	require.Contains(t, short, "4 diff section(s) left out to fit a comment")
}

func TestFence(t *testing.T) {
	require.Equal(t, "```", fence("plain"))
	require.Equal(t, "````", fence("a ``` b"))
	require.Equal(t, "``````", fence("`````"))
}

func write(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for p, c := range files {
		require.NoError(t, os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, p), []byte(c), 0o644))
	}
}

func TestFromGitReadsTheRevisionNotTheWorkingCopy(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"hue/overlays/a/kustomization.yaml": kustomization,
		"hue/overlays/a/objects.yaml":       cm("a"),
		"README.md":                         "outside the hue folder\n",
	})
	gittest.CommitAll(t, dir)
	// The working copy moves on; the base must not.
	write(t, dir, map[string]string{"hue/overlays/a/objects.yaml": cm("b")})

	root := filepath.Join(dir, "hue")
	base, err := FromGit(root, "HEAD")
	require.NoError(t, err)
	require.Regexp(t, `^HEAD \([0-9a-f]{12}\)$`, base.Name)
	require.False(t, base.FS.Exists("/repo/README.md"), "a root inside the repository reads only that folder")
	rep, err := Compare(context.Background(), render.Krusty{}, base, Dir(root))
	require.NoError(t, err)
	require.Equal(t, []string{"a"}, rep.Affected())
	require.Contains(t, rep.Clusters[0].Objects[0].Diff, "-  mode: a\n+  mode: b\n")

	_, err = FromGit(root, "no-such-branch")
	require.ErrorContains(t, err, "base revision no-such-branch")
	_, err = FromGit(root, "")
	require.ErrorContains(t, err, "base revision origin/main or main", "without --base the defaults are tried and named")
	_, err = FromGit(t.TempDir(), "HEAD")
	require.ErrorContains(t, err, "repository does not exist")
}

// The repository's own Argo CD definitions: every cluster has one Application, each school
// from its ring's ApplicationSet (Argo CD's own template rendering), with the fleet, ring and
// environment the guard groups by; every project governs the clusters of its fleet.
func TestReadArgoOfTheRepository(t *testing.T) {
	files, err := Dir("../..").ArgoCDFiles()
	require.NoError(t, err)
	a, err := readArgo(files, nil)
	require.NoError(t, err)
	overlays, err := Dir("../..").Overlays()
	require.NoError(t, err)
	require.ElementsMatch(t, slices.Collect(maps.Keys(overlays)), slices.Collect(maps.Keys(a.apps)), "one Application per overlay")
	byFleet := map[string][]string{}
	for _, c := range slices.Sorted(maps.Keys(a.apps)) {
		app := a.apps[c]
		require.NotEmpty(t, app.Fleet, c)
		require.Contains(t, []string{"staging", "production"}, app.Environment, c)
		require.NotEmpty(t, app.Cascades(), "%s: the generated Applications carry the resources finalizer", c)
		byFleet[app.Fleet] = append(byFleet[app.Fleet], c)
		if app.Fleet == "school" {
			require.Equal(t, "hue-schools-"+app.Ring, app.AppSet, c)
			require.False(t, app.SetDeletes, "%s: applicationsSync create-update never deletes an Application", c)
			require.Equal(t, app.Ring == "canary", app.AtOnce(), "%s: only the first ring follows main", c)
		} else {
			require.Empty(t, app.AppSet, c)
			require.True(t, app.AtOnce(), c)
		}
	}
	for fleet, clusters := range byFleet {
		require.Equal(t, clusters, a.projects["clusters/"+fleet+"/argocd/bootstrap/appproject-hue-"+fleet+".yaml"], fleet)
	}
	require.Equal(t, []string{"onprem-production"}, a.perFile["clusters/enterprise/argocd/bootstrap/root-onprem-production.yaml"])
	require.Equal(t, []string{"sci-us-east"}, a.perFile["clusters/science/argocd/apps/sci-us-east/hue-sci-us-east.yaml"])

	// The second side of a diff reuses the first side's expansions, and reads the same.
	renders := argocheck.NewRenders(nil)
	first, err := readArgo(files, renders)
	require.NoError(t, err)
	require.Equal(t, len(byFleet["school"]), renders.Misses)
	second, err := readArgo(files, renders)
	require.NoError(t, err)
	require.Equal(t, len(byFleet["school"]), renders.Hits, "every school element is taken from the first side")
	for _, t2 := range []*argoTree{first, second} {
		require.Equal(t, a.perFile, t2.perFile)
		for c, app := range a.apps {
			require.Equal(t, string(app.spec), string(t2.apps[c].spec), c)
		}
	}
}

// Generators that need a cluster or a repository to answer are left alone; a template that
// does not render is an error naming the file and the object.
func TestReadArgoOfGeneratorsItCannotExpand(t *testing.T) {
	fromGit := []byte(`apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: from-git}
spec:
  generators:
  - git: {repoURL: https://git.example.org/x.git, revision: main, directories: [{path: overlays/*}]}
  template:
    metadata: {name: '{{path.basename}}'}
    spec: {project: p, destination: {name: x}, source: {repoURL: https://git.example.org/x.git, path: '{{path}}'}}
`)
	a, err := readArgo(map[string][]byte{"clusters/x/argocd/apps/set.yaml": fromGit}, nil)
	require.NoError(t, err)
	require.Empty(t, a.apps)

	broken := []byte("kind: ApplicationSet\nmetadata: {name: b}\nspec: {goTemplate: true, generators: [{list: {elements: [{name: a}]}}], template: {spec: {source: {path: 'overlays/{{.name'}}}}\n")
	_, err = readArgo(map[string][]byte{"clusters/x/argocd/apps/broken.yaml": broken}, nil)
	require.ErrorContains(t, err, "broken.yaml: ApplicationSet b: generators list element 0")
}

// A base that does not build (the pull request may be its fix) still gives a diff: that
// cluster's head objects count as added, the reason is kept, and the other clusters compare
// as usual.
func TestCompareWithABrokenBase(t *testing.T) {
	base, head := baseAndHead(t)
	require.NoError(t, base.FS.WriteFile("/repo/overlays/edited/kustomization.yaml", []byte("resources: [missing.yaml]\n")))
	rep, err := Compare(context.Background(), render.Krusty{}, base, head)
	require.NoError(t, err)
	require.Equal(t, []string{"edited", "new", "same"}, rep.Affected())
	edited := rep.Clusters[0]
	require.Equal(t, "edited", edited.Name)
	require.Equal(t, Changed, edited.Change)
	require.Contains(t, edited.BaseError, "kustomize build overlays/edited")
	added, changed, removed := edited.Count()
	require.Equal(t, [3]int{2, 0, 0}, [3]int{added, changed, removed}, "the head's ConfigMap and Job")
	var out bytes.Buffer
	require.NoError(t, Write(&out, "text", rep))
	require.Contains(t, out.String(), "  the base did not build: ")
	require.Contains(t, markdown(rep, CommentBudget), "| edited | no fleet | changed (the base did not build) | 2 | 0 | 0 |")
}
