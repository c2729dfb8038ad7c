package policy

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/hue-platform/hue-gitops/generators/api/v1alpha1"
	"github.com/hue-platform/hue-gitops/generators/check"
)

// A disallowed fixture lists, in comment lines before its first document, every finding the
// policy under test must give and no other:
//
//	# expect: HUE-007 Deployment/hue/music spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation | does not set
//
// that is: policy id, the object as Kind/namespace/name (Kind/name when cluster-scoped), the
// field path, and optionally after " | " a substring of the message. An allowed fixture gives no
// finding of any policy. A fixture may hold a HueCluster document to set the cluster context;
// otherwise <id>/cluster.yaml, otherwise fixtures/cluster.yaml.
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
	objs, err := check.Decode(filepath.ToSlash(path), data)
	if err != nil {
		t.Fatal(err)
	}
	spec := defaultCluster
	var rendered []check.Object
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

func clusterFor(t *testing.T, dirs ...string) *v1alpha1.HueCluster {
	t.Helper()
	for _, d := range dirs {
		p := filepath.Join(d, "cluster.yaml")
		if _, err := os.Stat(p); err == nil {
			c, err := LoadClusterSpec(p)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
	}
	t.Fatalf("no cluster.yaml in %v", dirs)
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

func TestFixtures(t *testing.T) {
	root := policiesDir(t)
	e, err := Load(root)
	if err != nil {
		t.Fatal(err)
	}
	fixtures := filepath.Join(root, "fixtures")
	// every fixture folder belongs to a policy
	entries, err := os.ReadDir(fixtures)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range entries {
		if _, ok := e.Policy(d.Name()); d.IsDir() && !ok {
			t.Errorf("fixtures/%s: no policy has this id", d.Name())
		}
	}
	for _, pm := range e.Metadata() {
		t.Run(pm.ID, func(t *testing.T) {
			dir := filepath.Join(fixtures, pm.ID)
			spec := clusterFor(t, dir, fixtures)
			allowed, disallowed := yamlFiles(t, filepath.Join(dir, "allowed")), yamlFiles(t, filepath.Join(dir, "disallowed"))
			if len(allowed) == 0 || len(disallowed) == 0 {
				t.Fatalf("policy %s (%s) needs fixtures in fixtures/%s/allowed and fixtures/%s/disallowed", pm.ID, pm.File, pm.ID, pm.ID)
			}
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
