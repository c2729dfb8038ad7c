package policy

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/hue-platform/hue-gitops/generators/api/v1alpha1"
	"github.com/hue-platform/hue-gitops/generators/check"
	"github.com/hue-platform/hue-gitops/generators/manifest"
)

// A disallowed fixture lists, in comment lines before its first document, every finding the
// policy under test must give and no other:
//
//	# expect: HUE-007 Deployment/hue/music spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation | does not set
//
// that is: policy id, the object as Kind/namespace/name (Kind/name when cluster-scoped), the
// field path, and optionally after " | " a substring of the message. An allowed fixture gives no
// finding of any policy. Fixtures live beside their policy, in <name>/fixtures/{allowed,disallowed}/.
// A fixture may hold a HueCluster document to set the cluster context; otherwise
// <name>/fixtures/cluster.yaml, otherwise the shared lib/fixture-cluster.yaml.
var expectLine = regexp.MustCompile(`^#\s*expect:\s*(HUE-\d{3})\s+(\S+)\s+(\S+)(?:\s+\|\s+(.+?))?\s*$`)

type expectation struct {
	id, ref, field, msg string
}

func (x expectation) String() string { return x.id + " " + x.ref + " " + x.field }

type fixture struct {
	path    string
	cluster *check.Cluster
	expects []expectation
}

func ref(f check.Finding) string {
	if f.Namespace == "" {
		return f.Kind + "/" + f.Name
	}
	return f.Kind + "/" + f.Namespace + "/" + f.Name
}

func loadFixture(t *testing.T, path string, defaultCluster *v1alpha1.HueCluster) fixture {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fx := fixture{path: path}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "#") {
			break
		}
		if strings.Contains(line, "expect:") {
			m := expectLine.FindStringSubmatch(line)
			if m == nil {
				t.Fatalf("%s: malformed expectation %q", path, line)
			}
			fx.expects = append(fx.expects, expectation{m[1], m[2], m[3], m[4]})
		}
	}
	objs, err := manifest.Decode(filepath.ToSlash(path), data)
	if err != nil {
		t.Fatal(err)
	}
	spec := defaultCluster
	var rendered []manifest.Object
	for _, o := range objs {
		if o.GetKind() == v1alpha1.KindCluster && o.GetAPIVersion() == v1alpha1.APIVersion {
			js, err := o.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			var c v1alpha1.HueCluster
			if err := yaml.UnmarshalStrict(js, &c); err != nil {
				t.Fatalf("%s: HueCluster: %v", path, err)
			}
			c.Default()
			spec = &c
			continue
		}
		rendered = append(rendered, o)
	}
	fx.cluster = &check.Cluster{Spec: spec, Objects: rendered, Overlay: filepath.Dir(path)}
	return fx
}

// clusterFor reads the first of the cluster files that exists.
func clusterFor(t *testing.T, files ...string) *v1alpha1.HueCluster {
	t.Helper()
	for _, p := range files {
		if _, err := os.Stat(p); err == nil {
			c, err := LoadClusterSpec(p)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
	}
	t.Fatalf("none of %v exists", files)
	return nil
}

func yamlFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".yaml") && e.Name() != "cluster.yaml" {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(out)
	return out
}

// fixtureSets lists a policy's allowed and disallowed fixtures; a policy needs both sets.
func fixtureSets(t *testing.T, root string, pm PolicyMeta) (allowed, disallowed []string, err error) {
	t.Helper()
	dir := path.Join(path.Dir(pm.File), "fixtures")
	allowed = yamlFiles(t, filepath.Join(root, dir, "allowed"))
	disallowed = yamlFiles(t, filepath.Join(root, dir, "disallowed"))
	if len(allowed) == 0 || len(disallowed) == 0 {
		return nil, nil, fmt.Errorf("policy %s (%s) needs fixtures in %s/allowed and %s/disallowed", pm.ID, pm.File, dir, dir)
	}
	return allowed, disallowed, nil
}

// strayFixtures lists the fixtures/ folders of root beside no policy, which would otherwise
// never run: in lib/, or in any folder whose Rego has no violation rule. (A folder without its
// <name>.rego at all is already an error of PolicyFiles.)
func strayFixtures(t *testing.T, root string, e *Engine) []string {
	t.Helper()
	owned := map[string]bool{}
	for _, pm := range e.Metadata() {
		owned[path.Dir(pm.File)] = true
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range entries {
		if _, err := os.Stat(filepath.Join(root, d.Name(), "fixtures")); d.IsDir() && err == nil && !owned[d.Name()] {
			out = append(out, d.Name()+"/fixtures")
		}
	}
	return out
}

func TestFixtures(t *testing.T) {
	root := policiesDir(t)
	e, err := Load(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range strayFixtures(t, root, e) {
		t.Errorf("%s: no policy of this folder has a violation rule and METADATA", d)
	}
	shared := fixtureCluster(t)
	for _, pm := range e.Metadata() {
		t.Run(pm.ID, func(t *testing.T) {
			allowed, disallowed, err := fixtureSets(t, root, pm)
			if err != nil {
				t.Fatal(err)
			}
			spec := clusterFor(t, filepath.Join(root, path.Dir(pm.File), "fixtures", "cluster.yaml"), shared)
			for _, p := range allowed {
				fx := loadFixture(t, p, spec)
				if len(fx.expects) > 0 {
					t.Errorf("%s: an allowed fixture expects nothing", p)
				}
				got, err := e.EvaluateCluster(context.Background(), fx.cluster)
				if err != nil {
					t.Fatal(err)
				}
				for _, f := range got {
					t.Errorf("%s: allowed fixture gives %s", rel(root, p), f)
				}
			}
			for _, p := range disallowed {
				fx := loadFixture(t, p, spec)
				if len(fx.expects) == 0 {
					t.Errorf("%s: a disallowed fixture states what it expects (# expect: ...)", p)
				}
				got, err := e.EvaluateCluster(context.Background(), fx.cluster)
				if err != nil {
					t.Fatal(err)
				}
				checkExpectations(t, rel(root, p), pm.ID, fx.expects, got)
			}
		})
	}
}

func rel(root, p string) string {
	r, err := filepath.Rel(filepath.Dir(root), p)
	if err != nil {
		return p
	}
	return r
}

func checkExpectations(t *testing.T, name, id string, expects []expectation, got []check.Finding) {
	t.Helper()
	matched := make([]bool, len(got))
	for _, x := range expects {
		if x.id != id {
			t.Errorf("%s: expectation %s is not for policy %s", name, x, id)
			continue
		}
		found := false
		for i, f := range got {
			if f.Check == x.id && ref(f) == x.ref && f.Field == x.field && strings.Contains(f.Message, x.msg) {
				matched[i], found = true, true
			}
		}
		if !found {
			t.Errorf("%s: expected finding missing: %s | %s\n%s", name, x, x.msg, list(got, id))
		}
	}
	for i, f := range got {
		if f.Check == id && !matched[i] {
			t.Errorf("%s: unexpected finding: %s", name, f)
		}
	}
}

func list(fs []check.Finding, id string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "  %s findings:\n", id)
	for _, f := range fs {
		if f.Check == id {
			fmt.Fprintf(&b, "    # expect: %s %s %s | %s\n", f.Check, ref(f), f.Field, f.Message)
		}
	}
	return b.String()
}
