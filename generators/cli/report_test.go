package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/hue-platform/hue-gitops/generators/check"
	"github.com/hue-platform/hue-gitops/generators/check/report"
)

// The repository root, whose policies/ describe the rules.
const repoRoot = "../.."

// Two shards as hue check --shard K/2 would report them: alpha has a warning, beta an error.
var (
	shardAlpha = report.Input{
		Clusters: []report.Cluster{{Name: "alpha", Fleet: "school", Environment: "production", Objects: 12, Overlay: "overlays/alpha"}},
		Findings: []check.Finding{{Check: "HUE-001", Severity: check.SeverityWarning, Cluster: "alpha", Kind: "Deployment",
			Namespace: "hue", Name: "music", Field: "spec.template.spec.containers[0].resources", Message: "alpha has no limits",
			Source: "base/music/deployment.yaml"}},
		Waived: []check.Finding{},
	}
	shardBeta = report.Input{
		Clusters: []report.Cluster{{Name: "beta", Fleet: "science", Environment: "staging", Objects: 30, Overlay: "overlays/beta"}},
		Findings: []check.Finding{{Check: "HUE-001", Severity: check.SeverityError, Cluster: "beta", Kind: "Deployment",
			Namespace: "hue", Name: "lab", Field: "spec.template.spec.containers[0].resources", Message: "beta has no requests",
			Source: "base/lab/deployment.yaml"}},
		Waived: []check.Finding{},
	}
	shardClean = report.Input{
		Clusters: []report.Cluster{{Name: "gamma", Fleet: "science", Environment: "production", Objects: 7, Overlay: "overlays/gamma"}},
		Findings: []check.Finding{},
		Waived:   []check.Finding{},
	}
)

func writeReport(t *testing.T, dir, name, format string, in report.Input) string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, report.Write(&b, format, in))
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, b.Bytes(), 0o644))
	return p
}

func runHue(args ...string) (code int, stdout, stderr string) {
	var out, errs bytes.Buffer
	code = Main(args, strings.NewReader(""), &out, &errs)
	return code, out.String(), errs.String()
}

func TestReportMergeJSON(t *testing.T) {
	dir := t.TempDir()
	a := writeReport(t, dir, "check-1.json", "json", shardAlpha)
	b := writeReport(t, dir, "check-2.json", "json", shardBeta)
	out := filepath.Join(dir, "merged.json")

	code, stdout, stderr := runHue("report", "merge", "--root", repoRoot, "--format", "json", "-o", out, b, a)
	require.Equal(t, ExitFindings, code, stderr)
	require.Empty(t, stdout)
	f, err := os.Open(out)
	require.NoError(t, err)
	defer f.Close()
	merged, err := report.ReadJSON(f)
	require.NoError(t, err)
	require.Equal(t, []report.Cluster{shardAlpha.Clusters[0], shardBeta.Clusters[0]}, merged.Clusters)
	require.Len(t, merged.Findings, 2)
}

func TestReportMergeCleanExitsZero(t *testing.T) {
	dir := t.TempDir()
	a := writeReport(t, dir, "check-1.json", "json", shardAlpha)
	c := writeReport(t, dir, "check-2.json", "json", shardClean)
	code, stdout, stderr := runHue("report", "merge", "--root", repoRoot, a, c)
	require.Equal(t, ExitOK, code, stderr)
	require.Contains(t, stdout, "2 clusters checked: 0 errors, 1 warnings")
}

func TestReportMergeMarkdown(t *testing.T) {
	dir := t.TempDir()
	a := writeReport(t, dir, "check-1.json", "json", shardAlpha)
	b := writeReport(t, dir, "check-2.json", "json", shardBeta)
	code, stdout, stderr := runHue("report", "merge", "--root", repoRoot, "--format", "markdown", a, b)
	require.Equal(t, ExitFindings, code, stderr)
	for _, s := range []string{"## Hue policy check failed", "### alpha", "alpha has no limits", "### beta", "beta has no requests",
		// The rules come from the policies under --root.
		"How to fix", "Set resources.requests and resources.limits"} {
		require.Contains(t, stdout, s)
	}
}

func TestReportMergeOverlapNamesBothFiles(t *testing.T) {
	dir := t.TempDir()
	a := writeReport(t, dir, "check-1.json", "json", shardAlpha)
	again := writeReport(t, dir, "check-2.json", "json", shardAlpha)
	code, _, stderr := runHue("report", "merge", "--root", repoRoot, a, again)
	require.Equal(t, ExitBadInput, code)
	require.Contains(t, stderr, a)
	require.Contains(t, stderr, again)
	require.Contains(t, stderr, "overlap")
}

func TestReportMergeBadInput(t *testing.T) {
	dir := t.TempDir()
	a := writeReport(t, dir, "check-1.json", "json", shardAlpha)
	s := writeReport(t, dir, "check-2.sarif", "sarif", shardBeta)
	junk := filepath.Join(dir, "junk.json")
	require.NoError(t, os.WriteFile(junk, []byte(`{"clusters": [], "extra": 1}`), 0o644))
	missing := filepath.Join(dir, "missing.json")

	for name, tc := range map[string]struct {
		args []string
		want string
	}{
		"missing file": {[]string{missing}, missing},
		"no files":     {nil, "requires at least 1 arg"},
		"not a report": {[]string{a, junk}, junk},
		"mixed kinds":  {[]string{a, s}, "do not merge together"},
		"bad format":   {[]string{"--format", "html", a}, "--format"},
	} {
		t.Run(name, func(t *testing.T) {
			code, _, stderr := runHue(append([]string{"report", "merge", "--root", repoRoot}, tc.args...)...)
			require.Equal(t, ExitBadInput, code, stderr)
			require.Contains(t, stderr, tc.want)
		})
	}
}

func TestReportMergeSARIF(t *testing.T) {
	dir := t.TempDir()
	// SARIF is told by content, not by name.
	a := writeReport(t, dir, "check-1.json", "sarif", shardAlpha)
	b := writeReport(t, dir, "check-2.sarif", "sarif", shardBeta)
	out := filepath.Join(dir, "merged.sarif")

	code, _, stderr := runHue("report", "merge", "--format", "sarif", "-o", out, a, b)
	require.Equal(t, ExitFindings, code, stderr)
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	log, err := sarif.FromBytes(data)
	require.NoError(t, err)
	require.Len(t, log.Runs, 1)
	var msgs []string
	for _, r := range log.Runs[0].Results {
		msgs = append(msgs, *r.Message.Text)
	}
	require.Len(t, msgs, 2)
	require.Contains(t, strings.Join(msgs, "\n"), "alpha has no limits")
	require.Contains(t, strings.Join(msgs, "\n"), "beta has no requests")

	// sarif is the default for SARIF logs, and warnings alone exit 0.
	c := writeReport(t, dir, "check-3.sarif", "sarif", shardClean)
	code, stdout, stderr := runHue("report", "merge", a, c)
	require.Equal(t, ExitOK, code, stderr)
	_, err = sarif.FromBytes([]byte(stdout))
	require.NoError(t, err)

	code, _, stderr = runHue("report", "merge", "--format", "markdown", a, b)
	require.Equal(t, ExitBadInput, code)
	require.Contains(t, stderr, "SARIF logs merge only to sarif")
}

// The pull-request workflow parses and wires the sharded check: plan, a matrix of shards, the
// merge that gates.
func TestPullRequestWorkflow(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repoRoot, ".github/workflows/pull-request.yaml"))
	require.NoError(t, err)
	var wf struct {
		Jobs map[string]struct {
			Needs    any `json:"needs"`
			Strategy struct {
				Matrix map[string]any `json:"matrix"`
			} `json:"strategy"`
			Steps []struct {
				Run string `json:"run"`
			} `json:"steps"`
		} `json:"jobs"`
	}
	require.NoError(t, yaml.Unmarshal(b, &wf))
	for _, j := range []string{"test", "plan", "check", "check-merge", "diff", "guard"} {
		require.Contains(t, wf.Jobs, j)
	}
	require.Equal(t, "plan", wf.Jobs["check"].Needs)
	require.Contains(t, wf.Jobs["check"].Strategy.Matrix, "shard")
	require.ElementsMatch(t, []any{"plan", "check"}, wf.Jobs["check-merge"].Needs)
	runs := func(job string) string {
		var s []string
		for _, st := range wf.Jobs[job].Steps {
			s = append(s, st.Run)
		}
		return strings.Join(s, "\n")
	}
	require.Contains(t, runs("check"), "bin/hue check")
	// The guard is its own job; each guard-override/<limit> label becomes an --override.
	require.Contains(t, runs("guard"), `select(startswith("guard-override/"))`)
	require.Contains(t, runs("guard"), `bin/hue diff --base "origin/$BASE" "${args[@]}"`)
	require.Contains(t, runs("guard"), `exit "$rc"`)
	owners, err := os.ReadFile(filepath.Join(repoRoot, ".github/CODEOWNERS"))
	require.NoError(t, err)
	for _, p := range []string{"/policies/ ", "/policies/waivers.yaml ", "/policies/guard.yaml "} {
		require.Contains(t, string(owners), "\n"+p, "CODEOWNERS covers %s", p)
	}
	require.Contains(t, runs("check-merge"), "bin/hue report merge --format sarif -o check.sarif check-*.json")
	require.Contains(t, runs("check-merge"), `bin/hue report merge --format markdown check-*.json >> "$GITHUB_STEP_SUMMARY"`)
}

// hue version and hue --version name the modules that decide what hue renders and judges.
func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		var out, errOut bytes.Buffer
		require.Equal(t, 0, Main(args, nil, &out, &errOut), errOut.String())
		require.True(t, strings.HasPrefix(out.String(), "hue "), out.String())
		for _, m := range []string{"sigs.k8s.io/kustomize/api v0.", "github.com/open-policy-agent/opa v1.", "github.com/argoproj/argo-cd/v3 v3."} {
			require.Contains(t, out.String(), m, "%v", args)
		}
	}
}
