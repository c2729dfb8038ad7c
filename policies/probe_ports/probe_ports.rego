# METADATA
# title: Every probe's port exists on its container
# custom:
#   id: HUE-027
#   severity: error
#   rationale: A probe on a port the container does not declare fails forever; readiness never passes and liveness restarts the pod in a loop.
#   remediation: Point the probe at a declared containerPort (by number or name), or declare the port on the container.
package hue.probe_ports

import data.hue.lib

violation contains v if {
	some o in lib.workloads
	some e in lib.containers(o)
	some probe in ["livenessProbe", "readinessProbe", "startupProbe"]
	some handler in ["httpGet", "tcpSocket", "grpc"]
	port := e.container[probe][handler].port
	not declared(e.container, port)
	v := lib.violation("HUE-027", o, sprintf("%s.%s.%s.port", [e.path, probe, handler]), sprintf("%s port %v is not a port of container %q", [probe, port, e.name]))
}

declared(c, port) if {
	is_number(port)
	some p in object.get(c, "ports", [])
	p.containerPort == port
}

declared(c, port) if {
	is_string(port)
	some p in object.get(c, "ports", [])
	p.name == port
}
