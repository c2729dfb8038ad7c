package tests

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hue-platform/hue-gitops/generators/gittest"
)

// committedCopy is the repository in a fresh git repository of its own, everything committed.
func committedCopy(t *testing.T) string {
	t.Helper()
	dir := copyRepo(t)
	gittest.CommitAll(t, dir)
	return dir
}

// replaceIn edits a file of the copy: old, which must be there, becomes new once.
func replaceIn(t *testing.T, file, old, new string) {
	t.Helper()
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	require.Contains(t, string(b), old, file)
	require.NoError(t, os.WriteFile(file, []byte(strings.Replace(string(b), old, new, 1)), 0o644))
}

type diffJSON struct {
	Affected []string `json:"affected"`
	Removed  []string `json:"removed"`
	Groups   []struct {
		Fleet, Ring string
		Clusters    []string
	} `json:"groups"`
	Guard struct {
		Deletions []struct {
			Cluster, Application, Consequence string
			Removed                           bool
		} `json:"deletions"`
		Limits []struct {
			Name       string
			Over       bool
			Overridden bool
		} `json:"limits"`
	} `json:"guard"`
	Stale []string `json:"stale"`
}

func diffReport(t *testing.T, dir string, extra ...string) (int, diffJSON) {
	t.Helper()
	code, out := run(append([]string{"diff", "--root", dir, "--base", "HEAD", "--format", "json"}, extra...)...)
	var rep diffJSON
	require.NoError(t, json.Unmarshal([]byte(out[:strings.LastIndex(out, "}")+1]), &rep), out)
	return code, rep
}

func overLimits(rep diffJSON) []string {
	var out []string
	for _, l := range rep.Guard.Limits {
		if l.Over && !l.Overridden {
			out = append(out, l.Name)
		}
	}
	return out
}

// Deleting a school's spec (git rm, or a bad merge emptying it) trips the guard: exit 1, the
// school named first, its Application and finalizer; the removed school is listed apart, never
// among the clusters a CI matrix would check; the named overrides let it through.
func TestGuardTripsWhenASchoolGoes(t *testing.T) {
	for name, remove := range map[string]func(string) error{
		"deleted": os.Remove,
		"emptied": func(p string) error { return os.WriteFile(p, nil, 0o644) },
	} {
		t.Run(name, func(t *testing.T) {
			dir := committedCopy(t)
			require.NoError(t, remove(filepath.Join(dir, "clusters", "school", "school-hillcrest.yaml")))
			code, out := run("generate", "--root", dir)
			if code == 2 {
				// Refusing the emptied file outright is as safe as guarding its removal.
				require.Contains(t, out, "school-hillcrest.yaml", out)
				return
			}
			require.Equal(t, 0, code, out)

			code, text := run("diff", "--root", dir, "--base", "HEAD")
			require.Equal(t, 1, code, text)
			lines := strings.Split(text, "\n")
			require.True(t, strings.HasPrefix(lines[1], "GUARD: "), text)
			require.Contains(t, lines[2], "cluster school-hillcrest is REMOVED; Application hue-school-hillcrest goes")
			require.Contains(t, text, "resources-finalizer.argocd.argoproj.io/foreground")
			require.Contains(t, text, "--override cluster-removal")

			code, rep := diffReport(t, dir)
			require.Equal(t, 1, code)
			require.Equal(t, []string{"school-hillcrest"}, rep.Removed)
			require.NotContains(t, rep.Affected, "school-hillcrest", "a removed cluster is no matrix entry")
			require.Empty(t, rep.Affected, "nothing else renders or deploys differently")
			require.Subset(t, overLimits(rep), []string{"cluster-removal", "application-removal"})
			require.Equal(t, "school-hillcrest", rep.Guard.Deletions[0].Cluster)
			require.True(t, rep.Guard.Deletions[0].Removed)

			code, out = run("diff", "--root", dir, "--base", "HEAD", "--format", "removed")
			require.Equal(t, 1, code, out)
			require.Equal(t, "school-hillcrest\n", out[:strings.Index(out, "\n")+1])

			code, rep = diffReport(t, dir, "--override", strings.Join(overLimits(rep), ","))
			require.Equal(t, 0, code, "every exceeded limit is overridden by name")
			require.Empty(t, overLimits(rep))
			code, out = run("diff", "--root", dir, "--base", "HEAD", "--override", "no-such-limit")
			require.Equal(t, 2, code, out)
			require.Contains(t, out, `override "no-such-limit" names no limit`)
		})
	}
}

// Removing an enterprise cluster names the cascade: its root app prunes the Application, whose
// finalizer deletes every object in the cluster.
func TestGuardNamesTheCascadeOfAnEnterpriseCluster(t *testing.T) {
	dir := committedCopy(t)
	require.NoError(t, os.Remove(filepath.Join(dir, "clusters", "enterprise", "onprem-staging.yaml")))
	code, out := run("generate", "--root", dir)
	require.Equal(t, 0, code, out)
	code, rep := diffReport(t, dir)
	require.Equal(t, 1, code)
	require.Equal(t, []string{"onprem-staging"}, rep.Removed)
	d := rep.Guard.Deletions[0]
	require.Equal(t, "hue-onprem-staging", d.Application)
	require.Contains(t, d.Consequence, "its root app prunes it; its finalizer resources-finalizer.argocd.argoproj.io/foreground cascades")
}

// One school's own change reaches exactly that school, and passes the guard.
func TestOneSchoolChangeReachesOneCluster(t *testing.T) {
	dir := committedCopy(t)
	replaceIn(t, filepath.Join(dir, "clusters", "school", "school-ashford.yaml"), "ashford.schools.hue.dev", "ashford.example.org")
	code, out := run("generate", "--root", dir)
	require.Equal(t, 0, code, out)
	code, rep := diffReport(t, dir)
	require.Equal(t, 0, code)
	require.Equal(t, []string{"school-ashford"}, rep.Affected)
	require.Empty(t, rep.Removed)
}

// A base image bump reaches every cluster running the service; the schools of one ring with
// the same change are one group, its diff shown once.
func TestBaseImageBumpCollapses(t *testing.T) {
	dir := committedCopy(t)
	replaceIn(t, filepath.Join(dir, "base", "music", "hue.yaml"), "music:2.0.1", "music:2.0.2")
	code, out := run("generate", "--root", dir)
	require.Equal(t, 0, code, out)

	code, rep := diffReport(t, dir)
	require.Equal(t, 0, code, "an image bump deletes nothing: %v", overLimits(rep))
	var grouped, schools int
	for _, g := range rep.Groups {
		if g.Fleet == "school" {
			schools += len(g.Clusters)
			if len(g.Clusters) > 1 {
				grouped++
			}
		}
	}
	require.Positive(t, grouped, "some ring's schools share one change")
	require.Greater(t, schools, len(rep.Groups)-1, "fewer groups than changed schools")
	_, text := run("diff", "--root", dir, "--base", "HEAD")
	require.Contains(t, text, "clusters (school, ring broad) changed, the same change")
	require.Less(t, strings.Count(text, "+    image: registry.hue.dev/hue/music:2.0.2"), len(rep.Affected), "the image diff is not repeated per school")
}

// A spec edited without regenerating fails both gates, naming the generated file.
func TestStaleTreeFailsCheckAndDiff(t *testing.T) {
	dir := committedCopy(t)
	replaceIn(t, filepath.Join(dir, "base", "music", "hue.yaml"), "replicas: 2", "replicas: 3")

	code, rep := diffReport(t, dir)
	require.Equal(t, 1, code)
	require.Contains(t, rep.Stale, "base/music/deployment.yaml")
	require.Empty(t, rep.Affected, "the committed overlays render as before")
	code, out := run("diff", "--root", dir, "--base", "HEAD")
	require.Equal(t, 1, code)
	require.Contains(t, out, "STALE base/music/deployment.yaml")

	code, out = run("check", "--root", dir, "--format", "text")
	require.Equal(t, 1, code, out)
	require.Contains(t, out, "base/music/deployment.yaml")
	require.Contains(t, out, "run hue generate")
}

// Two spellings of one API server are one destination, and so are a registered name and its
// server: generate refuses the second cluster, naming its file and the first cluster.
func TestDestinationVariantsAreRejected(t *testing.T) {
	for server, owner := range map[string]string{
		"https://k8s-prod.dc1.hue.internal:6443/":          "onprem-production",
		"https://K8S-PROD.dc1.hue.internal:6443":           "onprem-production",
		"https://api.hillcrest.schools.hue.internal:6443/": "school-hillcrest",
		"HTTPS://API.hillcrest.schools.hue.internal:6443":  "school-hillcrest",
	} {
		dir := copyRepo(t)
		replaceIn(t, filepath.Join(dir, "clusters", "enterprise", "onprem-staging.yaml"), "https://k8s-staging.dc1.hue.internal:6443", server)
		code, out := run("generate", "--root", dir)
		require.Equal(t, 2, code, server)
		// Whichever file comes second is refused; the message names both clusters' files.
		require.Contains(t, out, "clusters/enterprise/onprem-staging.yaml", server)
		require.Contains(t, out, "/"+owner+".yaml", server)
		require.Contains(t, out, "is already cluster", server)
	}
}
