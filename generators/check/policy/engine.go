// Package policy evaluates the platform's Rego policies (policies/<name>/<name>.rego) against
// rendered clusters, applies the reviewed waivers and turns violations into check findings.
package policy

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"golang.org/x/sync/errgroup"

	"github.com/hue-platform/hue-gitops/generators/api/v1alpha1"
	"github.com/hue-platform/hue-gitops/generators/check"
	"github.com/hue-platform/hue-gitops/generators/fileset"
	"github.com/hue-platform/hue-gitops/policies"
)

// query collects the violations of every policy package under data.hue; helper packages
// define no violation rule and contribute nothing.
const query = "v := data.hue[_].violation[_]"

// PolicyMeta is what a policy says about itself in its package METADATA block.
type PolicyMeta struct {
	ID          string         `json:"id"`
	Title       string         `json:"title"`
	Severity    check.Severity `json:"severity"`
	Rationale   string         `json:"rationale"`
	Remediation string         `json:"remediation"`
	// Package is the Rego package, for example data.hue.resources.
	Package string `json:"package"`
	// File is the policy file relative to the policies folder, for example resources/resources.rego.
	File string `json:"file"`
}

// Engine holds the policies compiled once, ready to evaluate any number of clusters.
type Engine struct {
	query rego.PreparedEvalQuery
	meta  map[string]PolicyMeta
}

// ParseFiles parses Rego files with annotations; names are relative to dir, and each module is
// named by its path from dir's parent (policies/resources/resources.rego), as compile errors show it.
func ParseFiles(dir string, names []string) (map[string]*ast.Module, error) {
	modules := make(map[string]*ast.Module, len(names))
	var errs []error
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		m, err := ast.ParseModuleWithOpts(filepath.ToSlash(filepath.Join(filepath.Base(dir), name)), string(data),
			ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		modules[name] = m
	}
	return modules, errors.Join(errs...)
}

// PolicyFiles lists the Rego files of dir, which keeps one folder per policy: <name>/<name>.rego
// is the policy (lib/lib.rego the helpers they share) and <name>/*_test.rego its unit tests;
// the folder's fixtures/ hold YAML only. Names are relative to dir, with slashes, sorted. Any
// other Rego file is an error naming its path, so the layout cannot decay unnoticed: one at the
// top of dir, one in a folder named otherwise than the folder, one deeper down; and so is a
// folder without its <name>.rego.
func PolicyFiles(dir string) (policies, tests []string, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, err
	}
	shown := func(rel ...string) string { return filepath.Join(append([]string{dir}, rel...)...) }
	var errs []error
	for _, e := range entries {
		n := e.Name()
		if !e.IsDir() {
			if strings.HasSuffix(n, ".rego") {
				stem := strings.TrimSuffix(strings.TrimSuffix(n, ".rego"), "_test")
				errs = append(errs, fmt.Errorf("%s: a Rego file at the top of the policies folder is not loaded; a policy lives in a folder of its own, %s/%s.rego, its tests beside it",
					shown(n), stem, stem))
			}
			continue
		}
		own := false
		werr := fileset.Walk(dir, []string{n}, nil, func(rel string, d fs.DirEntry) error {
			if !strings.HasSuffix(d.Name(), ".rego") {
				return nil
			}
			p := shown(filepath.FromSlash(rel))
			switch {
			case filepath.Dir(p) != shown(n):
				errs = append(errs, fmt.Errorf("%s: Rego below a policy folder is not loaded; the folder's Rego files are %s/%s.rego and %s/*_test.rego", p, n, n, n))
			case strings.HasSuffix(d.Name(), "_test.rego"):
				tests = append(tests, rel)
			case d.Name() == n+".rego":
				own = true
				policies = append(policies, rel)
			default:
				errs = append(errs, fmt.Errorf("%s: the policy of folder %s is %s/%s.rego; another policy gets a folder of its own", p, n, n, n))
			}
			return nil
		})
		if werr != nil {
			errs = append(errs, werr)
		} else if !own {
			errs = append(errs, fmt.Errorf("%s: a policy folder without its policy %s.rego", shown(n), n))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, nil, err
	}
	return policies, tests, nil
}

// Load reads and compiles the policies of the folder root (root/<name>/<name>.rego, not the
// tests), checks that every policy package declares complete metadata, and prepares one query.
func Load(root string) (*Engine, error) {
	names, _, err := PolicyFiles(root)
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%s: no policies", root)
	}
	modules, err := ParseFiles(root, names)
	if err != nil {
		return nil, err
	}
	return newEngine(modules)
}

// Store holds the policy data (policies.Data: the host-access allow-list), which every
// evaluation of the policies and of their unit tests sees.
func Store() storage.Store { return inmem.NewFromObject(policies.Data()) }

func newEngine(modules map[string]*ast.Module) (*Engine, error) {
	meta, err := readMetadata(modules)
	if err != nil {
		return nil, err
	}
	compiler := ast.NewCompiler()
	compiler.Compile(modules)
	if compiler.Failed() {
		return nil, compiler.Errors
	}
	pq, err := rego.New(rego.Query(query), rego.Compiler(compiler), rego.Store(Store())).PrepareForEval(context.Background())
	if err != nil {
		return nil, err
	}
	return &Engine{query: pq, meta: meta}, nil
}

// readMetadata takes id, severity, rationale and remediation from the custom fields and the title
// of each policy package's METADATA block. A package with a violation rule must have them all.
func readMetadata(modules map[string]*ast.Module) (map[string]PolicyMeta, error) {
	meta := map[string]PolicyMeta{}
	var errs []error
	names := make([]string, 0, len(modules))
	for n := range modules {
		names = append(names, n)
	}
	sort.Strings(names)
	at := map[string]string{} // policy id -> the module that declares it, as errors name it
	for _, name := range names {
		m := modules[name]
		if !hasViolationRule(m) {
			continue
		}
		shown := name // errors name the module as compile errors do: policies/resources/resources.rego
		if m.Package.Location != nil && m.Package.Location.File != "" {
			shown = m.Package.Location.File
		}
		var a *ast.Annotations
		for _, an := range m.Annotations {
			if an.Scope == "package" {
				a = an
			}
		}
		if a == nil {
			errs = append(errs, fmt.Errorf("%s: policy package %s has no METADATA block", shown, m.Package.Path))
			continue
		}
		str := func(k string) string { s, _ := a.Custom[k].(string); return strings.TrimSpace(s) }
		pm := PolicyMeta{
			ID: str("id"), Title: a.Title, Severity: check.Severity(str("severity")),
			Rationale: str("rationale"), Remediation: str("remediation"),
			Package: m.Package.Path.String(), File: name,
		}
		for field, v := range map[string]string{"title": pm.Title, "custom.id": pm.ID, "custom.rationale": pm.Rationale, "custom.remediation": pm.Remediation} {
			if v == "" {
				errs = append(errs, fmt.Errorf("%s: METADATA %s is missing", shown, field))
			}
		}
		if pm.Severity != check.SeverityError && pm.Severity != check.SeverityWarning {
			errs = append(errs, fmt.Errorf("%s: METADATA custom.severity %q is not error or warning", shown, pm.Severity))
		}
		if prev, ok := at[pm.ID]; ok && pm.ID != "" {
			errs = append(errs, fmt.Errorf("%s: policy id %s is already used by %s", shown, pm.ID, prev))
		}
		meta[pm.ID], at[pm.ID] = pm, shown
	}
	return meta, errors.Join(errs...)
}

func hasViolationRule(m *ast.Module) bool {
	for _, r := range m.Rules {
		if len(r.Head.Args) > 0 {
			continue // a function, such as lib.violation
		}
		if r.Head.Name.String() == "violation" || (len(r.Head.Reference) > 0 && r.Head.Reference[0].Value.String() == "violation") {
			return true
		}
	}
	return false
}

// Metadata lists the policies by id.
func (e *Engine) Metadata() []PolicyMeta {
	out := make([]PolicyMeta, 0, len(e.meta))
	for _, m := range e.meta {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Policy returns one policy's metadata.
func (e *Engine) Policy(id string) (PolicyMeta, bool) {
	m, ok := e.meta[id]
	return m, ok
}

// ClusterInput is the cluster part of the policy input, from a defaulted HueCluster.
func ClusterInput(c *v1alpha1.HueCluster) map[string]any {
	s := c.Spec
	bare := s.BareMetal != nil && *s.BareMetal
	exposure := ""
	nodePorts := map[string]any{}
	if s.Ingress != nil {
		exposure = s.Ingress.Exposure
		for k, v := range s.Ingress.NodePorts {
			nodePorts[k] = int64(v)
		}
	}
	taints := []any{}
	for _, p := range s.NodePools {
		for _, t := range p.Taints {
			taints = append(taints, map[string]any{"key": t.Key, "value": t.Value, "effect": string(t.Effect), "pool": p.Name})
		}
	}
	tenants := make([]any, 0, len(s.Tenants))
	for _, t := range s.Tenants {
		tenants = append(tenants, t)
	}
	return map[string]any{
		"name": c.Name, "fleet": s.Fleet, "environment": s.Environment, "region": s.Region,
		"dataResidency": s.DataResidency, "bareMetal": bare, "exposure": exposure,
		"nodePorts": nodePorts, "taints": taints, "tenants": tenants,
	}
}

// Input is the whole policy input of one cluster: its spec and every rendered object.
func Input(c *check.Cluster) (ast.Value, error) {
	objects := make([]any, len(c.Objects))
	for i, o := range c.Objects {
		objects[i] = o.Object
	}
	return ast.InterfaceToValue(map[string]any{"cluster": ClusterInput(c.Spec), "objects": objects})
}

// violation is what a policy emits.
type violation struct {
	ID, Msg, Kind, Namespace, Name, Field string
}

// Evaluate runs every policy over every cluster, clusters in parallel, and returns the findings
// sorted. Waivers are not applied here (see ApplyWaivers).
func (e *Engine) Evaluate(ctx context.Context, clusters []*check.Cluster) ([]check.Finding, error) {
	results := make([][]check.Finding, len(clusters))
	errs := make([]error, len(clusters))
	var g errgroup.Group // every cluster's error is reported, not only the first
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, c := range clusters {
		g.Go(func() error {
			results[i], errs[i] = e.EvaluateCluster(ctx, c)
			return nil
		})
	}
	_ = g.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	var out []check.Finding
	for _, r := range results {
		out = append(out, r...)
	}
	check.Sort(out)
	return out, nil
}

// EvaluateCluster runs every policy over one cluster.
func (e *Engine) EvaluateCluster(ctx context.Context, c *check.Cluster) ([]check.Finding, error) {
	input, err := Input(c)
	if err != nil {
		return nil, fmt.Errorf("cluster %s: input: %w", c.Spec.Name, err)
	}
	rs, err := e.query.Eval(ctx, rego.EvalParsedInput(input))
	if err != nil {
		return nil, fmt.Errorf("cluster %s: %w", c.Spec.Name, err)
	}
	// Source of each object, to locate findings in the repository.
	type key struct{ kind, ns, name string }
	sources := make(map[key]string, len(c.Objects))
	for _, o := range c.Objects {
		sources[key{o.GetKind(), o.GetNamespace(), o.GetName()}] = o.Source
	}
	out := make([]check.Finding, 0, len(rs))
	for _, r := range rs {
		v, err := decodeViolation(r.Bindings["v"])
		if err != nil {
			return nil, fmt.Errorf("cluster %s: %w", c.Spec.Name, err)
		}
		sev := check.SeverityError
		if m, ok := e.meta[v.ID]; ok {
			sev = m.Severity
		} else {
			return nil, fmt.Errorf("cluster %s: violation with unknown policy id %q: %s", c.Spec.Name, v.ID, v.Msg)
		}
		out = append(out, check.Finding{
			Check: v.ID, Severity: sev, Cluster: c.Spec.Name,
			Kind: v.Kind, Namespace: v.Namespace, Name: v.Name, Field: v.Field, Message: v.Msg,
			Source: sources[key{v.Kind, v.Namespace, v.Name}],
		})
	}
	check.Sort(out)
	return out, nil
}

func decodeViolation(x any) (violation, error) {
	m, ok := x.(map[string]any)
	if !ok {
		return violation{}, fmt.Errorf("violation is not an object: %v", x)
	}
	s := func(k string) string { v, _ := m[k].(string); return v }
	v := violation{ID: s("id"), Msg: s("msg"), Kind: s("kind"), Namespace: s("namespace"), Name: s("name"), Field: s("field")}
	if v.ID == "" || v.Msg == "" {
		return v, fmt.Errorf("violation without id or msg: %v", x)
	}
	return v, nil
}
