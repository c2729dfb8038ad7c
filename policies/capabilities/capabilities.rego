# METADATA
# title: Containers drop all capabilities
# custom:
#   id: HUE-008
#   severity: error
#   rationale: Pod Security restricted; the default capability set (NET_RAW, CHOWN, ...) is more than any Hue service needs.
#   remediation: Set securityContext.capabilities.drop [ALL]; add back only NET_BIND_SERVICE, and only when binding a port below 1024.
package hue.capabilities

import data.hue.lib

violation contains v if {
	some o in lib.workloads
	some e in lib.containers(o)
	not "ALL" in object.get(e.container, ["securityContext", "capabilities", "drop"], [])
	v := lib.violation("HUE-008", o, sprintf("%s.securityContext.capabilities.drop", [e.path]), sprintf("container %q does not drop ALL capabilities", [e.name]))
}

violation contains v if {
	some o in lib.workloads
	some e in lib.containers(o)
	some i, cap in object.get(e.container, ["securityContext", "capabilities", "add"], [])
	cap != "NET_BIND_SERVICE"
	v := lib.violation("HUE-008", o, sprintf("%s.securityContext.capabilities.add[%d]", [e.path, i]), sprintf("container %q adds capability %s", [e.name, cap]))
}
