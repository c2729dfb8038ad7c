package argocd

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"sync"

	argo "github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
)

// Renders remembers the Applications that ApplicationSet elements render to, each under the
// digest of everything its rendering reads: the set's template, sync policy, goTemplate and
// goTemplateOptions, and the element. A pull request that changes one school then expands one
// element again rather than the fleet's thousands (Argo CD's renderer takes some milliseconds
// an element). Safe for concurrent use.
type Renders struct {
	mu   sync.Mutex
	kept map[string]Rendered
	used map[string]Rendered
	// Hits counts the elements served from memory (an earlier run's or this one's), Misses
	// those rendered.
	Hits, Misses int
}

// Rendered is one remembered rendering: the Application as JSON, or why there is none.
type Rendered struct {
	App json.RawMessage `json:"app,omitempty"`
	Err string          `json:"err,omitempty"`
}

// NewRenders starts from renderings kept by an earlier run (nil for none).
func NewRenders(kept map[string]Rendered) *Renders {
	if kept == nil {
		kept = map[string]Rendered{}
	}
	return &Renders{kept: kept, used: map[string]Rendered{}}
}

// Used is every rendering this run asked for, what a cache keeps for the next run: renderings of
// elements that are gone are dropped, so it never grows past the fleet.
func (r *Renders) Used() map[string]Rendered {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.used
}

// setDigest is the digest of what the rendering of every element of set reads from the set.
func setDigest(set *argo.ApplicationSet) ([]byte, error) {
	return json.Marshal(struct {
		Template   argo.ApplicationSetTemplate    `json:"template"`
		SyncPolicy *argo.ApplicationSetSyncPolicy `json:"syncPolicy,omitempty"`
		GoTemplate bool                           `json:"goTemplate"`
		Options    []string                       `json:"goTemplateOptions,omitempty"`
	}{set.Spec.Template, set.Spec.SyncPolicy, set.Spec.GoTemplate, set.Spec.GoTemplateOptions})
}

// render is RenderElement through the memo: the kept Application (or error) when the set's
// part (as setDigest writes it) and the element's bytes are the same. A nil memo renders.
func (r *Renders) render(set *argo.ApplicationSet, setPart, element []byte, params map[string]any) (*argo.Application, error) {
	if r == nil {
		return RenderElement(set, params)
	}
	h := sha256.New()
	h.Write(setPart)
	h.Write([]byte{0})
	h.Write(element)
	key := hex.EncodeToString(h.Sum(nil))

	r.mu.Lock()
	kept, ok := r.used[key] // rendered earlier in this run
	if !ok {
		kept, ok = r.kept[key]
	}
	r.mu.Unlock()
	if ok {
		// A kept Application that no longer decodes is rendered again.
		if app, err := kept.decode(); kept.Err != "" || err == nil {
			r.mu.Lock()
			r.Hits++
			r.used[key] = kept
			r.mu.Unlock()
			return app, err
		}
	}
	app, err := RenderElement(set, params)
	out := Rendered{}
	if err != nil {
		out.Err = err.Error()
	} else if raw, merr := json.Marshal(app); merr == nil {
		out.App = raw
	}
	r.mu.Lock()
	r.Misses++
	if out.Err != "" || out.App != nil {
		r.used[key] = out
	}
	r.mu.Unlock()
	return app, err
}

// decode is the kept Application, or the kept error.
func (k Rendered) decode() (*argo.Application, error) {
	if k.Err != "" {
		return nil, errors.New(k.Err)
	}
	app := &argo.Application{}
	if err := json.Unmarshal(k.App, app); err != nil {
		return nil, err
	}
	return app, nil
}
