# METADATA
# title: Containers run as non-root
# custom:
#   id: HUE-006
#   severity: error
#   rationale: Pod Security restricted; a root process that escapes its container is root on the node, next to other tenants' data.
#   remediation: Set securityContext.runAsNonRoot true (pod or container level) and a non-zero runAsUser in the image or spec.
package hue.run_as_non_root

import data.hue.lib

# effective is the container's setting, else the pod's.
effective(o, c, key) := c.securityContext[key] if {
	c.securityContext[key] != null
} else := object.get(lib.pod_spec(o), ["securityContext", key], null)

violation contains v if {
	some o in lib.workloads
	not lib.allowed(o, "runAsRoot")
	some e in lib.containers(o)
	effective(o, e.container, "runAsNonRoot") != true
	v := lib.violation("HUE-006", o, sprintf("%s.securityContext.runAsNonRoot", [e.path]), sprintf("container %q does not set runAsNonRoot true", [e.name]))
}

violation contains v if {
	some o in lib.workloads
	not lib.allowed(o, "runAsRoot")
	some e in lib.containers(o)
	effective(o, e.container, "runAsUser") == 0
	v := lib.violation("HUE-006", o, sprintf("%s.securityContext.runAsUser", [e.path]), sprintf("container %q runs as user 0", [e.name]))
}
