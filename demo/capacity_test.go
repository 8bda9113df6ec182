package demo

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/borderfleet/borderfleet/geo"
)

// The demo fleet's capacity is sim's bound: about 19 moves an hour for
// the 8 shuttles of the demo on the default site, so the old fixed 40
// (and the 80 before it) piled pending moves up; the default demand is
// below it, an overload above it.
func TestCapacity(t *testing.T) {
	site, err := geo.Default()
	require.NoError(t, err)
	eight, err := Capacity(Config{}, site, FleetShape{Shuttles: 8})
	require.NoError(t, err)
	assert.InDelta(t, 19.5, eight, 2, "8 shuttles on the default site")
	assert.Less(t, DefaultLoad*eight, eight)
	assert.Greater(t, OverloadLoad*eight, eight)
	assert.Greater(t, 40.0, eight, "the old default asked for more than the fleet carries")

	three, err := Capacity(Config{}, site, FleetShape{Shuttles: 3})
	require.NoError(t, err)
	assert.Less(t, three, eight, "fewer shuttles carry less")
	slow, err := Capacity(Config{PreCleared: 0.01, DecideAfter: 1e12}, site, FleetShape{Shuttles: 8})
	require.NoError(t, err)
	assert.Less(t, slow, eight, "slow customs: less")

	_, err = Capacity(Config{}, site, FleetShape{})
	assert.ErrorContains(t, err, "demo: capacity of 0 shuttles")
	_, err = Capacity(Config{Inspected: 2}, site, FleetShape{Shuttles: 8})
	assert.ErrorContains(t, err, "Inspected")
}
