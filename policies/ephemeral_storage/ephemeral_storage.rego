# METADATA
# title: Containers bound their ephemeral storage, and every emptyDir its size
# custom:
#   id: HUE-029
#   severity: error
#   rationale: A container writing logs or scratch files without a limit, or an emptyDir without a sizeLimit, can fill a small school node's disk; the kubelet then evicts every pod on the node, its neighbours' too.
#   remediation: Set resources.requests and resources.limits ephemeral-storage on every container and init container (HueService spec.resources.requests/limits.ephemeralStorage; defaults apply) and a sizeLimit on every emptyDir.
package hue.ephemeral_storage

import data.hue.lib

violation contains v if {
	some o in lib.workloads
	some e in lib.containers(o)
	some kind in ["requests", "limits"]
	not e.container.resources[kind]["ephemeral-storage"]
	v := lib.violation("HUE-029", o, sprintf("%s.resources.%s.ephemeral-storage", [e.path, kind]), sprintf("container %q sets no ephemeral-storage %s", [e.name, kind]))
}

violation contains v if {
	some o in lib.workloads
	some i, vol in object.get(lib.pod_spec(o), "volumes", [])
	is_object(vol.emptyDir)
	not vol.emptyDir.sizeLimit
	v := lib.violation("HUE-029", o, sprintf("%s.volumes[%d].emptyDir.sizeLimit", [lib.pod_spec_path(o), i]), sprintf("emptyDir volume %q has no sizeLimit", [vol.name]))
}
