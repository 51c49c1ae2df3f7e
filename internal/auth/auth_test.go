package auth

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/config/configopaque"
)

const (
	clientID     = "tccc-app-1400482256"
	clientSecret = "Zx9-client-secret-0123456789"
	tokenPath    = "/tccc/token"
)

// clock is a settable clock, safe for the handler goroutines of httptest servers.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func oauthConfig() Config {
	return Config{Type: TypeOAuth2, ClientID: clientID, ClientSecret: clientSecret, TokenPath: tokenPath, TokenTTL: 10 * time.Minute}
}

func basicValue(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

// push is a vendor push carrying the Authorization header values given.
func push(authorization ...string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/tccc?action=cdr", strings.NewReader(`{}`))
	for _, v := range authorization {
		r.Header.Add("Authorization", v)
	}
	return r
}

// assertRefused checks that err is a Check failure with the reason given.
func assertRefused(t *testing.T, err error, reason string) {
	t.Helper()
	require.Error(t, err)
	require.ErrorIs(t, err, ErrUnauthorized)
	assert.Equal(t, "unauthorized: "+reason, err.Error())
}

func TestValidate(t *testing.T) {
	long := configopaque.String("0123456789abcdef")
	tests := []struct {
		name string
		cfg  Config
		want []string // substrings of the error; none means valid
	}{
		{name: "empty is none", cfg: Config{}},
		{name: "none", cfg: Config{Type: "none"}},
		{name: "basic", cfg: Config{Type: "basic", Username: "tccc", Password: "pw"}},
		{name: "bearer", cfg: Config{Type: "bearer", Tokens: []configopaque.String{long, long + "x"}}},
		{name: "oauth2", cfg: oauthConfig()},
		{name: "oauth2 default ttl", cfg: Config{Type: "oauth2", ClientID: "id", ClientSecret: long, TokenPath: "/t"}},
		{name: "unknown type", cfg: Config{Type: "digest"}, want: []string{`type: "digest" must be none, basic, bearer or oauth2`}},
		{name: "type is case sensitive", cfg: Config{Type: "Basic", Username: "u", Password: "p"}, want: []string{`type: "Basic" must be`}},
		{name: "basic without anything", cfg: Config{Type: "basic"}, want: []string{
			"username: must be set for basic auth", "password: must be set for basic auth",
		}},
		{name: "basic without password", cfg: Config{Type: "basic", Username: "u"}, want: []string{"password: must be set for basic auth"}},
		{name: "basic without username", cfg: Config{Type: "basic", Password: "p"}, want: []string{"username: must be set for basic auth"}},
		{name: "basic username with colon", cfg: Config{Type: "basic", Username: "a:b", Password: "p"}, want: []string{"username: must not contain a colon"}},
		{name: "basic password with newline", cfg: Config{Type: "basic", Username: "u", Password: "p\n"}, want: []string{"password: must not contain control characters"}},
		{name: "bearer without tokens", cfg: Config{Type: "bearer"}, want: []string{"tokens: must list at least one token for bearer auth"}},
		{name: "bearer empty token", cfg: Config{Type: "bearer", Tokens: []configopaque.String{long, ""}}, want: []string{"tokens[1]: must not be empty"}},
		{name: "bearer short token", cfg: Config{Type: "bearer", Tokens: []configopaque.String{"short"}}, want: []string{"tokens[0]: must be at least 16 characters"}},
		{name: "bearer token with space", cfg: Config{Type: "bearer", Tokens: []configopaque.String{long + " x"}}, want: []string{"tokens[0]: must not contain spaces"}},
		{name: "oauth2 without anything", cfg: Config{Type: "oauth2"}, want: []string{
			"client_id: must be set for oauth2 auth", "client_secret: must be set for oauth2 auth", "token_path: must be set for oauth2 auth",
		}},
		{name: "oauth2 without client_id", cfg: func() Config { c := oauthConfig(); c.ClientID = ""; return c }(), want: []string{"client_id: must be set"}},
		{name: "oauth2 without client_secret", cfg: func() Config { c := oauthConfig(); c.ClientSecret = ""; return c }(), want: []string{"client_secret: must be set"}},
		{name: "oauth2 without token_path", cfg: func() Config { c := oauthConfig(); c.TokenPath = ""; return c }(), want: []string{"token_path: must be set"}},
		{name: "oauth2 short secret", cfg: func() Config { c := oauthConfig(); c.ClientSecret = "0123456789abcde"; return c }(), want: []string{"client_secret: must be at least 16 characters"}},
		{name: "oauth2 relative token_path", cfg: func() Config { c := oauthConfig(); c.TokenPath = "token"; return c }(), want: []string{`token_path: "token" must start with /`}},
		{name: "oauth2 token_path with query", cfg: func() Config { c := oauthConfig(); c.TokenPath = "/token?x=1"; return c }(), want: []string{`token_path: "/token?x=1" must be a path without query or fragment`}},
		{name: "oauth2 negative ttl", cfg: func() Config { c := oauthConfig(); c.TokenTTL = -time.Second; return c }(), want: []string{"token_ttl: must not be negative, got -1s"}},
		{name: "oauth2 sub-second ttl", cfg: func() Config { c := oauthConfig(); c.TokenTTL = time.Millisecond; return c }(), want: []string{"token_ttl: must be 0 (1h) or at least 1s"}},
		{name: "credentials under none", cfg: Config{Username: "u", Password: "p"}, want: []string{
			"username: is only used by type basic, not none", "password: is only used by type basic, not none",
		}},
		{name: "tokens under basic", cfg: Config{Type: "basic", Username: "u", Password: "p", Tokens: []configopaque.String{long}}, want: []string{
			"tokens: is only used by type bearer, not basic",
		}},
		{name: "oauth2 fields under bearer", cfg: Config{Type: "bearer", Tokens: []configopaque.String{long}, ClientID: "x", ClientSecret: long, TokenPath: "/t", TokenTTL: time.Hour}, want: []string{
			"client_id: is only used by type oauth2, not bearer", "client_secret: is only used by type oauth2",
			"token_path: is only used by type oauth2", "token_ttl: is only used by type oauth2",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if len(tt.want) == 0 {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestValidateDoesNotPrintSecrets(t *testing.T) {
	cfg := Config{Type: "bearer", Tokens: []configopaque.String{"short-secret"}, ClientSecret: "tiny-secret"}
	err := cfg.Validate()
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "short-secret")
	assert.NotContains(t, err.Error(), "tiny-secret")
}

func TestNone(t *testing.T) {
	for _, cfg := range []Config{{}, {Type: "none"}} {
		a := New(cfg, nil)
		require.NoError(t, a.Check(push()))
		require.NoError(t, a.Check(push("Basic !!!")))
		require.NoError(t, a.Check(push("Bearer x", "Bearer y")))
		require.NoError(t, a.Check(nil))
		assert.Empty(t, a.Challenge())
		assert.Empty(t, a.ChallengeFor(errors.New("x")))
		assert.Empty(t, a.TokenPath())
		assert.Nil(t, a.TokenHandler())
	}
}

func TestBasic(t *testing.T) {
	a := New(Config{Type: "basic", Username: "tccc", Password: "p@ss:w0rd"}, time.Now)
	assert.Equal(t, `Basic realm="callcenter"`, a.Challenge())
	assert.Empty(t, a.TokenPath())
	assert.Nil(t, a.TokenHandler())

	require.NoError(t, a.Check(push(basicValue("tccc", "p@ss:w0rd"))), "the password may hold colons")
	require.NoError(t, a.Check(push("bAsIc "+base64.StdEncoding.EncodeToString([]byte("tccc:p@ss:w0rd")))), "scheme is case-insensitive")
	require.NoError(t, a.Check(push("Basic   "+base64.StdEncoding.EncodeToString([]byte("tccc:p@ss:w0rd"))+" ")), "extra blanks")
	require.NoError(t, a.Check(push("Basic "+base64.RawStdEncoding.EncodeToString([]byte("tccc:p@ss:w0rd")))), "padding left out")

	tests := []struct {
		name    string
		headers []string
		reason  string
	}{
		{"wrong user", []string{basicValue("tccc2", "p@ss:w0rd")}, "wrong username or password"},
		{"wrong password", []string{basicValue("tccc", "p@ss:w0rd!")}, "wrong username or password"},
		{"password prefix", []string{basicValue("tccc", "p@ss")}, "wrong username or password"},
		{"empty user and password", []string{basicValue("", "")}, "wrong username or password"},
		{"missing header", nil, "missing Authorization header"},
		{"blank header", []string{"  "}, "missing Authorization header"},
		{"two headers", []string{basicValue("tccc", "p@ss:w0rd"), basicValue("tccc", "p@ss:w0rd")}, "more than one Authorization header"},
		{"wrong scheme", []string{"Bearer " + base64.StdEncoding.EncodeToString([]byte("tccc:p@ss:w0rd"))}, "expected Basic credentials"},
		{"scheme only", []string{"Basic"}, "empty Basic credentials"},
		{"broken base64", []string{"Basic dGNjYzpwQHNz*OncwcmQ="}, "malformed Basic credentials: not base64"},
		{"no colon", []string{"Basic " + base64.StdEncoding.EncodeToString([]byte("tcccp@ssw0rd"))}, "malformed Basic credentials: no colon between username and password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := a.Check(push(tt.headers...))
			assertRefused(t, err, tt.reason)
			assert.Equal(t, `Basic realm="callcenter"`, a.ChallengeFor(err))
		})
	}
}

func TestBearer(t *testing.T) {
	tokens := []configopaque.String{"first-token-0123456789", "second-token-0123456789", "third+token/0123456789=="}
	a := New(Config{Type: "bearer", Tokens: tokens}, time.Now)
	assert.Equal(t, `Bearer realm="callcenter"`, a.Challenge())
	for _, tok := range tokens {
		require.NoError(t, a.Check(push("Bearer "+string(tok))))
		require.NoError(t, a.Check(push("bearer "+string(tok))))
	}
	tests := []struct {
		name    string
		headers []string
		reason  string
	}{
		{"unknown", []string{"Bearer fourth-token-0123456789"}, "unknown token"},
		{"prefix of a token", []string{"Bearer first-token"}, "unknown token"},
		{"token extended", []string{"Bearer first-token-0123456789x"}, "unknown token"},
		{"empty", []string{"Bearer "}, "empty Bearer token"},
		{"scheme only", []string{"Bearer"}, "empty Bearer token"},
		{"missing", nil, "missing Authorization header"},
		{"basic instead", []string{basicValue("first-token-0123456789", "")}, "expected a Bearer token"},
		{"token without scheme", []string{"first-token-0123456789"}, "expected a Bearer token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := a.Check(push(tt.headers...))
			assertRefused(t, err, tt.reason)
			// static tokens cannot be renewed: no invalid_token hint
			assert.Equal(t, `Bearer realm="callcenter"`, a.ChallengeFor(err))
		})
	}
}

// tokenReply is the token endpoint's JSON reply, success or error.
type tokenReply struct {
	AccessToken      string `json:"access_token"`
	TokenType        string `json:"token_type"`
	ExpiresIn        *int64 `json:"expires_in"`
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

type tokenResponse struct {
	status int
	header http.Header
	reply  tokenReply
}

// requestToken posts body to the token endpoint at srv with the headers given.
func requestToken(t *testing.T, srv *httptest.Server, contentType, body string, header http.Header) tokenResponse {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+tokenPath, strings.NewReader(body))
	require.NoError(t, err)
	for k, v := range header {
		req.Header[k] = v
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return doToken(t, req)
}

func doToken(t *testing.T, req *http.Request) tokenResponse {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var reply tokenReply
	require.NoError(t, json.Unmarshal(raw, &reply), "body %q", raw)
	assert.Equal(t, "application/json; charset=utf-8", resp.Header.Get("Content-Type"))
	assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
	assert.Equal(t, "no-cache", resp.Header.Get("Pragma"))
	return tokenResponse{status: resp.StatusCode, header: resp.Header, reply: reply}
}

const formType = "application/x-www-form-urlencoded"

func basicHeader(id, secret string) http.Header {
	return http.Header{"Authorization": {basicValue(id, secret)}}
}

func form(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v.Encode()
}

func assertGranted(t *testing.T, r tokenResponse, ttl int64) string {
	t.Helper()
	require.Equal(t, http.StatusOK, r.status, "%+v", r.reply)
	assert.NotEmpty(t, r.reply.AccessToken)
	assert.Equal(t, "Bearer", r.reply.TokenType)
	require.NotNil(t, r.reply.ExpiresIn)
	assert.Equal(t, ttl, *r.reply.ExpiresIn)
	assert.Empty(t, r.reply.Error)
	return r.reply.AccessToken
}

func TestOAuth2EndToEnd(t *testing.T) {
	clk := newClock()
	a := New(oauthConfig(), clk.Now)
	assert.Equal(t, tokenPath, a.TokenPath())
	require.NotNil(t, a.TokenHandler())
	assert.Equal(t, `Bearer realm="callcenter"`, a.Challenge())
	srv := httptest.NewServer(a.TokenHandler())
	defer srv.Close()

	viaBasic := assertGranted(t, requestToken(t, srv, formType, form("grant_type", "client_credentials"), basicHeader(clientID, clientSecret)), 600)
	viaForm := assertGranted(t, requestToken(t, srv, formType+"; charset=UTF-8",
		form("grant_type", "client_credentials", "client_id", clientID, "client_secret", clientSecret, "scope", "push"), nil), 600)
	assert.NotEqual(t, viaBasic, viaForm, "every token is new")
	// the client_id may come along with Basic as long as it agrees
	assertGranted(t, requestToken(t, srv, formType, form("grant_type", "client_credentials", "client_id", clientID), basicHeader(clientID, clientSecret)), 600)

	for _, tok := range []string{viaBasic, viaForm} {
		require.NoError(t, a.Check(push("Bearer "+tok)))
		require.NoError(t, a.Check(push("BEARER "+tok)))
		// stateless: a restarted receiver, or another replica, with the same configuration accepts it
		require.NoError(t, New(oauthConfig(), clk.Now).Check(push("Bearer "+tok)))
		// the token is sent as issued: it is a valid RFC 6750 b64token
		assert.Regexp(t, `^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$`, tok)
	}

	// through a real server guarded by Check, as the webhook will do it
	guarded := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := a.Check(r); err != nil {
			w.Header().Set("WWW-Authenticate", a.ChallengeFor(err))
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer guarded.Close()
	send := func(token string) (status int, challenge string) {
		req, err := http.NewRequest(http.MethodPost, guarded.URL+"/tccc?action=cdr", strings.NewReader(`{}`))
		require.NoError(t, err)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("WWW-Authenticate")
	}
	status, _ := send(viaBasic)
	assert.Equal(t, http.StatusOK, status)
	status, challenge := send("")
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Equal(t, `Bearer realm="callcenter"`, challenge, "no error code without a token (RFC 6750 §3.1)")

	// expiry
	clk.Advance(10*time.Minute - time.Second)
	require.NoError(t, a.Check(push("Bearer "+viaBasic)), "valid until its expiry")
	clk.Advance(time.Second)
	err := a.Check(push("Bearer " + viaBasic))
	assertRefused(t, err, "token expired")
	assert.Equal(t, `Bearer realm="callcenter", error="invalid_token"`, a.ChallengeFor(err))
	status, challenge = send(viaForm)
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Equal(t, `Bearer realm="callcenter", error="invalid_token"`, challenge)

	// a new token works again
	fresh := assertGranted(t, requestToken(t, srv, formType, form("grant_type", "client_credentials"), basicHeader(clientID, clientSecret)), 600)
	require.NoError(t, a.Check(push("Bearer "+fresh)))
}

func TestOAuth2DefaultTTL(t *testing.T) {
	clk := newClock()
	cfg := oauthConfig()
	cfg.TokenTTL = 0
	a := New(cfg, clk.Now)
	srv := httptest.NewServer(a.TokenHandler())
	defer srv.Close()
	tok := assertGranted(t, requestToken(t, srv, formType, form("grant_type", "client_credentials"), basicHeader(clientID, clientSecret)), 3600)
	clk.Advance(59 * time.Minute)
	require.NoError(t, a.Check(push("Bearer "+tok)))
	clk.Advance(time.Minute)
	assertRefused(t, a.Check(push("Bearer "+tok)), "token expired")
}

func TestOAuth2TokenLivesItsWholeTTL(t *testing.T) {
	clk := newClock()
	clk.Advance(900 * time.Millisecond) // issued late in a second
	cfg := oauthConfig()
	cfg.TokenTTL = time.Second
	a := New(cfg, clk.Now)
	srv := httptest.NewServer(a.TokenHandler())
	defer srv.Close()
	tok := assertGranted(t, requestToken(t, srv, formType, form("grant_type", "client_credentials"), basicHeader(clientID, clientSecret)), 1)
	clk.Advance(999 * time.Millisecond)
	require.NoError(t, a.Check(push("Bearer "+tok)), "not cut short to the whole second")
	clk.Advance(time.Millisecond)
	assertRefused(t, a.Check(push("Bearer "+tok)), "token expired")
}

func TestOAuth2FormURLEncodedBasic(t *testing.T) {
	// RFC 6749 §2.3.1: id and secret are form-urlencoded before they go into Basic
	cfg := oauthConfig()
	cfg.ClientID, cfg.ClientSecret = "app:tccc", "p@ss+word/0123456789 %"
	a := New(cfg, newClock().Now)
	srv := httptest.NewServer(a.TokenHandler())
	defer srv.Close()
	encoded := basicHeader(url.QueryEscape(cfg.ClientID), url.QueryEscape(string(cfg.ClientSecret)))
	tok := assertGranted(t, requestToken(t, srv, formType, form("grant_type", "client_credentials"), encoded), 600)
	require.NoError(t, a.Check(push("Bearer "+tok)))
	// the form carries them as they are
	assertGranted(t, requestToken(t, srv, formType,
		form("grant_type", "client_credentials", "client_id", cfg.ClientID, "client_secret", string(cfg.ClientSecret)), nil), 600)

	// clients that do not encode are accepted too when the id has no colon
	cfg2 := oauthConfig()
	cfg2.ClientSecret = "plus+percent%zz-0123456789"
	srv2 := httptest.NewServer(New(cfg2, newClock().Now).TokenHandler())
	defer srv2.Close()
	assertGranted(t, requestToken(t, srv2, formType, form("grant_type", "client_credentials"), basicHeader(cfg2.ClientID, string(cfg2.ClientSecret))), 600)
	assertGranted(t, requestToken(t, srv2, formType, form("grant_type", "client_credentials"),
		basicHeader(url.QueryEscape(cfg2.ClientID), url.QueryEscape(string(cfg2.ClientSecret)))), 600)
}

// issueToken gets a token from the endpoint of the oauth2 cfg.
func issueToken(t *testing.T, cfg Config, now func() time.Time) string {
	t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, tokenPath, strings.NewReader(form("grant_type", "client_credentials")))
	req.Header.Set("Content-Type", formType)
	req.SetBasicAuth(cfg.ClientID, string(cfg.ClientSecret))
	New(cfg, now).TokenHandler().ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var reply tokenReply
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &reply))
	return reply.AccessToken
}

func TestOAuth2TokenOfAnotherConfig(t *testing.T) {
	clk := newClock()
	a := New(oauthConfig(), clk.Now)

	otherSecret := oauthConfig()
	otherSecret.ClientSecret = clientSecret + "-rotated"
	tok := issueToken(t, otherSecret, clk.Now)
	err := a.Check(push("Bearer " + tok))
	assertRefused(t, err, "unknown token")
	assert.Equal(t, `Bearer realm="callcenter", error="invalid_token"`, a.ChallengeFor(err))

	// same secret, another client: the client ID is part of what is signed
	otherClient := oauthConfig()
	otherClient.ClientID = "someone-else"
	b := New(otherClient, clk.Now)
	assertRefused(t, b.Check(push("Bearer "+issueToken(t, oauthConfig(), clk.Now))), "unknown token")
	require.NoError(t, a.Check(push("Bearer "+issueToken(t, oauthConfig(), clk.Now))))
}

func TestOAuth2TamperedToken(t *testing.T) {
	clk := newClock()
	a := New(oauthConfig(), clk.Now)
	tok := issueToken(t, oauthConfig(), clk.Now)
	require.NoError(t, a.Check(push("Bearer "+tok)))
	dot := strings.IndexByte(tok, '.')
	require.Positive(t, dot)

	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	flip := func(s string, i, bit int) string {
		b := []byte(s)
		b[i] = alphabet[strings.IndexByte(alphabet, b[i])^bit]
		return string(b)
	}
	// every character of the payload and of the signature, one bit high and one bit low: the
	// lowest bits of the last character of each are padding, which strict decoding refuses
	// to let vary
	for i := range len(tok) {
		if i == dot {
			continue
		}
		for _, bit := range []int{1, 32} {
			assertRefused(t, a.Check(push("Bearer "+flip(tok, i, bit))), "unknown token")
		}
	}

	// a payload whose expiry was pushed forward, with the old signature
	payload, err := base64.RawURLEncoding.DecodeString(tok[:dot])
	require.NoError(t, err)
	payload[8]++
	forged := base64.RawURLEncoding.EncodeToString(payload) + tok[dot:]
	assertRefused(t, a.Check(push("Bearer "+forged)), "unknown token")

	for _, bad := range []string{
		tok[:dot], tok[dot+1:], tok + ".", "." + tok, tok + "A", tok[:len(tok)-1], tok + "=",
		"x.y", ".", "..", "not-a-token", strings.Repeat("A", 10000) + "." + tok[dot+1:],
		base64.RawURLEncoding.EncodeToString(nil) + tok[dot:],
	} {
		assertRefused(t, a.Check(push("Bearer "+bad)), "unknown token")
	}
	assertRefused(t, a.Check(push("Bearer ")), "empty Bearer token")
	assertRefused(t, a.Check(push()), "missing Authorization header")
	err = a.Check(push())
	assert.Equal(t, `Bearer realm="callcenter"`, a.ChallengeFor(err))
	assertRefused(t, a.Check(push(basicValue(clientID, clientSecret))), "expected a Bearer token")
}

func TestTokenEndpointErrors(t *testing.T) {
	a := New(oauthConfig(), newClock().Now)
	srv := httptest.NewServer(a.TokenHandler())
	defer srv.Close()
	grant := form("grant_type", "client_credentials")
	creds := basicHeader(clientID, clientSecret)
	basicChallenge := `Basic realm="callcenter"`

	tests := []struct {
		name        string
		contentType string
		body        string
		header      http.Header
		status      int
		code        string
		description string
		challenge   string
	}{
		{"wrong grant_type", formType, form("grant_type", "password", "username", "u", "password", "p"), creds,
			400, "unsupported_grant_type", "grant_type must be client_credentials", ""},
		{"missing grant_type", formType, form("scope", "x"), creds, 400, "invalid_request", "grant_type is missing", ""},
		{"empty grant_type", formType, form("grant_type", ""), creds, 400, "invalid_request", "grant_type is missing", ""},
		{"repeated grant_type", formType, "grant_type=client_credentials&grant_type=client_credentials", creds,
			400, "invalid_request", "parameter grant_type is repeated", ""},
		{"wrong secret via Basic", formType, grant, basicHeader(clientID, clientSecret+"x"),
			401, "invalid_client", "wrong client_id or client_secret", basicChallenge},
		{"wrong client via Basic", formType, grant, basicHeader("other", clientSecret),
			401, "invalid_client", "wrong client_id or client_secret", basicChallenge},
		{"wrong secret via form", formType, form("grant_type", "client_credentials", "client_id", clientID, "client_secret", "nope"), nil,
			401, "invalid_client", "wrong client_id or client_secret", basicChallenge},
		{"client_id without secret", formType, form("grant_type", "client_credentials", "client_id", clientID), nil,
			401, "invalid_client", "client_secret is missing", basicChallenge},
		{"secret without client_id", formType, form("grant_type", "client_credentials", "client_secret", clientSecret), nil,
			401, "invalid_client", "client_id is missing", basicChallenge},
		{"no client authentication", formType, grant, nil,
			401, "invalid_client", "client authentication required: use HTTP Basic or client_id and client_secret", basicChallenge},
		{"Bearer as client authentication", formType, grant, http.Header{"Authorization": {"Bearer abc"}},
			401, "invalid_client", "unsupported client authentication: use HTTP Basic or client_id and client_secret", basicChallenge},
		{"broken Basic", formType, grant, http.Header{"Authorization": {"Basic %%%"}},
			401, "invalid_client", "malformed Basic credentials: not base64", basicChallenge},
		{"both methods", formType, form("grant_type", "client_credentials", "client_id", clientID, "client_secret", clientSecret), creds,
			400, "invalid_request", "use one client authentication method: HTTP Basic or client_secret in the body, not both", ""},
		{"Basic and another client_id", formType, form("grant_type", "client_credentials", "client_id", "other"), creds,
			400, "invalid_request", "client_id in the body differs from the one in the Authorization header", ""},
		{"JSON body", "application/json", `{"grant_type":"client_credentials"}`, creds,
			400, "invalid_request", "the body must be application/x-www-form-urlencoded", ""},
		{"no content type", "", grant, creds, 400, "invalid_request", "the body must be application/x-www-form-urlencoded", ""},
		{"broken form", formType, "grant_type=%zz", creds, 400, "invalid_request", "the body is not a valid form", ""},
		{"oversized body", formType, grant + "&scope=" + strings.Repeat("a", 64<<10), creds,
			413, "invalid_request", "the body is larger than 65536 bytes", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := requestToken(t, srv, tt.contentType, tt.body, tt.header)
			assert.Equal(t, tt.status, r.status)
			assert.Equal(t, tt.code, r.reply.Error)
			assert.Equal(t, tt.description, r.reply.ErrorDescription)
			assert.Empty(t, r.reply.AccessToken)
			assert.Equal(t, tt.challenge, r.header.Get("WWW-Authenticate"))
			assert.NotContains(t, r.reply.ErrorDescription, clientSecret)
		})
	}

	// a body just under the limit is read
	padded := grant + "&scope=" + strings.Repeat("a", 64<<10-len(grant)-len("&scope="))
	require.Len(t, padded, 64<<10)
	assertGranted(t, requestToken(t, srv, formType, padded, creds), 600)

	// parameters in the query string do not count (RFC 6749 §3.2)
	req, err := http.NewRequest(http.MethodPost, srv.URL+tokenPath+"?grant_type=client_credentials", strings.NewReader(""))
	require.NoError(t, err)
	req.Header.Set("Content-Type", formType)
	req.SetBasicAuth(clientID, clientSecret)
	r := doToken(t, req)
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Equal(t, "invalid_request", r.reply.Error)

	for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodHead, http.MethodDelete} {
		t.Run(method, func(t *testing.T) {
			req, err := http.NewRequest(method, srv.URL+tokenPath+"?grant_type=client_credentials", nil)
			require.NoError(t, err)
			req.SetBasicAuth(clientID, clientSecret)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
			assert.Equal(t, http.MethodPost, resp.Header.Get("Allow"))
			if method == http.MethodHead {
				return
			}
			var reply tokenReply
			require.NoError(t, json.NewDecoder(resp.Body).Decode(&reply))
			assert.Equal(t, "invalid_request", reply.Error)
			assert.Empty(t, reply.AccessToken)
		})
	}
}

func TestCheckReasonsNeverEchoSecrets(t *testing.T) {
	sent := "sent-secret-value-0123456789"
	for _, cfg := range []Config{
		{Type: "basic", Username: "u", Password: "p"},
		{Type: "bearer", Tokens: []configopaque.String{"configured-token-0123456789"}},
		oauthConfig(),
	} {
		a := New(cfg, time.Now)
		for _, h := range []string{basicValue("u", sent), basicValue(sent, "p"), "Bearer " + sent, sent, "Basic " + sent} {
			err := a.Check(push(h))
			require.ErrorIs(t, err, ErrUnauthorized)
			assert.NotContains(t, err.Error(), sent)
			assert.NotContains(t, err.Error(), "configured-token")
		}
	}
}

func TestUnvalidatedTypeRefusesEverything(t *testing.T) {
	a := New(Config{Type: "digest"}, nil)
	assertRefused(t, a.Check(push("Bearer x")), "authentication is misconfigured")
	assertRefused(t, a.Check(push()), "authentication is misconfigured")
}

func TestNoPanics(t *testing.T) {
	tok := issueToken(t, oauthConfig(), newClock().Now)
	inputs := []string{
		"", " ", "\t", "Basic", "Basic ", "Basic =", "Basic ====", "Basic Og==", "Basic \x00\xff", "Bearer", "Bearer \x00",
		"Bearer .", "Bearer " + tok + tok, "Bearer " + strings.Repeat(".", 100), "Bearer \xff\xfe." + tok, "\xff\xfe",
		"Negotiate abc", "Bearer " + strings.Repeat("A", 1<<20),
	}
	auths := []*Authenticator{
		New(Config{}, nil),
		New(Config{Type: "basic", Username: "u", Password: "p"}, nil),
		New(Config{Type: "bearer", Tokens: []configopaque.String{"0123456789abcdef"}}, nil),
		New(oauthConfig(), nil),
		New(Config{Type: "oauth2"}, nil), // not validated
		New(Config{Type: "bearer"}, nil),
	}
	for _, a := range auths {
		for _, in := range inputs {
			assert.NotPanics(t, func() { _ = a.Check(push(in)) })
		}
		assert.NotPanics(t, func() { _ = a.Check(nil) })
		assert.NotPanics(t, func() { _ = a.Check(&http.Request{}) })
		if h := a.TokenHandler(); h != nil {
			for _, in := range inputs {
				assert.NotPanics(t, func() {
					req := httptest.NewRequest(http.MethodPost, tokenPath, strings.NewReader(in))
					req.Header.Set("Content-Type", formType)
					req.Header.Set("Authorization", in)
					h.ServeHTTP(httptest.NewRecorder(), req)
				})
			}
			assert.NotPanics(t, func() {
				h.ServeHTTP(httptest.NewRecorder(), &http.Request{Method: http.MethodPost, Header: http.Header{"Content-Type": {formType}}})
			})
		}
	}
}

func FuzzCheck(f *testing.F) {
	clk := newClock()
	oauth := New(oauthConfig(), clk.Now)
	tok, _ := oauth.issuer.issue()
	for _, s := range []string{"", "Bearer " + tok, basicValue("u", "p"), "Basic Og==", "Bearer a.b"} {
		f.Add(s)
	}
	auths := []*Authenticator{
		oauth,
		New(Config{Type: "basic", Username: "u", Password: "p"}, nil),
		New(Config{Type: "bearer", Tokens: []configopaque.String{"0123456789abcdef"}}, nil),
	}
	f.Fuzz(func(t *testing.T, header string) {
		for _, a := range auths {
			r := &http.Request{Header: http.Header{"Authorization": {header}}}
			if err := a.Check(r); err != nil && !errors.Is(err, ErrUnauthorized) {
				t.Fatalf("error %v does not wrap ErrUnauthorized", err)
			}
		}
	})
}

func FuzzTokenEndpoint(f *testing.F) {
	f.Add("grant_type=client_credentials", basicValue(clientID, clientSecret))
	f.Add("grant_type=client_credentials&client_id="+clientID+"&client_secret="+clientSecret, "")
	f.Add("grant_type=%zz", "Basic Og==")
	h := New(oauthConfig(), nil).TokenHandler()
	f.Fuzz(func(t *testing.T, body, authorization string) {
		req := httptest.NewRequest(http.MethodPost, tokenPath, strings.NewReader(body))
		req.Header.Set("Content-Type", formType)
		if authorization != "" {
			req.Header.Set("Authorization", authorization)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("reply %q is not JSON", rec.Body.String())
		}
	})
}
