# METADATA
# title: Images carry a tag other than latest
# custom:
#   id: HUE-003
#   severity: error
#   rationale: An untagged or latest image changes under the cluster without a commit, so what Argo CD shows as synced is not what runs, and a rollback cannot go back.
#   remediation: Reference a released tag (HueService spec.image, or a cluster override tag), ideally with its digest.
package hue.image_tag

import data.hue.lib

violation contains v if {
	some o in lib.workloads
	some e in lib.containers(o)
	image := object.get(e.container, "image", "")
	not lib.image_tag(image)
	not lib.has_digest(image)
	v := lib.violation("HUE-003", o, sprintf("%s.image", [e.path]), sprintf("image %q has no tag", [image]))
}

violation contains v if {
	some o in lib.workloads
	some e in lib.containers(o)
	lib.image_tag(e.container.image) == "latest"
	v := lib.violation("HUE-003", o, sprintf("%s.image", [e.path]), sprintf("image %q uses the latest tag", [e.container.image]))
}
