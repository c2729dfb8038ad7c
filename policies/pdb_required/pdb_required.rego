# METADATA
# title: Replicated Deployments and StatefulSets have a PodDisruptionBudget
# custom:
#   id: HUE-014
#   severity: error
#   rationale: Node drains during upgrades would otherwise take every replica down at once; the replicas buy nothing without a budget.
#   remediation: Add a PodDisruptionBudget whose selector matches the pod template labels, with maxUnavailable 1 (component high-availability).
package hue.pdb_required

import data.hue.lib

# covered holds the positions in lib.workloads of the pods some PodDisruptionBudget selects; a
# budget without a selector selects nothing.
covered contains i if {
	some pdb in lib.objects_of_kind("PodDisruptionBudget")
	some i in lib.selected_workloads(lib.namespace(pdb), object.get(pdb, ["spec", "selector"], {"matchLabels": {"": "none"}}))
}

violation contains v if {
	some i, o in lib.workloads
	o.kind in {"Deployment", "StatefulSet"}
	lib.replicas(o) > 1
	not i in covered
	v := lib.violation("HUE-014", o, "spec.replicas", sprintf("%s %s runs %d replicas but no PodDisruptionBudget selects its pods", [o.kind, o.metadata.name, lib.replicas(o)]))
}
