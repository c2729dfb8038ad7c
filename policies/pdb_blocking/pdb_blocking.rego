# METADATA
# title: A PodDisruptionBudget never blocks all disruption
# custom:
#   id: HUE-015
#   severity: error
#   rationale: A budget that allows no eviction stalls every node drain, so cluster upgrades on zero-admin school clusters hang until a person intervenes.
#   remediation: Use maxUnavailable 1 (or a minAvailable below the replica count); never maxUnavailable 0, minAvailable 100% or minAvailable equal to the replicas.
package hue.pdb_blocking

import data.hue.lib

violation contains v if {
	some pdb in lib.objects_of_kind("PodDisruptionBudget")
	pdb.spec.maxUnavailable in {0, "0%", "0"}
	v := lib.violation("HUE-015", pdb, "spec.maxUnavailable", "maxUnavailable 0 blocks every eviction")
}

violation contains v if {
	some pdb in lib.objects_of_kind("PodDisruptionBudget")
	pdb.spec.minAvailable == "100%"
	v := lib.violation("HUE-015", pdb, "spec.minAvailable", "minAvailable 100% blocks every eviction")
}

violation contains v if {
	some pdb in lib.objects_of_kind("PodDisruptionBudget")
	is_number(pdb.spec.minAvailable)
	some i in lib.selected_workloads(lib.namespace(pdb), object.get(pdb, ["spec", "selector"], {"matchLabels": {"": "none"}}))
	o := lib.workloads[i]
	o.kind in {"Deployment", "StatefulSet"}
	pdb.spec.minAvailable >= lib.replicas(o)
	v := lib.violation("HUE-015", pdb, "spec.minAvailable", sprintf("minAvailable %d is not below the %d replicas of %s %s, so no pod may be evicted", [pdb.spec.minAvailable, lib.replicas(o), o.kind, o.metadata.name]))
}
