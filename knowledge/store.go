package knowledge

import (
	"context"
	"database/sql"
)

// LoadNotices returns the notices ingested into db (first version: none).
func LoadNotices(ctx context.Context, db *sql.DB) ([]*Notice, error) { return nil, nil }
