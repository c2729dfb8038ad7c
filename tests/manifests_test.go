package tests

import (
	"bytes"
	"cmp"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// mutation breaks one policy in a cluster's rendered manifests. edit returns the nodes to
// write; want is the finding line `hue check` must print: [policy] Kind/namespace/name: field.
type mutation struct {
	policy, ref, field string
	edit               func(t *testing.T, nodes []*yaml.RNode) []*yaml.RNode
	// cluster is the cluster whose render is broken; onprem-production when empty.
	cluster string
}

// find returns the first object of kind (and name, when given).
func find(t *testing.T, nodes []*yaml.RNode, kind, namespace, name string) *yaml.RNode {
	t.Helper()
	for _, n := range nodes {
		if n.GetKind() == kind && (namespace == "" || n.GetNamespace() == namespace) && (name == "" || n.GetName() == name) {
			return n
		}
	}
	t.Fatalf("no %s %s/%s in the rendered cluster", kind, namespace, name)
	return nil
}

func without(nodes []*yaml.RNode, drop *yaml.RNode) []*yaml.RNode {
	var out []*yaml.RNode
	for _, n := range nodes {
		if n != drop {
			out = append(out, n)
		}
	}
	return out
}

// set applies kyaml filters to one object and fails the test on error.
func set(t *testing.T, n *yaml.RNode, filters ...yaml.Filter) {
	t.Helper()
	require.NoError(t, n.PipeE(filters...))
}

func container(fields ...string) []yaml.Filter {
	path := append([]string{"spec", "template", "spec", "containers", "[name=music]"}, fields...)
	return []yaml.Filter{yaml.LookupCreate(yaml.MappingNode, path...)}
}

func field(name, value string) yaml.Filter { return yaml.SetField(name, yaml.MustParse(value)) }

const musicContainer = "spec.template.spec.containers[0]"

var mutations = []mutation{
	{"HUE-001", "Deployment/hue/music", musicContainer + ".resources.limits.memory", func(t *testing.T, ns []*yaml.RNode) []*yaml.RNode {
		set(t, find(t, ns, "Deployment", "hue", "music"), append(container("resources", "limits"), yaml.Clear("memory"))...)
		return ns
	}, ""},
	{"HUE-003", "Deployment/hue/music", musicContainer + ".image", func(t *testing.T, ns []*yaml.RNode) []*yaml.RNode {
		set(t, find(t, ns, "Deployment", "hue", "music"), append(container(), field("image", "registry.hue.dev/hue/music:latest"))...)
		return ns
	}, ""},
	{"HUE-005", "Deployment/hue/music", musicContainer + ".image", func(t *testing.T, ns []*yaml.RNode) []*yaml.RNode {
		set(t, find(t, ns, "Deployment", "hue", "music"), append(container(), field("image", "docker.io/library/music:2.0.1"))...)
		return ns
	}, ""},
	{"HUE-006", "Deployment/hue/music", musicContainer + ".securityContext.runAsNonRoot", func(t *testing.T, ns []*yaml.RNode) []*yaml.RNode {
		set(t, find(t, ns, "Deployment", "hue", "music"), append(container("securityContext"), field("runAsNonRoot", "false"))...)
		return ns
	}, ""},
	{"HUE-007", "Deployment/hue/music", musicContainer + ".securityContext.allowPrivilegeEscalation", func(t *testing.T, ns []*yaml.RNode) []*yaml.RNode {
		set(t, find(t, ns, "Deployment", "hue", "music"), append(container("securityContext"), field("allowPrivilegeEscalation", "true"))...)
		return ns
	}, ""},
	{"HUE-008", "Deployment/hue/music", musicContainer + ".securityContext.capabilities.drop", func(t *testing.T, ns []*yaml.RNode) []*yaml.RNode {
		set(t, find(t, ns, "Deployment", "hue", "music"), append(container("securityContext", "capabilities"), field("drop", "[NET_RAW]"))...)
		return ns
	}, ""},
	{"HUE-010", "Deployment/hue/music", musicContainer + ".securityContext.readOnlyRootFilesystem", func(t *testing.T, ns []*yaml.RNode) []*yaml.RNode {
		set(t, find(t, ns, "Deployment", "hue", "music"), append(container("securityContext"), field("readOnlyRootFilesystem", "false"))...)
		return ns
	}, ""},
	{"HUE-011", "Deployment/hue/music", "spec.template.spec.hostNetwork", func(t *testing.T, ns []*yaml.RNode) []*yaml.RNode {
		set(t, find(t, ns, "Deployment", "hue", "music"), yaml.LookupCreate(yaml.MappingNode, "spec", "template", "spec"), field("hostNetwork", "true"))
		return ns
	}, ""},
	{"HUE-012", "Namespace/hue", "metadata.name", func(t *testing.T, ns []*yaml.RNode) []*yaml.RNode {
		return without(ns, find(t, ns, "NetworkPolicy", "hue", "default-deny"))
	}, ""},
	{"HUE-014", "Deployment/hue/music", "spec.replicas", func(t *testing.T, ns []*yaml.RNode) []*yaml.RNode {
		return without(ns, find(t, ns, "PodDisruptionBudget", "hue", "music"))
	}, ""},
	{"HUE-016", "Namespace/hue", `metadata.labels["pod-security.kubernetes.io/enforce"]`, func(t *testing.T, ns []*yaml.RNode) []*yaml.RNode {
		set(t, find(t, ns, "Namespace", "", "hue"), yaml.Lookup("metadata", "labels"), yaml.Clear("pod-security.kubernetes.io/enforce"))
		return ns
	}, ""},
	{"HUE-017", "Service/hue/music", "spec.type", func(t *testing.T, ns []*yaml.RNode) []*yaml.RNode {
		set(t, find(t, ns, "Service", "hue", "music"), yaml.Lookup("spec"), field("type", "LoadBalancer"))
		return ns
	}, ""},
	{"HUE-020", "Deployment/hue/music", "spec.template.spec.automountServiceAccountToken", func(t *testing.T, ns []*yaml.RNode) []*yaml.RNode {
		set(t, find(t, ns, "Deployment", "hue", "music"), yaml.Lookup("spec", "template", "spec"), field("automountServiceAccountToken", "true"))
		return ns
	}, ""},
	{"HUE-022", "Role/hue/workflow-engine", "rules[0].verbs", func(t *testing.T, ns []*yaml.RNode) []*yaml.RNode {
		rules, err := find(t, ns, "Role", "hue", "workflow-engine").Pipe(yaml.Lookup("rules"))
		require.NoError(t, err)
		set(t, yaml.NewRNode(rules.YNode().Content[0]), field("verbs", "['*']"))
		return ns
	}, ""},
	{"HUE-023", "Secret/hue/music-token", "data", func(t *testing.T, ns []*yaml.RNode) []*yaml.RNode {
		return append(ns, yaml.MustParse("apiVersion: v1\nkind: Secret\nmetadata: {name: music-token, namespace: hue}\ndata: {token: c2VjcmV0}\n"))
	}, ""},
	{"HUE-002", "Deployment/hue/music", musicContainer + ".readinessProbe", func(t *testing.T, ns []*yaml.RNode) []*yaml.RNode {
		set(t, find(t, ns, "Deployment", "hue", "music"), append(container(), yaml.Clear("readinessProbe"))...)
		return ns
	}, ""},
	{"HUE-009", "Deployment/hue/music", "spec.template.spec.securityContext.seccompProfile.type", func(t *testing.T, ns []*yaml.RNode) []*yaml.RNode {
		d := find(t, ns, "Deployment", "hue", "music")
		set(t, d, append(container("securityContext"), yaml.Clear("seccompProfile"))...)
		set(t, d, yaml.Lookup("spec", "template", "spec", "securityContext"), yaml.Clear("seccompProfile"))
		return ns
	}, ""},
	{"HUE-013", "Deployment/hue/music", "spec.template.metadata.labels", func(t *testing.T, ns []*yaml.RNode) []*yaml.RNode {
		// Drop music's own policy, and the talks.hue.dev labels that let the data-store egress
		// policies select its pods: nothing but namespace-wide policies selects it then.
		labels, err := find(t, ns, "Deployment", "hue", "music").Pipe(yaml.Lookup("spec", "template", "metadata", "labels"))
		require.NoError(t, err)
		keys, err := labels.Fields()
		require.NoError(t, err)
		for _, k := range keys {
			if strings.HasPrefix(k, "talks.hue.dev/") {
				set(t, labels, yaml.Clear(k))
			}
		}
		return without(ns, find(t, ns, "NetworkPolicy", "hue", "music"))
	}, ""},
	{"HUE-015", "PodDisruptionBudget/hue/music", "spec.maxUnavailable", func(t *testing.T, ns []*yaml.RNode) []*yaml.RNode {
		set(t, find(t, ns, "PodDisruptionBudget", "hue", "music"), yaml.Lookup("spec"), field("maxUnavailable", "0"))
		return ns
	}, ""},
	{"HUE-018", "Deployment/hue/music", "spec.template.spec.tolerations[0]", func(t *testing.T, ns []*yaml.RNode) []*yaml.RNode {
		set(t, find(t, ns, "Deployment", "hue", "music"), yaml.Lookup("spec", "template", "spec"), field("tolerations", "[{key: hue.dev/gpu, operator: Exists, effect: NoSchedule}]"))
		return ns
	}, ""},
	{"HUE-019", "Deployment/hue/music", "metadata.labels.tier", func(t *testing.T, ns []*yaml.RNode) []*yaml.RNode {
		set(t, find(t, ns, "Deployment", "hue", "music"), yaml.Lookup("metadata", "labels"), yaml.Clear("tier"))
		return ns
	}, ""},
	{"HUE-021", "Ingress/hue/identity", "spec.tls", func(t *testing.T, ns []*yaml.RNode) []*yaml.RNode {
		set(t, find(t, ns, "Ingress", "hue", "identity"), yaml.Lookup("spec"), yaml.Clear("tls"))
		return ns
	}, "school-ashford"},
	{"HUE-024", "ServiceAccount/hue/music", "metadata.namespace", func(t *testing.T, ns []*yaml.RNode) []*yaml.RNode {
		set(t, find(t, ns, "ServiceAccount", "hue", "music"), yaml.Lookup("metadata", "labels"), field("service", "finance"))
		return ns
	}, ""},
	{"HUE-025", "Namespace/hue", `metadata.labels["hue.dev/data-residency"]`, func(t *testing.T, ns []*yaml.RNode) []*yaml.RNode {
		set(t, find(t, ns, "Namespace", "", "hue"), yaml.Lookup("metadata", "labels"), field("hue.dev/data-residency", "us"))
		return ns
	}, "sci-eu-north"},
	{"HUE-027", "Deployment/hue/music", musicContainer + ".livenessProbe.httpGet.port", func(t *testing.T, ns []*yaml.RNode) []*yaml.RNode {
		set(t, find(t, ns, "Deployment", "hue", "music"), append(container("livenessProbe", "httpGet"), field("port", "nope"))...)
		return ns
	}, ""},
	{"HUE-028", "ConfigMap/sandbox/notes", "metadata.namespace", func(t *testing.T, ns []*yaml.RNode) []*yaml.RNode {
		return append(ns, yaml.MustParse("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: notes, namespace: sandbox}\ndata: {a: b}\n"))
	}, ""},
	{"HUE-026", "Service/hue/music", "spec.selector", func(t *testing.T, ns []*yaml.RNode) []*yaml.RNode {
		set(t, find(t, ns, "Service", "hue", "music"), yaml.Lookup("spec"), field("selector", "{service: nobody}"))
		return ns
	}, ""},
}

// `hue check --manifests F --cluster C` on a cluster's own render is clean; with any one policy
// broken in it, it exits 1 and names the policy, the object and the field.
func TestCheckManifestsNamesTheBrokenPolicy(t *testing.T) {
	const cluster = "onprem-production"
	golden, err := os.ReadFile(filepath.Join("golden", cluster+".yaml"))
	require.NoError(t, err)
	dir := t.TempDir()

	clean := filepath.Join(dir, "clean.yaml")
	require.NoError(t, os.WriteFile(clean, golden, 0o644))
	code, out := run("check", "--root", root, "--manifests", clean, "--cluster", cluster)
	require.Equal(t, 0, code, out)

	for _, m := range mutations {
		t.Run(m.policy, func(t *testing.T) {
			cluster := cmp.Or(m.cluster, cluster)
			golden, err := os.ReadFile(filepath.Join("golden", cluster+".yaml"))
			require.NoError(t, err)
			nodes, err := (&kio.ByteReader{Reader: bytes.NewReader(golden), OmitReaderAnnotations: true}).Read()
			require.NoError(t, err)
			nodes = m.edit(t, nodes)
			var buf bytes.Buffer
			require.NoError(t, (&kio.ByteWriter{Writer: &buf}).Write(nodes))
			broken := filepath.Join(dir, m.policy+".yaml")
			require.NoError(t, os.WriteFile(broken, buf.Bytes(), 0o644))

			code, out := run("check", "--root", root, "--manifests", broken, "--cluster", cluster)
			require.Equal(t, 1, code, out)
			line := regexp.QuoteMeta("["+m.policy+"] "+m.ref+": "+m.field+":") + " "
			require.Regexp(t, "(?m)^error: "+cluster+" \\("+regexp.QuoteMeta(broken)+"\\) "+line, out)
			// One problem, one report: no other check or policy finds anything.
			for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
				if strings.HasPrefix(l, "error:") && !strings.Contains(l, " ["+m.policy+"] ") {
					t.Errorf("another finding: %s", l)
				}
			}
		})
	}
}
