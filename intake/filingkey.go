package intake

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"
)

// ErrKeyReused: a filing key came back with other content than the filing
// it made; nothing is filed.
var ErrKeyReused = &inputError{"这份登记已经提交过，内容却不一样；如需另行登记，请刷新页面后重新填写"}

// A filing key (NewTicket.Key) names one filing: the callers scope it to
// whoever sends it (a staff account, a chat conversation, the public API)
// before it gets here. The store keeps its hash with the ticket it made and
// the ticket's secret sealed with the key, so the same key answers with the
// same ticket, secret included, and the table alone reveals no secret.

func keyHash(key string) string {
	h := sha256.Sum256([]byte("huiqi-intake-filing-key:" + key))
	return hex.EncodeToString(h[:])
}

// fingerprint is what a filing said, so a key reused for other content is
// refused rather than answered with the wrong ticket.
func fingerprint(text, enterprise, contact, location, channel, by, reporterKey string) string {
	h := sha256.New()
	for _, f := range []string{text, enterprise, contact, location, channel, by, reporterKey} {
		fmt.Fprintf(h, "%d:%s;", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func sealKey(key string) cipher.AEAD {
	k := sha256.Sum256([]byte("huiqi-intake-seal:" + key))
	block, _ := aes.NewCipher(k[:]) // a 32-byte key never fails
	aead, _ := cipher.NewGCM(block)
	return aead
}

func seal(key, secret string, rnd io.Reader) (string, error) {
	aead := sealKey(key)
	nonce := make([]byte, aead.NonceSize())
	if _, err := io.ReadFull(rnd, nonce); err != nil {
		return "", fmt.Errorf("seal: %w", err)
	}
	return hex.EncodeToString(aead.Seal(nonce, nonce, []byte(secret), nil)), nil
}

func unseal(key, sealed string) (string, error) {
	b, err := hex.DecodeString(sealed)
	aead := sealKey(key)
	if err != nil || len(b) < aead.NonceSize() {
		return "", errors.New("unseal: malformed")
	}
	plain, err := aead.Open(nil, b[:aead.NonceSize()], b[aead.NonceSize():], nil)
	if err != nil {
		return "", fmt.Errorf("unseal: %w", err)
	}
	return string(plain), nil
}

// filedBefore looks key up in tx: the ticket it filed, or "" when none.
func (s *Store) filedBefore(ctx context.Context, tx *sql.Tx, key, print string) (id, sealed string, err error) {
	var fp string
	err = s.queryRow(ctx, tx, `SELECT ticket_id, fingerprint, sealed FROM intake_filing_keys WHERE key_hash = ?`,
		keyHash(key)).Scan(&id, &fp, &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", nil
	}
	if err != nil {
		return "", "", fmt.Errorf("filing key: %w", err)
	}
	if fp != print {
		return "", "", ErrKeyReused
	}
	return id, sealed, nil
}

func (s *Store) saveFilingKey(ctx context.Context, tx *sql.Tx, key, print, id, sealed string, now time.Time) error {
	_, err := s.exec(ctx, tx, `INSERT INTO intake_filing_keys (key_hash, ticket_id, fingerprint, sealed, created_at)
		VALUES (?, ?, ?, ?, ?)`, keyHash(key), id, print, sealed, fmtTime(now))
	if err != nil {
		return fmt.Errorf("save filing key: %w", err)
	}
	return nil
}

// replayed is the ticket a filing key made before, with its secret.
func (s *Store) replayed(ctx context.Context, id, key, sealed string) (Ticket, error) {
	t, err := s.Get(ctx, id)
	if err != nil {
		return Ticket{}, fmt.Errorf("intake: file again: %w", err)
	}
	if t.Secret, err = unseal(key, sealed); err != nil {
		return Ticket{}, fmt.Errorf("intake: file again %s: %w", id, err)
	}
	t.Replayed = true
	return t, nil
}
