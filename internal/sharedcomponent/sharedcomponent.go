// Package sharedcomponent lets the logs, metrics and traces receivers created from one receiver
// configuration share one instance, so that its HTTP server is started once and stopped once.
// (The collector's own helper is internal to its modules.)
package sharedcomponent

import (
	"context"
	"sync"

	"go.opentelemetry.io/collector/component"
)

// Map holds one shared component per key, the receiver's configuration.
type Map[K comparable, V component.Component] struct {
	mu         sync.Mutex
	components map[K]*Component[V]
}

// NewMap returns an empty map.
func NewMap[K comparable, V component.Component]() *Map[K, V] {
	return &Map[K, V]{components: map[K]*Component[V]{}}
}

// LoadOrStore returns the component for key, creating it on first use.
func (m *Map[K, V]) LoadOrStore(key K, create func() (V, error)) (*Component[V], error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if c, ok := m.components[key]; ok {
		return c, nil
	}
	v, err := create()
	if err != nil {
		return nil, err
	}
	c := &Component[V]{value: v}
	c.remove = func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		delete(m.components, key)
	}
	m.components[key] = c
	return c, nil
}

// Len is the number of live components.
func (m *Map[K, V]) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.components)
}

// Component starts its value on the first Start and shuts it down on the first Shutdown, after
// which the key gets a fresh component.
type Component[V component.Component] struct {
	value        V
	remove       func()
	startOnce    sync.Once
	startErr     error
	shutdownOnce sync.Once
	shutdownErr  error
}

// Unwrap returns the shared value.
func (c *Component[V]) Unwrap() V { return c.value }

// Start starts the value once.
func (c *Component[V]) Start(ctx context.Context, host component.Host) error {
	c.startOnce.Do(func() { c.startErr = c.value.Start(ctx, host) })
	return c.startErr
}

// Shutdown shuts the value down once and forgets it.
func (c *Component[V]) Shutdown(ctx context.Context) error {
	c.shutdownOnce.Do(func() {
		c.remove()
		c.shutdownErr = c.value.Shutdown(ctx)
	})
	return c.shutdownErr
}
