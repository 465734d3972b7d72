package knowledge

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"huiqi/sqlite"
)

// lexiconComponent names this package's migrations of the staff-added
// questions table.
const lexiconComponent = "knowledge_lexicon"

// MigrateLexicon creates the table of questions staff attached to measures.
func MigrateLexicon(ctx context.Context, db *sqlite.DB) error {
	return sqlite.Migrate(ctx, db, lexiconComponent, componentFS{"lexicon"})
}

// SaveQuestion stores a question for a measure; saving it twice is a no-op.
func SaveQuestion(ctx context.Context, db *sql.DB, measureID, q string) error {
	q = strings.TrimSpace(q)
	if measureID == "" || q == "" {
		return inputError{"措施编号和问题都不能为空 / measure id and question are required"}
	}
	if _, err := db.ExecContext(ctx,
		`INSERT OR IGNORE INTO knowledge_lexicon_questions (measure_id, question) VALUES (?, ?)`,
		measureID, q); err != nil {
		return fmt.Errorf("save question for %s: %w", measureID, err)
	}
	return nil
}

// LoadQuestions returns the stored questions by measure id, in the order
// they were added. A database without the table (never migrated, opened
// read-only) has none.
func LoadQuestions(ctx context.Context, db *sql.DB) (map[string][]string, error) {
	out := map[string][]string{}
	var n int
	if err := db.QueryRowContext(ctx,
		`SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'knowledge_lexicon_questions'`).Scan(&n); err != nil {
		return nil, fmt.Errorf("load questions: %w", err)
	}
	if n == 0 {
		return out, nil
	}
	rows, err := db.QueryContext(ctx, `SELECT measure_id, question FROM knowledge_lexicon_questions ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("load questions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, q string
		if err := rows.Scan(&id, &q); err != nil {
			return nil, fmt.Errorf("load questions: %w", err)
		}
		out[id] = append(out[id], q)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load questions: %w", err)
	}
	return out, nil
}
