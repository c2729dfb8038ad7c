# METADATA
# title: Every workload is selected by a NetworkPolicy that allows its traffic
# custom:
#   id: HUE-013
#   severity: error
#   rationale: Under default-deny a workload that no allowing NetworkPolicy selects can neither serve nor reach anything; under a missing default-deny it is wide open. Either way its flows are undeclared.
#   remediation: Add a NetworkPolicy in the workload's namespace whose podSelector matches the pod template labels and lists the flows the service needs.
package hue.network_selected

import data.hue.lib

# allowing policies: every NetworkPolicy except a namespace's default-deny, grouped by namespace.
allowing[ns] := nps if {
	some ns in {lib.namespace(np) | some np in lib.objects_of_kind("NetworkPolicy")}
	nps := [np |
		some np in lib.objects_of_kind("NetworkPolicy")
		lib.namespace(np) == ns
		not data.hue.default_deny.is_default_deny(np)
	]
}

selected(o) if {
	some np in allowing[lib.namespace(o)]
	lib.selector_matches(object.get(np, ["spec", "podSelector"], {}), lib.template_labels(o))
}

violation contains v if {
	some o in lib.workloads
	not selected(o)
	v := lib.violation("HUE-013", o, sprintf("%s.metadata.labels", [lib.template_path(o)]), sprintf("no NetworkPolicy in namespace %s selects the pods of %s %s", [lib.namespace(o), o.kind, o.metadata.name]))
}
