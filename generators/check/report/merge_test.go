package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
	"github.com/stretchr/testify/require"
	"github.com/xeipuuv/gojsonschema"

	"github.com/hue-platform/hue-gitops/generators/check"
	"github.com/hue-platform/hue-gitops/generators/shard"
)

// fleet is a whole run: the report fixtures and more clusters, clean ones among them.
func fleet() Input {
	cs := append([]Cluster(nil), clusters...)
	for i := 2; i <= 14; i++ {
		cs = append(cs, Cluster{Name: fmt.Sprintf("school-%d", i), Fleet: "school", Environment: "production", Objects: 40 + i, Overlay: fmt.Sprintf("overlays/school-%d", i)})
	}
	cs = append(cs, Cluster{Name: "prod-b", Fleet: "enterprise", Environment: "staging", Objects: 99, Overlay: "overlays/prod-b"})
	sort.Slice(cs, func(i, j int) bool { return cs[i].Name < cs[j].Name })
	fs := append([]check.Finding(nil), findings...)
	for _, c := range []string{"school-3", "school-4", "school-13", "prod-b"} {
		fs = append(fs, check.Finding{Check: "HUE-001", Severity: check.SeverityError, Cluster: c, Kind: "Deployment", Namespace: "hue",
			Name: "music", Field: "spec.template.spec.containers[0].resources", Message: "no limits", Source: "base/music/deployment.yaml"})
	}
	// Same sort keys, different files: Sort keeps them in the order the checks found them.
	fs = append(fs,
		check.Finding{Check: "crossref", Severity: check.SeverityError, Cluster: "school-4", Kind: "Service", Namespace: "hue", Name: "web", Message: "selects nothing", Source: "overlays/school-4/patch.yaml"},
		check.Finding{Check: "crossref", Severity: check.SeverityWarning, Cluster: "school-4", Kind: "Service", Namespace: "hue", Name: "web", Message: "selects nothing", Source: "base/web/service.yaml"})
	// Waiver findings that every shard reports, whether or not it checks the waiver's cluster.
	fs = append(fs,
		check.Finding{Check: "waiver", Severity: check.SeverityError, Kind: "Waiver", Name: "HUE-004", Field: "[2].expires",
			Message: "waiver of HUE-004 for every cluster expired on 2026-01-01", Source: "policies/waivers.yaml"},
		check.Finding{Check: "waiver", Severity: check.SeverityError, Cluster: "school-5", Kind: "Waiver", Name: "HUE-006", Field: "[3].expires",
			Message: "waiver of HUE-006 for school-5 expired on 2026-02-01", Source: "policies/waivers.yaml"})
	ws := append([]check.Finding(nil), waived...)
	ws = append(ws, check.Finding{Check: "HUE-006", Severity: check.SeverityError, Cluster: "prod-b", Kind: "Job", Namespace: "ops",
		Name: "migrate", Field: "spec.template.spec.containers[0].securityContext.runAsNonRoot", Message: "runs as root",
		Source: "base/ops/job.yaml", Waiver: "policies/waivers.yaml[1]: owner ops, until 2027-01-01: vendor image"})
	return Input{Findings: fs, Waived: ws, Rules: rules, Clusters: cs}
}

// split divides a run into n shards as hue check --shard K/N would report them.
func split(in Input, n int) []Input {
	var out []Input
	for k := 1; k <= n; k++ {
		s := shard.Shard{Index: k, Count: n}
		part := Input{Rules: in.Rules, Clusters: []Cluster{}}
		for _, c := range in.Clusters {
			if s.Has(c.Name) {
				part.Clusters = append(part.Clusters, c)
			}
		}
		for _, f := range in.Findings {
			if f.Check == "waiver" || s.Has(f.Cluster) {
				part.Findings = append(part.Findings, f)
			}
		}
		for _, f := range in.Waived {
			if s.Has(f.Cluster) {
				part.Waived = append(part.Waived, f)
			}
		}
		out = append(out, part)
	}
	return out
}

func render(t *testing.T, format string, in Input) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, Write(&buf, format, in))
	return buf.Bytes()
}

func mergedJSON(t *testing.T, shards []Input) Input {
	t.Helper()
	var parts []Part
	for i, s := range shards {
		in, err := ReadJSON(bytes.NewReader(render(t, "json", s)))
		require.NoError(t, err)
		require.Nil(t, in.Rules, "the json format carries no rules")
		parts = append(parts, Part{Name: fmt.Sprintf("shard-%d.json", i+1), Input: in})
	}
	merged, err := Merge(parts...)
	require.NoError(t, err)
	return merged
}

func TestMergeJSON(t *testing.T) {
	whole := fleet()
	shards := split(whole, 3)
	for i, s := range shards {
		require.NotEmpty(t, s.Clusters, "shard %d checks some clusters", i+1)
	}
	merged := mergedJSON(t, shards)
	require.Equal(t, string(render(t, "json", whole)), string(render(t, "json", merged)), "merged shards report exactly what one run would")

	// With the checker's rules, every format is the one-run report too: Markdown is merged
	// through JSON, never parsed back.
	merged.Rules = rules
	for _, format := range Formats {
		require.Equal(t, string(render(t, format, whole)), string(render(t, format, merged)), format)
	}

	n := 0
	for _, f := range merged.Findings {
		if f.Check == "waiver" {
			n++
		}
	}
	require.Equal(t, 2, n, "a waiver finding every shard reports is reported once")
}

func TestMergeOneShardAndReorderedParts(t *testing.T) {
	whole := fleet()
	require.Equal(t, render(t, "json", whole), render(t, "json", mergedJSON(t, split(whole, 1))))
	shards := split(whole, 4)
	shards[0], shards[3] = shards[3], shards[0]
	require.Equal(t, render(t, "json", whole), render(t, "json", mergedJSON(t, shards)), "the order of the files does not matter")
}

func TestMergeKeepsRepeatsWithinAPart(t *testing.T) {
	f := findings[0]
	merged, err := Merge(Part{Input: Input{Findings: []check.Finding{f, f}}}, Part{Input: Input{Findings: []check.Finding{f}}})
	require.NoError(t, err)
	require.Equal(t, []check.Finding{f, f}, merged.Findings, "parts join as multisets: what one part found twice stays twice")
}

func TestMergeErrors(t *testing.T) {
	_, err := Merge()
	require.ErrorContains(t, err, "no reports to merge")

	a := Part{Name: "shard-1.json", Input: Input{Clusters: clusters[:1]}}
	b := Part{Name: "shard-2.json", Input: Input{Clusters: clusters}}
	_, err = Merge(a, b)
	require.EqualError(t, err, `cluster "prod-a" is in both shard-1.json and shard-2.json: the shards overlap`)
	_, err = Merge(Part{Input: Input{Clusters: clusters}}, Part{Input: Input{Clusters: clusters[1:]}})
	require.EqualError(t, err, `cluster "school-1" is in both part 1 and part 2: the shards overlap`)
	_, err = Merge(Part{Name: "shard-1.json", Input: Input{Clusters: append(clusters[:1:1], clusters[0])}})
	require.EqualError(t, err, `cluster "prod-a" is listed twice in shard-1.json`)
}

func TestReadJSONErrors(t *testing.T) {
	good := render(t, "json", fleet())
	for name, doc := range map[string]string{
		"SARIF":         string(render(t, "sarif", fleet())),
		"empty object":  "{}",
		"not JSON":      "## Hue policy check failed",
		"truncated":     string(good[:len(good)/2]),
		"two reports":   string(good) + string(good),
		"unknown field": strings.Replace(string(good), `"errors"`, `"ok": true, "errors"`, 1),
	} {
		_, err := ReadJSON(strings.NewReader(doc))
		require.ErrorContains(t, err, "not a hue check json report", name)
	}
	n := check.Errors(fleet().Findings)
	edited := strings.Replace(string(good), fmt.Sprintf(`"errors": %d`, n), fmt.Sprintf(`"errors": %d`, n-1), 1)
	_, err := ReadJSON(strings.NewReader(edited))
	require.ErrorContains(t, err, fmt.Sprintf("says %d errors but lists %d", n-1, n))
}

// validSARIF checks a log as TestSARIF does: the bytes valid against the 2.1.0 schema, and
// readable by go-sarif.
func validSARIF(t *testing.T, b []byte) {
	t.Helper()
	res, err := gojsonschema.Validate(gojsonschema.NewStringLoader(sarifSchema(t)), gojsonschema.NewBytesLoader(b))
	require.NoError(t, err)
	require.True(t, res.Valid(), "the log must validate against the SARIF 2.1.0 schema: %v", res.Errors())
	_, err = sarif.FromBytes(b)
	require.NoError(t, err)
}

// normalized is a SARIF log with its results in a canonical order, for comparing logs as sets.
func normalized(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var log map[string]any
	require.NoError(t, json.Unmarshal(b, &log))
	run := log["runs"].([]any)[0].(map[string]any)
	results := run["results"].([]any)
	key := func(r any) string { b, _ := json.Marshal(r); return string(b) }
	sort.Slice(results, func(i, j int) bool { return key(results[i]) < key(results[j]) })
	return log
}

func TestMergeSARIF(t *testing.T) {
	whole := fleet()
	var logs [][]byte
	for _, s := range split(whole, 3) {
		logs = append(logs, render(t, "sarif", s))
	}
	require.NotEqual(t, len(normalized(t, logs[0])["runs"].([]any)[0].(map[string]any)["tool"].(map[string]any)["driver"].(map[string]any)["rules"].([]any)),
		len(normalized(t, logs[1])["runs"].([]any)[0].(map[string]any)["tool"].(map[string]any)["driver"].(map[string]any)["rules"].([]any)),
		"shards list different rules (ids without metadata only where found), so rule indices must be rewritten")
	merged, err := MergeSARIF(logs...)
	require.NoError(t, err)
	validSARIF(t, merged)
	want := render(t, "sarif", whole)
	require.Equal(t, normalized(t, want), normalized(t, merged), "the same rules and the same set of results as one run")

	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID string `json:"id"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID       string `json:"ruleId"`
				RuleIndex    int    `json:"ruleIndex"`
				Suppressions []any  `json:"suppressions"`
			} `json:"results"`
		} `json:"runs"`
	}
	require.NoError(t, json.Unmarshal(merged, &log))
	require.Len(t, log.Runs, 1)
	run := log.Runs[0]
	require.Len(t, run.Results, len(whole.Findings)+len(whole.Waived), "the waiver findings every shard reports appear once")
	for i, r := range run.Results {
		require.Equal(t, r.RuleID, run.Tool.Driver.Rules[r.RuleIndex].ID, "ruleIndex points at the result's rule")
		if i > 0 && len(run.Results[i-1].Suppressions) > 0 {
			require.NotEmpty(t, r.Suppressions, "suppressed results come last, as one run writes them")
		}
	}

	again, err := MergeSARIF(logs[2], logs[0], logs[1])
	require.NoError(t, err)
	require.Equal(t, merged, again, "the order of the logs does not matter")
	one, err := MergeSARIF(want)
	require.NoError(t, err)
	require.Equal(t, normalized(t, want), normalized(t, one))
}

func TestMergeSARIFErrors(t *testing.T) {
	_, err := MergeSARIF()
	require.ErrorContains(t, err, "no SARIF logs to merge")

	a := render(t, "sarif", Input{Findings: findings[:1], Rules: rules, Clusters: clusters[:1]})
	other := map[string]Rule{}
	for id, r := range rules {
		other[id] = r
	}
	r := other["HUE-006"]
	r.Title = "Containers run as root"
	other["HUE-006"] = r
	b := render(t, "sarif", Input{Findings: findings[2:3], Rules: other, Clusters: clusters[1:]})
	_, err = MergeSARIF(a, b)
	require.EqualError(t, err, `rule "HUE-006" differs between SARIF logs 1 and 2: were the shards checked at different commits?`)

	_, err = MergeSARIF(a, bytes.Replace(a, []byte(`"name": "hue"`), []byte(`"name": "trivy"`), 1))
	require.ErrorContains(t, err, "SARIF log 2 differs from log 1 in more than results and rules")
	_, err = MergeSARIF(a, []byte("{"))
	require.ErrorContains(t, err, "SARIF log 2:")
	_, err = MergeSARIF([]byte(`{"version": "2.1.0", "runs": []}`))
	require.ErrorContains(t, err, "SARIF log 1: want one run")
}
