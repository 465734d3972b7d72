package intake

import "errors"

// inputError is bad input from a person: main maps it to exit status 2,
// the HTTP layer to 400/404. Its message is Chinese because users see it.
type inputError struct{ msg string }

func (e *inputError) Error() string { return e.msg }

// InvalidInput marks the error as the caller's fault.
func (e *inputError) InvalidInput() bool { return true }

var (
	// ErrNotFound: no such ticket, or not one the asker may see (the two are
	// deliberately indistinguishable).
	ErrNotFound = &inputError{"工单不存在或无权查看"}
	// ErrBadMove: the workflow does not allow this change; nothing changed.
	ErrBadMove = &inputError{"工单当前状态不允许此操作"}
	// ErrInvalid: a malformed request (empty text, unknown status, bad rating).
	ErrInvalid = &inputError{"输入无效"}
)

// IsNotFound reports whether err means the ticket does not exist (for the
// asker).
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
