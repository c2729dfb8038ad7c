# METADATA
# title: Pods use the RuntimeDefault seccomp profile
# custom:
#   id: HUE-009
#   severity: error
#   rationale: Pod Security restricted; the runtime's default profile blocks syscalls no service needs and that container escapes use.
#   remediation: Set securityContext.seccompProfile.type RuntimeDefault on the pod (or on each container).
package hue.seccomp

import data.hue.lib

violation contains v if {
	some o in lib.workloads
	some e in lib.containers(o)
	t := e.container.securityContext.seccompProfile.type
	t != "RuntimeDefault"
	v := lib.violation("HUE-009", o, sprintf("%s.securityContext.seccompProfile.type", [e.path]), sprintf("container %q uses seccomp profile %s", [e.name, t]))
}

violation contains v if {
	some o in lib.workloads
	some e in lib.containers(o)
	not e.container.securityContext.seccompProfile.type
	t := object.get(lib.pod_spec(o), ["securityContext", "seccompProfile", "type"], "")
	t != "RuntimeDefault"
	v := lib.violation("HUE-009", o, sprintf("%s.securityContext.seccompProfile.type", [lib.pod_spec_path(o)]), sprintf("container %q has no RuntimeDefault seccomp profile (pod level: %q)", [e.name, t]))
}
