package intake

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
)

// secretAlphabet avoids look-alikes (0/O, 1/I/L) so a code read out on
// the phone survives.
const secretAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// newSecret returns a 10-character code (~49 bits).
func newSecret(r io.Reader) (string, error) {
	b := make([]byte, 10)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("secret: %w", err)
	}
	out := make([]byte, len(b))
	for i, c := range b {
		out[i] = secretAlphabet[int(c)%len(secretAlphabet)]
	}
	return string(out), nil
}

func normSecret(s string) string { return strings.ToUpper(strings.Join(strings.Fields(s), "")) }

// hashSecret salts with the ticket id; the codes are random, so a fast
// hash suffices (there is no dictionary to try).
func hashSecret(id, secret string) string {
	h := sha256.Sum256([]byte("huiqi-intake:" + id + ":" + secret))
	return hex.EncodeToString(h[:])
}
