package sqlite

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"
)

func steps(files map[string]string) fstest.MapFS {
	m := fstest.MapFS{}
	for name, sql := range files {
		m["migrations/"+name] = &fstest.MapFile{Data: []byte(sql)}
	}
	return m
}

// TestMigrateFiles: the numbered files run in version order, once each,
// and a later file added to a released set runs alone.
func TestMigrateFiles(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	v1 := map[string]string{
		"0002_seed.sql":  `INSERT INTO a VALUES (1);`,
		"0001_table.sql": "-- a comment\nCREATE TABLE a (x INTEGER);",
	}
	for i := 0; i < 3; i++ {
		if err := Migrate(ctx, db, "test", steps(v1)); err != nil {
			t.Fatalf("Migrate #%d: %v", i, err)
		}
	}
	v1["0003_more.sql"] = `INSERT INTO a VALUES (2);`
	if err := Migrate(ctx, db, "test", steps(v1)); err != nil {
		t.Fatal(err)
	}
	var n, sum, versions int
	if err := db.QueryRow(`SELECT COUNT(*), SUM(x) FROM a`).Scan(&n, &sum); err != nil {
		t.Fatal(err)
	}
	if n != 2 || sum != 3 {
		t.Errorf("rows = %d (sum %d), want 2 (sum 3): a step ran twice or out of order", n, sum)
	}
	if err := db.QueryRow(`SELECT MAX(version) FROM schema_migrations WHERE component = 'test'`).Scan(&versions); err != nil || versions != 3 {
		t.Errorf("recorded version = %d, %v; want 3", versions, err)
	}
}

func TestMigrateRefusesBadSets(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"gap", map[string]string{"0001_a.sql": `SELECT 1`, "0003_c.sql": `SELECT 1`}, "version 2 is missing"},
		{"duplicate", map[string]string{"0001_a.sql": `SELECT 1`, "0001_b.sql": `SELECT 1`}, "both version 1"},
		{"not a step", map[string]string{"0001_a.sql": `SELECT 1`, "notes.txt": ``}, "not a migration"},
		{"empty", map[string]string{}, "migrations"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Migrate(ctx, db, tt.name, steps(tt.files))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Migrate(%v) = %v, want an error saying %q", tt.files, err, tt.want)
			}
		})
	}
}

func TestMigrateFailedFileLeavesNothing(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	err := Migrate(ctx, db, "bad", steps(map[string]string{"0001_b.sql": `CREATE TABLE b (x INTEGER); INSERT INTO nowhere VALUES (1)`}))
	if err == nil {
		t.Fatal("Migrate of a broken step succeeded")
	}
	var n int
	db.QueryRow(`SELECT COUNT(*) FROM sqlite_master WHERE name = 'b'`).Scan(&n)
	if n != 0 {
		t.Errorf("table b exists after a failed migration")
	}
}
