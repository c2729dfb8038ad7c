package scheduling

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/hue-platform/hue-gitops/generators/api/v1alpha1"
	"github.com/hue-platform/hue-gitops/generators/check"
	"github.com/hue-platform/hue-gitops/generators/check/checktest"
	"github.com/hue-platform/hue-gitops/generators/manifest"
)

// parse reads a multi-document YAML fixture into objects, as a rendered file is read.
func parse(t *testing.T, docs string) []manifest.Object {
	t.Helper()
	objs, err := manifest.Decode("fixture.yaml", []byte(docs))
	require.NoError(t, err)
	return objs
}

const poolsYAML = `
- name: general
  labels: {hue.dev/pool-class: general}
  capacity: {cpu: "4", memory: 16Gi}
  count: 2
  zones: [eu-1a, eu-1b]
- name: batch
  labels: {hue.dev/pool-class: batch}
  taints: [{key: hue.dev/dedicated, value: batch, effect: NoSchedule}]
  capacity: {cpu: "8", memory: 32Gi}
  count: 1
- name: spot
  labels: {hue.dev/spot: "true"}
  taints: [{key: hue.dev/spot, value: "true", effect: PreferNoSchedule}]
  capacity: {cpu: "2"}
  count: 1
`

func pools(t *testing.T) []v1alpha1.NodePool {
	t.Helper()
	var ps []v1alpha1.NodePool
	require.NoError(t, yaml.UnmarshalStrict([]byte(poolsYAML), &ps))
	return ps
}

func cluster(t *testing.T, docs string) *check.Cluster {
	t.Helper()
	hc := &v1alpha1.HueCluster{}
	hc.Name = "c1"
	hc.Spec.NodePools = pools(t)
	return &check.Cluster{Spec: hc, Objects: parse(t, docs), Overlay: "overlays/c1", SpecFile: "clusters/f/c1.yaml"}
}

// fixture is what every finding of these tests carries: this check, the cluster c1 that cluster
// builds, the file parse decodes, and as the related file the cluster spec that declares the
// pools, where the fix may belong.
var fixture = checktest.Common{Check: ID, Cluster: "c1", Source: "fixture.yaml", Related: "clusters/f/c1.yaml"}

// deploy renders a Deployment fixture with the given pod spec lines (indented by 6).
func deploy(name string, replicas int, podSpec string) string {
	return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ` + name + `, namespace: hue}
spec:
  replicas: ` + itoa(replicas) + `
  selector: {matchLabels: {app: ` + name + `}}
  template:
    metadata: {labels: {app: ` + name + `}}
    spec:
` + indent(podSpec, 6) + `
`
}

func indent(s string, n int) string {
	pad := strings.Repeat(" ", n)
	lines := strings.Split(strings.Trim(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = pad + l
	}
	return strings.Join(lines, "\n")
}

func itoa(i int) string {
	b, _ := yaml.Marshal(i)
	return strings.TrimSpace(string(b))
}

func container(cpu, memory string) string {
	return `containers:
- name: app
  image: app:1
  resources: {requests: {cpu: "` + cpu + `", memory: "` + memory + `"}}`
}

func TestCheckPlacement(t *testing.T) {
	small := container("100m", "128Mi")
	tolerateBatch := "\ntolerations: [{key: hue.dev/dedicated, operator: Equal, value: batch, effect: NoSchedule}]"
	tests := []struct {
		name  string
		docs  string
		wants []checktest.Want
	}{
		{name: "plain deployment fits the general pool", docs: deploy("web", 2, small)},
		{
			name: "selector for a tainted pool without toleration",
			docs: deploy("etl", 1, small+"\nnodeSelector: {hue.dev/pool-class: batch}"),
			wants: []checktest.Want{checktest.Error("Deployment", "etl", "spec.template.spec",
				"no node pool can take it: pool general: node selector/affinity does not match; "+
					"pool batch: untolerated taint hue.dev/dedicated=batch:NoSchedule; pool spot: node selector/affinity does not match",
			)},
		},
		{name: "selector for a tainted pool with toleration", docs: deploy("etl", 1, small+"\nnodeSelector: {hue.dev/pool-class: batch}"+tolerateBatch)},
		{
			name: "selector by pool name label",
			docs: deploy("pinned", 1, small+"\nnodeSelector: {hue.dev/pool: general, kubernetes.io/os: linux, kubernetes.io/arch: amd64}"),
		},
		{
			name: "required node affinity on a zone no pool has",
			docs: deploy("zonal", 1, small+`
affinity:
  nodeAffinity:
    requiredDuringSchedulingIgnoredDuringExecution:
      nodeSelectorTerms:
      - matchExpressions: [{key: topology.kubernetes.io/zone, operator: In, values: [eu-1c]}]`),
			wants: []checktest.Want{checktest.Error("Deployment", "zonal", "spec.template.spec",
				"pool general: node selector/affinity does not match", "pool batch: node selector/affinity does not match",
			)},
		},
		{
			name: "required node affinity on the first zone",
			docs: deploy("zonal", 1, small+`
affinity:
  nodeAffinity:
    requiredDuringSchedulingIgnoredDuringExecution:
      nodeSelectorTerms:
      - matchExpressions: [{key: topology.kubernetes.io/zone, operator: In, values: [eu-1a]}]`),
		},
		{
			name: "invalid node affinity",
			docs: deploy("bad", 1, small+`
affinity:
  nodeAffinity:
    requiredDuringSchedulingIgnoredDuringExecution:
      nodeSelectorTerms:
      - matchExpressions: [{key: hue.dev/pool, operator: Sometimes, values: [general]}]`),
			wants: []checktest.Want{checktest.Error("Deployment", "bad", "spec.template.spec", "pool general: invalid node affinity")},
		},
		{
			name: "only eligible pool prefers no scheduling",
			docs: deploy("cheap", 1, small+"\nnodeSelector: {hue.dev/spot: \"true\"}"),
			wants: []checktest.Want{checktest.Warning("Deployment", "cheap", "spec.template.spec.tolerations",
				"every eligible node pool prefers not to run it: pool spot: untolerated taint hue.dev/spot=true:PreferNoSchedule",
			)},
		},
		{
			name: "soft taint tolerated",
			docs: deploy("cheap", 1, small+"\nnodeSelector: {hue.dev/spot: \"true\"}\ntolerations: [{key: hue.dev/spot, operator: Exists}]"),
		},
		{
			name: "daemonset without tolerations misses the batch pool",
			docs: `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: logs, namespace: hue}
spec:
  selector: {matchLabels: {app: logs}}
  template:
    metadata: {labels: {app: logs}}
    spec:
` + indent(small, 6),
			wants: []checktest.Want{checktest.Error("DaemonSet", "logs", "spec.template.spec.tolerations",
				"DaemonSet does not tolerate pool batch: untolerated taint hue.dev/dedicated=batch:NoSchedule",
			)},
		},
		{
			name: "daemonset restricted to the general pool",
			docs: `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: logs, namespace: hue}
spec:
  selector: {matchLabels: {app: logs}}
  template:
    metadata: {labels: {app: logs}}
    spec:
` + indent(small+"\nnodeSelector: {hue.dev/pool-class: general}", 6),
		},
		{
			name: "daemonset tolerating everything",
			docs: `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: logs, namespace: hue}
spec:
  selector: {matchLabels: {app: logs}}
  template:
    metadata: {labels: {app: logs}}
    spec:
` + indent(small+"\ntolerations: [{operator: Exists}]", 6),
		},
		{
			name: "cronjob that no pool takes",
			docs: `apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: hue}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
` + indent(small+"\nrestartPolicy: Never\nnodeSelector: {hue.dev/pool-class: gpu}", 10),
			wants: []checktest.Want{checktest.Error("CronJob", "nightly", "spec.jobTemplate.spec.template.spec", "no node pool can take it")},
		},
		{
			name: "bare pod that no pool takes",
			docs: `apiVersion: v1
kind: Pod
metadata: {name: debug, namespace: hue}
spec:
` + indent(small+"\nnodeSelector: {kubernetes.io/os: windows}", 2),
			wants: []checktest.Want{checktest.Error("Pod", "debug", "spec", "no node pool can take it")},
		},
		{
			name: "kinds that carry no pods and foreign Deployments are ignored",
			docs: `apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: hue}
data: {a: b}
---
apiVersion: example.com/v1
kind: Deployment
metadata: {name: other, namespace: hue}
spec:
  template:
    spec:
      nodeSelector: {nowhere: "true"}
`,
		},
		{
			name: "broken object is left to the schema check",
			docs: `apiVersion: apps/v1
kind: Deployment
metadata: {name: broken, namespace: hue}
spec:
  replicas: many
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checktest.AssertFindings(t, Check(cluster(t, tt.docs)), fixture, tt.wants)
		})
	}
}

// antiAffinity keeps the pods apart, per node, from pods labelled app=<app>.
func antiAffinity(app string) string {
	return "\naffinity:\n  podAntiAffinity:\n    requiredDuringSchedulingIgnoredDuringExecution:\n" +
		"    - topologyKey: kubernetes.io/hostname\n      labelSelector: {matchLabels: {app: " + app + "}}"
}

func TestCheckCapacity(t *testing.T) {
	general := "\nnodeSelector: {hue.dev/pool-class: general}"
	tolerateBatch := "\ntolerations: [{key: hue.dev/dedicated, operator: Exists}]"
	tests := []struct {
		name  string
		docs  string
		wants []checktest.Want
	}{
		{name: "exactly the pool's capacity", docs: deploy("web", 8, container("1", "4Gi")+general)},
		{
			name: "one replica too many",
			docs: deploy("web", 3, container("3", "1Gi")+general),
			wants: []checktest.Want{checktest.Error("Deployment", "web", "spec.template.spec",
				"node pools run out of capacity: 1 of 3 pods (cpu 3, memory 1Gi each) do not fit",
				"pool general: cpu 8, memory 32Gi free of cpu 8, memory 32Gi",
			)},
		},
		{
			name: "overflow into a second eligible pool",
			docs: deploy("web", 3, container("3", "1Gi")+tolerateBatch),
		},
		{
			name: "later workloads named in the one finding",
			docs: deploy("a", 2, container("3", "1Gi")+general) + "---\n" +
				deploy("b", 1, container("3", "1Gi")+general) + "---\n" +
				deploy("c", 1, container("3", "1Gi")+general),
			wants: []checktest.Want{checktest.Error("Deployment", "b", "spec.template.spec",
				"1 of 1 pods", "pool general: cpu 2, memory 30Gi free of cpu 8, memory 32Gi",
				"later workloads that do not fit either: Deployment/hue/c",
			)},
		},
		{
			name: "init containers count by their max, not their sum",
			docs: deploy("web", 2, `initContainers:
- {name: init, image: i, resources: {requests: {cpu: "3"}}}
containers:
- {name: a, image: a, resources: {requests: {cpu: "1"}}}
- {name: b, image: b, resources: {requests: {cpu: "1"}}}`+general),
		},
		{
			name: "init containers over capacity",
			docs: deploy("web", 3, `initContainers:
- {name: init, image: i, resources: {requests: {cpu: "3"}}}
containers:
- {name: a, image: a, resources: {requests: {cpu: "1"}}}`+general),
			wants: []checktest.Want{checktest.Error("Deployment", "web", "spec.template.spec", "1 of 3 pods (cpu 3 each)")},
		},
		{
			name: "pod larger than any node",
			docs: deploy("huge", 1, container("5", "1Gi")+general),
			wants: []checktest.Want{checktest.Error("Deployment", "huge", "spec.template.spec",
				"a pod requests cpu 5, memory 1Gi, more than one node offers: pool general: cpu 4, memory 16Gi per node",
			)},
		},
		{
			name: "pod larger than a general node fits a batch node",
			docs: deploy("huge", 1, container("5", "1Gi")+tolerateBatch),
		},
		{
			name: "daemonset charged on every node first",
			docs: deploy("web", 2, container("1500m", "1Gi")+general) + "---\n" + `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: hue}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
` + indent(container("3", "1Gi")+general, 6),
			// Each node keeps 1 cpu after the agent: 2 cpu are free in all, yet no 1500m pod fits.
			wants: []checktest.Want{checktest.Error("Deployment", "web", "spec.template.spec",
				"2 of 2 pods (cpu 1500m, memory 1Gi each) do not fit", "pool general: cpu 2, memory 30Gi free",
			)},
		},
		{
			// 3 x 2500m is less than the pool's 8 cpu, but a 4-cpu node holds one such pod.
			name: "fragmentation: the pool has room, no node does",
			docs: deploy("web", 3, container("2500m", "1Gi")+general),
			wants: []checktest.Want{checktest.Error("Deployment", "web", "spec.template.spec",
				"1 of 3 pods (cpu 2500m, memory 1Gi each) do not fit", "pool general: cpu 8, memory 32Gi free of cpu 8, memory 32Gi",
			)},
		},
		{
			name: "required anti-affinity: one pod per node",
			docs: deploy("web", 3, container("100m", "128Mi")+general+antiAffinity("web")),
			wants: []checktest.Want{checktest.Error("Deployment", "web", "spec.template.spec",
				"1 of 3 pods (cpu 100m, memory 128Mi each) do not fit",
				"a required pod anti-affinity on kubernetes.io/hostname allows one pod per node, and 2 nodes are eligible",
			)},
		},
		{name: "required anti-affinity within the node count", docs: deploy("web", 2, container("100m", "128Mi")+general+antiAffinity("web"))},
		{name: "anti-affinity to other pods does not spread these", docs: deploy("web", 3, container("100m", "128Mi")+general+antiAffinity("db"))},
		{
			name: "daemonset alone over a pool",
			docs: `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: hue}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
` + indent(container("3", "1Gi")+"\nnodeSelector: {hue.dev/spot: \"true\"}", 6),
			wants: []checktest.Want{checktest.Error("DaemonSet", "agent", "spec.template.spec", "a DaemonSet pod requests cpu 3, memory 1Gi, more than one node offers: pool spot: cpu 2 per node")},
		},
		{
			name: "unknown memory capacity is never exhausted",
			docs: deploy("mem", 1, container("1", "1Ti")+"\nnodeSelector: {hue.dev/spot: \"true\"}\ntolerations: [{operator: Exists}]"),
		},
		{
			name: "job parallelism capped by completions fits",
			docs: `apiVersion: batch/v1
kind: Job
metadata: {name: etl, namespace: hue}
spec:
  parallelism: 5
  completions: 4
  template:
    spec:
` + indent(container("2", "1Gi")+"\nrestartPolicy: Never"+general, 6),
		},
		{
			name: "job parallelism over capacity",
			docs: `apiVersion: batch/v1
kind: Job
metadata: {name: etl, namespace: hue}
spec:
  parallelism: 5
  template:
    spec:
` + indent(container("2", "1Gi")+"\nrestartPolicy: Never"+general, 6),
			wants: []checktest.Want{checktest.Error("Job", "etl", "spec.template.spec", "1 of 5 pods (cpu 2, memory 1Gi each) do not fit")},
		},
		{name: "pods without requests take nothing", docs: deploy("web", 100, "containers: [{name: a, image: a}]"+general)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checktest.AssertFindings(t, Check(cluster(t, tt.docs)), fixture, tt.wants)
		})
	}
}

func TestCheckWithoutPools(t *testing.T) {
	c := cluster(t, deploy("x", 1, "containers: [{name: a, image: a}]\nnodeSelector: {nowhere: \"true\"}"))
	c.Spec.Spec.NodePools = nil
	assert.Empty(t, Check(c))
}

func TestEligible(t *testing.T) {
	eligible, reasons := Eligible(&corev1.PodSpec{
		NodeSelector: map[string]string{v1alpha1.LabelPoolClass: "batch"},
	}, pools(t))
	assert.Empty(t, eligible)
	assert.Equal(t, map[string]string{
		"general": "node selector/affinity does not match",
		"batch":   "untolerated taint hue.dev/dedicated=batch:NoSchedule",
		"spot":    "node selector/affinity does not match",
	}, reasons)

	eligible, reasons = Eligible(&corev1.PodSpec{
		Tolerations: []corev1.Toleration{{Key: v1alpha1.TaintDedicated, Operator: corev1.TolerationOpEqual, Value: "batch", Effect: corev1.TaintEffectNoSchedule}},
	}, pools(t))
	assert.Equal(t, []string{"general", "batch", "spot"}, eligible)
	assert.Empty(t, reasons)

	// A toleration for another value of the key does not help.
	eligible, reasons = Eligible(&corev1.PodSpec{
		Tolerations: []corev1.Toleration{{Key: v1alpha1.TaintDedicated, Value: "gpu"}},
	}, pools(t))
	assert.Equal(t, []string{"general", "spot"}, eligible)
	assert.Equal(t, map[string]string{"batch": "untolerated taint hue.dev/dedicated=batch:NoSchedule"}, reasons)
}

func TestNode(t *testing.T) {
	n := Node(v1alpha1.NodePool{Name: "arm", Labels: map[string]string{"kubernetes.io/arch": "arm64", v1alpha1.LabelPool: "spoof"}, Zones: []string{"z1", "z2"}})
	assert.Equal(t, map[string]string{
		"kubernetes.io/os": "linux", "kubernetes.io/arch": "arm64", v1alpha1.LabelPool: "arm", "topology.kubernetes.io/zone": "z1",
	}, n.Labels)
}

func TestPodTemplate(t *testing.T) {
	objs := parse(t, `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: hue}
spec:
  replicas: 3
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: db}]}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs, namespace: hue}
spec:
  template:
    spec: {containers: [{name: a, image: a}]}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: cj, namespace: hue}
spec:
  jobTemplate:
    spec:
      parallelism: 4
      template:
        spec: {containers: [{name: j, image: j}]}
---
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: hue, labels: {app: p}}
spec: {containers: [{name: p, image: p}]}
---
apiVersion: v1
kind: Service
metadata: {name: s, namespace: hue}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: broken, namespace: hue}
spec: {template: {spec: {containers: "nope"}}}
`)
	type result struct {
		container string
		label     string
		replicas  int32
		prefix    string
		ok, err   bool
	}
	var got []result
	for _, o := range objs {
		tmpl, replicas, prefix, ok, err := manifest.PodTemplate(o)
		r := result{replicas: replicas, prefix: prefix, ok: ok, err: err != nil}
		if tmpl != nil {
			r.container = tmpl.Spec.Containers[0].Name
			r.label = tmpl.Labels["app"]
		}
		got = append(got, r)
	}
	assert.Equal(t, []result{
		{"db", "db", 3, "spec.template.spec", true, false},
		{"a", "", 1, "spec.template.spec", true, false},
		{"j", "", 4, "spec.jobTemplate.spec.template.spec", true, false},
		{"p", "p", 1, "spec", true, false},
		{"", "", 0, "", false, false},
		{"", "", 0, "", true, true},
	}, got)
}

// firstFit is the placement the package comment describes, pod by pod and node by node: the
// reference the run-by-run packing must agree with.
func firstFit(pools []v1alpha1.NodePool, wls []workload) []int64 {
	nodesOf := make([][]corev1.ResourceList, len(pools))
	for i, p := range pools {
		for range p.Count {
			nodesOf[i] = append(nodesOf[i], nodeCapacity(p))
		}
	}
	misfits := make([]int64, len(wls))
	for wi, w := range wls {
		used := map[[2]int]bool{}
		for range w.replicas {
			placed := false
			for _, i := range w.eligible {
				for n := range nodesOf[i] {
					if (w.spread && used[[2]int{i, n}]) || !fits(w.request, nodesOf[i][n]) {
						continue
					}
					charge(nodesOf[i][n], w.request, 1)
					used[[2]int{i, n}], placed = true, true
					break
				}
				if placed {
					break
				}
			}
			if !placed {
				misfits[wi]++
			}
		}
	}
	return misfits
}

func TestCapacityAgreesWithFirstFit(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	cpus := []string{"500m", "1", "1500m", "2", "4"}
	mems := []string{"512Mi", "1Gi", "3Gi", "4Gi"}
	for round := range 500 {
		var ps []v1alpha1.NodePool
		for i := range 1 + rng.IntN(3) {
			ps = append(ps, v1alpha1.NodePool{Name: fmt.Sprintf("p%d", i), Count: int32(1 + rng.IntN(4)),
				Capacity: v1alpha1.Quantities{CPU: cpus[2+rng.IntN(3)], Memory: mems[1+rng.IntN(3)]}})
		}
		hc := &v1alpha1.HueCluster{}
		hc.Name = "c1"
		c := &check.Cluster{Spec: hc}
		var wls []workload
		for i := range 1 + rng.IntN(5) {
			u := &unstructured.Unstructured{}
			u.SetKind("Deployment")
			u.SetName(fmt.Sprintf("w%d", i))
			var eligible []int
			for j := range ps {
				if rng.IntN(3) > 0 {
					eligible = append(eligible, j)
				}
			}
			if len(eligible) == 0 {
				eligible = []int{0}
			}
			wls = append(wls, workload{obj: manifest.Object{Unstructured: u}, replicas: int32(rng.IntN(9)), eligible: eligible, spread: rng.IntN(3) == 0,
				request: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpus[rng.IntN(3)]), corev1.ResourceMemory: resource.MustParse(mems[rng.IntN(3)])}})
		}
		misfits := firstFit(ps, wls)
		f, over := capacity(c, ps, wls)
		var first int = -1
		var others []string
		for i, m := range misfits {
			if m == 0 {
				continue
			}
			if first < 0 {
				first = i
			} else {
				others = append(others, wls[i].obj.Ref())
			}
		}
		if !assert.Equal(t, first >= 0, over, "round %d: %v", round, f) || first < 0 {
			continue
		}
		assert.Equal(t, wls[first].obj.GetName(), f.Name, "round %d", round)
		assert.Contains(t, f.Message, fmt.Sprintf(": %d of %d pods", misfits[first], wls[first].replicas), "round %d", round)
		if len(others) > 0 {
			assert.Contains(t, f.Message, "later workloads that do not fit either: "+strings.Join(others, ", "), "round %d", round)
		}
	}
}

// Replicas and node counts at the top of their ranges cost no more than small ones.
func TestCapacityIsBoundedByShapes(t *testing.T) {
	ps := []v1alpha1.NodePool{{Name: "huge", Count: math.MaxInt32, Capacity: v1alpha1.Quantities{CPU: "2", Memory: "4Gi"}}}
	u := &unstructured.Unstructured{}
	u.SetKind("Deployment")
	u.SetName("many")
	req := corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1")}
	hc := &v1alpha1.HueCluster{}
	hc.Name = "c1"
	wls := []workload{
		{obj: manifest.Object{Unstructured: u}, replicas: math.MaxInt32, eligible: []int{0}, request: req},
		{obj: manifest.Object{Unstructured: u}, replicas: math.MaxInt32, eligible: []int{0}, request: req, spread: true},
	}
	f, over := capacity(&check.Cluster{Spec: hc}, ps, wls)
	require.True(t, over)
	// Two pods per node: the first workload fills half the nodes and one more with a single pod;
	// the spread one gets a pod on each node with room left, the rest do not fit.
	assert.Equal(t, "many", f.Name)
	assert.Contains(t, f.Message, fmt.Sprintf(": %d of %d pods", math.MaxInt32/2, math.MaxInt32))
	assert.Contains(t, f.Message, "anti-affinity", "the spread workload is the one that does not fit")
	assert.NotContains(t, f.Message, "later workloads")
}

func TestCheckQuota(t *testing.T) {
	quota := func(ns, cpu string, scoped bool) string {
		q := "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: compute, namespace: " + ns + "}\nspec:\n  hard: {requests.cpu: \"" + cpu + "\", requests.memory: 64Gi}\n"
		if scoped {
			q += "  scopes: [BestEffort]\n"
		}
		return q
	}
	general := "\nnodeSelector: {hue.dev/pool-class: general}"
	tests := []struct {
		name  string
		docs  string
		wants []checktest.Want
	}{
		{name: "the quota covers every replica", docs: quota("hue", "3", false) + "---\n" + deploy("web", 3, container("1", "1Gi")+general)},
		{
			name: "every replica and every DaemonSet pod count",
			docs: quota("hue", "2500m", false) + "---\n" + deploy("web", 2, container("1", "1Gi")+general) + "---\n" +
				strings.Replace(strings.Replace(deploy("agent", 1, container("500m", "1Gi")+general), "kind: Deployment", "kind: DaemonSet", 1), "  replicas: 1\n", "", 1),
			wants: []checktest.Want{checktest.Error("ResourceQuota", "compute", "spec.hard[requests.cpu]",
				// 2 replicas of 1 cpu, and a DaemonSet pod of 500m on each of the 2 general nodes
				"namespace hue allows 2500m requests.cpu, but its pods request 3 together",
			)},
		},
		{name: "a quota of another namespace", docs: quota("other", "1", false) + "---\n" + deploy("web", 3, container("1", "1Gi")+general)},
		{name: "a scoped quota bounds only some pods", docs: quota("hue", "1", true) + "---\n" + deploy("web", 3, container("1", "1Gi")+general)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checktest.AssertFindings(t, Check(cluster(t, tt.docs)), fixture, tt.wants) })
	}
}
