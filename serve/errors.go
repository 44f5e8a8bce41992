package serve

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// Error codes of the JSON errors the API answers.
const (
	codeBadRequest = "bad_request"
	codeNotFound   = "not_found"
	codeMethod     = "method_not_allowed"
	codeTooLarge   = "too_large"
	codeMediaType  = "unsupported_media_type"
	codeOverloaded = "overloaded"
	codeTimeout    = "timeout"
	codeShutdown   = "shutting_down"
	codeInternal   = "internal"
	retryAfterSecs = 1
)

// apiError is an error with the HTTP status and code the client gets.
type apiError struct {
	status int
	code   string
	msg    string
}

func (e *apiError) Error() string { return e.msg }

func badRequest(format string, args ...any) *apiError {
	return &apiError{http.StatusBadRequest, codeBadRequest, fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) *apiError {
	return &apiError{http.StatusNotFound, codeNotFound, fmt.Sprintf(format, args...)}
}

var (
	errOverloaded = &apiError{http.StatusTooManyRequests, codeOverloaded, "the sampling queue is full: retry later"}
	errShutdown   = &apiError{http.StatusServiceUnavailable, codeShutdown, "the server is shutting down"}
	errTimeout    = &apiError{http.StatusServiceUnavailable, codeTimeout, "the request took longer than the server allows"}
)

// errorBody is the JSON of every error: {"error":{"code","message"}}.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// writeError answers err as JSON. An error that is not an *apiError is a
// bug of the server (500); a model's refusal of bad data comes back as
// badRequest from the handlers.
func writeError(w http.ResponseWriter, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			ae = &apiError{http.StatusRequestEntityTooLarge, codeTooLarge, fmt.Sprintf("the request body is over %d bytes", mbe.Limit)}
		} else {
			ae = &apiError{http.StatusInternalServerError, codeInternal, err.Error()}
		}
	}
	var b errorBody
	b.Error.Code, b.Error.Message = ae.code, ae.msg
	if ae.status == http.StatusTooManyRequests || ae.status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", strconv.Itoa(retryAfterSecs))
	}
	writeJSON(w, ae.status, &b)
}

// writeJSON answers v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// decodeJSON reads one JSON object from the body into v: unknown fields,
// trailing data and a body over the limit are refused.
func decodeJSON(r io.Reader, v any) error {
	d := json.NewDecoder(r)
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		if errors.Is(err, io.EOF) {
			return badRequest("empty request body: want a JSON object")
		}
		return badRequest("bad JSON: %v", err)
	}
	if d.More() {
		return badRequest("bad JSON: data after the object")
	}
	if _, err := d.Token(); err != io.EOF {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return badRequest("bad JSON: data after the object")
	}
	return nil
}
