package platforms

import (
	"fmt"

	"go.opentelemetry.io/collector/confmap"
)

// UnmarshalSections reads the configuration sections named after the registered platforms
// (tccc:, udesk:, ...) into sections, whose values hold each platform's defaults, and returns
// the rest of conf. A key alone ("tccc:") keeps the defaults.
func UnmarshalSections[T any](conf *confmap.Conf, sections map[string]*T) (*confmap.Conf, error) {
	rest := conf.ToStringMap()
	for _, name := range Names() {
		section, ok := sections[name]
		raw, present := rest[name]
		delete(rest, name)
		if !ok || !present || raw == nil {
			continue
		}
		keys, isMap := raw.(map[string]any)
		if !isMap {
			return nil, fmt.Errorf("%s: a section of keys is expected, got %T", name, raw)
		}
		if err := confmap.NewFromStringMap(keys).Unmarshal(section); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	return confmap.NewFromStringMap(rest), nil
}
