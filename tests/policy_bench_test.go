package tests

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"testing"

	policydata "github.com/hue-platform/hue-gitops/policies"

	"github.com/hue-platform/hue-gitops/generators/check"
	"github.com/hue-platform/hue-gitops/generators/check/policy"
	"github.com/hue-platform/hue-gitops/generators/manifest"
	"github.com/hue-platform/hue-gitops/generators/pipeline"
)

// goldenFleet reads the rendered fleet as committed (tests/golden/<cluster>.yaml) with its specs.
func goldenFleet(b *testing.B) (clusters []*check.Cluster, files []string, objects int) {
	specs, err := pipeline.Load(root, true)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range specs.Inventory.Clusters {
		f := filepath.Join("golden", c.Name+".yaml")
		objs, err := manifest.Load(f)
		if err != nil {
			b.Fatal(err)
		}
		clusters = append(clusters, &check.Cluster{Spec: c, Objects: objs})
		files = append(files, f)
		objects += len(objs)
	}
	return clusters, files, objects
}

// findingKeys names findings by policy, cluster, object and field, for comparing engines.
func findingKeys(fs []check.Finding) []string {
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%s %s %s/%s/%s %s", f.Check, f.Cluster, f.Kind, f.Namespace, f.Name, f.Field))
	}
	sort.Strings(out)
	return out
}

// BenchmarkFleetPolicies measures the policy gate over the whole rendered fleet, in objects per
// second, three ways: hue's engine on decoded objects (policies compiled once, clusters in
// parallel, as `hue check` runs after rendering in memory); hue from the YAML files with a fresh
// compile (the work of one `hue check --manifests` per cluster, minus process start); and
// conftest (CONFTEST, pinned in tools/conftest, built by `make bench`) running the same policies
// on the same files, a whole process per iteration, whose findings must equal hue's.
func BenchmarkFleetPolicies(b *testing.B) {
	clusters, files, objects := goldenFleet(b)
	policies := filepath.Join(root, "policies")
	engine, err := policy.Load(policies)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	want, err := engine.Evaluate(ctx, clusters)
	if err != nil {
		b.Fatal(err)
	}
	perSecond := func(b *testing.B) {
		b.ReportMetric(float64(objects*b.N)/b.Elapsed().Seconds(), "objects/s")
	}

	b.Run("hue/evaluate", func(b *testing.B) {
		for b.Loop() {
			if _, err := engine.Evaluate(ctx, clusters); err != nil {
				b.Fatal(err)
			}
		}
		perSecond(b)
	})

	// The hue binary runs with GOGC=400 (generators/cmd/hue); the same evaluation under it.
	b.Run("hue/evaluate-gogc400", func(b *testing.B) {
		defer debug.SetGCPercent(debug.SetGCPercent(400))
		for b.Loop() {
			if _, err := engine.Evaluate(ctx, clusters); err != nil {
				b.Fatal(err)
			}
		}
		perSecond(b)
	})

	b.Run("hue/compile+decode+evaluate", func(b *testing.B) {
		for b.Loop() {
			e, err := policy.Load(policies)
			if err != nil {
				b.Fatal(err)
			}
			fresh := make([]*check.Cluster, len(clusters))
			for i, c := range clusters {
				objs, err := manifest.Load(files[i])
				if err != nil {
					b.Fatal(err)
				}
				fresh[i] = &check.Cluster{Spec: c.Spec, Objects: objs}
			}
			if _, err := e.Evaluate(ctx, fresh); err != nil {
				b.Fatal(err)
			}
		}
		perSecond(b)
	})

	// conftest runs the same policy files (not the Rego unit tests) in two ways: on the rendered
	// YAML files with --combine, an adapter giving each file its cluster; and on the engine's own
	// input written as one JSON file per cluster. Both must find exactly what hue finds.
	bin := os.Getenv("CONFTEST")
	names, _, err := policy.PolicyFiles(policies)
	if err != nil {
		b.Fatal(err)
	}
	policyArgs := []string{"--data", filepath.Join(policies, policydata.DataFile)}
	for _, n := range names {
		policyArgs = append(policyArgs, "--policy", filepath.Join(policies, n))
	}
	adapters := filepath.Join(root, "tools", "conftest", "policy")
	conftest := func(name string, args func(b *testing.B) []string) {
		b.Run(name, func(b *testing.B) {
			if bin == "" {
				b.Skip("CONFTEST is not set: run `make bench`, which builds the pinned conftest")
			}
			a := append([]string{"test", "--no-color", "--output", "json"}, policyArgs...)
			a = append(a, args(b)...)
			var got []check.Finding
			for b.Loop() {
				got = runConftest(b, bin, a)
			}
			perSecond(b)
			if g, w := findingKeys(got), findingKeys(want); fmt.Sprint(g) != fmt.Sprint(w) {
				b.Fatalf("conftest and hue disagree:\nconftest %d findings: %v\nhue %d findings: %v", len(g), g, len(w), w)
			}
		})
	}
	conftest("conftest/yaml", func(b *testing.B) []string {
		data := map[string]any{}
		for _, c := range clusters {
			data[c.Spec.Name] = policy.ClusterInput(c.Spec)
		}
		dataFile := writeJSON(b, b.TempDir(), "clusters", map[string]any{"clusters": data})
		return append([]string{"--combine", "--data", dataFile, "--policy", filepath.Join(adapters, "combined")}, files...)
	})
	conftest("conftest/json", func(b *testing.B) []string {
		dir := b.TempDir()
		args := []string{"--policy", filepath.Join(adapters, "cluster")}
		for _, c := range clusters {
			objects := make([]any, len(c.Objects))
			for i, o := range c.Objects {
				objects[i] = o.Object
			}
			args = append(args, writeJSON(b, dir, c.Spec.Name, map[string]any{"cluster": policy.ClusterInput(c.Spec), "objects": objects}))
		}
		return args
	})
}

func writeJSON(b *testing.B, dir, name string, v any) string {
	js, err := json.Marshal(v)
	if err != nil {
		b.Fatal(err)
	}
	f := filepath.Join(dir, name+".json")
	if err := os.WriteFile(f, js, 0o644); err != nil {
		b.Fatal(err)
	}
	return f
}

// runConftest runs conftest once and returns its violations as findings (the cluster comes from
// the combined adapter, or from the file name). conftest exits 1 when it finds anything, which
// the fleet's warnings make it do.
func runConftest(b *testing.B, bin string, args []string) []check.Finding {
	out, err := exec.Command(bin, args...).Output()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
		b.Fatalf("conftest: %v\n%s", err, stderrOf(err))
	}
	var results []struct {
		Filename string `json:"filename"`
		Failures []struct {
			Msg      string            `json:"msg"`
			Metadata map[string]string `json:"metadata"`
		} `json:"failures"`
	}
	if err := json.Unmarshal(out, &results); err != nil {
		b.Fatalf("conftest output: %v\n%s", err, out)
	}
	var fs []check.Finding
	for _, r := range results {
		for _, f := range r.Failures {
			m := f.Metadata
			cluster := m["cluster"]
			if cluster == "" {
				cluster = strings.TrimSuffix(filepath.Base(r.Filename), ".json")
			}
			fs = append(fs, check.Finding{Check: m["id"], Cluster: cluster, Kind: m["kind"],
				Namespace: m["namespace"], Name: m["name"], Field: m["field"], Message: f.Msg})
		}
	}
	return fs
}

func stderrOf(err error) string {
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return string(exit.Stderr)
	}
	return ""
}
