package webhook_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcallcenter/callcenterreceiver/internal/auth"
	"github.com/otelcallcenter/callcenterreceiver/internal/webhook"
)

func TestAuthFailuresAreRefusedAndCounted(t *testing.T) {
	proc := &fakeProcessor{}
	oauth := auth.New(auth.Config{
		Type: auth.TypeOAuth2, ClientID: "client", ClientSecret: "a-secret-of-16-chars", TokenPath: "/fake/token",
	}, time.Now)
	h := webhook.NewHandler(webhook.Config{
		Routes:    []webhook.Route{{Path: "/fake", Vendor: fakeVendor{}, ReplyTimeout: time.Second, Auth: oauth}},
		Location:  time.UTC,
		Processor: proc,
	})
	token := func(secret string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/fake/token", strings.NewReader("grant_type=client_credentials"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth("client", secret)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}

	require.Equal(t, http.StatusOK, token("a-secret-of-16-chars").Code)
	assert.Zero(t, proc.authFailed("fake"), "a granted token is no failure")
	rec := token("a-wrong-secret-of-16")
	assert.Equal(t, http.StatusUnauthorized, rec.Code)
	assert.Contains(t, rec.Body.String(), `"invalid_client"`)
	assert.Equal(t, 1, proc.authFailed("fake"), "wrong client credentials at the token endpoint")
	assert.Empty(t, proc.refusals(), "a token request is no refused push")

	push := httptest.NewRequest(http.MethodPost, "/fake", strings.NewReader(`{"id":"1"}`))
	push.Header.Set("Authorization", "Bearer forged")
	rec = serve(h, push, 1<<20)
	assert.Equal(t, http.StatusUnauthorized, rec.Code)
	assert.Equal(t, `Bearer realm="callcenter", error="invalid_token"`, rec.Header().Get("WWW-Authenticate"))
	assert.Equal(t, 2, proc.authFailed("fake"), "a push with an unknown token")
	require.Len(t, proc.refusals(), 1, "the push is refused, once")
	assert.Equal(t, http.StatusUnauthorized, proc.refusals()[0].status)
	assert.Empty(t, proc.processed())

	// The server's auth extension refuses before the handler runs, through ReplyError.
	rec = httptest.NewRecorder()
	h.ReplyError(rec, httptest.NewRequest(http.MethodPost, "/fake", nil), "missing token", http.StatusUnauthorized)
	assert.Equal(t, http.StatusUnauthorized, rec.Code)
	assert.Equal(t, 3, proc.authFailed("fake"))
	rec = httptest.NewRecorder()
	h.ReplyError(rec, httptest.NewRequest(http.MethodPost, "/fake", nil), "bad gzip", http.StatusBadRequest)
	assert.Equal(t, 3, proc.authFailed("fake"), "other early failures are not auth failures")
}
