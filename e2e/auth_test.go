//go:build e2e

package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func fetchToken(t *testing.T, base, id, secret string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+"/tccc/token", strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(id, secret)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var body map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	return resp.StatusCode, body
}

func pushWith(t *testing.T, base, authz string, body []byte) reply {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+"/tccc?action=cdr&version=1", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", authz)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	r := reply{Status: resp.StatusCode, Header: resp.Header}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&r.Body))
	return r
}

func TestTCCCOAuth2ThroughTheCollector(t *testing.T) {
	s := startSink(t)
	c := startCollector(t, "auth.yaml", configParams{SinkEndpoint: s.Endpoint})
	cdr := readFixture(t, "tccc/cdr.json")

	status, body := fetchToken(t, c.URL, "tccc-console", "wrong-secret-of-some-length")
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Equal(t, "invalid_client", body["error"])

	status, body = fetchToken(t, c.URL, "tccc-console", "an-e2e-client-secret")
	expired := time.Now().Add(5 * time.Second) // it was issued before it arrived
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "Bearer", body["token_type"])
	assert.EqualValues(t, 5, body["expires_in"])
	token := body["access_token"].(string)

	r := pushWith(t, c.URL, "Bearer "+token, cdr)
	assert.Equal(t, http.StatusOK, r.Status)
	assert.Equal(t, map[string]any{"ErrCode": float64(0), "ErrMsg": ""}, r.Body)

	r = pushWith(t, c.URL, "Bearer "+token[:len(token)-2]+"xx", cdr)
	assert.Equal(t, http.StatusUnauthorized, r.Status, "a wrong token")
	assert.EqualValues(t, 401, r.Body["ErrCode"])
	assert.Contains(t, r.Header.Get("WWW-Authenticate"), `error="invalid_token"`)

	time.Sleep(time.Until(expired))
	r = pushWith(t, c.URL, "Bearer "+token, cdr)
	assert.Equal(t, http.StatusUnauthorized, r.Status, "an expired token")
	assert.Contains(t, r.Body["ErrMsg"], "token expired")

	// Udesk's endpoint has no auth of its own.
	assert.Equal(t, http.StatusOK, post(t, c.URL+"/udesk", readFixture(t, "udesk/end.json")).Status)
	assert.Equal(t, 2, s.Logs.LogRecordCount(), "only what was authorized")
}

func TestSlowClientsAreCutOff(t *testing.T) {
	s := startSink(t)
	c := startCollector(t, "auth.yaml", configParams{SinkEndpoint: s.Endpoint})
	conn, err := net.Dial("tcp", strings.TrimPrefix(c.URL, "http://"))
	require.NoError(t, err)
	defer func() { _ = conn.Close() }()
	start := time.Now()
	_, err = conn.Write([]byte("POST /udesk HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"))
	require.NoError(t, err)
	// One byte a half second: slower than the 1 s read timeout allows for the body.
	go func() {
		for range 20 {
			time.Sleep(500 * time.Millisecond)
			if _, err := conn.Write([]byte(" ")); err != nil {
				return
			}
		}
	}()
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(8*time.Second)))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err == nil {
		resp.Body.Close()
		assert.NotEqual(t, http.StatusOK, resp.StatusCode)
	}
	assert.Less(t, time.Since(start), 5*time.Second, "cut off near the read timeout, not served")
	assert.Zero(t, s.Logs.LogRecordCount())

	// The collector serves the next client as usual.
	assert.Equal(t, http.StatusOK, post(t, c.URL+"/udesk", readFixture(t, "udesk/end.json")).Status)
}
