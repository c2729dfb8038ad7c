// Package report writes check findings for people and CI: text, json, sarif, junit, markdown.
package report

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/hue-platform/hue-gitops/generators/check"
)

// Rule describes a check or policy (policy.PolicyMeta converts to it).
type Rule struct {
	ID          string         `json:"id"`
	Title       string         `json:"title"`
	Severity    check.Severity `json:"severity"`
	Rationale   string         `json:"rationale,omitempty"`
	Remediation string         `json:"remediation,omitempty"`
}

// Cluster summarises one checked cluster.
type Cluster struct {
	Name        string `json:"name"`
	Fleet       string `json:"fleet"`
	Environment string `json:"environment,omitempty"`
	Objects     int    `json:"objects"`
	// Overlay is the cluster's overlay folder, where findings without a source file point.
	Overlay string `json:"overlay,omitempty"`
}

// Formats lists what Write can produce.
var Formats = []string{"text", "json", "sarif", "junit", "markdown"}

// Input is what a report is made of.
type Input struct {
	// Findings are what the checks found and no waiver excused.
	Findings []check.Finding
	// Waived are the findings reviewed waivers excused, each naming its waiver: SARIF carries
	// them as suppressed results, the other formats count them.
	Waived []check.Finding
	// Rules describes the check ids; findings of ids without a rule are still reported.
	Rules    map[string]Rule
	Clusters []Cluster
}

// Write renders a report in one format.
func Write(w io.Writer, format string, in Input) error {
	fs := append([]check.Finding(nil), in.Findings...)
	check.Sort(fs)
	waived := append([]check.Finding(nil), in.Waived...)
	check.Sort(waived)
	rules, clusters := in.Rules, in.Clusters
	switch format {
	case "text":
		return writeText(w, fs, len(waived), clusters)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(jsonReport{clusters, nonNil(fs), check.Errors(fs), nonNil(waived)})
	case "sarif":
		return writeSARIF(w, fs, waived, rules, clusters)
	case "junit":
		return writeJUnit(w, fs, rules, clusters)
	case "markdown":
		return writeMarkdown(w, fs, len(waived), rules, clusters)
	}
	return fmt.Errorf("unknown report format %q (one of %s)", format, strings.Join(Formats, ", "))
}

// jsonReport is the json format, which ReadJSON reads back.
type jsonReport struct {
	Clusters []Cluster       `json:"clusters"`
	Findings []check.Finding `json:"findings"`
	Errors   int             `json:"errors"`
	Waived   []check.Finding `json:"waived"`
}

func nonNil(fs []check.Finding) []check.Finding {
	if fs == nil {
		return []check.Finding{}
	}
	return fs
}

func writeText(w io.Writer, fs []check.Finding, waived int, clusters []Cluster) error {
	for _, f := range fs {
		if _, err := fmt.Fprintln(w, f.String()); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(w, "%d clusters checked: %d errors, %d warnings%s\n", len(clusters), check.Errors(fs), len(fs)-check.Errors(fs), waivedNote(waived))
	return err
}

func waivedNote(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" (%d waived)", n)
}

// ruleIDs lists the rules and every check id of the findings, sorted.
func ruleIDs(fs []check.Finding, rules map[string]Rule) []string {
	seen := map[string]bool{}
	for id := range rules {
		seen[id] = true
	}
	for _, f := range fs {
		seen[f.Check] = true
	}
	ids := make([]string, 0, len(seen))
	for id := range seen {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

func ruleFor(id string, rules map[string]Rule) Rule {
	if r, ok := rules[id]; ok {
		return r
	}
	return Rule{ID: id, Title: id + " check", Severity: check.SeverityError}
}

func object(f check.Finding) string {
	parts := []string{f.Kind}
	if f.Namespace != "" {
		parts = append(parts, f.Namespace)
	}
	if f.Name != "" {
		parts = append(parts, f.Name)
	}
	return strings.Join(parts, "/")
}

// writeSARIF writes a SARIF 2.1.0 log with go-sarif's types: one rule per check id, one result
// per finding, located in the repository file the object came from (the cluster's overlay when
// it has none) and logically as cluster, object and field. The partial fingerprint keeps an
// alert's identity across runs when the file's lines move.
func writeSARIF(w io.Writer, fs, waived []check.Finding, rules map[string]Rule, clusters []Cluster) error {
	all := append(append([]check.Finding(nil), fs...), waived...)
	ids := ruleIDs(all, rules)
	index := map[string]int{}
	descriptors := make([]*sarif.ReportingDescriptor, 0, len(ids))
	for i, id := range ids {
		r := ruleFor(id, rules)
		index[id] = i
		d := sarif.NewReportingDescriptor().WithID(id).WithName(r.Title).
			WithShortDescription(sarif.NewMultiformatMessageString().WithText(r.Title)).
			WithHelp(sarif.NewMultiformatMessageString().WithText(firstNonEmpty(r.Remediation, r.Title))).
			WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(string(r.Severity)))
		if r.Rationale != "" {
			d.WithFullDescription(sarif.NewMultiformatMessageString().WithText(r.Rationale))
		}
		descriptors = append(descriptors, d)
	}
	overlays := map[string]string{}
	for _, c := range clusters {
		overlays[c.Name] = c.Overlay
	}
	run := sarif.NewRun().WithTool(sarif.NewTool().WithDriver(sarif.NewToolComponent().WithName("hue").WithRules(descriptors)))
	for _, f := range all {
		logical := []*sarif.LogicalLocation{
			sarif.NewLogicalLocation().WithName(f.Cluster).WithFullyQualifiedName(f.Cluster).WithKind("cluster"),
			sarif.NewLogicalLocation().WithName(f.Name).WithFullyQualifiedName(f.Cluster + "/" + object(f)).WithKind("object"),
		}
		if f.Field != "" {
			logical = append(logical, sarif.NewLogicalLocation().WithName(f.Field).
				WithFullyQualifiedName(f.Cluster+"/"+object(f)+":"+f.Field).WithKind("member"))
		}
		loc := sarif.NewLocation().WithLogicalLocations(logical)
		if file := firstNonEmpty(f.Spec, f.Source, kustomization(overlays[f.Cluster])); file != "" {
			loc.WithPhysicalLocation(sarif.NewPhysicalLocation().WithArtifactLocation(sarif.NewArtifactLocation().WithURI(file)))
		}
		msg := fmt.Sprintf("%s %s", object(f), f.Message)
		if f.Field != "" {
			msg = fmt.Sprintf("%s %s: %s", object(f), f.Field, f.Message)
		}
		if f.SpecField != "" {
			msg += " (edit " + f.Spec + ": " + f.SpecField + ")"
		}
		sum := sha256.Sum256([]byte(strings.Join([]string{f.Check, f.Cluster, object(f), f.Field}, "\x00")))
		res := sarif.NewResult().WithRuleID(f.Check).WithRuleIndex(index[f.Check]).WithLevel(string(f.Severity)).
			WithMessage(sarif.NewTextMessage(fmt.Sprintf("[%s] %s", f.Cluster, msg))).
			WithLocations([]*sarif.Location{loc}).
			WithPartialFingerprints(map[string]string{"hueFinding/v1": hex.EncodeToString(sum[:16])})
		var related []*sarif.Location
		addRelated := func(uri, text string) {
			related = append(related, sarif.NewLocation().WithID(len(related)).
				WithPhysicalLocation(sarif.NewPhysicalLocation().WithArtifactLocation(sarif.NewArtifactLocation().WithURI(uri))).
				WithMessage(sarif.NewTextMessage(text)))
		}
		if f.Spec != "" && f.Source != "" {
			addRelated(f.Source, "generated from "+f.Spec+": change the spec, not this file")
		}
		if f.Related != "" {
			addRelated(f.Related, "the fix may belong here instead")
		}
		if len(related) > 0 {
			res.WithRelatedLocations(related)
		}
		if f.Waiver != "" {
			// A reviewed waiver: code scanning shows the result as suppressed, with the reason.
			res.WithSuppressions([]*sarif.Suppression{sarif.NewSuppression().WithKind("external").
				WithStatus("accepted").WithJustification(f.Waiver)})
		}
		run.AddResult(res)
	}
	return writeSARIFLog(w, sarif.NewReport().AddRun(run))
}

// files names the files a finding concerns, the spec to edit first.
func files(f check.Finding) string {
	return strings.Join(f.Files(), ", ")
}

func kustomization(overlay string) string {
	if overlay == "" {
		return ""
	}
	return path.Join(overlay, "kustomization.yaml")
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// JUnit: a testsuite per cluster, a testcase per rule, a failure per error finding. Warnings do
// not fail a build, so they go to the testcase's system-out.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string         `xml:"name,attr"`
	Classname string         `xml:"classname,attr"`
	Failures  []junitFailure `xml:"failure"`
	SystemOut string         `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

func byCluster(fs []check.Finding, clusters []Cluster) ([]string, map[string][]check.Finding) {
	groups := map[string][]check.Finding{}
	var names []string
	for _, c := range clusters {
		if _, ok := groups[c.Name]; !ok {
			names = append(names, c.Name)
			groups[c.Name] = nil
		}
	}
	for _, f := range fs {
		if _, ok := groups[f.Cluster]; !ok {
			names = append(names, f.Cluster)
		}
		groups[f.Cluster] = append(groups[f.Cluster], f)
	}
	return names, groups
}

func writeJUnit(w io.Writer, fs []check.Finding, rules map[string]Rule, clusters []Cluster) error {
	names, groups := byCluster(fs, clusters)
	ids := ruleIDs(fs, rules)
	out := junitSuites{Name: "hue check"}
	for _, cl := range names {
		suiteName := cl
		if suiteName == "" {
			suiteName = "(all clusters)"
		}
		s := junitSuite{Name: suiteName}
		for _, id := range ids {
			r := ruleFor(id, rules)
			tc := junitCase{Name: id + " " + r.Title, Classname: suiteName}
			var warnings []string
			for _, f := range groups[cl] {
				if f.Check != id {
					continue
				}
				text := fmt.Sprintf("%s %s: %s\nsource: %s", object(f), f.Field, f.Message, files(f))
				if f.Severity == check.SeverityError {
					tc.Failures = append(tc.Failures, junitFailure{Message: object(f) + ": " + f.Message, Type: id, Text: text})
				} else {
					warnings = append(warnings, "warning: "+text)
				}
			}
			tc.SystemOut = strings.Join(warnings, "\n")
			s.Tests++
			s.Failures += len(tc.Failures)
			s.Cases = append(s.Cases, tc)
		}
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Suites = append(out.Suites, s)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func writeMarkdown(w io.Writer, fs []check.Finding, waived int, rules map[string]Rule, clusters []Cluster) error {
	var b strings.Builder
	errs := check.Errors(fs)
	status := "passed"
	if errs > 0 {
		status = "failed"
	}
	fmt.Fprintf(&b, "## Hue policy check %s\n\n%d clusters, %d errors, %d warnings%s.\n\n", status, len(clusters), errs, len(fs)-errs, waivedNote(waived))
	names, groups := byCluster(fs, clusters)
	fleet := map[string]string{}
	for _, c := range clusters {
		fleet[c.Name] = c.Fleet
	}
	sort.SliceStable(names, func(i, j int) bool {
		if fleet[names[i]] != fleet[names[j]] {
			return fleet[names[i]] < fleet[names[j]]
		}
		return names[i] < names[j]
	})
	objects := map[string]int{}
	for _, c := range clusters {
		objects[c.Name] = c.Objects
	}
	b.WriteString("| fleet | cluster | objects | errors | warnings |\n|---|---|---:|---:|---:|\n")
	for _, n := range names {
		e := check.Errors(groups[n])
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %d |\n", cell(fleet[n]), cell(n), objects[n], e, len(groups[n])-e)
	}
	for _, n := range names {
		if len(groups[n]) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n### %s\n\n| | check | object | field | message | file |\n|---|---|---|---|---|---|\n", cell(n))
		for _, f := range groups[n] {
			icon := "❌"
			if f.Severity == check.SeverityWarning {
				icon = "⚠️"
			}
			fmt.Fprintf(&b, "| %s | %s | `%s` | `%s` | %s | %s |\n", icon, cell(f.Check), cell(object(f)), cell(f.Field), cell(f.Message), cell(files(f)))
		}
	}
	var used []string
	seen := map[string]bool{}
	for _, f := range fs {
		if r, ok := rules[f.Check]; ok && !seen[f.Check] && r.Remediation != "" {
			seen[f.Check] = true
			used = append(used, f.Check)
		}
	}
	sort.Strings(used)
	if len(used) > 0 {
		b.WriteString("\n<details><summary>How to fix</summary>\n\n")
		for _, id := range used {
			fmt.Fprintf(&b, "- **%s %s**: %s\n", id, cell(rules[id].Title), cell(rules[id].Remediation))
		}
		b.WriteString("\n</details>\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// cell escapes text for a Markdown table cell; GitHub would read <x> as HTML.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "`", "'", "<", "&lt;", ">", "&gt;").Replace(s)
}
