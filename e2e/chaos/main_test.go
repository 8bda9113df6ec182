package main

import (
	"io"
	"reflect"
	"testing"
	"time"

	"github.com/borderfleet/borderfleet/fleet"
)

// The same seed gives the same schedule; another seed another; every
// fault asked for is in it, inside the run.
func TestPlanIsSeeded(t *testing.T) {
	kinds := []Kind{Broker, LinkCut, PickCut, Stall, DiskFull}
	a, b := Plan(7, 10, time.Minute, kinds), Plan(7, 10, time.Minute, kinds)
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("seed 7 gave two schedules:\n%v\n%v", a, b)
	}
	if reflect.DeepEqual(a, Plan(8, 10, time.Minute, kinds)) {
		t.Fatal("seeds 7 and 8 gave the same schedule")
	}
	count := map[Kind]int{}
	for i, f := range a {
		count[f.Kind]++
		if f.At <= 0 || f.At >= time.Minute {
			t.Errorf("%v: outside the run", f)
		}
		if i > 0 && f.At < a[i-1].At {
			t.Errorf("%v before %v: not in time order", f, a[i-1])
		}
	}
	want := map[Kind]int{Kill: 10, Broker: 1, LinkCut: 1, PickCut: 1, Stall: 1, DiskFull: 1}
	if !reflect.DeepEqual(count, want) {
		t.Fatalf("faults %v, want %v", count, want)
	}
}

func TestUsageErrors(t *testing.T) {
	cases := [][]string{
		{"--store", "etcd"},
		{"--kills", "-1"},
		{"--time-scale", "0"},
		{"--shuttles", "2"},
		{"--faults", "disk", "--store", "redis"},
		{"--faults", "redis"},
		{"--faults", "flood"},
		{"--faults", "link,link"},
		{"--link-cut", "0s"},
		{"extra"},
	}
	for _, args := range cases {
		if got := run(t.Context(), args, io.Discard, io.Discard); got != 2 {
			t.Errorf("%v: exit %d, want 2", args, got)
		}
	}
}

// The run's container numbers are valid ISO 6346 numbers, as the API
// wants them.
func TestContainerNo(t *testing.T) {
	for _, n := range []int{0, 12, 999999} {
		c := containerNo("CHA", n)
		if _, err := fleet.ParseContainer(c); err != nil {
			t.Errorf("%d: %s: %v", n, c, err)
		}
	}
}
