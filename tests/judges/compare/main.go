// Command compare holds the judges' verdicts on the golden renders against the reviewed ignore list.
//
//	go run ./tests/judges/compare -ignore tests/judges/ignore.yaml -goldens tests/golden \
//	    -kubeconform kubeconform.json -kube-score DIR
//
// -kubeconform is the output of one `kubeconform -summary -output json` run over every golden file;
// -kube-score holds one `kube-score score --output-format json` output per golden file, named
// <cluster>.json. It prints every finding that no ignore entry covers, and exits 1 if there is one,
// or if an entry matched nothing or gives no reason; it exits 2 when an input cannot be read.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

const (
	toolKubeScore   = "kube-score"
	toolKubeconform = "kubeconform"
)

// kubeconform's statuses, by the check names the ignore file uses for them.
var kubeconformChecks = map[string]string{
	"statusInvalid": "invalid",
	"statusError":   "error",
	"statusSkipped": "skipped",
}

// kube-score's grades (scorecard.Grade in v1.20.0): only critical and warning are findings.
const (
	gradeCritical = 1
	gradeWarning  = 5
	gradeAlmostOK = 7
	gradeAllOK    = 10
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// badInput is an input compare cannot judge: run turns every such error into exit 2, not a verdict.
func badInput(format string, args ...any) error {
	return fmt.Errorf(format, args...)
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	ignorePath := fs.String("ignore", "", "the reviewed ignore file (YAML list of entries)")
	goldens := fs.String("goldens", "", "directory of the golden renders, <cluster>.yaml")
	kcPath := fs.String("kubeconform", "", "kubeconform's JSON output (-summary -output json) over all golden files")
	ksDir := fs.String("kube-score", "", "directory of kube-score's JSON outputs, one <cluster>.json per golden file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *ignorePath == "" || *goldens == "" || *kcPath == "" || *ksDir == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "compare: -ignore, -goldens, -kubeconform and -kube-score are required, and nothing else")
		return 2
	}
	code, err := judge(*ignorePath, *goldens, *kcPath, *ksDir, stdout)
	if err != nil {
		fmt.Fprintln(stderr, "compare:", err)
		return 2
	}
	return code
}

// finding is one object that one check of one judge found fault with.
type finding struct {
	tool, check, grade             string
	cluster, kind, namespace, name string
	message                        string
	waivedBy                       *entry
}

func (f finding) object() string {
	if f.namespace != "" {
		return f.kind + " " + f.namespace + "/" + f.name
	}
	return f.kind + " " + f.name
}

func judge(ignorePath, goldens, kcPath, ksDir string, out io.Writer) (int, error) {
	entries, err := loadIgnore(ignorePath)
	if err != nil {
		return 0, err
	}
	clusters, err := countObjects(goldens)
	if err != nil {
		return 0, err
	}
	kc, kcSummary, err := readKubeconform(kcPath, clusters)
	if err != nil {
		return 0, err
	}
	ks, ksObjects, err := readKubeScore(ksDir, clusters)
	if err != nil {
		return 0, err
	}
	findings := append(kc, ks...)
	sort.SliceStable(findings, func(i, j int) bool {
		a, b := findings[i], findings[j]
		return strings.Join([]string{a.tool, a.check, a.cluster, a.kind, a.namespace, a.name}, "\x00") <
			strings.Join([]string{b.tool, b.check, b.cluster, b.kind, b.namespace, b.name}, "\x00")
	})

	matched := make([]int, len(entries))
	for i := range findings {
		for j := range entries {
			if entries[j].matches(findings[i]) {
				matched[j]++
				if findings[i].waivedBy == nil && entries[j].reasonProblem() == "" {
					findings[i].waivedBy = &entries[j]
				}
			}
		}
	}

	failed := false
	for _, f := range findings {
		if f.waivedBy != nil {
			continue
		}
		failed = true
		grade := ""
		if f.grade != "" {
			grade = " " + f.grade
		}
		fmt.Fprintf(out, "FINDING %s %s%s %s %s: %s\n", f.tool, f.check, grade, f.cluster, f.object(), f.message)
	}
	for j, e := range entries {
		if p := e.reasonProblem(); p != "" {
			failed = true
			fmt.Fprintf(out, "IGNORE %s:%d: entry %d (%s %s): %s\n", ignorePath, e.line, j+1, e.tool, e.check, p)
		}
		if matched[j] == 0 {
			failed = true
			fmt.Fprintf(out, "IGNORE %s:%d: entry %d (%s %s) matched no finding: stale, remove or narrow it\n", ignorePath, e.line, j+1, e.tool, e.check)
		}
	}

	printSummary(out, findings, clusters, kcSummary, ksObjects)
	if failed {
		return 1, nil
	}
	return 0, nil
}

func printSummary(out io.Writer, findings []finding, clusters map[string]int, kc kubeconformSummary, ksObjects int) {
	total := 0
	for _, n := range clusters {
		total += n
	}
	fmt.Fprintf(out, "\nkubeconform: %d objects in %d golden files: %d valid, %d invalid, %d errors, %d skipped\n",
		total, len(clusters), kc.Valid, kc.Invalid, kc.Errors, kc.Skipped)
	fmt.Fprintf(out, "kube-score: %d objects scored\n", ksObjects)
	type counts struct{ all, waived int }
	byCheck := map[string]*counts{}
	var keys []string
	for _, f := range findings {
		k := f.tool + " " + f.check
		c, ok := byCheck[k]
		if !ok {
			c = &counts{}
			byCheck[k] = c
			keys = append(keys, k)
		}
		c.all++
		if f.waivedBy != nil {
			c.waived++
		}
	}
	sort.Strings(keys)
	fmt.Fprintf(out, "%-70s %8s %8s %8s\n", "findings by check", "found", "waived", "left")
	sum := counts{}
	for _, k := range keys {
		c := byCheck[k]
		sum.all += c.all
		sum.waived += c.waived
		fmt.Fprintf(out, "%-70s %8d %8d %8d\n", k, c.all, c.waived, c.all-c.waived)
	}
	fmt.Fprintf(out, "%-70s %8d %8d %8d\n", "total", sum.all, sum.waived, sum.all-sum.waived)
}

// countObjects returns the number of objects in each golden file, by cluster name.
func countObjects(dir string) (map[string]int, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, badInput("%s: %v", dir, err)
	}
	if len(files) == 0 {
		return nil, badInput("%s: no golden files (*.yaml)", dir)
	}
	clusters := map[string]int{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, badInput("%v", err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		n := 0
		for {
			var doc yaml.Node
			err := dec.Decode(&doc)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, badInput("%s: %v", f, err)
			}
			// A document that holds nothing (a bare separator) is not an object to either judge.
			if len(doc.Content) > 0 && doc.Content[0].Kind == yaml.MappingNode && len(doc.Content[0].Content) > 0 {
				n++
			}
		}
		clusters[clusterOf(f)] = n
	}
	return clusters, nil
}

func clusterOf(file string) string {
	base := filepath.Base(file)
	return strings.TrimSuffix(strings.TrimSuffix(base, ".yaml"), ".yml")
}

type kubeconformSummary struct {
	Valid   int `json:"valid"`
	Invalid int `json:"invalid"`
	Errors  int `json:"errors"`
	Skipped int `json:"skipped"`
}

// readKubeconform turns every object kubeconform did not call valid into a finding, and checks
// that it judged every object of every golden file.
func readKubeconform(file string, clusters map[string]int) ([]finding, kubeconformSummary, error) {
	var doc struct {
		Resources []struct {
			Filename string `json:"filename"`
			Kind     string `json:"kind"`
			Name     string `json:"name"`
			Version  string `json:"version"`
			Status   string `json:"status"`
			Msg      string `json:"msg"`
		} `json:"resources"`
		Summary *kubeconformSummary `json:"summary"`
	}
	if err := decodeJSONFile(file, &doc); err != nil {
		return nil, kubeconformSummary{}, err
	}
	if doc.Summary == nil {
		return nil, kubeconformSummary{}, badInput("%s: no summary (run kubeconform with -summary)", file)
	}
	s := *doc.Summary
	total := 0
	for _, n := range clusters {
		total += n
	}
	if judged := s.Valid + s.Invalid + s.Errors + s.Skipped; judged != total {
		return nil, s, badInput("%s: kubeconform judged %d objects, the golden files hold %d", file, judged, total)
	}
	var out []finding
	listedSkips := 0
	for i, r := range doc.Resources {
		if r.Status == "statusValid" {
			continue
		}
		check, ok := kubeconformChecks[r.Status]
		if !ok {
			return nil, s, badInput("%s: resources[%d]: unknown status %q", file, i, r.Status)
		}
		if check == "skipped" {
			listedSkips++
		}
		cluster := clusterOf(r.Filename)
		if _, ok := clusters[cluster]; !ok {
			return nil, s, badInput("%s: resources[%d]: file %q is not a golden file", file, i, r.Filename)
		}
		kind := r.Kind
		if r.Version != "" {
			kind = r.Version + "/" + r.Kind
		}
		out = append(out, finding{tool: toolKubeconform, check: check, cluster: cluster, kind: r.Kind, name: r.Name,
			message: strings.TrimSpace(kind + ": " + r.Msg)})
	}
	// Without -verbose kubeconform counts skipped objects but does not list them.
	if extra := s.Skipped - listedSkips; extra > 0 {
		out = append(out, finding{tool: toolKubeconform, check: "skipped", cluster: "?", kind: "?", name: "?",
			message: fmt.Sprintf("%d objects skipped and not listed (a -skip or -ignore-missing-schemas crept in?)", extra)})
	}
	return out, s, nil
}

// kube-score's JSON v2 output: a list of scored objects.
type scoredObject struct {
	TypeMeta struct {
		Kind       string `json:"kind"`
		APIVersion string `json:"apiVersion"`
	} `json:"type_meta"`
	ObjectMeta struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"object_meta"`
	Checks []struct {
		Check struct {
			ID string `json:"id"`
		} `json:"check"`
		Grade    int  `json:"grade"`
		Skipped  bool `json:"skipped"`
		Comments []struct {
			Path        string `json:"path"`
			Summary     string `json:"summary"`
			Description string `json:"description"`
		} `json:"comments"`
	} `json:"checks"`
}

// readKubeScore turns every critical or warning grade into a finding; OK and skipped checks are not.
func readKubeScore(dir string, clusters map[string]int) ([]finding, int, error) {
	var out []finding
	scored := 0
	for _, cluster := range sortedKeys(clusters) {
		file := filepath.Join(dir, cluster+".json")
		var objs []scoredObject
		if err := decodeJSONFile(file, &objs); err != nil {
			return nil, 0, err
		}
		if len(objs) == 0 && clusters[cluster] > 0 {
			return nil, 0, badInput("%s: kube-score scored no object of %d", file, clusters[cluster])
		}
		scored += len(objs)
		for i, o := range objs {
			if o.TypeMeta.Kind == "" || o.ObjectMeta.Name == "" {
				return nil, 0, badInput("%s: [%d]: object without type_meta.kind or object_meta.name", file, i)
			}
			for j, c := range o.Checks {
				if c.Check.ID == "" {
					return nil, 0, badInput("%s: [%d].checks[%d]: no check.id", file, i, j)
				}
				var grade string
				switch c.Grade {
				case gradeCritical:
					grade = "CRITICAL"
				case gradeWarning:
					grade = "WARNING"
				case gradeAlmostOK, gradeAllOK:
				default:
					if !c.Skipped {
						return nil, 0, badInput("%s: [%d].checks[%d] (%s): unknown grade %d", file, i, j, c.Check.ID, c.Grade)
					}
				}
				if c.Skipped || grade == "" {
					continue
				}
				var msgs []string
				for _, cm := range c.Comments {
					m := cm.Summary
					if cm.Path != "" {
						m = cm.Path + ": " + m
					}
					msgs = append(msgs, m)
				}
				out = append(out, finding{tool: toolKubeScore, check: c.Check.ID, grade: grade, cluster: cluster,
					kind: o.TypeMeta.Kind, namespace: o.ObjectMeta.Namespace, name: o.ObjectMeta.Name,
					message: strings.Join(msgs, "; ")})
			}
		}
	}
	return out, scored, nil
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func decodeJSONFile(file string, v any) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return badInput("%v", err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return badInput("%s: %v", file, err)
	}
	return nil
}

// entry is one reviewed waiver. The glob fields (path.Match syntax) default to "*".
type entry struct {
	line                           int
	tool, check, reason            string
	cluster, kind, namespace, name string
	hasReason                      bool
}

func (e entry) matches(f finding) bool {
	return e.tool == f.tool && e.check == f.check &&
		glob(e.cluster, f.cluster) && glob(e.kind, f.kind) && glob(e.namespace, f.namespace) && glob(e.name, f.name)
}

func glob(pattern, s string) bool {
	if pattern == "" {
		return true
	}
	ok, _ := path.Match(pattern, s)
	return ok
}

// reasonProblem says what is wrong with an entry's reason; such an entry waives nothing.
func (e entry) reasonProblem() string {
	r := strings.TrimSpace(e.reason)
	switch {
	case !e.hasReason:
		return "no reason: say why the finding is acceptable and what guards the risk"
	case r == "":
		return "empty reason"
	case strings.HasPrefix(strings.ToUpper(r), "TODO"):
		return "reason is a TODO, not a reason"
	}
	return ""
}

var entryFields = map[string]bool{
	"tool": true, "check": true, "reason": true, "cluster": true, "kind": true, "namespace": true, "name": true,
}

// loadIgnore reads the ignore file, naming the line of anything it cannot accept.
func loadIgnore(file string) ([]entry, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, badInput("%v", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, badInput("%s: %v", file, err)
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	list := doc.Content[0]
	if list.Kind != yaml.SequenceNode {
		return nil, badInput("%s:%d: want a list of entries", file, list.Line)
	}
	var out []entry
	for i, item := range list.Content {
		if item.Kind != yaml.MappingNode {
			return nil, badInput("%s:%d: entry %d: want a mapping of tool, check, reason, cluster, kind, namespace, name", file, item.Line, i+1)
		}
		e := entry{line: item.Line}
		seen := map[string]bool{}
		for k := 0; k+1 < len(item.Content); k += 2 {
			key, val := item.Content[k], item.Content[k+1]
			// A reason shared by several entries is written once with an anchor.
			if val.Kind == yaml.AliasNode && val.Alias != nil {
				val = val.Alias
			}
			if !entryFields[key.Value] {
				return nil, badInput("%s:%d: entry %d: unknown field %q", file, key.Line, i+1, key.Value)
			}
			if seen[key.Value] {
				return nil, badInput("%s:%d: entry %d: field %q given twice", file, key.Line, i+1, key.Value)
			}
			seen[key.Value] = true
			if val.Kind != yaml.ScalarNode || val.Tag == "!!null" {
				return nil, badInput("%s:%d: entry %d: field %q must be a string", file, val.Line, i+1, key.Value)
			}
			switch key.Value {
			case "tool":
				e.tool = val.Value
			case "check":
				e.check = val.Value
			case "reason":
				e.reason, e.hasReason = val.Value, true
			case "cluster":
				e.cluster = val.Value
			case "kind":
				e.kind = val.Value
			case "namespace":
				e.namespace = val.Value
			case "name":
				e.name = val.Value
			}
			if key.Value != "reason" && key.Value != "tool" && key.Value != "check" {
				if _, err := path.Match(val.Value, ""); err != nil {
					return nil, badInput("%s:%d: entry %d: %s: bad glob %q: %v", file, val.Line, i+1, key.Value, val.Value, err)
				}
			}
		}
		switch e.tool {
		case toolKubeScore:
		case toolKubeconform:
			if !validKubeconformCheck(e.check) {
				return nil, badInput("%s:%d: entry %d: kubeconform check %q: want invalid, error or skipped", file, item.Line, i+1, e.check)
			}
			if e.namespace != "" {
				return nil, badInput("%s:%d: entry %d: kubeconform reports no namespace; scope by cluster, kind and name", file, item.Line, i+1)
			}
		case "":
			return nil, badInput("%s:%d: entry %d: no tool (kube-score or kubeconform)", file, item.Line, i+1)
		default:
			return nil, badInput("%s:%d: entry %d: unknown tool %q (kube-score or kubeconform)", file, item.Line, i+1, e.tool)
		}
		if e.check == "" {
			return nil, badInput("%s:%d: entry %d: no check", file, item.Line, i+1)
		}
		out = append(out, e)
	}
	return out, nil
}

func validKubeconformCheck(c string) bool {
	for _, v := range kubeconformChecks {
		if v == c {
			return true
		}
	}
	return false
}
