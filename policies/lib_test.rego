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
	lib.allowed({"kind": "DaemonSet", "metadata": {"name": "collect-proxy", "namespace": "hue-system"}}, "hostPID")
	not lib.allowed({"kind": "DaemonSet", "metadata": {"name": "collect-proxy", "namespace": "hue"}}, "hostPID")
	not lib.allowed({"kind": "Deployment", "metadata": {"name": "collect-proxy", "namespace": "hue-system"}}, "hostPID")
	not lib.allowed({"kind": "DaemonSet", "metadata": {"name": "collect-proxy", "namespace": "hue-system"}}, "hostPort")
}
