package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/hue-platform/hue-gitops/generators/check"
)

// Sharded checks (hue check --shard K/N on N runners) are joined in two ways. The json format is
// lossless, so ReadJSON and Merge rebuild the Input of the whole run, and Write then renders any
// format from it, Markdown and JUnit included: those are never parsed back, since they drop what
// a merge needs. MergeSARIF joins SARIF logs directly, for pipelines that upload only SARIF.

// Part is one shard's report, named (usually by its file) in Merge's errors.
type Part struct {
	Name  string
	Input Input
}

// ReadJSON reads a report Write wrote in the json format. That format carries no rules, so
// Rules is nil. Unknown fields are refused: a merge that dropped them would not be lossless.
func ReadJSON(r io.Reader) (Input, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var doc jsonReport
	if err := dec.Decode(&doc); err != nil {
		return Input{}, fmt.Errorf("not a hue check json report: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Input{}, errors.New("not a hue check json report: data after the report")
	}
	if doc.Findings == nil || doc.Waived == nil {
		return Input{}, errors.New("not a hue check json report: no findings or waived list")
	}
	if n := check.Errors(doc.Findings); n != doc.Errors {
		return Input{}, fmt.Errorf("hue check json report says %d errors but lists %d: edited or truncated?", doc.Errors, n)
	}
	return Input{Findings: doc.Findings, Waived: doc.Waived, Clusters: doc.Clusters}, nil
}

// Merge joins shard reports into the report of one run over all their clusters, sorted as that
// run would sort it (clusters by name, as the renderer orders them). A cluster in two parts is an
// error: the shards overlapped. A finding several parts report, such as an expired waiver that
// every shard sees, is kept as often as the part that has it most often. Rules is nil: the
// caller sets the checker's rules before writing.
func Merge(parts ...Part) (Input, error) {
	if len(parts) == 0 {
		return Input{}, errors.New("no reports to merge")
	}
	name := func(i int) string {
		if parts[i].Name != "" {
			return parts[i].Name
		}
		return fmt.Sprintf("part %d", i+1)
	}
	owner := map[string]int{}
	clusters := []Cluster{}
	for i, p := range parts {
		for _, c := range p.Input.Clusters {
			if j, ok := owner[c.Name]; ok {
				if j == i {
					return Input{}, fmt.Errorf("cluster %q is listed twice in %s", c.Name, name(i))
				}
				return Input{}, fmt.Errorf("cluster %q is in both %s and %s: the shards overlap", c.Name, name(j), name(i))
			}
			owner[c.Name] = i
			clusters = append(clusters, c)
		}
	}
	sort.SliceStable(clusters, func(i, j int) bool { return clusters[i].Name < clusters[j].Name })
	findings := union(parts, func(in Input) []check.Finding { return in.Findings })
	waived := union(parts, func(in Input) []check.Finding { return in.Waived })
	check.Sort(findings)
	check.Sort(waived)
	return Input{Findings: findings, Waived: waived, Clusters: clusters}, nil
}

// union is the multiset union of the parts' findings, in part order.
func union(parts []Part, get func(Input) []check.Finding) []check.Finding {
	out := []check.Finding{}
	kept := map[check.Finding]int{}
	for _, p := range parts {
		seen := map[check.Finding]int{}
		for _, f := range get(p.Input) {
			seen[f]++
			if seen[f] > kept[f] {
				kept[f]++
				out = append(out, f)
			}
		}
	}
	return out
}

// MergeSARIF joins SARIF logs hue wrote for shards into one log with one run: the union of the
// results (a result in several logs, such as an expired waiver, kept as often as the log that has
// it most often) and of the rules, deduplicated by id and sorted as writeSARIF sorts them, with
// every ruleIndex rewritten. Everything else in the logs must be the same: the tool, and any
// indexed arrays (artifacts, logical locations) results may point into, so those indices stay
// valid. hue's own logs use none, naming files by URI. Logs name no clusters, so unlike Merge
// this cannot notice overlapping shards.
func MergeSARIF(files ...[]byte) ([]byte, error) {
	if len(files) == 0 {
		return nil, errors.New("no SARIF logs to merge")
	}
	var base *sarif.Report
	var baseRest []byte
	rules := map[string]*sarif.ReportingDescriptor{}
	ruleFile := map[string]int{}
	var perFile [][]*sarif.Result
	for i, b := range files {
		log, err := sarif.FromBytes(b)
		if err != nil {
			return nil, fmt.Errorf("SARIF log %d: %w", i+1, err)
		}
		if len(log.Runs) != 1 || log.Runs[0] == nil || log.Runs[0].Tool == nil || log.Runs[0].Tool.Driver == nil {
			return nil, fmt.Errorf("SARIF log %d: want one run with a tool driver, as hue writes", i+1)
		}
		run := log.Runs[0]
		own := run.Tool.Driver.Rules
		for _, d := range own {
			if d == nil || d.ID == nil {
				return nil, fmt.Errorf("SARIF log %d: a rule without an id", i+1)
			}
			id := *d.ID
			if prev, ok := rules[id]; ok {
				if !sameJSON(prev, d) {
					return nil, fmt.Errorf("rule %q differs between SARIF logs %d and %d: were the shards checked at different commits?", id, ruleFile[id]+1, i+1)
				}
				continue
			}
			rules[id], ruleFile[id] = d, i
		}
		for _, r := range run.Results {
			if r == nil {
				return nil, fmt.Errorf("SARIF log %d: a null result", i+1)
			}
			if r.RuleID == nil {
				if r.RuleIndex < 0 || r.RuleIndex >= len(own) {
					return nil, fmt.Errorf("SARIF log %d: a result names no rule", i+1)
				}
				r.RuleID = own[r.RuleIndex].ID
			}
		}
		perFile = append(perFile, run.Results)
		run.Results, run.Tool.Driver.Rules = nil, nil
		rest, err := json.Marshal(log)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			base, baseRest = log, rest
		} else if !bytes.Equal(rest, baseRest) {
			return nil, fmt.Errorf("SARIF log %d differs from log 1 in more than results and rules: another tool, version or run?", i+1)
		}
	}

	ids := make([]string, 0, len(rules))
	for id := range rules {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	index := map[string]int{}
	descriptors := make([]*sarif.ReportingDescriptor, len(ids))
	for i, id := range ids {
		index[id], descriptors[i] = i, rules[id]
	}

	type keyed struct {
		r   *sarif.Result
		key string
	}
	results := []keyed{}
	kept := map[string]int{}
	for _, rs := range perFile {
		seen := map[string]int{}
		for _, r := range rs {
			i, ok := index[*r.RuleID]
			if !ok {
				i = -1
			}
			r.RuleIndex = i
			if r.Rule != nil && r.Rule.ToolComponent == nil {
				r.Rule.Index = i
			}
			b, err := json.Marshal(r)
			if err != nil {
				return nil, err
			}
			k := string(b)
			seen[k]++
			if seen[k] > kept[k] {
				kept[k]++
				results = append(results, keyed{r, k})
			}
		}
	}
	// writeSARIF's order, near enough: open results first, then by cluster and message.
	sort.SliceStable(results, func(i, j int) bool {
		a, b := results[i].r, results[j].r
		if sa, sb := len(a.Suppressions) > 0, len(b.Suppressions) > 0; sa != sb {
			return sb
		}
		if ca, cb := resultCluster(a), resultCluster(b); ca != cb {
			return ca < cb
		}
		if ma, mb := messageText(a), messageText(b); ma != mb {
			return ma < mb
		}
		return results[i].key < results[j].key
	})
	run := base.Runs[0]
	run.Tool.Driver.Rules = descriptors
	run.Results = make([]*sarif.Result, len(results))
	for i, k := range results {
		run.Results[i] = k.r
	}
	var out bytes.Buffer
	if err := writeSARIFLog(&out, base); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

func sameJSON(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}

// resultCluster is the cluster writeSARIF puts first among a result's logical locations.
func resultCluster(r *sarif.Result) string {
	if len(r.Locations) == 0 || r.Locations[0] == nil || len(r.Locations[0].LogicalLocations) == 0 {
		return ""
	}
	if l := r.Locations[0].LogicalLocations[0]; l != nil && l.FullyQualifiedName != nil {
		return *l.FullyQualifiedName
	}
	return ""
}

func messageText(r *sarif.Result) string {
	if r.Message == nil || r.Message.Text == nil {
		return ""
	}
	return *r.Message.Text
}
