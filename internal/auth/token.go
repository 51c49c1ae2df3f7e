package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// maxTokenBody is the largest form body the token endpoint reads.
const maxTokenBody = 64 << 10

// maxTokenLength bounds the tokens Check decodes; issued ones are far shorter unless the
// client ID is very long.
const maxTokenLength = 8 << 10

// Tokens are stateless, so that they survive restarts and work on every replica behind a load
// balancer: base64url(payload) "." base64url(HMAC-SHA256(key, payload)), where the payload is
//
//	version (1 byte, 1) | expiry (8 bytes, Unix milliseconds, big-endian) | nonce (16 random bytes) | client ID
//
// and key = HMAC-SHA256(client secret, "callcenter token key"). Changing the secret revokes
// every token issued with the old one.
const (
	tokenVersion  = 1
	nonceSize     = 16
	payloadHeader = 1 + 8 + nonceSize
	keyLabel      = "callcenter token key"
)

var b64 = base64.RawURLEncoding.Strict()

// issuer issues and verifies the tokens of one oauth2 Config and serves its token endpoint.
type issuer struct {
	path     string
	clientID string
	idDigest [sha256.Size]byte
	secret   [sha256.Size]byte
	key      []byte
	ttl      time.Duration
	now      func() time.Time
}

func newIssuer(cfg Config, now func() time.Time) *issuer {
	ttl := cfg.TokenTTL
	if ttl <= 0 {
		ttl = DefaultTokenTTL
	}
	mac := hmac.New(sha256.New, []byte(cfg.ClientSecret))
	mac.Write([]byte(keyLabel))
	return &issuer{
		path:     cfg.TokenPath,
		clientID: cfg.ClientID,
		idDigest: digest(cfg.ClientID),
		secret:   digest(string(cfg.ClientSecret)),
		key:      mac.Sum(nil),
		ttl:      ttl,
		now:      now,
	}
}

func (s *issuer) sign(payload []byte) []byte {
	mac := hmac.New(sha256.New, s.key)
	mac.Write(payload)
	return mac.Sum(nil)
}

// issue returns a new token and its lifetime in whole seconds.
func (s *issuer) issue() (token string, expiresIn int64) {
	expiry := s.now().Add(s.ttl).UnixMilli() // to the millisecond: a token lives its whole ttl
	payload := make([]byte, payloadHeader, payloadHeader+len(s.clientID))
	payload[0] = tokenVersion
	binary.BigEndian.PutUint64(payload[1:9], uint64(expiry))
	_, _ = rand.Read(payload[9:payloadHeader]) // never fails (crypto/rand since Go 1.24)
	payload = append(payload, s.clientID...)
	return b64.EncodeToString(payload) + "." + b64.EncodeToString(s.sign(payload)), int64(s.ttl / time.Second)
}

// verify checks a token's signature, client and expiry.
func (s *issuer) verify(token string) error {
	if len(token) > maxTokenLength {
		return badToken("unknown token")
	}
	encPayload, encSig, ok := strings.Cut(token, ".")
	if !ok {
		return badToken("unknown token")
	}
	payload, err1 := b64.DecodeString(encPayload)
	sig, err2 := b64.DecodeString(encSig)
	if err1 != nil || err2 != nil || len(sig) != sha256.Size {
		return badToken("unknown token")
	}
	if subtle.ConstantTimeCompare(sig, s.sign(payload)) != 1 {
		return badToken("unknown token")
	}
	// signed by this key: the payload is one we wrote, but check it all the same
	if len(payload) < payloadHeader || payload[0] != tokenVersion {
		return badToken("unknown token")
	}
	id := digest(string(payload[payloadHeader:]))
	if subtle.ConstantTimeCompare(id[:], s.idDigest[:]) != 1 {
		return badToken("unknown token")
	}
	expiry := int64(binary.BigEndian.Uint64(payload[1:9])) // written from an int64 by issue
	if s.now().UnixMilli() >= expiry {
		return badToken("token expired")
	}
	return nil
}

// tokenError is an RFC 6749 §5.2 error reply.
type tokenError struct {
	status      int
	code        string
	description string
	// basicChallenge adds WWW-Authenticate: Basic to the reply.
	basicChallenge bool
}

func invalidRequest(description string) *tokenError {
	return &tokenError{status: http.StatusBadRequest, code: "invalid_request", description: description}
}

func invalidClient(description string) *tokenError {
	// RFC 7235 §3.1: a 401 carries a challenge; Basic is the client authentication offered
	return &tokenError{status: http.StatusUnauthorized, code: "invalid_client", description: description, basicChallenge: true}
}

// ServeHTTP is the RFC 6749 §4.4 client-credentials token endpoint.
func (s *issuer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeTokenJSON(w, http.StatusMethodNotAllowed, map[string]string{
			"error": "invalid_request", "error_description": "the token endpoint accepts only POST",
		})
		return
	}
	token, expiresIn, terr := s.grant(w, r)
	if terr != nil {
		if terr.basicChallenge {
			w.Header().Set("WWW-Authenticate", `Basic realm="`+realm+`"`)
		}
		writeTokenJSON(w, terr.status, map[string]string{"error": terr.code, "error_description": terr.description})
		return
	}
	writeTokenJSON(w, http.StatusOK, struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int64  `json:"expires_in"`
	}{token, "Bearer", expiresIn})
}

// grant reads a token request and authenticates its client.
func (s *issuer) grant(w http.ResponseWriter, r *http.Request) (token string, expiresIn int64, terr *tokenError) {
	mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mediaType != "application/x-www-form-urlencoded" {
		return "", 0, invalidRequest("the body must be application/x-www-form-urlencoded")
	}
	form, terr := readForm(w, r)
	if terr != nil {
		return "", 0, terr
	}
	for name, values := range form {
		if len(values) > 1 { // RFC 6749 §3.2
			return "", 0, invalidRequest("parameter " + safeName(name) + " is repeated")
		}
	}
	switch grantType := form.Get("grant_type"); grantType {
	case "client_credentials":
	case "":
		return "", 0, invalidRequest("grant_type is missing")
	default:
		return "", 0, &tokenError{
			status: http.StatusBadRequest, code: "unsupported_grant_type", description: "grant_type must be client_credentials",
		}
	}
	if terr := s.authenticateClient(r, form); terr != nil {
		return "", 0, terr
	}
	token, expiresIn = s.issue()
	return token, expiresIn, nil
}

// readForm reads the form body, at most maxTokenBody bytes. Parameters only count in the body
// (RFC 6749 §3.2): the query string is ignored.
func readForm(w http.ResponseWriter, r *http.Request) (url.Values, *tokenError) {
	if r.Body == nil {
		return url.Values{}, nil
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxTokenBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, &tokenError{
				status: http.StatusRequestEntityTooLarge, code: "invalid_request",
				description: "the body is larger than " + strconv.Itoa(maxTokenBody) + " bytes",
			}
		}
		return nil, invalidRequest("the body could not be read")
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, invalidRequest("the body is not a valid form")
	}
	return form, nil
}

// authenticateClient checks the client's credentials, sent either with HTTP Basic
// (client_secret_basic, RFC 6749 §2.3.1) or as client_id and client_secret form parameters
// (client_secret_post), never both.
func (s *issuer) authenticateClient(r *http.Request, form url.Values) *tokenError {
	formID, formSecret := form.Get("client_id"), form.Get("client_secret")
	headers := r.Header.Values("Authorization")
	if len(headers) == 0 {
		switch {
		case formID == "" && formSecret == "":
			return invalidClient("client authentication required: use HTTP Basic or client_id and client_secret")
		case formSecret == "":
			return invalidClient("client_secret is missing")
		case formID == "":
			return invalidClient("client_id is missing")
		}
		if !s.match([][2]string{{formID, formSecret}}) {
			return invalidClient("wrong client_id or client_secret")
		}
		return nil
	}
	if formSecret != "" {
		return invalidRequest("use one client authentication method: HTTP Basic or client_secret in the body, not both")
	}
	if len(headers) > 1 {
		return invalidRequest("more than one Authorization header")
	}
	scheme, credentials := splitAuthorization(headers[0])
	if !strings.EqualFold(scheme, "Basic") {
		return invalidClient("unsupported client authentication: use HTTP Basic or client_id and client_secret")
	}
	id, secret, err := decodeBasic(credentials)
	if err != nil {
		return invalidClient(err.Error())
	}
	// RFC 6749 §2.3.1 form-urlencodes both before Basic; many clients do not. Either is accepted.
	candidates := [][2]string{{id, secret}}
	uid, err1 := url.QueryUnescape(id)
	usecret, err2 := url.QueryUnescape(secret)
	if err1 == nil && err2 == nil && (uid != id || usecret != secret) {
		candidates = append(candidates, [2]string{uid, usecret})
	}
	if !s.match(candidates) {
		return invalidClient("wrong client_id or client_secret")
	}
	// a client_id in the body as well only identifies the client (RFC 6749 §3.2.1): it must agree
	if formID != "" {
		d := digest(formID)
		if subtle.ConstantTimeCompare(d[:], s.idDigest[:]) != 1 {
			return invalidRequest("client_id in the body differs from the one in the Authorization header")
		}
	}
	return nil
}

// match reports whether one of the (client ID, secret) pairs is the configured one, comparing
// every pair in constant time.
func (s *issuer) match(pairs [][2]string) bool {
	ok := 0
	for _, p := range pairs {
		id, secret := digest(p[0]), digest(p[1])
		ok |= subtle.ConstantTimeCompare(id[:], s.idDigest[:]) & subtle.ConstantTimeCompare(secret[:], s.secret[:])
	}
	return ok == 1
}

// safeName is a form parameter name fit for an error_description (RFC 6749 §5.2 allows
// printable ASCII but '"' and '\'), or "(name)" when it is not.
func safeName(name string) string {
	if len(name) == 0 || len(name) > 64 {
		return "(name)"
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return "(name)"
		}
	}
	return name
}

func writeTokenJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil { // maps and structs of strings and numbers
		body = []byte(`{"error":"server_error"}`)
		status = http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}
