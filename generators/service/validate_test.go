package service

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hue-platform/hue-gitops/generators/api/v1alpha1"
	"github.com/hue-platform/hue-gitops/generators/platform"
)

func TestSpecField(t *testing.T) {
	for generated, spec := range map[string]string{
		"metadata.name":                      "metadata.name",
		"metadata.annotations":               "spec.description",
		"spec.replicas":                      "spec.replicas",
		"spec.schedule":                      "spec.cron.schedule",
		"spec.jobTemplate.spec.backoffLimit": "spec.job.backoffLimit",
		"spec.jobTemplate.spec.template.spec.restartPolicy":                "spec.job.restartPolicy",
		"spec.template.spec.containers[0].image":                           "spec.image",
		"spec.template.spec.containers[0].ports[1].name":                   "spec.ports[1].name",
		"spec.template.spec.containers[0].ports[1].containerPort":          "spec.ports[1].port",
		"spec.template.spec.containers[0].env[2].name":                     "spec.env[2].name",
		"spec.template.spec.containers[0].resources.requests":              "spec.resources.requests",
		"spec.template.spec.containers[0].livenessProbe.httpGet.port":      "spec.probes.liveness.httpGet.port",
		"spec.jobTemplate.spec.template.spec.initContainers[0].command[1]": "spec.initContainers[0].command[1]",
		"spec.volumeClaimTemplates[0].spec.resources[storage]":             "spec.storage.size",
		"spec.ports[0].port":                 "spec.ports[0].port",
		"spec.minReplicas":                   "spec.autoscaling.minReplicas",
		"rules[0].verbs[1]":                  "spec.apiAccess[0].verbs[1]",
		"spec.template.spec.securityContext": "",
	} {
		assert.Equal(t, spec, SpecField(generated), generated)
	}
}

// A value the spec's own validation lets through but the API server refuses is reported at
// generate time, at the spec file and field, with the generated object named, and nothing is
// generated.
func TestGenerateValidatesAsTheAPIServer(t *testing.T) {
	cat, err := platform.LoadCatalog("../..")
	require.NoError(t, err)
	var cron *v1alpha1.HueService
	for _, s := range cat.Services {
		if s.Spec.Cron != nil {
			cron = s
			break
		}
	}
	require.NotNil(t, cron, "the catalog has a CronJob service")
	cron.Spec.Cron.Schedule = "CRON_TZ=UTC " + cron.Spec.Cron.Schedule
	files, err := Generate(cat)
	assert.Nil(t, files)
	var errs v1alpha1.Errors
	require.ErrorAs(t, err, &errs)
	require.Len(t, errs, 1)
	e := errs[0]
	assert.Equal(t, "base/"+cron.Name+"/hue.yaml", e.File)
	assert.Equal(t, v1alpha1.KindService+"/"+cron.Name, e.Kind+"/"+e.Name)
	assert.Equal(t, "spec.cron.schedule", e.Field)
	assert.Contains(t, e.Detail, "cannot use TZ or CRON_TZ in schedule")
	assert.Contains(t, e.Detail, "CronJob/"+cron.Name+" in base/"+cron.Name+"/cronjob.yaml: spec.schedule")
}
