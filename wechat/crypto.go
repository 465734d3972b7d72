package wechat

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Signature is WeChat's signature of a callback: the hex SHA-1 of the
// parts (token, timestamp, nonce and, in safe mode, the Encrypt field)
// sorted as strings and concatenated.
func Signature(parts ...string) string {
	s := slices.Clone(parts)
	slices.Sort(s)
	sum := sha1.Sum([]byte(strings.Join(s, "")))
	return hex.EncodeToString(sum[:])
}

// signatureOK compares a received signature with the expected one in
// constant time (case-insensitively, as hex).
func signatureOK(got, want string) bool {
	return subtle.ConstantTimeCompare([]byte(strings.ToLower(got)), []byte(want)) == 1
}

// blockSize is the PKCS#7 block of WeChat's message encryption: 32 bytes,
// not AES's 16 (the padding is 1 to 32 bytes of its own length).
const blockSize = 32

// maxCipher bounds the ciphertext accepted from outside: callbacks are a
// few kilobytes.
const maxCipher = 1 << 20

var (
	errCipher = errors.New("wechat: ciphertext is not valid")
	errAppID  = errors.New("wechat: the decrypted message is for another appid")
)

// Cipher is the message encryption of safe mode (安全模式): AES-256-CBC with
// the EncodingAESKey, the IV its first 16 bytes, over random(16) ·
// length(4, big-endian) · message · appid, padded by PKCS#7 to 32 bytes.
type Cipher struct {
	key   []byte
	appID string
	block cipher.Block
}

// NewCipher decodes the 43-character EncodingAESKey (base64 without its
// final "=") and keeps the appid the messages must name.
func NewCipher(encodingAESKey, appID string) (*Cipher, error) {
	if len(encodingAESKey) != 43 {
		return nil, fmt.Errorf("wechat: EncodingAESKey must be 43 characters, got %d", len(encodingAESKey))
	}
	key, err := base64.StdEncoding.DecodeString(encodingAESKey + "=")
	if err != nil || len(key) != 32 {
		return nil, fmt.Errorf("wechat: EncodingAESKey is not 43 characters of base64 (A-Z, a-z, 0-9, +, /)")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("wechat: %w", err)
	}
	return &Cipher{key: key, appID: appID, block: block}, nil
}

// Encrypt encrypts msg for the appid with 16 random bytes read from rand,
// and returns the base64 text of the Encrypt field.
func (c *Cipher) Encrypt(msg []byte, rand io.Reader) (string, error) {
	var random [16]byte
	if _, err := io.ReadFull(rand, random[:]); err != nil {
		return "", fmt.Errorf("wechat: random bytes: %w", err)
	}
	plain := make([]byte, 0, 20+len(msg)+len(c.appID)+blockSize)
	plain = append(plain, random[:]...)
	plain = binary.BigEndian.AppendUint32(plain, uint32(len(msg)))
	plain = append(plain, msg...)
	plain = append(plain, c.appID...)
	pad := blockSize - len(plain)%blockSize
	for range pad {
		plain = append(plain, byte(pad))
	}
	out := make([]byte, len(plain))
	cipher.NewCBCEncrypter(c.block, c.key[:aes.BlockSize]).CryptBlocks(out, plain)
	return base64.StdEncoding.EncodeToString(out), nil
}

// Decrypt decrypts the base64 text of an Encrypt field and checks that it
// names the appid. Nothing it is given makes it panic.
func (c *Cipher) Decrypt(text string) ([]byte, error) {
	if len(text) > maxCipher*4/3+4 {
		return nil, errCipher
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(text))
	if err != nil || len(raw) == 0 || len(raw)%aes.BlockSize != 0 {
		return nil, errCipher
	}
	plain := make([]byte, len(raw))
	cipher.NewCBCDecrypter(c.block, c.key[:aes.BlockSize]).CryptBlocks(plain, raw)
	pad := int(plain[len(plain)-1])
	if pad < 1 || pad > blockSize || pad > len(plain) {
		return nil, errCipher
	}
	for _, b := range plain[len(plain)-pad:] {
		if int(b) != pad {
			return nil, errCipher
		}
	}
	plain = plain[:len(plain)-pad]
	if len(plain) < 20 {
		return nil, errCipher
	}
	n := binary.BigEndian.Uint32(plain[16:20])
	if uint64(n) > uint64(len(plain)-20) {
		return nil, errCipher
	}
	msg, appID := plain[20:20+n], plain[20+n:]
	if subtle.ConstantTimeCompare(appID, []byte(c.appID)) != 1 {
		return nil, errAppID
	}
	return msg, nil
}
