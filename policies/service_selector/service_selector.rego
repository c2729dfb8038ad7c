# METADATA
# title: Every Service selects some pod template
# custom:
#   id: HUE-026
#   severity: error
#   rationale: A selector that matches no pod leaves the Service without endpoints; it renders and applies fine and fails only at run time.
#   remediation: Fix the selector (or the pod template labels) so it matches a workload in the same namespace; data stores outside the cluster use a selector-less Service with EndpointSlices or ExternalName.
package hue.service_selector

import data.hue.lib

violation contains v if {
	some svc in lib.objects_of_kind("Service")
	object.get(svc.spec, "type", "ClusterIP") != "ExternalName"
	sel := object.get(svc.spec, "selector", {})
	count(sel) > 0
	not selects_some(svc, sel)
	v := lib.violation("HUE-026", svc, "spec.selector", sprintf("selector %v matches no pod template in namespace %s", [sel, lib.namespace(svc)]))
}

selects_some(svc, sel) if count(lib.selected_workloads(lib.namespace(svc), {"matchLabels": sel})) > 0
