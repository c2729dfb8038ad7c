package kubevalidate

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

func resourceMust(s string) resource.Quantity { return resource.MustParse(s) }

func webDeployment() *appsv1.Deployment {
	labels := map[string]string{"app": "web"}
	return &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "hue"},
		Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "web:1"}}},
			},
		},
	}
}

func webService(clusterIP string) *corev1.Service {
	return &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "hue"},
		Spec: corev1.ServiceSpec{ClusterIP: clusterIP, Selector: map[string]string{"app": "web"},
			Ports: []corev1.ServicePort{{Name: "http", Port: 80}}},
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		obj    func() runtime.Object
		fields []string // the fields of the errors, in order
		detail string   // a substring of the first error's detail
	}{
		{name: "a valid deployment, defaults filled as the API server does", obj: func() runtime.Object { return webDeployment() }},
		{name: "a headless service (clusterIP None, clusterIPs as the Service storage fills it)", obj: func() runtime.Object { return webService("None") }},
		{name: "a service whose address is allocated by the cluster", obj: func() runtime.Object { return webService("") }},
		{
			name: "no namespace is the default namespace, as kubectl sends it",
			obj:  func() runtime.Object { d := webDeployment(); d.Namespace = ""; return d },
		},
		{
			name:   "replicas below zero",
			obj:    func() runtime.Object { d := webDeployment(); d.Spec.Replicas = new(int32(-1)); return d },
			fields: []string{"spec.replicas"}, detail: "must be greater than or equal to 0",
		},
		{
			name: "a name too long for a label",
			obj: func() runtime.Object {
				d := webDeployment()
				d.Spec.Template.Spec.Containers[0].Name = strings.Repeat("c", 64)
				return d
			},
			fields: []string{"spec.template.spec.containers[0].name"}, detail: "must be no more than 63 characters",
		},
		{
			name: "a memory request over its limit",
			obj: func() runtime.Object {
				d := webDeployment()
				c := &d.Spec.Template.Spec.Containers[0]
				c.Resources.Requests = corev1.ResourceList{corev1.ResourceMemory: resourceMust("1Gi")}
				c.Resources.Limits = corev1.ResourceList{corev1.ResourceMemory: resourceMust("128Mi")}
				return d
			},
			fields: []string{"spec.template.spec.containers[0].resources.requests"},
			detail: `Invalid value: "1Gi": must be less than or equal to memory limit of 128Mi`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obj := tt.obj()
			before := obj.DeepCopyObject()
			res, err := Validate(obj)
			require.NoError(t, err)
			assert.Equal(t, before, obj, "the object given must not change")
			var fields []string
			for _, e := range res.Errors {
				fields = append(fields, e.Field)
			}
			assert.Equal(t, tt.fields, fields, "errors: %v", res.Errors)
			if tt.detail != "" && len(res.Errors) > 0 {
				assert.Contains(t, res.Errors[0].ErrorBody(), tt.detail)
			}
		})
	}
}

func TestWarnings(t *testing.T) {
	d := webDeployment()
	d.Spec.Template.Spec.Containers[0].Ports = []corev1.ContainerPort{{ContainerPort: 8080}, {ContainerPort: 8080}}
	res, err := Validate(d)
	require.NoError(t, err)
	assert.Empty(t, res.Errors)
	require.NotEmpty(t, res.Warnings, "the API server warns of a duplicate port")
	assert.Contains(t, strings.Join(res.Warnings, "\n"), "duplicate port definition")
}

func TestUnknownKind(t *testing.T) {
	obj := &metav1.PartialObjectMetadata{TypeMeta: metav1.TypeMeta{APIVersion: "example.com/v1", Kind: "Widget"}}
	assert.False(t, Known(obj.GroupVersionKind().GroupKind()))
	_, err := Validate(obj)
	assert.ErrorContains(t, err, "Widget.example.com is not a kind validated here")
}

// BenchmarkValidate is the cost of one create's validation of a Deployment (make bench).
func BenchmarkValidate(b *testing.B) {
	d := webDeployment()
	for b.Loop() {
		if _, err := Validate(d); err != nil {
			b.Fatal(err)
		}
	}
}
