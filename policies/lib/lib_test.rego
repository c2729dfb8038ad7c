package hue.lib_test

import data.hue.lib

test_selector_match_labels if {
	lib.selector_matches({"matchLabels": {"service": "music"}}, {"app": "hue", "service": "music"})
	not lib.selector_matches({"matchLabels": {"service": "music"}}, {"app": "hue"})
}

test_empty_selector_matches_everything if {
	lib.selector_matches({}, {"service": "music"})
}

test_selector_expressions if {
	lbls := {"tier": "frontend"}
	lib.selector_matches({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["frontend", "backend"]}]}, lbls)
	not lib.selector_matches({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["frontend"]}]}, lbls)

	# NotIn and DoesNotExist match when the key is absent, as in Kubernetes
	lib.selector_matches({"matchExpressions": [{"key": "zone", "operator": "NotIn", "values": ["a"]}]}, lbls)
	lib.selector_matches({"matchExpressions": [{"key": "zone", "operator": "DoesNotExist"}]}, lbls)
	not lib.selector_matches({"matchExpressions": [{"key": "zone", "operator": "Exists"}]}, lbls)
}

pod(kind, ns, name, lbls) := {
	"kind": kind, "metadata": {"name": name, "namespace": ns},
	"spec": {"template": {"metadata": {"labels": lbls}}},
}

index_input := {"objects": [
	pod("Deployment", "hue", "music", {"app": "hue", "service": "music", "tier": "backend"}),
	{"kind": "Service", "metadata": {"name": "music", "namespace": "hue"}},
	pod("Deployment", "hue", "learner", {"app": "hue", "service": "learner", "tier": "backend"}),
	pod("DaemonSet", "hue-node", "collect-proxy", {"app": "hue", "service": "collect-proxy"}),
	{"kind": "CronJob", "metadata": {"name": "digest", "namespace": "hue"}, "spec": {"jobTemplate": {"spec": {"template": {"metadata": {"labels": {"app": "hue", "service": "digest"}}}}}}},
]}

# Positions are in lib.workloads: music 0, learner 1, collect-proxy 2, digest 3.
test_selected_workloads_through_the_index if {
	lib.selected_workloads("hue", {"matchLabels": {"app": "hue"}}) == {0, 1, 3} with input as index_input
	lib.selected_workloads("hue", {"matchLabels": {"app": "hue", "service": "learner"}}) == {1} with input as index_input
	lib.selected_workloads("hue", {"matchLabels": {"service": "collect-proxy"}}) == set() with input as index_input
	lib.selected_workloads("hue", {"matchLabels": {"service": "music", "tier": "frontend"}}) == set() with input as index_input
}

test_selected_workloads_without_match_labels if {
	lib.selected_workloads("hue", {}) == {0, 1, 3} with input as index_input
	lib.selected_workloads("hue-node", {}) == {2} with input as index_input
	lib.selected_workloads("hue", {"matchExpressions": [{"key": "tier", "operator": "Exists"}]}) == {0, 1} with input as index_input
	lib.selected_workloads("hue", {"matchLabels": {"app": "hue"}, "matchExpressions": [{"key": "service", "operator": "NotIn", "values": ["music"]}]}) == {1, 3} with input as index_input
	lib.selected_workloads("restricted", {}) == set() with input as index_input
}

test_objects_of_kind if {
	[o.metadata.name | some o in lib.objects_of_kind("Deployment")] == ["music", "learner"] with input as index_input
	lib.objects_of_kind("Ingress") == [] with input as index_input
}

test_image_tag if {
	lib.image_tag("registry.hue.dev/music:1.2") == "1.2"
	lib.image_tag("registry.hue.dev:5000/team/music:1.2@sha256:abc") == "1.2"
	not lib.image_tag("registry.hue.dev:5000/team/music")
	not lib.image_tag("registry.hue.dev/music@sha256:abc")
}

test_cronjob_containers_path if {
	o := {"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "a"}]}}}}}}
	[e] := lib.containers(o)
	e.path == "spec.jobTemplate.spec.template.spec.containers[0]"
}

test_label_path if {
	lib.label_path("metadata.labels", "tier") == "metadata.labels.tier"
	lib.label_path("metadata.labels", "hue.dev/placement") == `metadata.labels["hue.dev/placement"]`
}

test_allow_list_is_exact if {
	lib.allowed({"kind": "DaemonSet", "metadata": {"name": "collect-proxy", "namespace": "hue-node"}}, "hostPID")
	not lib.allowed({"kind": "DaemonSet", "metadata": {"name": "collect-proxy", "namespace": "hue"}}, "hostPID")
	not lib.allowed({"kind": "Deployment", "metadata": {"name": "collect-proxy", "namespace": "hue-node"}}, "hostPID")
	not lib.allowed({"kind": "DaemonSet", "metadata": {"name": "collect-proxy", "namespace": "hue-node"}}, "hostPort")
}
