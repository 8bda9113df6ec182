package fleet

import "time"

// bayBook is the dispatcher's plan for the yard bays: at most one pick is
// booked at a bay at a time, and the drops due at each bay are counted so
// that dispatch can spread them.
//
// Physical exclusion is traffic control's: a bay is a node where one
// shuttle stands at a time, and a route may not end where another shuttle
// will stand. Bookings only plan. A drop and a pick at one bay never wait
// on each other for good: a shuttle whose drop bay is taken waits at a
// parking spot (staging) and tries again, and a shuttle at a bay always
// finishes its pick or drop and leaves, to its destination or to staging.
// So a pick is not held back by drops still on their way, and a drop is
// not held back by a pick.
//
// Each booking carries the window in which it is expected to use its bay,
// so that dispatch can prefer moves whose bays will be free when their
// shuttle gets there.
type bayBook struct {
	pick map[string]*Move          // bay -> the move to be picked there
	drop map[string]map[*Move]bool // bay -> moves to be dropped there
	win  map[*Move]map[string]window
}

// window is when a booking is expected to use its bay.
type window struct{ from, to time.Time }

func newBayBook() bayBook {
	return bayBook{pick: map[string]*Move{}, drop: map[string]map[*Move]bool{}, win: map[*Move]map[string]window{}}
}

// plan sets when m is expected to use bay.
func (b bayBook) plan(bay string, m *Move, w window) {
	if b.win[m] == nil {
		b.win[m] = map[string]window{}
	}
	b.win[m][bay] = w
}

// wait is how long a use of bay in w by m would overlap the expected uses
// of the other bookings there; a booking that is late is taken to be due
// from now for its length.
func (b bayBook) wait(bay string, m *Move, w window, now time.Time) time.Duration {
	var total time.Duration
	add := func(o *Move) {
		ow, ok := b.win[o][bay]
		if o == m || !ok {
			return
		}
		if ow.to.Before(now) {
			ow = window{now, now.Add(ow.to.Sub(ow.from))}
		}
		if lo, hi := later(w.from, ow.from), earlier(w.to, ow.to); hi.After(lo) {
			total += hi.Sub(lo)
		}
	}
	if o := b.pick[bay]; o != nil {
		add(o)
	}
	for o := range b.drop[bay] {
		add(o)
	}
	return total
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// canPick reports whether m may be picked at bay: no other pick is booked
// there.
func (b bayBook) canPick(bay string, m *Move) bool {
	o := b.pick[bay]
	return o == nil || o == m
}

// drops counts the drops due at bay other than m's.
func (b bayBook) drops(bay string, m *Move) int {
	n := len(b.drop[bay])
	if b.drop[bay][m] {
		n--
	}
	return n
}

// booked tells whether a pick or a drop is booked at bay.
func (b bayBook) booked(bay string) bool { return b.pick[bay] != nil || len(b.drop[bay]) > 0 }

func (b bayBook) bookPick(bay string, m *Move) { b.pick[bay] = m }

func (b bayBook) bookDrop(bay string, m *Move) {
	if b.drop[bay] == nil {
		b.drop[bay] = map[*Move]bool{}
	}
	b.drop[bay][m] = true
}

func (b bayBook) picked(bay string, m *Move) {
	if b.pick[bay] == m {
		delete(b.pick, bay)
		delete(b.win[m], bay)
	}
}

func (b bayBook) dropped(bay string, m *Move) {
	delete(b.drop[bay], m)
	if len(b.drop[bay]) == 0 {
		delete(b.drop, bay)
	}
}

// forget drops every booking of m.
func (b bayBook) forget(m *Move) {
	for bay, o := range b.pick {
		if o == m {
			delete(b.pick, bay)
		}
	}
	for bay := range b.drop {
		b.dropped(bay, m)
	}
	delete(b.win, m)
}
