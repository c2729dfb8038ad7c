# METADATA
# title: NodePort only from the cluster's allow-list, LoadBalancer never
# custom:
#   id: HUE-017
#   severity: error
#   rationale: Clusters in the cloud expose services through the TLS Ingress only; bare-metal sites open exactly the node ports their HueCluster lists, so the site firewall can be reviewed against one file.
#   remediation: Use a ClusterIP Service behind the Ingress, or on a bare-metal cluster with exposure NodePort add the service and its port to spec.ingress.nodePorts and set that nodePort.
package hue.service_exposure

import data.hue.lib

violation contains v if {
	some svc in lib.objects_of_kind("Service")
	svc.spec.type == "LoadBalancer"
	v := lib.violation("HUE-017", svc, "spec.type", "Service type LoadBalancer is never allowed")
}

violation contains v if {
	some svc in lib.objects_of_kind("Service")
	svc.spec.type == "NodePort"
	not node_ports_allowed
	v := lib.violation("HUE-017", svc, "spec.type", sprintf("cluster %s exposes no NodePorts (bareMetal %v, exposure %q)", [input.cluster.name, object.get(input.cluster, "bareMetal", false), object.get(input.cluster, "exposure", "")]))
}

violation contains v if {
	some svc in lib.objects_of_kind("Service")
	svc.spec.type == "NodePort"
	node_ports_allowed
	not input.cluster.nodePorts[exposed_service(svc)]
	v := lib.violation("HUE-017", svc, "spec.type", sprintf("service %s is not in the cluster's nodePorts allow-list", [exposed_service(svc)]))
}

violation contains v if {
	some svc in lib.objects_of_kind("Service")
	svc.spec.type == "NodePort"
	node_ports_allowed
	want := input.cluster.nodePorts[exposed_service(svc)]
	some i, p in object.get(svc.spec, "ports", [])
	object.get(p, "nodePort", 0) != want
	v := lib.violation("HUE-017", svc, sprintf("spec.ports[%d].nodePort", [i]), sprintf("nodePort %v is not the allow-listed %d", [object.get(p, "nodePort", "unset"), want]))
}

node_ports_allowed if {
	input.cluster.bareMetal == true
	input.cluster.exposure == "NodePort"
}

# The allow-list is keyed by Hue service: a Service exposing it names it in its service label.
exposed_service(svc) := object.get(object.get(svc.metadata, "labels", {}), "service", svc.metadata.name)
