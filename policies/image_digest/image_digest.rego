# METADATA
# title: Production images are pinned by digest
# custom:
#   id: HUE-004
#   severity: warning
#   rationale: A tag can be pushed again; only a digest says exactly which bytes run in production.
#   remediation: Append @sha256:<digest> to the image reference of production overlays (the release pipeline writes it).
package hue.image_digest

import data.hue.lib

violation contains v if {
	input.cluster.environment == "production"
	some o in lib.workloads
	some e in lib.containers(o)
	not lib.has_digest(object.get(e.container, "image", ""))
	v := lib.violation("HUE-004", o, sprintf("%s.image", [e.path]), sprintf("production image %q is not pinned by digest", [object.get(e.container, "image", "")]))
}
