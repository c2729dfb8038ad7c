package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
	"github.com/stretchr/testify/require"
	"github.com/xeipuuv/gojsonschema"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"

	"github.com/hue-platform/hue-gitops/generators/check"
)

var (
	rules = map[string]Rule{
		"HUE-006": {ID: "HUE-006", Title: "Containers run as non-root", Severity: check.SeverityError, Rationale: "PSS", Remediation: "Set runAsNonRoot true."},
		"HUE-004": {ID: "HUE-004", Title: "Production images are pinned by digest", Severity: check.SeverityWarning, Remediation: "Pin | by digest."},
		"HUE-001": {ID: "HUE-001", Title: "Requests and limits", Severity: check.SeverityError},
	}
	clusters = []Cluster{
		{Name: "prod-a", Fleet: "enterprise", Environment: "production", Objects: 120, Overlay: "overlays/prod-a"},
		{Name: "school-1", Fleet: "school", Environment: "production", Objects: 40, Overlay: "overlays/school-1"},
	}
	findings = []check.Finding{
		{Check: "HUE-006", Severity: check.SeverityError, Cluster: "prod-a", Kind: "Deployment", Namespace: "hue", Name: "music",
			Field: "spec.template.spec.containers[0].securityContext.runAsNonRoot", Message: `container "music" does not set runAsNonRoot true`, Source: "base/music/deployment.yaml", Spec: "base/music/hue.yaml"},
		{Check: "HUE-004", Severity: check.SeverityWarning, Cluster: "prod-a", Kind: "Deployment", Namespace: "hue", Name: "music",
			Field: "spec.template.spec.containers[0].image", Message: "not pinned <by> digest & more", Source: "base/music/deployment.yaml",
			Spec: "base/music/hue.yaml", SpecField: "spec.image"},
		{Check: "schema", Severity: check.SeverityError, Cluster: "school-1", Kind: "Namespace", Name: "hue", Message: "unknown field a|b"},
		{Check: "scheduling", Severity: check.SeverityError, Cluster: "school-1", Kind: "Deployment", Namespace: "hue", Name: "learner",
			Field: "spec.template.spec", Message: "no pool fits", Source: "base/learner/deployment.yaml", Related: "clusters/school/school-1.yaml"},
	}
)

// waived is a finding a reviewed waiver excused.
var waived = []check.Finding{{Check: "HUE-004", Severity: check.SeverityWarning, Cluster: "school-1", Kind: "CronJob", Namespace: "hue",
	Name: "digest", Field: "spec.jobTemplate.spec.template.spec.containers[0].image", Message: "not pinned", Source: "base/digest/cronjob.yaml",
	Waiver: "policies/waivers.yaml[4]: owner platform-release, until 2027-03-31: images not yet published"}}

func write(t *testing.T, format string) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, Write(&buf, format, Input{Findings: findings, Waived: waived, Rules: rules, Clusters: clusters}))
	return buf.Bytes()
}

func TestSARIF(t *testing.T) {
	out := write(t, "sarif")
	// The bytes as written, against the SARIF 2.1.0 schema go-sarif carries.
	res, err := gojsonschema.Validate(gojsonschema.NewStringLoader(sarifSchema(t)), gojsonschema.NewBytesLoader(out))
	require.NoError(t, err)
	require.True(t, res.Valid(), "the log must validate against the SARIF 2.1.0 schema: %v", res.Errors())
	_, err = sarif.FromBytes(out)
	require.NoError(t, err, "go-sarif reads the log back")
	for _, empty := range []string{"[]", "{}", `""`, `"en-US"`} {
		require.NotContains(t, string(out), empty, "empty and default properties are left out")
	}
	var log map[string]any
	require.NoError(t, json.Unmarshal(out, &log))
	require.Equal(t, "2.1.0", log["version"])
	require.Contains(t, log["$schema"], "sarif-schema-2.1.0")
	run := log["runs"].([]any)[0].(map[string]any)
	driver := run["tool"].(map[string]any)["driver"].(map[string]any)
	require.Equal(t, "hue", driver["name"])
	ruleIDs := map[string]map[string]any{}
	for _, r := range driver["rules"].([]any) {
		m := r.(map[string]any)
		ruleIDs[m["id"].(string)] = m
		require.NotEmpty(t, m["shortDescription"].(map[string]any)["text"])
		require.NotEmpty(t, m["help"].(map[string]any)["text"])
	}
	require.Contains(t, ruleIDs, "schema", "checks without metadata still get a rule")
	require.Equal(t, "warning", ruleIDs["HUE-004"]["defaultConfiguration"].(map[string]any)["level"])

	results := run["results"].([]any)
	require.Len(t, results, len(findings)+len(waived), "waived findings are results too, suppressed")
	fingerprints := map[string]bool{}
	for _, r := range results {
		m := r.(map[string]any)
		require.Contains(t, ruleIDs, m["ruleId"])
		require.Contains(t, []any{"error", "warning"}, m["level"])
		require.NotEmpty(t, m["message"].(map[string]any)["text"])
		loc := m["locations"].([]any)[0].(map[string]any)
		logical := loc["logicalLocations"].([]any)
		require.Equal(t, "cluster", logical[0].(map[string]any)["kind"])
		if m["ruleId"] == "HUE-006" {
			require.Equal(t, "base/music/hue.yaml", loc["physicalLocation"].(map[string]any)["artifactLocation"].(map[string]any)["uri"],
				"located on the spec a person edits")
			require.Equal(t, "prod-a/Deployment/hue/music", logical[1].(map[string]any)["fullyQualifiedName"])
			related := m["relatedLocations"].([]any)
			require.Len(t, related, 1)
			require.Equal(t, "base/music/deployment.yaml", related[0].(map[string]any)["physicalLocation"].(map[string]any)["artifactLocation"].(map[string]any)["uri"],
				"the generated file is related")
		}
		if m["ruleId"] == "HUE-004" && strings.Contains(m["message"].(map[string]any)["text"].(string), "Deployment/hue/music") {
			require.Contains(t, m["message"].(map[string]any)["text"], "(edit base/music/hue.yaml: spec.image)")
		}
		if m["ruleId"] == "schema" {
			require.Equal(t, "overlays/school-1/kustomization.yaml", loc["physicalLocation"].(map[string]any)["artifactLocation"].(map[string]any)["uri"],
				"a finding without a source file points at its cluster's overlay")
		}
		if m["ruleId"] == "scheduling" {
			related := m["relatedLocations"].([]any)[0].(map[string]any)
			require.Equal(t, "clusters/school/school-1.yaml", related["physicalLocation"].(map[string]any)["artifactLocation"].(map[string]any)["uri"])
		}
		suppressions, _ := m["suppressions"].([]any)
		if m["ruleId"] == "HUE-004" && strings.Contains(m["message"].(map[string]any)["text"].(string), "CronJob/hue/digest") {
			require.Len(t, suppressions, 1)
			sup := suppressions[0].(map[string]any)
			require.Equal(t, "external", sup["kind"])
			require.Equal(t, "accepted", sup["status"])
			require.Equal(t, waived[0].Waiver, sup["justification"])
		} else {
			require.Empty(t, suppressions, "only a waiver suppresses")
		}
		fingerprints[m["partialFingerprints"].(map[string]any)["hueFinding/v1"].(string)] = true
	}
	require.Len(t, fingerprints, len(findings)+len(waived), "every finding has its own fingerprint")
	require.Equal(t, out, write(t, "sarif"), "the same findings give the same log")
}

func TestJUnit(t *testing.T) {
	out := write(t, "junit")
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Name     string `xml:"name,attr"`
			Tests    int    `xml:"tests,attr"`
			Failures int    `xml:"failures,attr"`
			Cases    []struct {
				Name     string `xml:"name,attr"`
				Failures []struct {
					Message string `xml:"message,attr"`
				} `xml:"failure"`
				SystemOut string `xml:"system-out"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	require.NoError(t, xml.Unmarshal(out, &doc))
	require.Len(t, doc.Suites, 2)
	require.Equal(t, 3, doc.Failures, "errors fail, the warning does not")
	total, failures := 0, 0
	for _, s := range doc.Suites {
		require.Len(t, s.Cases, 5, "one testcase per rule and check id")
		total += s.Tests
		n := 0
		for _, c := range s.Cases {
			n += len(c.Failures)
			if s.Name == "prod-a" && strings.HasPrefix(c.Name, "HUE-004") {
				require.Contains(t, c.SystemOut, "not pinned <by> digest & more")
			}
		}
		require.Equal(t, s.Failures, n)
		failures += n
	}
	require.Equal(t, doc.Tests, total)
	require.Equal(t, doc.Failures, failures)
}

func TestMarkdown(t *testing.T) {
	md := string(write(t, "markdown"))
	require.Contains(t, md, "## Hue policy check failed\n\n2 clusters, 3 errors, 1 warnings (1 waived).")
	require.Contains(t, md, "| fleet | cluster | objects | errors | warnings |")
	require.Contains(t, md, "| enterprise | prod-a | 120 | 1 | 1 |")
	require.Contains(t, md, "| school | school-1 | 40 | 2 | 0 |")
	require.Contains(t, md, "| no pool fits | base/learner/deployment.yaml, clusters/school/school-1.yaml |", "the related file is named")
	require.Contains(t, md, "### prod-a")
	require.Contains(t, md, `Pin \| by digest.`)
	require.Contains(t, md, "not pinned &lt;by&gt; digest")
	require.Less(t, strings.Index(md, "enterprise"), strings.Index(md, "| school |"))
}

func TestTextAndJSON(t *testing.T) {
	text := string(write(t, "text"))
	require.Contains(t, text, "2 clusters checked: 3 errors, 1 warnings (1 waived)")
	require.NotContains(t, text, "CronJob/hue/digest", "waived findings are counted, not listed")
	require.Contains(t, text, "error: school-1 (base/learner/deployment.yaml, clusters/school/school-1.yaml) [scheduling]")
	var doc struct {
		Findings []check.Finding `json:"findings"`
		Errors   int             `json:"errors"`
		Waived   []check.Finding `json:"waived"`
	}
	require.NoError(t, json.Unmarshal(write(t, "json"), &doc))
	require.Equal(t, waived, doc.Waived)
	require.Len(t, doc.Findings, len(findings))
	require.Equal(t, 3, doc.Errors)
	require.Equal(t, "clusters/school/school-1.yaml", doc.Findings[2].Related)
	require.Error(t, Write(&bytes.Buffer{}, "html", Input{}))
}

// tables parses Markdown as GitHub does (GFM tables) and returns each table's rows as text cells,
// header first.
func tables(t *testing.T, md []byte) [][][]string {
	t.Helper()
	doc := goldmark.New(goldmark.WithExtensions(extension.Table)).Parser().Parse(text.NewReader(md))
	var out [][][]string
	require.NoError(t, ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if tbl, ok := n.(*east.Table); ok && entering {
			var rows [][]string
			for row := tbl.FirstChild(); row != nil; row = row.NextSibling() {
				var cells []string
				for c := row.FirstChild(); c != nil; c = c.NextSibling() {
					var b strings.Builder
					_ = ast.Walk(c, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
						if entering {
							switch x := n.(type) {
							case *ast.Text:
								b.Write(x.Segment.Value(md))
							case *ast.String:
								b.Write(x.Value)
							}
						}
						return ast.WalkContinue, nil
					})
					cells = append(cells, b.String())
				}
				rows = append(rows, cells)
			}
			out = append(out, rows)
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	}))
	return out
}

// The Markdown summary parses as GitHub renders it: one summary table, one findings table per
// cluster with a row a finding, and a message with a pipe in it stays in its cell.
func TestMarkdownParses(t *testing.T) {
	md := write(t, "markdown")
	ts := tables(t, md)
	require.Len(t, ts, 3, "summary, prod-a, school-1")
	require.Equal(t, []string{"fleet", "cluster", "objects", "errors", "warnings"}, ts[0][0])
	require.Len(t, ts[0], 3)
	require.Len(t, ts[1], 3, "header and prod-a's two findings")
	require.Len(t, ts[2], 3, "header and school-1's two findings")
	for _, tbl := range ts[1:] {
		for _, row := range tbl {
			require.Len(t, row, 6, "every row keeps its six cells: %q", row)
		}
	}
	require.Equal(t, "HUE-004", ts[1][1][1])
	require.Contains(t, ts[2][2][4], "unknown field a", "a pipe in a message does not split its cell")
	require.Equal(t, "not pinned &lt;by&gt; digest & more", ts[1][1][4], "HTML is escaped, the cell is whole")
}

// sarifSchema is the SARIF 2.1.0 JSON schema as go-sarif's pinned module holds it (a Go string
// constant of its source, so it is read from there).
func sarifSchema(t *testing.T) string {
	t.Helper()
	dir, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/owenrumney/go-sarif/v3").Output()
	require.NoError(t, err)
	src, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(dir)), "pkg", "report", "v210", "sarif", "schema.go"))
	require.NoError(t, err)
	m := regexp.MustCompile("(?s)const schema = `(.*?)`").FindSubmatch(src)
	require.NotNil(t, m, "go-sarif's schema.go holds the schema")
	return string(m[1])
}
