// Package pgtest gives tests a fresh schema of the test PostgreSQL, the
// database scripts/test.sh starts and names in HUIQI_TEST_POSTGRES.
// Without it a test is skipped, except in CI (CI=true), where it fails:
// CI runs every PostgreSQL test.
package pgtest

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql's "pgx"
)

// Env names the test database (a postgres:// URL).
const Env = "HUIQI_TEST_POSTGRES"

// Need skips tb without a test database, or fails it in CI.
func Need(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(Env)
	if base == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("%s is not set: CI runs the PostgreSQL tests (scripts/test.sh starts one)", Env)
		}
		tb.Skipf("%s is not set (scripts/test.sh starts a PostgreSQL and sets it)", Env)
	}
	return base
}

// Schema creates a schema named prefix and random hex in the test
// database, drops it when tb ends, and returns the database's URL with the
// schema as its search path.
func Schema(tb testing.TB, prefix string) string {
	tb.Helper()
	base := Need(tb)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatal(err)
	}
	defer admin.Close()
	b := make([]byte, 6)
	rand.Read(b)
	schema := prefix + hex.EncodeToString(b)
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer admin.Close()
		if _, err := admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema
}
