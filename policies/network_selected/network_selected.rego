# METADATA
# title: Every workload is selected by a NetworkPolicy that allows its traffic
# custom:
#   id: HUE-013
#   severity: error
#   rationale: Under default-deny a workload that no allowing NetworkPolicy selects can neither serve nor reach anything; under a missing default-deny it is wide open. Either way its flows are undeclared. A policy for the whole namespace (an empty podSelector, such as default-deny or DNS egress) declares nobody's flows, so it does not count.
#   remediation: Add a NetworkPolicy in the workload's namespace whose podSelector matches the pod template labels and lists the flows the service needs.
package hue.network_selected

import data.hue.lib

# selected holds the positions in lib.workloads of the pods some NetworkPolicy of their own
# selects: one whose podSelector names labels, not one for the whole namespace.
selected contains i if {
	some np in lib.objects_of_kind("NetworkPolicy")
	sel := object.get(np, ["spec", "podSelector"], {})
	count(object.get(sel, "matchLabels", {})) + count(object.get(sel, "matchExpressions", [])) > 0
	some i in lib.selected_workloads(lib.namespace(np), sel)
}

violation contains v if {
	some i, o in lib.workloads
	not i in selected
	v := lib.violation("HUE-013", o, sprintf("%s.metadata.labels", [lib.template_path(o)]), sprintf("no NetworkPolicy in namespace %s selects the pods of %s %s", [lib.namespace(o), o.kind, o.metadata.name]))
}
