package hue.cross_object_test

import data.hue.network_selected
import data.hue.pdb_blocking
import data.hue.pdb_required
import data.hue.probe_ports
import data.hue.service_exposure
import data.hue.service_selector

deny := {"kind": "NetworkPolicy", "metadata": {"name": "default-deny", "namespace": "hue"}, "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}}

deploy(name, ns, replicas) := {
	"kind": "Deployment",
	"metadata": {"name": name, "namespace": ns},
	"spec": {"replicas": replicas, "template": {"metadata": {"labels": {"app": "hue", "service": name}}, "spec": {"containers": [{"name": name, "ports": [{"name": "http", "containerPort": 8080}]}]}}},
}

pdb(ns, spec) := {"kind": "PodDisruptionBudget", "metadata": {"name": "p", "namespace": ns}, "spec": spec}

test_default_deny_alone_does_not_select if {
	count(network_selected.violation) == 1 with input as {"cluster": {}, "objects": [deny, deploy("music", "hue", 1)]}
}

test_policy_in_other_namespace_does_not_select if {
	np := {"kind": "NetworkPolicy", "metadata": {"name": "music", "namespace": "hue-data"}, "spec": {"podSelector": {"matchLabels": {"service": "music"}}, "ingress": [{}]}}
	count(network_selected.violation) == 1 with input as {"cluster": {}, "objects": [np, deploy("music", "hue", 1)]}
}

test_pdb_without_selector_covers_nothing if {
	count(pdb_required.violation) == 1 with input as {"cluster": {}, "objects": [pdb("hue", {"maxUnavailable": 1}), deploy("music", "hue", 3)]}
	count(pdb_required.violation) == 0 with input as {"cluster": {}, "objects": [pdb("hue", {"selector": {}, "maxUnavailable": 1}), deploy("music", "hue", 3)]}
}

test_pdb_min_available_against_replicas if {
	sel := {"matchLabels": {"service": "music"}}
	count(pdb_blocking.violation) == 0 with input as {"cluster": {}, "objects": [pdb("hue", {"selector": sel, "minAvailable": 2}), deploy("music", "hue", 3)]}
	count(pdb_blocking.violation) == 1 with input as {"cluster": {}, "objects": [pdb("hue", {"selector": sel, "minAvailable": 3}), deploy("music", "hue", 3)]}

	# the same budget is fine for a workload in another namespace
	count(pdb_blocking.violation) == 0 with input as {"cluster": {}, "objects": [pdb("hue-data", {"selector": sel, "minAvailable": 3}), deploy("music", "hue", 3)]}
}

test_service_selects_only_same_namespace if {
	svc := {"kind": "Service", "metadata": {"name": "music", "namespace": "hue"}, "spec": {"selector": {"service": "music"}}}
	count(service_selector.violation) == 0 with input as {"cluster": {}, "objects": [svc, deploy("music", "hue", 1)]}
	count(service_selector.violation) == 1 with input as {"cluster": {}, "objects": [svc, deploy("music", "hue-data", 1)]}
}

test_probe_port_by_name_and_number if {
	d := deploy("music", "hue", 1)
	ok := json.patch(d, [{"op": "add", "path": "/spec/template/spec/containers/0/livenessProbe", "value": {"httpGet": {"port": "http"}}}, {"op": "add", "path": "/spec/template/spec/containers/0/readinessProbe", "value": {"tcpSocket": {"port": 8080}}}])
	count(probe_ports.violation) == 0 with input as {"cluster": {}, "objects": [ok]}
	bad := json.patch(d, [{"op": "add", "path": "/spec/template/spec/containers/0/livenessProbe", "value": {"grpc": {"port": 8081}}}])
	{v.field | some v in probe_ports.violation} == {"spec.template.spec.containers[0].livenessProbe.grpc.port"} with input as {"cluster": {}, "objects": [bad]}
}

test_node_port_needs_bare_metal_and_exposure if {
	svc := {"kind": "Service", "metadata": {"name": "music", "namespace": "hue"}, "spec": {"type": "NodePort", "ports": [{"port": 80, "nodePort": 30080}]}}
	metal := {"name": "m", "bareMetal": true, "exposure": "NodePort", "nodePorts": {"music": 30080}}
	count(service_exposure.violation) == 0 with input as {"cluster": metal, "objects": [svc]}
	count(service_exposure.violation) == 1 with input as {"cluster": json.patch(metal, [{"op": "replace", "path": "/exposure", "value": "Ingress"}]), "objects": [svc]}
	count(service_exposure.violation) == 1 with input as {"cluster": json.patch(metal, [{"op": "replace", "path": "/bareMetal", "value": false}]), "objects": [svc]}
}
