package fileset

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWalkListsFilesInOrderAndSkipsWhatItIsTold(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"b/2.yaml", "b/1.yaml", "a/x/deep.txt", "a/skip/no.yaml", "c.yaml"} {
		require.NoError(t, os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, p), []byte(p), 0o644))
	}
	var got []string
	err := Walk(dir, []string{"b", "missing", "a"}, func(rel string) bool { return rel == "a/skip" }, func(rel string, _ fs.DirEntry) error {
		got = append(got, rel)
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, []string{"b/1.yaml", "b/2.yaml", "a/x/deep.txt"}, got, "folders in the order given, files lexically, missing and skipped folders left out")

	files, err := Read(dir, []string{"."}, func(rel string) bool { return filepath.Ext(rel) == ".yaml" })
	require.NoError(t, err)
	require.Equal(t, Files{"a/skip/no.yaml": []byte("a/skip/no.yaml"), "b/1.yaml": []byte("b/1.yaml"), "b/2.yaml": []byte("b/2.yaml"), "c.yaml": []byte("c.yaml")}, files)

	stop := errors.New("stop")
	require.ErrorIs(t, Walk(dir, []string{"."}, nil, func(string, fs.DirEntry) error { return stop }), stop)
}

// A write that fails leaves the old content and no temporary file; one that succeeds replaces it.
func TestWriteAtomicFuncIsAllOrNothing(t *testing.T) {
	dir := t.TempDir()
	dst := filepath.Join(dir, "report.json")
	require.NoError(t, os.WriteFile(dst, []byte("old"), 0o644))
	fail := errors.New("half way")
	err := WriteAtomicFunc(dst, func(w io.Writer) error {
		_, _ = io.WriteString(w, "half")
		return fail
	})
	require.ErrorIs(t, err, fail)
	b, _ := os.ReadFile(dst)
	require.Equal(t, "old", string(b))
	entries, _ := os.ReadDir(dir)
	require.Len(t, entries, 1, "no temporary file left")

	require.NoError(t, WriteAtomic(dst, []byte("new")))
	b, _ = os.ReadFile(dst)
	require.Equal(t, "new", string(b))
	st, _ := os.Stat(dst)
	require.Equal(t, FileMode(), st.Mode().Perm())
}
