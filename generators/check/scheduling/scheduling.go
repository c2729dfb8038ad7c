package scheduling

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	resourcehelper "k8s.io/component-helpers/resource"

	"github.com/hue-platform/hue-gitops/generators/api/v1alpha1"
	"github.com/hue-platform/hue-gitops/generators/check"
	"github.com/hue-platform/hue-gitops/generators/manifest"
)

// ID is the check id of the findings of this package.
const ID = "scheduling"

// counted are the resources the packing counts.
var counted = []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory}

// workload is one pod-bearing object with where its pods can go.
type workload struct {
	obj      manifest.Object
	prefix   string
	replicas int32
	daemon   bool
	// eligible are indexes into the cluster's node pools.
	eligible []int
	// request is what one pod requests (cpu and memory only).
	request corev1.ResourceList
	// spread is a required pod anti-affinity of the workload's pods to each other on
	// kubernetes.io/hostname: at most one of its pods per node.
	spread bool
}

// Check runs the scheduling check on one rendered cluster. A cluster without node pools is not
// checked.
func Check(c *check.Cluster) []check.Finding {
	pools := c.Spec.Spec.NodePools
	if len(pools) == 0 {
		return nil
	}
	var out []check.Finding
	var wls []workload
	for _, o := range c.Objects {
		tmpl, replicas, prefix, ok, err := manifest.PodTemplate(o)
		if !ok || err != nil {
			continue // not pod-bearing, or broken: the schema check reports it
		}
		spec := tmpl.Spec
		daemon := manifest.IsDaemonSet(o)
		if daemon {
			spec.Tolerations = append(append([]corev1.Toleration{}, spec.Tolerations...), daemonSetTolerations...)
		}
		w := workload{obj: o, prefix: prefix, replicas: replicas, daemon: daemon, request: podRequest(&spec),
			spread: spreadsPerNode(tmpl)}
		fs, eligible := placementFindings(c, w, place(&spec, pools))
		out = append(out, fs...)
		if len(eligible) == 0 {
			continue
		}
		w.eligible = eligible
		if f, fits := fitsOneNode(c, w, pools); !fits {
			out = append(out, f...)
			continue
		}
		wls = append(wls, w)
	}
	if f, ok := capacity(c, pools, wls); ok {
		out = append(out, f)
	}
	out = append(out, quotas(c, pools, wls)...)
	for i := range out {
		out[i].Related = c.SpecFile // the pools are declared there: the fix may be a pool
	}
	check.Sort(out)
	return out
}

// placementFindings reports a workload no pool can take, a DaemonSet that misses a pool it
// selects, and a workload every eligible pool prefers to keep away; it returns the eligible pools.
func placementFindings(c *check.Cluster, w workload, ps []placement) ([]check.Finding, []int) {
	var out []check.Finding
	var eligible []int
	var ruledOut, avoided []string
	for i, p := range ps {
		switch {
		case p.eligible:
			eligible = append(eligible, i)
			if p.preferAvoid != nil {
				avoided = append(avoided, fmt.Sprintf("pool %s: untolerated taint %s", p.pool, p.preferAvoid.ToString()))
			}
		case w.daemon && p.selected:
			out = append(out, c.Finding(ID, check.SeverityError, w.obj, w.prefix+".tolerations",
				"DaemonSet does not tolerate pool %s: %s", p.pool, p.reason))
			ruledOut = append(ruledOut, fmt.Sprintf("pool %s: %s", p.pool, p.reason))
		default:
			ruledOut = append(ruledOut, fmt.Sprintf("pool %s: %s", p.pool, p.reason))
		}
	}
	if len(eligible) == 0 {
		if len(out) == 0 { // a DaemonSet already blamed on every pool it selects says enough
			out = append(out, c.Finding(ID, check.SeverityError, w.obj, w.prefix,
				"no node pool can take it: %s", strings.Join(ruledOut, "; ")))
		}
		return out, nil
	}
	if !w.daemon && len(avoided) == len(eligible) {
		out = append(out, c.Finding(ID, check.SeverityWarning, w.obj, w.prefix+".tolerations",
			"every eligible node pool prefers not to run it: %s", strings.Join(avoided, "; ")))
	}
	return out, eligible
}

// podRequest is what one pod of the spec requests, by the Kubernetes rules, cpu and memory only.
func podRequest(spec *corev1.PodSpec) corev1.ResourceList {
	all := resourcehelper.PodRequests(&corev1.Pod{Spec: *spec}, resourcehelper.PodResourcesOptions{})
	out := corev1.ResourceList{}
	for _, r := range counted {
		if q, ok := all[r]; ok && !q.IsZero() {
			out[r] = q.DeepCopy()
		}
	}
	return out
}

// nodeCapacity is the capacity of one node of the pool; a missing or unparsable value is left out
// (unknown, never exhausted).
func nodeCapacity(pool v1alpha1.NodePool) corev1.ResourceList {
	out := corev1.ResourceList{}
	for r, s := range map[corev1.ResourceName]string{corev1.ResourceCPU: pool.Capacity.CPU, corev1.ResourceMemory: pool.Capacity.Memory} {
		if q, err := resource.ParseQuantity(s); err == nil && s != "" {
			out[r] = q
		}
	}
	return out
}

// poolCapacity is the capacity of all nodes of the pool.
func poolCapacity(pool v1alpha1.NodePool) corev1.ResourceList {
	out := nodeCapacity(pool)
	for r, q := range out {
		q.Mul(int64(pool.Count))
		out[r] = q
	}
	return out
}

// fits tells whether req fits in free; resources free does not know always fit.
func fits(req, free corev1.ResourceList) bool {
	for r, q := range req {
		if f, ok := free[r]; ok && q.Cmp(f) > 0 {
			return false
		}
	}
	return true
}

func charge(free, req corev1.ResourceList, times int64) {
	for r, q := range req {
		f, ok := free[r]
		if !ok {
			continue
		}
		q = q.DeepCopy()
		q.Mul(times)
		f.Sub(q)
		free[r] = f
	}
}

func times(req corev1.ResourceList, n int64) corev1.ResourceList {
	out := corev1.ResourceList{}
	for r, q := range req {
		q = q.DeepCopy()
		q.Mul(n)
		out[r] = q
	}
	return out
}

// describe prints a resource list as "cpu 500m, memory 1Gi", in a fixed order.
func describe(l corev1.ResourceList) string {
	var parts []string
	for _, r := range counted {
		if q, ok := l[r]; ok {
			parts = append(parts, fmt.Sprintf("%s %s", r, q.String()))
		}
	}
	if len(parts) == 0 {
		return "nothing"
	}
	return strings.Join(parts, ", ")
}

// fitsOneNode reports a pod larger than a single node: on every eligible pool for a workload, on
// each such pool for a DaemonSet.
func fitsOneNode(c *check.Cluster, w workload, pools []v1alpha1.NodePool) ([]check.Finding, bool) {
	var too []string
	for _, i := range w.eligible {
		if !fits(w.request, nodeCapacity(pools[i])) {
			too = append(too, fmt.Sprintf("pool %s: %s per node", pools[i].Name, describe(nodeCapacity(pools[i]))))
		}
	}
	if len(too) == 0 || (!w.daemon && len(too) < len(w.eligible)) {
		return nil, true
	}
	what := "a pod"
	if w.daemon {
		what = "a DaemonSet pod"
	}
	return []check.Finding{c.Finding(ID, check.SeverityError, w.obj, w.prefix,
		"%s requests %s, more than one node offers: %s", what, describe(w.request), strings.Join(too, "; "))}, false
}

// nodes are identical nodes of one pool: how many, and what each has left.
type nodes struct {
	count int64
	free  corev1.ResourceList
}

// perNode is how many pods requesting req fit in free, at most limit: by the units the
// scheduler counts in (millicores for cpu, bytes for the rest); a resource free does not know
// never runs out.
func perNode(req, free corev1.ResourceList, limit int64) int64 {
	n := limit
	for r, q := range req {
		f, ok := free[r]
		if !ok {
			continue
		}
		want, have := q.Value(), f.Value()
		if r == corev1.ResourceCPU {
			want, have = q.MilliValue(), f.MilliValue()
		}
		if want <= 0 {
			continue
		}
		if have < 0 {
			have = 0
		}
		n = min(n, have/want)
	}
	return n
}

// take splits a run of identical nodes: the first k get a pods each (k*a pods), then, when r > 0,
// one more gets r; the rest are left as they were. The order of the nodes is kept.
func (g nodes) take(req corev1.ResourceList, k, a, r int64) []nodes {
	var out []nodes
	if k > 0 && a > 0 {
		f := g.free.DeepCopy()
		charge(f, req, a)
		out = append(out, nodes{count: k, free: f})
	} else if k > 0 {
		out = append(out, nodes{count: k, free: g.free})
	}
	if r > 0 {
		f := g.free.DeepCopy()
		charge(f, req, r)
		out = append(out, nodes{count: 1, free: f})
		k++
	}
	if rest := g.count - k; rest > 0 {
		out = append(out, nodes{count: rest, free: g.free})
	}
	return out
}

// capacity places every pod on the nodes of its eligible pools (see the package comment) and
// reports the first workload that does not fit, naming the others. Nodes of a pool start alike,
// so each pool is kept as runs of identical nodes and a workload is placed run by run: the
// cost grows with the number of workloads and pools, not with replicas or node counts, and the
// placement is the same as placing pod by pod on the first node with room.
func capacity(c *check.Cluster, pools []v1alpha1.NodePool, wls []workload) (check.Finding, bool) {
	runs := make([][]nodes, len(pools))
	for i, p := range pools {
		runs[i] = []nodes{{count: int64(p.Count), free: nodeCapacity(p)}}
	}
	poolFree := func(i int) corev1.ResourceList {
		sum := corev1.ResourceList{}
		for r := range nodeCapacity(pools[i]) {
			total := resource.Quantity{}
			for _, g := range runs[i] {
				q := g.free[r].DeepCopy()
				q.Mul(g.count)
				total.Add(q)
			}
			sum[r] = total
		}
		return sum
	}
	var first *check.Finding
	var others []string
	overflow := func(w workload, msg string) {
		if first == nil {
			f := c.Finding(ID, check.SeverityError, w.obj, w.prefix, "%s", msg)
			first = &f
		} else {
			others = append(others, w.obj.Ref())
		}
	}
	freeBefore := func(idx []int) string {
		var parts []string
		for _, i := range idx {
			parts = append(parts, fmt.Sprintf("pool %s: %s free of %s", pools[i].Name, describe(poolFree(i)), describe(poolCapacity(pools[i]))))
		}
		return strings.Join(parts, "; ")
	}
	// DaemonSets first: one pod on every node of every pool they run on.
	for _, w := range wls {
		if !w.daemon || len(w.request) == 0 {
			continue
		}
		for _, i := range w.eligible {
			before := freeBefore([]int{i})
			var short int64
			for j := range runs[i] {
				if !fits(w.request, runs[i][j].free) {
					short += runs[i][j].count
				}
				charge(runs[i][j].free, w.request, 1)
			}
			if short > 0 {
				overflow(w, fmt.Sprintf("node pools run out of capacity: DaemonSet pods (%s each) do not fit on %d of the %d nodes of pool %s; %s",
					describe(w.request), short, pools[i].Count, pools[i].Name, before))
			}
		}
	}
	// Then every other pod, workload by workload in render order, on the first node (pools in
	// the cluster spec's order) that has room and, for a spread workload, none of its pods yet.
	for _, w := range wls {
		if w.daemon || len(w.request) == 0 {
			continue
		}
		before := freeBefore(w.eligible)
		left := int64(w.replicas)
		for _, i := range w.eligible {
			var next []nodes
			for _, g := range runs[i] {
				each := int64(1)
				if !w.spread {
					each = left
				}
				per := perNode(w.request, g.free, each)
				if left == 0 || per == 0 {
					next = append(next, g)
					continue
				}
				// Full nodes of per pods, then one with the remainder.
				full := min(g.count, left/per)
				rem := int64(0)
				if full < g.count {
					rem = left - full*per
				}
				next = append(next, g.take(w.request, full, per, rem)...)
				left -= full*per + rem
			}
			runs[i] = next
		}
		if left > 0 {
			msg := fmt.Sprintf("node pools run out of capacity: %d of %d pods (%s each) do not fit; %s",
				left, w.replicas, describe(w.request), before)
			if w.spread {
				var eligibleNodes int64
				for _, i := range w.eligible {
					eligibleNodes += int64(pools[i].Count)
				}
				msg += fmt.Sprintf("; a required pod anti-affinity on %s allows one pod per node, and %d nodes are eligible", corev1.LabelHostname, eligibleNodes)
			}
			overflow(w, msg)
		}
	}
	if first == nil {
		return check.Finding{}, false
	}
	if len(others) > 0 {
		first.Message += "; later workloads that do not fit either: " + strings.Join(others, ", ")
	}
	return *first, true
}

// spreadsPerNode tells whether the pod template requires its pods to keep apart on
// kubernetes.io/hostname: a required anti-affinity term whose selector matches its own labels.
func spreadsPerNode(tmpl *corev1.PodTemplateSpec) bool {
	a := tmpl.Spec.Affinity
	if a == nil || a.PodAntiAffinity == nil {
		return false
	}
	for _, term := range a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution {
		if term.TopologyKey != corev1.LabelHostname || term.LabelSelector == nil {
			continue
		}
		sel, err := metav1.LabelSelectorAsSelector(term.LabelSelector)
		if err == nil && sel.Matches(labels.Set(tmpl.Labels)) {
			return true
		}
	}
	return false
}

// quotaKeys are the ResourceQuota keys that bound the summed requests of a namespace's pods.
var quotaKeys = map[corev1.ResourceName]corev1.ResourceName{
	corev1.ResourceRequestsCPU: corev1.ResourceCPU, corev1.ResourceCPU: corev1.ResourceCPU,
	corev1.ResourceRequestsMemory: corev1.ResourceMemory, corev1.ResourceMemory: corev1.ResourceMemory,
}

// quotas reports a namespace quota below what its pods request together (every replica, a
// DaemonSet's pod on every node of its pools, a Job's parallel pods): the API server would
// refuse the pods beyond it, and the workloads never become ready. Quotas with scopes bound
// only some pods and are left out.
func quotas(c *check.Cluster, pools []v1alpha1.NodePool, wls []workload) []check.Finding {
	need := map[string]corev1.ResourceList{}
	for _, w := range wls {
		n := int64(w.replicas)
		if w.daemon {
			n = 0
			for _, i := range w.eligible {
				n += int64(pools[i].Count)
			}
		}
		ns := w.obj.GetNamespace()
		if need[ns] == nil {
			need[ns] = corev1.ResourceList{}
		}
		for r, q := range times(w.request, n) {
			sum := need[ns][r]
			sum.Add(q)
			need[ns][r] = sum
		}
	}
	var out []check.Finding
	for _, o := range c.Objects {
		if o.GetKind() != "ResourceQuota" || o.GroupVersionKind().Group != "" {
			continue
		}
		var rq corev1.ResourceQuota
		if runtime.DefaultUnstructuredConverter.FromUnstructured(o.Object, &rq) != nil || len(rq.Spec.Scopes) > 0 || rq.Spec.ScopeSelector != nil {
			continue
		}
		for _, key := range slices.Sorted(maps.Keys(rq.Spec.Hard)) {
			r, ok := quotaKeys[key]
			if !ok {
				continue
			}
			hard, want := rq.Spec.Hard[key], need[o.GetNamespace()][r]
			if want.Cmp(hard) > 0 {
				out = append(out, c.Finding(ID, check.SeverityError, o, "spec.hard["+string(key)+"]",
					"namespace %s allows %s %s, but its pods request %s together: the pods beyond the quota are refused",
					o.GetNamespace(), hard.String(), key, want.String()))
			}
		}
	}
	return out
}
