package diff

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/stretchr/testify/require"

	"github.com/hue-platform/hue-gitops/generators/gittest"
	"github.com/hue-platform/hue-gitops/generators/layout"
	"github.com/hue-platform/hue-gitops/generators/render"
)

// app is a generated-style Application deploying overlays/<cluster>.
func app(cluster, fleet, env, revision string, finalizer bool) string {
	fin := ""
	if finalizer {
		fin = "  finalizers: [resources-finalizer.argocd.argoproj.io/foreground]\n"
	}
	return fmt.Sprintf(`apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: hue-%[1]s
  namespace: argocd
%[5]s  labels: {hue.dev/cluster: %[1]s, hue.dev/fleet: %[2]s, hue.dev/environment: %[3]s}
spec:
  project: hue-%[2]s
  destination: {name: %[1]s, namespace: hue}
  source: {repoURL: https://git.example.org/hue.git, targetRevision: %[4]s, path: overlays/%[1]s}
`, cluster, fleet, env, revision, fin)
}

// ringSet is a school ring's ApplicationSet (create-update, as generated) over the schools.
func ringSet(ring, revision string, schools ...string) string {
	var els strings.Builder
	for _, n := range schools {
		els.WriteString("      - {name: " + n + "}\n")
	}
	return `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: hue-schools-` + ring + `, namespace: argocd}
spec:
  goTemplate: true
  syncPolicy: {applicationsSync: create-update, preserveResourcesOnDeletion: true}
  generators:
  - list:
      elements:
` + els.String() + `  template:
    metadata:
      name: 'hue-{{.name}}'
      finalizers: [resources-finalizer.argocd.argoproj.io/foreground]
      labels: {hue.dev/cluster: '{{.name}}', hue.dev/fleet: school, hue.dev/ring: ` + ring + `, hue.dev/environment: production}
    spec:
      project: hue-school
      destination: {name: '{{.name}}', namespace: hue}
      source: {repoURL: https://git.example.org/hue.git, targetRevision: ` + revision + `, path: 'overlays/{{.name}}'}
`
}

const (
	namespace = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n"
	claims    = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\n  namespace: hue\nspec:\n  volumeClaimTemplates:\n  - metadata: {name: data}\n"
	secret    = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\n  namespace: hue\nstringData:\n  password: %s\n"
)

func ns(name string) string { return strings.Replace(namespace, "%s", name, 1) }

// fleetTrees is an enterprise pair and six schools over two rings, all rendering cm("a") and,
// for the enterprise, a data namespace and a claiming StatefulSet.
func fleetTrees(t *testing.T) (map[string]string, map[string]string) {
	files := map[string]string{}
	for _, c := range []string{"ent-staging", "ent-production"} {
		files["overlays/"+c+"/kustomization.yaml"] = kustomization
		files["overlays/"+c+"/objects.yaml"] = cm("a") + "---\n" + ns("data") + "---\n" + claims
	}
	files["clusters/enterprise/argocd/apps/ent-staging/hue-ent-staging.yaml"] = app("ent-staging", "enterprise", "staging", "main", true)
	files["clusters/enterprise/argocd/apps/ent-production/hue-ent-production.yaml"] = app("ent-production", "enterprise", "production", "main", true)
	for _, s := range []string{"school-a", "school-b", "school-c", "school-d", "school-e", "school-f"} {
		files["overlays/"+s+"/kustomization.yaml"] = kustomization
		files["overlays/"+s+"/objects.yaml"] = cm("a")
	}
	files["clusters/school/argocd/apps/applicationset-hue-schools-canary.yaml"] = ringSet("canary", "main", "school-a")
	files["clusters/school/argocd/apps/applicationset-hue-schools-broad.yaml"] = ringSet("broad", "rings/school/broad", "school-b", "school-c", "school-d", "school-e", "school-f")
	head := map[string]string{}
	for k, v := range files {
		head[k] = v
	}
	return files, head
}

func compareFiles(t *testing.T, base, head map[string]string) *Report {
	t.Helper()
	rep, err := Compare(context.Background(), render.Krusty{}, tree(t, "base", base), tree(t, "head", head))
	require.NoError(t, err)
	return rep
}

// One change every school makes the same way is one group per ring, its diff shown once.
func TestIdenticalChangesCollapseByFleetAndRing(t *testing.T) {
	base, head := fleetTrees(t)
	for _, s := range []string{"school-a", "school-b", "school-c", "school-d", "school-e", "school-f"} {
		head["overlays/"+s+"/objects.yaml"] = cm("b")
	}
	// One school differs in more than its name: its own group.
	head["overlays/school-f/objects.yaml"] = cm("c")
	rep := compareFiles(t, base, head)
	require.Len(t, rep.Clusters, 6)
	var groups []string
	for _, g := range rep.Groups {
		groups = append(groups, fmt.Sprintf("%s/%s:%s", g.Fleet, g.Ring, strings.Join(g.Clusters, ",")))
	}
	require.Equal(t, []string{"school/broad:school-b,school-c,school-d,school-e", "school/broad:school-f", "school/canary:school-a"}, groups)
	for _, c := range rep.Clusters {
		switch c.Name {
		case "school-c", "school-d", "school-e":
			require.Equal(t, "school-b", c.SameAs)
			require.Empty(t, c.Objects[0].Diff, "the diff is shown once, on the group's first cluster")
		default:
			require.Empty(t, c.SameAs, c.Name)
			require.Contains(t, c.Objects[0].Diff, "+  mode: ", c.Name)
		}
	}
	var out bytes.Buffer
	require.NoError(t, Write(&out, "text", rep))
	text := out.String()
	require.Contains(t, text, "4 clusters (school, ring broad) changed, the same change: 0 added, 1 changed, 0 removed; school-b, school-c, school-d, school-e\n")
	require.Equal(t, 3, strings.Count(text, "+++ b/"), "one diff per group:\n%s", text)
	require.Equal(t, []string{"school-a", "school-b", "school-c", "school-d", "school-e", "school-f"}, rep.Affected())
}

// A section too long for the comment is summarised object by object and the sections after it
// are still shown whole.
func TestMarkdownSummarisesWhatDoesNotFit(t *testing.T) {
	base, head := fleetTrees(t)
	huge := strings.Repeat("x", 5000)
	head["overlays/ent-production/objects.yaml"] = cm(huge) + "---\n" + ns("data") + "---\n" + claims
	head["overlays/school-a/objects.yaml"] = cm("b")
	rep := compareFiles(t, base, head)
	md := markdown(rep, 4000)
	require.LessOrEqual(t, len(md), 4000)
	require.Contains(t, md, "ent-production: 0 added, 1 changed, 0 removed (diff too long for a comment: run `hue diff`)")
	require.Contains(t, md, "- ConfigMap/hue/settings changed (+1 -1)")
	require.Contains(t, md, "-  mode: a\n+  mode: b\n", "the school's section after it is whole")
	require.NotContains(t, md, "left out")
}

// Secret values never reach the diff: Argo CD's masking, which still shows that one changed.
func TestSecretDataIsMasked(t *testing.T) {
	base, head := fleetTrees(t)
	base["overlays/school-a/objects.yaml"] = cm("a") + "---\n" + strings.Replace(secret, "%s", "hunter2", 1)
	head["overlays/school-a/objects.yaml"] = cm("a") + "---\n" + strings.Replace(secret, "%s", "correct-horse", 1)
	rep := compareFiles(t, base, head)
	require.Len(t, rep.Clusters, 1)
	d := rep.Clusters[0].Objects[0].Diff
	require.NotContains(t, d, "hunter2")
	require.NotContains(t, d, "correct-horse")
	require.NotContains(t, d, "aHVudGVyMg", "nor their base64")
	require.Regexp(t, `(?m)^-  password: \++$`, d)
	require.Regexp(t, `(?m)^\+  password: \++$`, d)
}

// Removing a cluster trips the guard, first in the report, naming the Application, what deletes
// it and the finalizer that cascades; a named override lets it pass, an unknown one is an error.
func TestGuardOnClusterRemoval(t *testing.T) {
	base, head := fleetTrees(t)
	delete(head, "overlays/ent-staging/kustomization.yaml")
	delete(head, "overlays/ent-staging/objects.yaml")
	delete(head, "clusters/enterprise/argocd/apps/ent-staging/hue-ent-staging.yaml")
	head["clusters/school/argocd/apps/applicationset-hue-schools-broad.yaml"] = ringSet("broad", "rings/school/broad", "school-b", "school-c", "school-d", "school-e")
	delete(head, "overlays/school-f/kustomization.yaml")
	rep := compareFiles(t, base, head)
	require.Equal(t, []string{"ent-staging", "school-f"}, rep.Removed())

	v, err := rep.Judge(DefaultGuard, "test", nil)
	require.NoError(t, err)
	require.Equal(t, []string{"cluster-removal", "application-removal", "namespace-deletion", "persistent-deletion"}, v.Tripped())
	require.Len(t, v.Deletions, 2)
	ent := v.Deletions[0]
	require.Equal(t, "ent-staging", ent.Cluster)
	require.True(t, ent.Removed)
	require.Equal(t, "hue-ent-staging", ent.Application)
	require.Contains(t, ent.Consequence, "its root app prunes it; its finalizer resources-finalizer.argocd.argoproj.io/foreground cascades")
	require.Equal(t, []string{"Namespace/data", "StatefulSet/hue/db"}, ent.Objects)
	school := v.Deletions[1]
	require.Contains(t, school.Consequence, "ApplicationSet hue-schools-broad does not delete it")

	var out bytes.Buffer
	require.NoError(t, Write(&out, "text", rep))
	lines := strings.Split(out.String(), "\n")
	require.True(t, strings.HasPrefix(lines[1], "GUARD: 4 limit(s) exceeded"), lines[1])
	require.True(t, strings.HasPrefix(lines[2], "  cluster ent-staging is REMOVED; Application hue-ent-staging goes"), lines[2])
	require.Contains(t, out.String(), "limit cluster-removal: clustersRemoved 2, at most 0: needs --override cluster-removal")
	require.Contains(t, out.String(), "fleet enterprise, staging (1 cluster(s)): clustersRemoved 1, applicationsRemoved 1, namespacesDeleted 1, persistentDeleted 1")
	md := markdown(rep, CommentBudget)
	require.Less(t, strings.Index(md, "Blast-radius guard"), strings.Index(md, "| clusters |"), "the guard comes before the diff")

	v, err = rep.Judge(DefaultGuard, "test", []string{"cluster-removal", "application-removal", "namespace-deletion", "persistent-deletion"})
	require.NoError(t, err)
	require.Empty(t, v.Tripped())
	require.Contains(t, judgedLine(v.Limits[0]), "overridden by --override cluster-removal")

	_, err = rep.Judge(DefaultGuard, "test", []string{"cluster-removel"})
	require.ErrorContains(t, err, `override "cluster-removel" names no limit of test`)
}

// Objects pruned from a cluster that stays count too; the production share counts only
// clusters that change on merge (a later ring waits for its promotion).
func TestGuardCountsPrunesAndProductionAtOnce(t *testing.T) {
	base, head := fleetTrees(t)
	head["overlays/ent-production/objects.yaml"] = cm("b")
	for _, s := range []string{"school-a", "school-b", "school-c", "school-d", "school-e", "school-f"} {
		head["overlays/"+s+"/objects.yaml"] = cm("b")
	}
	rep := compareFiles(t, base, head)
	g, err := ParseGuard("guard.yaml", []byte(`limits:
- {name: prod, measure: productionChangedAtOncePercent, max: 25}
- {name: broad-changes, measure: clustersChanged, ring: broad, max: 4}
- {name: ns, measure: namespacesDeleted, max: 0}
`))
	require.NoError(t, err)
	v, err := rep.Judge(g, "guard.yaml", nil)
	require.NoError(t, err)
	values := map[string]int{}
	for _, j := range v.Limits {
		values[j.Name] = j.Value
	}
	// 7 production clusters; ent-production and canary school-a change at once: 2/7 = 29 %.
	require.Equal(t, map[string]int{"prod": 29, "broad-changes": 5, "ns": 1}, values)
	require.Equal(t, []string{"prod", "broad-changes", "ns"}, v.Tripped())
	require.Equal(t, []Deletion{{Cluster: "ent-production", Objects: []string{"Namespace/data", "StatefulSet/hue/db"}}}, v.Deletions)
}

func TestParseGuardNamesTheField(t *testing.T) {
	for _, tc := range []struct{ doc, want string }{
		{"limits: [{name: a, measure: clustersRemoved, max: 0, maximum: 3}]", `guard.yaml: error unmarshaling JSON: while decoding JSON: json: unknown field "maximum"`},
		{"limits: [{name: a, measure: clustersGone, max: 0}]", `guard.yaml: limits[0].measure: "clustersGone" is not one of`},
		{"limits: [{name: a, measure: clustersRemoved, max: 0}, {name: a, measure: crdsDeleted, max: 0}]", `limits[1].name: "a" is already another limit's`},
		{"limits: [{measure: crdsDeleted, max: 0}]", "limits[0].name: required"},
		{"limits: [{name: p, measure: productionChangedAtOncePercent, max: 120}]", "limits[0].max: 120 is out of range"},
		{"limits: [{name: 'a b', measure: crdsDeleted, max: -1}]", `limits[0].name: "a b": no spaces`},
	} {
		_, err := ParseGuard("guard.yaml", []byte(tc.doc))
		require.ErrorContains(t, err, tc.want, tc.doc)
	}
}

// The repository's own guard file is valid and bounds every kind of deletion at zero.
func TestRepositoryGuard(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("../..", layout.GuardFile))
	require.NoError(t, err)
	g, err := ParseGuard(layout.GuardFile, b)
	require.NoError(t, err)
	zero := map[string]bool{}
	for _, l := range g.Limits {
		if l.Max == 0 && l.Fleet == "" && l.Ring == "" && l.Environment == "" {
			zero[l.Measure] = true
		}
	}
	for _, m := range []string{MeasureClustersRemoved, MeasureApplicationsRemoved, MeasureNamespacesDeleted, MeasurePersistentDeleted, MeasureCRDsDeleted} {
		require.True(t, zero[m], m)
	}
}

// The guard's limits are the base's: a pull request that loosens them is judged by the old ones.
func TestLoadGuardPrefersTheBase(t *testing.T) {
	base := tree(t, "base", map[string]string{layout.GuardFile: "limits: [{name: strict, measure: clustersRemoved, max: 0}]\n"})
	head := tree(t, "head", map[string]string{layout.GuardFile: "limits: [{name: loose, measure: clustersRemoved, max: 99}]\n"})
	g, src, err := LoadGuard(base, head)
	require.NoError(t, err)
	require.Equal(t, "strict", g.Limits[0].Name)
	require.Equal(t, layout.GuardFile+" of base", src)
	g, src, err = LoadGuard(tree(t, "base", nil), head)
	require.NoError(t, err)
	require.Equal(t, "loose", g.Limits[0].Name, "a first guard file comes from the head")
	require.Equal(t, layout.GuardFile+" of head", src)
	g, _, err = LoadGuard(tree(t, "base", nil), tree(t, "head", nil))
	require.NoError(t, err)
	require.Equal(t, DefaultGuard, g)
	_, _, err = LoadGuard(tree(t, "base", map[string]string{layout.GuardFile: "limits: {}\n"}), head)
	require.ErrorContains(t, err, layout.GuardFile)
}

// --base compares with the merge base, as a pull request's diff does: what landed on the base
// branch after the head branched off is not this change.
func TestFromGitUsesTheMergeBase(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"overlays/a/kustomization.yaml": kustomization, "overlays/a/objects.yaml": cm("a"),
		"overlays/b/kustomization.yaml": kustomization, "overlays/b/objects.yaml": cm("a"),
	})
	gittest.CommitAll(t, dir)
	repo, err := git.PlainOpen(dir)
	require.NoError(t, err)
	wt, err := repo.Worktree()
	require.NoError(t, err)
	head, err := repo.Head()
	require.NoError(t, err)
	main := head.Name()
	commit := func(files map[string]string, msg string) {
		t.Helper()
		write(t, dir, files)
		require.NoError(t, wt.AddGlob("."))
		_, err := wt.Commit(msg, &git.CommitOptions{Author: &object.Signature{Name: "test", Email: "test@hue.dev", When: time.Unix(60, 0)}})
		require.NoError(t, err)
	}
	feature := plumbing.NewBranchReferenceName("feature")
	require.NoError(t, wt.Checkout(&git.CheckoutOptions{Branch: feature, Create: true}))
	commit(map[string]string{"overlays/a/objects.yaml": cm("feature")}, "feature changes a")
	require.NoError(t, wt.Checkout(&git.CheckoutOptions{Branch: main}))
	commit(map[string]string{"overlays/b/objects.yaml": cm("main-moved-on")}, "main changes b")
	require.NoError(t, wt.Checkout(&git.CheckoutOptions{Branch: feature}))

	base, err := FromGit(dir, main.Short())
	require.NoError(t, err)
	require.Regexp(t, `^`+main.Short()+` \(merge base [0-9a-f]{12} with HEAD\)$`, base.Name)
	rep, err := Compare(context.Background(), render.Krusty{}, base, Dir(dir))
	require.NoError(t, err)
	require.Equal(t, []string{"a"}, rep.Affected(), "b changed on the base branch only, not in this branch")
}
