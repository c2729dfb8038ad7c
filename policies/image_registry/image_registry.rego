# METADATA
# title: Images come from the platform registry
# custom:
#   id: HUE-005
#   severity: error
#   rationale: Only registry.hue.dev images are scanned, signed and mirrored to every region; anything else bypasses the supply chain and may not be reachable from air-gapped school sites.
#   remediation: Mirror the image into registry.hue.dev and reference it from there.
package hue.image_registry

import data.hue.lib

registry := "registry.hue.dev/"

violation contains v if {
	some o in lib.workloads
	some e in lib.containers(o)
	image := object.get(e.container, "image", "")
	not startswith(image, registry)
	v := lib.violation("HUE-005", o, sprintf("%s.image", [e.path]), sprintf("image %q is not from %s", [image, registry]))
}
