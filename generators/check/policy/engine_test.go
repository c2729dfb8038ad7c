package policy

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLoadReadsMetadata(t *testing.T) {
	e, err := Load(policiesDir(t))
	require.NoError(t, err)
	meta := e.Metadata()
	require.NotEmpty(t, meta)
	for _, m := range meta {
		require.Regexp(t, `^HUE-\d{3}$`, m.ID)
		require.NotEmpty(t, m.Title, m.ID)
	}
}
