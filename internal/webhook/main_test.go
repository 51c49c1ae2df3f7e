package webhook_test

import (
	"testing"

	"go.uber.org/goleak"
)

// Every test, the slow clients and the fuzz seeds included, must leave no goroutine behind: a
// reply that outlives its deadline is still waited for.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
