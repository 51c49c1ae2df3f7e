// Package auth authenticates the pushes of one vendor endpoint, on top of any collector-wide
// authenticator extension: none, HTTP Basic (RFC 7617), static Bearer tokens (RFC 6750), or
// OAuth 2.0 client credentials (RFC 6749 §4.4), where the receiver itself serves the token
// endpoint the vendor fetches its tokens from and issues stateless signed tokens.
//
// Every secret is compared in constant time, on fixed-length SHA-256 digests so that lengths do
// not leak either. The reasons of the errors Check returns never contain what the caller sent.
package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"go.opentelemetry.io/collector/config/configopaque"
)

// The authentication types.
const (
	TypeNone   = "none"
	TypeBasic  = "basic"
	TypeBearer = "bearer"
	TypeOAuth2 = "oauth2"
)

// MinSecretLength is the shortest client secret and static bearer token accepted.
const MinSecretLength = 16

// DefaultTokenTTL is the lifetime of issued OAuth 2.0 tokens when TokenTTL is 0.
const DefaultTokenTTL = time.Hour

// realm is the protection space named in every challenge.
const realm = "callcenter"

// Config is one vendor endpoint's authentication (YAML under receivers::callcenter::<vendor>::auth).
type Config struct {
	// Type is none (the default when empty), basic, bearer or oauth2.
	Type string `mapstructure:"type"`
	// basic
	Username string              `mapstructure:"username"`
	Password configopaque.String `mapstructure:"password"`
	// bearer: the static tokens accepted
	Tokens []configopaque.String `mapstructure:"tokens"`
	// oauth2: the receiver serves an RFC 6749 client-credentials token endpoint at TokenPath
	ClientID     string              `mapstructure:"client_id"`
	ClientSecret configopaque.String `mapstructure:"client_secret"`
	TokenPath    string              `mapstructure:"token_path"`
	TokenTTL     time.Duration       `mapstructure:"token_ttl"` // lifetime of issued tokens; 0 means 1h
}

// Validate checks the configuration; messages name the field relative to the auth section,
// e.g. "type: \"digest\" must be none, basic, bearer or oauth2", "password: must be set for basic auth",
// "token_path: \"token\" must start with /", "client_secret: must be at least 16 characters".
func (c *Config) Validate() error {
	typ := c.typ()
	var errs []error
	switch typ {
	case TypeNone:
	case TypeBasic:
		if c.Username == "" {
			errs = append(errs, errors.New("username: must be set for basic auth"))
		} else if strings.Contains(c.Username, ":") {
			errs = append(errs, errors.New("username: must not contain a colon (RFC 7617)"))
		} else if hasControl(c.Username) {
			errs = append(errs, errors.New("username: must not contain control characters"))
		}
		if c.Password == "" {
			errs = append(errs, errors.New("password: must be set for basic auth"))
		} else if hasControl(string(c.Password)) {
			errs = append(errs, errors.New("password: must not contain control characters"))
		}
	case TypeBearer:
		if len(c.Tokens) == 0 {
			errs = append(errs, errors.New("tokens: must list at least one token for bearer auth"))
		}
		for i, t := range c.Tokens {
			switch {
			case t == "":
				errs = append(errs, fmt.Errorf("tokens[%d]: must not be empty", i))
			case strings.ContainsFunc(string(t), isSpaceOrControl):
				errs = append(errs, fmt.Errorf("tokens[%d]: must not contain spaces or control characters", i))
			case len(t) < MinSecretLength:
				errs = append(errs, fmt.Errorf("tokens[%d]: must be at least %d characters", i, MinSecretLength))
			}
		}
	case TypeOAuth2:
		if c.ClientID == "" {
			errs = append(errs, errors.New("client_id: must be set for oauth2 auth"))
		} else if hasControl(c.ClientID) {
			errs = append(errs, errors.New("client_id: must not contain control characters"))
		}
		if c.ClientSecret == "" {
			errs = append(errs, errors.New("client_secret: must be set for oauth2 auth"))
		} else if len(c.ClientSecret) < MinSecretLength {
			errs = append(errs, fmt.Errorf("client_secret: must be at least %d characters", MinSecretLength))
		}
		switch {
		case c.TokenPath == "":
			errs = append(errs, errors.New("token_path: must be set for oauth2 auth, e.g. /tccc/token"))
		case !strings.HasPrefix(c.TokenPath, "/"):
			errs = append(errs, fmt.Errorf("token_path: %q must start with /", c.TokenPath))
		case strings.ContainsAny(c.TokenPath, "?#"):
			errs = append(errs, fmt.Errorf("token_path: %q must be a path without query or fragment", c.TokenPath))
		}
		if c.TokenTTL < 0 {
			errs = append(errs, fmt.Errorf("token_ttl: must not be negative, got %s", c.TokenTTL))
		} else if c.TokenTTL > 0 && c.TokenTTL < time.Second {
			errs = append(errs, fmt.Errorf("token_ttl: must be 0 (1h) or at least 1s, got %s", c.TokenTTL))
		}
	default:
		return fmt.Errorf("type: %q must be %s, %s, %s or %s", c.Type, TypeNone, TypeBasic, TypeBearer, TypeOAuth2)
	}
	errs = append(errs, c.unusedFields(typ)...)
	return errors.Join(errs...)
}

// unusedFields reports the fields set that the type does not use: credentials left under
// type none would otherwise look like protection that is not there.
func (c *Config) unusedFields(typ string) []error {
	fields := []struct {
		name, usedBy string
		set          bool
	}{
		{"username", TypeBasic, c.Username != ""},
		{"password", TypeBasic, c.Password != ""},
		{"tokens", TypeBearer, len(c.Tokens) > 0},
		{"client_id", TypeOAuth2, c.ClientID != ""},
		{"client_secret", TypeOAuth2, c.ClientSecret != ""},
		{"token_path", TypeOAuth2, c.TokenPath != ""},
		{"token_ttl", TypeOAuth2, c.TokenTTL != 0},
	}
	var errs []error
	for _, f := range fields {
		if f.set && f.usedBy != typ {
			errs = append(errs, fmt.Errorf("%s: is only used by type %s, not %s", f.name, f.usedBy, typ))
		}
	}
	return errs
}

// typ is the type with its default.
func (c *Config) typ() string {
	if c.Type == "" {
		return TypeNone
	}
	return c.Type
}

func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

func isSpaceOrControl(r rune) bool {
	return r <= 0x20 || r == 0x7f || r == 0x85 || r == 0xa0 || r == 0x2028 || r == 0x2029
}

// ErrUnauthorized is wrapped by every Check failure.
var ErrUnauthorized = errors.New("unauthorized")

// failure is a Check error: a reason safe to reply with.
type failure struct {
	reason string
	// tokenPresented is set when the request carried a Bearer token that was refused.
	tokenPresented bool
}

func (f *failure) Error() string { return ErrUnauthorized.Error() + ": " + f.reason }
func (f *failure) Unwrap() error { return ErrUnauthorized }

func fail(reason string) error { return &failure{reason: reason} }

func badToken(reason string) error { return &failure{reason: reason, tokenPresented: true} }

// Authenticator checks one endpoint's requests.
type Authenticator struct {
	typ string
	now func() time.Time

	// basic
	username [sha256.Size]byte
	password [sha256.Size]byte
	// bearer
	tokens [][sha256.Size]byte
	// oauth2
	issuer *issuer
}

// New returns the authenticator of cfg (cfg already validated). now is the clock (time.Now in production).
func New(cfg Config, now func() time.Time) *Authenticator {
	if now == nil {
		now = time.Now
	}
	a := &Authenticator{typ: cfg.typ(), now: now}
	switch a.typ {
	case TypeBasic:
		a.username = digest(cfg.Username)
		a.password = digest(string(cfg.Password))
	case TypeBearer:
		for _, t := range cfg.Tokens {
			a.tokens = append(a.tokens, digest(string(t)))
		}
	case TypeOAuth2:
		a.issuer = newIssuer(cfg, now)
	}
	return a
}

// Check returns nil when the request may push, else an error wrapping ErrUnauthorized with a
// short reason ("missing Authorization header", "wrong username or password", "unknown token",
// "token expired", ...) that is safe to send back to the caller (never echo secrets).
func (a *Authenticator) Check(r *http.Request) error {
	switch a.typ {
	case TypeNone:
		return nil
	case TypeBasic, TypeBearer, TypeOAuth2:
	default: // never validated: refuse rather than let everything through
		return fail("authentication is misconfigured")
	}
	if r == nil {
		return fail("missing Authorization header")
	}
	values := r.Header.Values("Authorization")
	switch {
	case len(values) == 0:
		return fail("missing Authorization header")
	case len(values) > 1:
		return fail("more than one Authorization header")
	}
	scheme, credentials := splitAuthorization(values[0])
	if scheme == "" {
		return fail("missing Authorization header")
	}
	if a.typ == TypeBasic {
		if !strings.EqualFold(scheme, "Basic") {
			return fail("expected Basic credentials")
		}
		return a.checkBasic(credentials)
	}
	if !strings.EqualFold(scheme, "Bearer") {
		return fail("expected a Bearer token")
	}
	if credentials == "" {
		return fail("empty Bearer token")
	}
	if a.typ == TypeBearer {
		return a.checkStaticToken(credentials)
	}
	return a.issuer.verify(credentials)
}

func (a *Authenticator) checkBasic(credentials string) error {
	user, pass, err := decodeBasic(credentials)
	if err != nil {
		return fail(err.Error())
	}
	u, p := digest(user), digest(pass)
	// both compared whatever the first gives: the time tells nothing of which one was wrong
	ok := subtle.ConstantTimeCompare(u[:], a.username[:]) & subtle.ConstantTimeCompare(p[:], a.password[:])
	if ok != 1 {
		return fail("wrong username or password")
	}
	return nil
}

func (a *Authenticator) checkStaticToken(token string) error {
	d := digest(token)
	ok := 0
	for i := range a.tokens { // every token compared: the time tells nothing of which matched
		ok |= subtle.ConstantTimeCompare(d[:], a.tokens[i][:])
	}
	if ok != 1 {
		return badToken("unknown token")
	}
	return nil
}

// Challenge is the WWW-Authenticate header value for 401 replies ("" for none):
// `Basic realm="callcenter"` or `Bearer realm="callcenter"`. It names no error; ChallengeFor
// adds the RFC 6750 error code a refused OAuth 2.0 token calls for.
func (a *Authenticator) Challenge() string {
	switch a.typ {
	case TypeBasic:
		return `Basic realm="` + realm + `"`
	case TypeBearer, TypeOAuth2:
		return `Bearer realm="` + realm + `"`
	}
	return ""
}

// ChallengeFor is the WWW-Authenticate header value for the 401 reply to err, an error of
// Check: Challenge, plus error="invalid_token" under oauth2 when the request presented a token
// (unknown, tampered or expired: the client should fetch a new one). Without a token it names
// no error, as RFC 6750 §3.1 asks.
func (a *Authenticator) ChallengeFor(err error) string {
	c := a.Challenge()
	var f *failure
	if a.typ == TypeOAuth2 && errors.As(err, &f) && f.tokenPresented {
		c += `, error="invalid_token"`
	}
	return c
}

// TokenPath is where the token endpoint must be mounted ("" unless oauth2).
func (a *Authenticator) TokenPath() string {
	if a.issuer == nil {
		return ""
	}
	return a.issuer.path
}

// TokenHandler serves the token endpoint (nil unless oauth2).
func (a *Authenticator) TokenHandler() http.Handler {
	if a.issuer == nil {
		return nil
	}
	return a.issuer
}

// splitAuthorization splits an Authorization header value into its scheme and the rest, both
// without surrounding blanks.
func splitAuthorization(value string) (scheme, credentials string) {
	value = strings.Trim(value, " \t")
	scheme, credentials, _ = strings.Cut(value, " ")
	return scheme, strings.Trim(credentials, " \t")
}

// decodeBasic decodes the credentials of a Basic Authorization header (RFC 7617): base64 of
// user-id ":" password, the user-id holding no colon. Errors are reasons safe to reply with.
func decodeBasic(credentials string) (user, pass string, err error) {
	if credentials == "" {
		return "", "", errors.New("empty Basic credentials")
	}
	raw, err := base64.StdEncoding.DecodeString(credentials)
	if err != nil {
		// some clients leave out the padding
		if raw, err = base64.RawStdEncoding.DecodeString(credentials); err != nil {
			return "", "", errors.New("malformed Basic credentials: not base64")
		}
	}
	user, pass, ok := strings.Cut(string(raw), ":")
	if !ok {
		return "", "", errors.New("malformed Basic credentials: no colon between username and password")
	}
	return user, pass, nil
}

func digest(s string) [sha256.Size]byte { return sha256.Sum256([]byte(s)) }
