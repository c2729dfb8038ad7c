package policy

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hue-platform/hue-gitops/generators/check"
	"github.com/hue-platform/hue-gitops/generators/manifest"
)

func TestParseWaiversReportsEveryProblem(t *testing.T) {
	_, err := ParseWaivers("policies/waivers.yaml", []byte(`
- policy: HUE-011
  kind: DaemonSet
  owner: ops
  reason: node agent
  expires: 2026-13-01
- policy: HUE-001
  cluster: "*"
  namespace: hue
  reason: x
  expires: 2026-01-01
`))
	require.Error(t, err)
	msg := err.Error()
	require.Contains(t, msg, `policies/waivers.yaml: [0].expires: "2026-13-01" is not a date`)
	require.Contains(t, msg, "policies/waivers.yaml: [1].owner: required")
	require.Contains(t, msg, "policies/waivers.yaml: [1].kind: kind or name must be set")
}

func TestParseWaiversIsStrict(t *testing.T) {
	_, err := ParseWaivers("w.yaml", []byte("- policy: HUE-001\n  nmae: music\n  owner: a\n  reason: b\n  expires: 2026-01-01\n"))
	require.ErrorContains(t, err, "nmae")
}

func TestApplyWaivers(t *testing.T) {
	ws, err := ParseWaivers("policies/waivers.yaml", []byte(`
- {policy: HUE-004, cluster: prod-a, kind: Deployment, name: music, owner: music-team, reason: vendor image, expires: 2026-03-31}
- {policy: HUE-010, cluster: "*", name: learner, owner: ml, reason: cache, expires: 2026-01-31}
- {policy: HUE-002, cluster: prod-a, name: gone, owner: ml, reason: removed service, expires: 2026-12-31}
- {policy: HUE-002, cluster: prod-b, name: other, owner: ml, reason: other cluster, expires: 2026-12-31}
`))
	require.NoError(t, err)
	f := func(id, name string) check.Finding {
		return check.Finding{Check: id, Severity: check.SeverityError, Cluster: "prod-a", Kind: "Deployment", Namespace: "hue", Name: name, Message: "m"}
	}
	findings := []check.Finding{f("HUE-004", "music"), f("HUE-010", "learner"), f("HUE-001", "music")}
	// 2026-03-31 is the last day of the first waiver; the second expired in January.
	now := time.Date(2026, 3, 31, 23, 0, 0, 0, time.UTC)
	got, waived := ws.Apply(findings, []string{"prod-a"}, false, now)
	require.Len(t, waived, 1, "only music's HUE-004 is waived")
	require.Equal(t, "HUE-004", waived[0].Check)
	require.Equal(t, "policies/waivers.yaml[0]: owner music-team, until 2026-03-31: vendor image", waived[0].Waiver)

	var ids []string
	for _, g := range got {
		ids = append(ids, g.Check+" "+g.Name+" "+g.Field)
	}
	require.ElementsMatch(t, []string{
		"HUE-001 music ",             // not waived
		"HUE-010 learner ",           // its waiver expired, so it counts again
		"waiver HUE-010 [1].expires", // and the expired waiver fails
		"waiver HUE-002 [2].policy",  // matches nothing on prod-a
	}, ids, "prod-b's waiver is not judged when prod-b is not checked")

	// a day later the first waiver has expired as well
	got, _ = ws.Apply(findings, []string{"prod-a"}, false, now.Add(2*time.Hour))
	require.Contains(t, checks(got), "HUE-004")
}

// A waiver for any cluster is judged stale only when the whole fleet was checked: checking a
// few clusters, or one rendered file, cannot tell.
func TestWildcardWaiverIsStaleOnlyOnTheWholeFleet(t *testing.T) {
	ws, err := ParseWaivers("policies/waivers.yaml", []byte(`
- {policy: HUE-004, cluster: "*", kind: CronJob, owner: release, reason: digests at promotion, expires: 2026-12-31}
- {policy: HUE-004, kind: Deployment, owner: release, reason: digests at promotion, expires: 2026-12-31}
`))
	require.NoError(t, err)
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	deployment := check.Finding{Check: "HUE-004", Severity: check.SeverityWarning, Cluster: "prod-a", Kind: "Deployment", Namespace: "hue", Name: "music", Message: "m"}

	got, waived := ws.Apply([]check.Finding{deployment}, []string{"prod-a"}, false, now)
	require.Empty(t, got)
	require.Len(t, waived, 1)
	got, _ = ws.Apply([]check.Finding{deployment}, []string{"prod-a", "prod-b"}, true, now)
	require.Len(t, got, 1)
	require.Equal(t, "waiver HUE-004 [0].policy", got[0].Check+" "+got[0].Name+" "+got[0].Field)
	require.Contains(t, got[0].Message, "cluster *, CronJob/*/* matches no finding")
}

func checks(fs []check.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Check)
	}
	return out
}

func TestRepositoryWaiversAreValid(t *testing.T) {
	root := policiesDir(t)
	ws, err := LoadWaivers(filepath.Join(root, "waivers.yaml"))
	require.NoError(t, err)
	e, err := Load(root)
	require.NoError(t, err)
	require.NoError(t, e.ValidateWaivers(ws))
}

func TestAnnotationsDoNotWaive(t *testing.T) {
	e, err := Load(policiesDir(t))
	require.NoError(t, err)
	objs, err := manifest.Decode("x.yaml", []byte(`
apiVersion: v1
kind: Secret
metadata:
  name: s
  namespace: hue
  annotations:
    hue.dev/waive: HUE-023
    policy.hue.dev/exempt: "true"
data: {k: dg==}
`))
	require.NoError(t, err)
	spec, err := LoadClusterSpec(fixtureCluster(t))
	require.NoError(t, err)
	got, err := e.Evaluate(t.Context(), []*check.Cluster{{Spec: spec, Objects: objs}})
	require.NoError(t, err)
	require.Contains(t, checks(got), "HUE-023")
	require.Equal(t, "x.yaml", got[0].Source)
}
