# METADATA
# title: Tolerations only for taints the cluster has and the workload may use
# custom:
#   id: HUE-018
#   severity: error
#   rationale: A toleration for a taint no node pool carries is dead config that hides placement mistakes; tolerating a dedicated pool the workload is not placed on lets it squat on GPU or restricted nodes.
#   remediation: Tolerate only taints of the cluster's nodePools; tolerate hue.dev/dedicated=<class> only with the pod template label hue.dev/placement=<class>. Only allow-listed DaemonSets may tolerate everything.
package hue.tolerations

import data.hue.lib

dedicated := "hue.dev/dedicated"

# Node condition taints (not-ready, unreachable, ...) exist on every cluster.
condition_taint(key) if startswith(key, "node.kubernetes.io/")

tolerates(t, taint) if {
	t.key == taint.key
	object.get(t, "operator", "Equal") == "Exists"
	object.get(t, "effect", "") in {"", taint.effect}
}

tolerates(t, taint) if {
	t.key == taint.key
	object.get(t, "operator", "Equal") == "Equal"
	object.get(t, "value", "") == object.get(taint, "value", "")
	object.get(t, "effect", "") in {"", taint.effect}
}

tolerations(o) := [[i, t, sprintf("%s.tolerations[%d]", [lib.pod_spec_path(o), i])] |
	some i, t in object.get(lib.pod_spec(o), "tolerations", [])
]

violation contains v if {
	some o in lib.workloads
	some [_, t, path] in tolerations(o)
	object.get(t, "key", "") == ""
	not lib.allowed(o, "tolerateAll")
	v := lib.violation("HUE-018", o, path, "tolerates every taint; only allow-listed DaemonSets may")
}

violation contains v if {
	some o in lib.workloads
	some [_, t, path] in tolerations(o)
	key := object.get(t, "key", "")
	key != ""
	not condition_taint(key)
	not cluster_has(t)
	v := lib.violation("HUE-018", o, path, sprintf("tolerates %s=%s:%s but no node pool of cluster %s has that taint", [key, object.get(t, "value", "*"), object.get(t, "effect", "*"), input.cluster.name]))
}

violation contains v if {
	some o in lib.workloads
	some [_, t, path] in tolerations(o)
	t.key == dedicated
	object.get(t, "operator", "Equal") == "Exists"
	v := lib.violation("HUE-018", o, path, sprintf("tolerates every %s class; tolerate the one named by label hue.dev/placement", [dedicated]))
}

violation contains v if {
	some o in lib.workloads
	some [_, t, path] in tolerations(o)
	t.key == dedicated
	object.get(t, "operator", "Equal") == "Equal"
	placement := object.get(lib.template_labels(o), "hue.dev/placement", "")
	object.get(t, "value", "") != placement
	v := lib.violation("HUE-018", o, path, sprintf("tolerates %s=%s but the pod template is labelled hue.dev/placement=%q", [dedicated, object.get(t, "value", ""), placement]))
}

cluster_has(t) if {
	some taint in object.get(input.cluster, "taints", [])
	tolerates(t, taint)
}
