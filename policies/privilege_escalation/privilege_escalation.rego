# METADATA
# title: Containers disallow privilege escalation
# custom:
#   id: HUE-007
#   severity: error
#   rationale: Pod Security restricted; setuid binaries must not gain more privileges than the process started with.
#   remediation: Set securityContext.allowPrivilegeEscalation false on every container and init container.
package hue.privilege_escalation

import data.hue.lib

violation contains v if {
	some o in lib.workloads
	not lib.allowed(o, "allowPrivilegeEscalation")
	some e in lib.containers(o)
	object.get(e.container, ["securityContext", "allowPrivilegeEscalation"], true) != false
	v := lib.violation("HUE-007", o, sprintf("%s.securityContext.allowPrivilegeEscalation", [e.path]), sprintf("container %q does not set allowPrivilegeEscalation false", [e.name]))
}
