# METADATA
# title: Containers have a read-only root filesystem
# custom:
#   id: HUE-010
#   severity: error
#   rationale: A writable image filesystem lets an intruder drop tools and persist; services write only to declared emptyDir or volume mounts.
#   remediation: Set securityContext.readOnlyRootFilesystem true and mount an emptyDir where the service needs scratch space.
package hue.read_only_root

import data.hue.lib

violation contains v if {
	some o in lib.workloads
	some e in lib.containers(o)
	object.get(e.container, ["securityContext", "readOnlyRootFilesystem"], false) != true
	v := lib.violation("HUE-010", o, sprintf("%s.securityContext.readOnlyRootFilesystem", [e.path]), sprintf("container %q does not set readOnlyRootFilesystem true", [e.name]))
}
