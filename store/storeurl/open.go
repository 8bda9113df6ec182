package storeurl

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/borderfleet/borderfleet/store"
	"github.com/borderfleet/borderfleet/store/boltstore"
	"github.com/borderfleet/borderfleet/store/redisstore"
)

// ErrUnknown is returned for a string that is none of the accepted forms.
var ErrUnknown = errors.New("storeurl: unknown store: want redis://host:port[/db][?prefix=P], rediss://..., bolt:PATH, file:PATH or PATH.db")

// Open opens the store u names. See the package documentation for the forms.
func Open(ctx context.Context, u string) (store.Store, error) {
	switch {
	case strings.HasPrefix(u, "redis://"), strings.HasPrefix(u, "rediss://"):
		s, err := redisstore.Open(ctx, u)
		if err != nil {
			return nil, fmt.Errorf("storeurl: %w", err)
		}
		return s, nil
	}
	path, ok := boltPath(u)
	if !ok {
		return nil, fmt.Errorf("%w (got %q)", ErrUnknown, u)
	}
	s, err := boltstore.Open(path)
	if err != nil {
		return nil, fmt.Errorf("storeurl: %w", err)
	}
	return s, nil
}

// Check says whether u is one of the accepted forms, without opening or
// creating anything.
func Check(u string) error {
	if strings.HasPrefix(u, "redis://") || strings.HasPrefix(u, "rediss://") {
		return nil
	}
	if _, ok := boltPath(u); !ok {
		return fmt.Errorf("%w (got %q)", ErrUnknown, u)
	}
	return nil
}

// boltPath returns the file a bolt store string names.
func boltPath(u string) (string, bool) {
	for _, scheme := range []string{"bolt:", "file:"} {
		if p, ok := strings.CutPrefix(u, scheme); ok {
			// Accept file:///abs/path and bolt://rel as well as bolt:path.
			if rest, ok := strings.CutPrefix(p, "//"); ok {
				p = rest
			}
			return p, p != ""
		}
	}
	if strings.HasSuffix(u, ".db") && !strings.Contains(u, "://") {
		return u, true
	}
	return "", false
}
