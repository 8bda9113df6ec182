package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

// Error is an API error: its HTTP status, a message and, when one field
// of the request is to blame, that field's name. It is written as
// {"error": "...", "field": "..."}.
type Error struct {
	Status int    `json:"-"`
	Msg    string `json:"error"`
	Field  string `json:"field,omitempty"`
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("api: %s: %s", e.Field, e.Msg)
	}
	return "api: " + e.Msg
}

// badRequest is a 400 naming the field at fault.
func badRequest(field, format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Msg: fmt.Sprintf(format, args...), Field: field}
}

func writeError(w http.ResponseWriter, e *Error) {
	writeJSON(w, e.Status, e)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// decodeBody reads a JSON request body of at most max bytes into v:
// unknown fields, trailing data and wrong types are refused with the
// field named.
func decodeBody(w http.ResponseWriter, r *http.Request, max int64, v any) error {
	body, err := readBody(w, r, max)
	if err != nil {
		return err
	}
	return decodeJSON(body, v)
}

// readBody reads a request body of at most max bytes, checking that it
// is JSON if it says what it is.
func readBody(w http.ResponseWriter, r *http.Request, max int64) ([]byte, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			return nil, &Error{Status: http.StatusUnsupportedMediaType, Msg: fmt.Sprintf("content type %q: want application/json", ct)}
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, &Error{Status: http.StatusRequestEntityTooLarge, Msg: fmt.Sprintf("request body larger than %d bytes", max)}
	}
	if err != nil {
		return nil, badRequest("", "reading the body: %v", err)
	}
	return body, nil
}

// decodeJSON decodes one JSON object into v, naming the field at fault.
func decodeJSON(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case err == nil:
	case errors.Is(err, io.EOF):
		return badRequest("", "empty body: want a JSON object")
	case errors.As(err, &syn):
		return badRequest("", "bad JSON at byte %d: %v", syn.Offset, syn)
	case errors.As(err, &typ):
		return badRequest(typ.Field, "%s must be a JSON %s, not %s", typ.Field, typ.Type, typ.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return badRequest(name, "unknown field %q", name)
	default:
		return badRequest("", "bad JSON: %v", err)
	}
	if dec.More() {
		return badRequest("", "trailing data after the JSON object")
	}
	return nil
}
