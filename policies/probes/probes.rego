# METADATA
# title: Long-running containers have liveness and readiness probes
# custom:
#   id: HUE-002
#   severity: error
#   rationale: Without a readiness probe traffic reaches pods that cannot serve it during rollouts; without a liveness probe a hung process is never restarted, which a zero-admin school cluster depends on.
#   remediation: Add livenessProbe and readinessProbe (and a startupProbe for slow starters) to every container of a Deployment, StatefulSet or DaemonSet. Jobs and CronJobs need none.
package hue.probes

import data.hue.lib

violation contains v if {
	some o in lib.workloads
	o.kind in lib.long_running_kinds
	some e in lib.containers(o)
	not e.init
	some probe in ["livenessProbe", "readinessProbe"]
	not e.container[probe]
	v := lib.violation("HUE-002", o, sprintf("%s.%s", [e.path, probe]), sprintf("container %q has no %s", [e.name, probe]))
}
