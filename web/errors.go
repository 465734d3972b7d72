package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"huiqi/intake"
	"huiqi/sqlite"
)

// Error codes of the JSON error object; each maps to one HTTP status in statusOf.
const (
	CodeInvalid          = "invalid"
	CodeNotFound         = "not_found"
	CodeUnauthorized     = "unauthorized"
	CodeForbidden        = "forbidden"
	CodeMethodNotAllowed = "method_not_allowed"
	CodeTooLarge         = "too_large"
	CodeUnsupportedMedia = "unsupported_media_type"
	CodeRateLimited      = "rate_limited"
	CodeInternal         = "internal"
	CodeUnavailable      = "unavailable"
)

// Error is an error with a code and a message for people (Chinese).
type Error struct {
	Code    string
	Message string
	Err     error // the cause, for the log; never shown
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

func errorf(code, format string, a ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, a...)}
}

func statusOf(code string) int {
	switch code {
	case CodeInvalid:
		return http.StatusBadRequest
	case CodeNotFound:
		return http.StatusNotFound
	case CodeUnauthorized:
		return http.StatusUnauthorized
	case CodeForbidden:
		return http.StatusForbidden
	case CodeMethodNotAllowed:
		return http.StatusMethodNotAllowed
	case CodeTooLarge:
		return http.StatusRequestEntityTooLarge
	case CodeUnsupportedMedia:
		return http.StatusUnsupportedMediaType
	case CodeRateLimited:
		return http.StatusTooManyRequests
	case CodeUnavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// invalidInput is implemented by the domain packages' bad-input errors.
type invalidInput interface{ InvalidInput() bool }

// classify is the one place that turns any error into a code and a message.
func classify(err error) *Error {
	var we *Error
	if errors.As(err, &we) {
		return we
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &Error{Code: CodeTooLarge, Message: fmt.Sprintf("请求内容过大，请控制在 %d 字节以内", mbe.Limit), Err: err}
	}
	if errors.Is(err, intake.ErrNotFound) {
		return &Error{Code: CodeNotFound, Message: "没有找到相应的记录", Err: err}
	}
	if errors.Is(err, intake.ErrBadMove) {
		return &Error{Code: CodeInvalid, Message: "当前状态下不能进行这一步办理", Err: err}
	}
	var zh interface{ Chinese() string }
	if errors.As(err, &zh) {
		return &Error{Code: CodeInvalid, Message: zh.Chinese(), Err: err}
	}
	var ii invalidInput
	if errors.As(err, &ii) && ii.InvalidInput() {
		return &Error{Code: CodeInvalid, Message: "输入有误：" + err.Error(), Err: err}
	}
	if sqlite.IsStorage(err) {
		// Damaged, full or read-only storage: nothing was saved, and the
		// operator must act (the log has what to do).
		return &Error{Code: CodeUnavailable, Message: "服务暂时无法保存数据，本次提交未生效，请稍后再试", Err: err}
	}
	return &Error{Code: CodeInternal, Message: "服务器内部错误，请稍后再试", Err: err}
}

type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// writeError writes err as the JSON error object with its status.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	e := classify(err)
	status := statusOf(e.Code)
	if status >= 500 {
		log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	var body errorBody
	body.Error.Code = e.Code
	body.Error.Message = e.Message
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"error":{"code":"internal","message":"服务器内部错误，请稍后再试"}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(b)
	w.Write([]byte("\n"))
}
