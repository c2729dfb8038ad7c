# METADATA
# title: Replicated Deployments and StatefulSets prefer one pod per node
# custom:
#   id: HUE-034
#   severity: error
#   rationale: The scheduler may put every replica on one node, and that node's loss or drain then takes them all; HA clusters also spread by zone, but every cluster needs the spread across nodes.
#   remediation: Give the pod template a podAntiAffinity term (preferred, so a one-node cluster still schedules) with topologyKey kubernetes.io/hostname whose labelSelector selects the workload's own pods; the service generator does this for every Deployment and StatefulSet.
package hue.host_anti_affinity

import data.hue.lib

# scaled_out: the workload runs more than one replica, by its own count or by an autoscaler's.
scaled_out(o) if lib.replicas(o) > 1

scaled_out(o) if {
	some hpa in lib.objects_of_kind("HorizontalPodAutoscaler")
	lib.namespace(hpa) == lib.namespace(o)
	hpa.spec.scaleTargetRef.kind == o.kind
	hpa.spec.scaleTargetRef.name == o.metadata.name
	hpa.spec.maxReplicas > 1
}

anti_affinity_terms(o) := array.concat(
	object.get(lib.pod_spec(o), ["affinity", "podAntiAffinity", "requiredDuringSchedulingIgnoredDuringExecution"], []),
	[w.podAffinityTerm | some w in object.get(lib.pod_spec(o), ["affinity", "podAntiAffinity", "preferredDuringSchedulingIgnoredDuringExecution"], [])],
)

# A term without a selector selects no pod.
spreads_over_nodes(o) if {
	some term in anti_affinity_terms(o)
	term.topologyKey == "kubernetes.io/hostname"
	lib.selector_matches(object.get(term, "labelSelector", {"matchLabels": {"": "none"}}), lib.template_labels(o))
}

violation contains v if {
	some o in lib.workloads
	o.kind in {"Deployment", "StatefulSet"}
	scaled_out(o)
	not spreads_over_nodes(o)
	v := lib.violation("HUE-034", o, concat(".", [lib.pod_spec_path(o), "affinity.podAntiAffinity"]), sprintf("%s %s runs several replicas and nothing keeps them off a single node (no anti-affinity on kubernetes.io/hostname selecting its pods)", [o.kind, o.metadata.name]))
}
