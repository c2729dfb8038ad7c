# METADATA
# title: Containers set CPU and memory requests and limits
# custom:
#   id: HUE-001
#   severity: error
#   rationale: Without requests the scheduler cannot fit pods to the node pools a cluster declares; without limits one service can starve its neighbours on a small school node.
#   remediation: Set resources.requests and resources.limits for cpu and memory on every container and init container (HueService spec.resources).
package hue.resources

import data.hue.lib

violation contains v if {
	some o in lib.workloads
	some e in lib.containers(o)
	some kind in ["requests", "limits"]
	some res in ["cpu", "memory"]
	not e.container.resources[kind][res]
	v := lib.violation("HUE-001", o, sprintf("%s.resources.%s.%s", [e.path, kind, res]), sprintf("container %q sets no %s %s", [e.name, res, kind]))
}
