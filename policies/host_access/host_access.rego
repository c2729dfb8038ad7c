# METADATA
# title: No host namespaces, privileged containers or hostPath outside the allow-list
# custom:
#   id: HUE-011
#   severity: error
#   rationale: Pod Security baseline; host access breaks every isolation boundary. Only the collect-proxy DaemonSet in hue-node needs it, and the allow-list in lib/host_access.yaml names it and what it may do.
#   remediation: Remove hostNetwork, hostPID, hostIPC, privileged, hostPort and hostPath. A new host-access workload needs a reviewed entry in the host-access allow-list (policies/lib/host_access.yaml), not a waiver.
package hue.host_access

import data.hue.lib

violation contains v if {
	some o in lib.workloads
	some key in ["hostNetwork", "hostPID", "hostIPC"]
	lib.pod_spec(o)[key] == true
	not lib.allowed(o, key)
	v := lib.violation("HUE-011", o, sprintf("%s.%s", [lib.pod_spec_path(o), key]), sprintf("%s is not allowed for %s %s/%s", [key, o.kind, lib.namespace(o), o.metadata.name]))
}

violation contains v if {
	some o in lib.workloads
	some e in lib.containers(o)
	e.container.securityContext.privileged == true
	not lib.allowed(o, "privileged")
	v := lib.violation("HUE-011", o, sprintf("%s.securityContext.privileged", [e.path]), sprintf("container %q is privileged", [e.name]))
}

violation contains v if {
	some o in lib.workloads
	some i, vol in object.get(lib.pod_spec(o), "volumes", [])
	vol.hostPath
	not lib.allowed(o, "hostPath")
	v := lib.violation("HUE-011", o, sprintf("%s.volumes[%d].hostPath", [lib.pod_spec_path(o), i]), sprintf("volume %q mounts host path %s", [vol.name, object.get(vol.hostPath, "path", "")]))
}

violation contains v if {
	some o in lib.workloads
	some e in lib.containers(o)
	some i, p in object.get(e.container, "ports", [])
	p.hostPort
	not lib.allowed(o, "hostPort")
	v := lib.violation("HUE-011", o, sprintf("%s.ports[%d].hostPort", [e.path, i]), sprintf("container %q binds host port %d", [e.name, p.hostPort]))
}
