package fileset

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// A file renamed into place has the mode os.Create gives a new file under the umask, not the
// 0600 of a temporary file.
func TestCreateTempHonoursTheUmask(t *testing.T) {
	dir := t.TempDir()
	plain, err := os.Create(filepath.Join(dir, "plain"))
	require.NoError(t, err)
	require.NoError(t, plain.Close())
	tmp, err := CreateTemp(dir, ".hue-*.tmp")
	require.NoError(t, err)
	require.NoError(t, tmp.Close())
	want, err := os.Stat(plain.Name())
	require.NoError(t, err)
	got, err := os.Stat(tmp.Name())
	require.NoError(t, err)
	require.Equal(t, want.Mode().Perm(), got.Mode().Perm())

	require.NoError(t, WriteAtomic(filepath.Join(dir, "atomic"), []byte("x")))
	got, err = os.Stat(filepath.Join(dir, "atomic"))
	require.NoError(t, err)
	require.Equal(t, want.Mode().Perm(), got.Mode().Perm())
}
