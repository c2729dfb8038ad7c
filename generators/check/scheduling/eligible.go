package scheduling

import (
	"fmt"
	"maps"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	corev1helpers "k8s.io/component-helpers/scheduling/corev1"
	"k8s.io/component-helpers/scheduling/corev1/nodeaffinity"

	"github.com/hue-platform/hue-gitops/generators/api/v1alpha1"
)

// Well-known node labels every synthetic node carries.
const (
	labelOS   = "kubernetes.io/os"
	labelArch = "kubernetes.io/arch"
	labelZone = "topology.kubernetes.io/zone"
)

// comparisonOperators enables the Gt/Lt toleration operators (an alpha feature gate upstream);
// off, as on the clusters we target.
const comparisonOperators = false

// Node builds the synthetic node that stands for every node of a pool: the pool's labels on top
// of kubernetes.io/os=linux and kubernetes.io/arch=amd64 (a pool may override both), the
// hue.dev/pool label, the first zone as topology.kubernetes.io/zone, the pool's taints and its
// per-node capacity as allocatable.
func Node(pool v1alpha1.NodePool) *corev1.Node {
	lbls := map[string]string{labelOS: "linux", labelArch: "amd64"}
	maps.Copy(lbls, pool.Labels)
	lbls[v1alpha1.LabelPool] = pool.Name
	if len(pool.Zones) > 0 {
		lbls[labelZone] = pool.Zones[0]
	}
	node := &corev1.Node{}
	node.Name = pool.Name
	node.Labels = lbls
	node.Spec.Taints = pool.Taints
	return node
}

// placement is how one pod spec fares on one pool.
type placement struct {
	pool     string
	eligible bool
	// reason is why the pool is ruled out (empty when eligible).
	reason string
	// selected is true when node selector and required affinity match, whatever the taints.
	selected bool
	// preferAvoid is the first untolerated PreferNoSchedule taint of an eligible pool.
	preferAvoid *corev1.Taint
}

func hardEffect(t *corev1.Taint) bool {
	return t.Effect == corev1.TaintEffectNoSchedule || t.Effect == corev1.TaintEffectNoExecute
}

func softEffect(t *corev1.Taint) bool { return t.Effect == corev1.TaintEffectPreferNoSchedule }

func place(pod *corev1.PodSpec, pools []v1alpha1.NodePool) []placement {
	affinity := nodeaffinity.NewRequiredNodeAffinity(pod.NodeSelector, pod.Affinity)
	out := make([]placement, 0, len(pools))
	for _, pool := range pools {
		p := placement{pool: pool.Name}
		node := Node(pool)
		match, err := affinity.Match(node)
		switch {
		case err != nil:
			p.reason = fmt.Sprintf("invalid node affinity: %v", err)
		case !match:
			p.reason = "node selector/affinity does not match"
		default:
			p.selected = true
			if t, bad := corev1helpers.FindMatchingUntoleratedTaint(logr.Discard(), node.Spec.Taints, pod.Tolerations, hardEffect, comparisonOperators); bad {
				p.reason = "untolerated taint " + t.ToString()
			} else {
				p.eligible = true
				if t, soft := corev1helpers.FindMatchingUntoleratedTaint(logr.Discard(), node.Spec.Taints, pod.Tolerations, softEffect, comparisonOperators); soft {
					p.preferAvoid = &t
				}
			}
		}
		out = append(out, p)
	}
	return out
}

// Eligible lists, in pool order, the pools a pod with this spec can be scheduled on (node
// selector and required node affinity match, every NoSchedule/NoExecute taint tolerated), and
// for every other pool the reason it is ruled out, such as "node selector/affinity does not
// match" or "untolerated taint hue.dev/dedicated=batch:NoSchedule".
func Eligible(pod *corev1.PodSpec, pools []v1alpha1.NodePool) (eligible []string, reasons map[string]string) {
	reasons = map[string]string{}
	for _, p := range place(pod, pools) {
		if p.eligible {
			eligible = append(eligible, p.pool)
		} else {
			reasons[p.pool] = p.reason
		}
	}
	return eligible, reasons
}

// daemonSetTolerations are the tolerations the DaemonSet controller adds to every pod it creates.
var daemonSetTolerations = []corev1.Toleration{
	{Key: corev1.TaintNodeNotReady, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute},
	{Key: corev1.TaintNodeUnreachable, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute},
	{Key: corev1.TaintNodeDiskPressure, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule},
	{Key: corev1.TaintNodeMemoryPressure, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule},
	{Key: corev1.TaintNodePIDPressure, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule},
	{Key: corev1.TaintNodeUnschedulable, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule},
}
