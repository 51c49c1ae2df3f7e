// Package platform defines what a call-center platform plugs into the receiver: a decoder from
// its pushes to the call model, and the reply format it expects. Each platform is one package
// that implements Platform, and one line of the registry (package platforms).
package platform

import (
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	"github.com/otelcallcenter/callcenterreceiver/internal/call"
)

// Request is what a decoder sees of one HTTP push.
type Request struct {
	Query  url.Values
	Header http.Header
	Body   []byte
	// Arrival is when the push arrived: the event time of vendors that send none.
	Arrival time.Time
	// Location is the zone of vendor times that carry none.
	Location *time.Location
}

// Platform is one call-center platform: what the receiver needs to read its pushes and answer
// them.
type Platform interface {
	// Name is the platform's key in the configuration and the callcenter.vendor attribute.
	Name() string
	// Decode turns one push into the call model. It returns an error only for an envelope that
	// cannot be read (the pusher's fault: the receiver replies 400); fields inside it that cannot
	// be read become the push's Warnings.
	Decode(Request) ([]call.Push, error)
	// Reply writes the platform's reply with the given HTTP status. A nil err means success.
	Reply(w http.ResponseWriter, status int, err error)
	// PhoneFields are the payload fields that hold phone numbers, as dotted paths ("a.b",
	// "list[].phone"), for privacy to protect in the log body.
	PhoneFields() []string
}

// WriteJSON writes v as the JSON body of a reply.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil { // replies are small structs of strings and numbers
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	Encoded(append(body, '\n')).Write(w, status)
}

// Encoded is a JSON reply encoded once, as WriteJSON writes it: the reply to an accepted push
// never changes, and is nearly every reply.
type Encoded []byte

// Encode encodes v, a reply known when the program starts; it panics if v cannot be encoded.
func Encode(v any) Encoded {
	body, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return append(body, '\n')
}

// Write writes the reply with the given HTTP status.
func (e Encoded) Write(w http.ResponseWriter, status int) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(e)
}

// codeReply is CodeReply's format.
type codeReply struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

var codeSuccess = Encode(codeReply{Code: 0, Message: "success"})

// CodeReply is the small JSON reply of platforms that document none of their own: code 0 and
// "success", or the HTTP status and the reason.
func CodeReply(w http.ResponseWriter, status int, err error) {
	if err == nil {
		codeSuccess.Write(w, status)
		return
	}
	WriteJSON(w, status, codeReply{Code: status, Message: err.Error()})
}
