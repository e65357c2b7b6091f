// Package atomicfile writes files so that a reader, or a crash, never sees a
// half-written one: the content goes to a temporary file in the same
// directory, which is renamed over the destination only once complete.
package atomicfile

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Write creates path with the content that fill writes. If fill or any
// step fails, path is left as it was and the temporary file is removed.
func Write(path string, fill func(w io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = fill(f); err != nil {
		return err
	}
	if err = f.Chmod(0o644); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// WriteAll writes every file or none: each is staged to a temporary file,
// and the renames happen only after all of them were written. fills maps a
// destination path to its content.
func WriteAll(paths []string, fills []func(w io.Writer) error) (err error) {
	if len(paths) != len(fills) {
		return fmt.Errorf("atomicfile: %d paths, %d fills", len(paths), len(fills))
	}
	tmps := make([]string, 0, len(paths))
	defer func() {
		if err != nil {
			for _, t := range tmps {
				os.Remove(t)
			}
		}
	}()
	for i, path := range paths {
		dir, base := filepath.Split(path)
		if dir == "" {
			dir = "."
		}
		f, err := os.CreateTemp(dir, "."+base+".tmp*")
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		tmps = append(tmps, f.Name())
		if err := fills[i](f); err != nil {
			f.Close()
			return err
		}
		if err := f.Chmod(0o644); err != nil {
			f.Close()
			return fmt.Errorf("%s: %w", path, err)
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	for i, path := range paths {
		if err := os.Rename(tmps[i], path); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	return nil
}
