package charging

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"
)

// Station is a group of chargers behind one grid connection.
type Station struct {
	ID        string
	Chargers  int
	ChargerKW float64 // the most one charger delivers
	GridCapKW float64 // the most the station may draw in all
}

// Validate reports a station that makes no sense.
func (s Station) Validate() error {
	switch {
	case s.ID == "":
		return errors.New("charging: station without an id")
	case s.Chargers < 1:
		return fmt.Errorf("charging: station %q has %d chargers: it needs at least one", s.ID, s.Chargers)
	case !(s.ChargerKW > 0) || math.IsInf(s.ChargerKW, 0):
		return fmt.Errorf("charging: station %q: charger power %g kW: it must be positive", s.ID, s.ChargerKW)
	case !(s.GridCapKW > 0) || math.IsInf(s.GridCapKW, 0):
		return fmt.Errorf("charging: station %q: grid cap %g kW: it must be positive", s.ID, s.GridCapKW)
	}
	return nil
}

// SchedulerConfig tunes the slot scheduler; zero fields take defaults.
type SchedulerConfig struct {
	// NoShowTimeout frees a slot whose shuttle has not checked in this
	// long after the slot's start. Default 5 minutes.
	NoShowTimeout time.Duration
	// TaperSteps is how many steps of constant power a session's taper is
	// booked as. Default 4.
	TaperSteps int
	// PowerShares are the shares of full power a session may be given when
	// the grid cap does not allow full power, best first. Default
	// 1, 0.75, 0.5, 0.25.
	PowerShares []float64
}

func (c SchedulerConfig) withDefaults() SchedulerConfig {
	if c.NoShowTimeout == 0 {
		c.NoShowTimeout = 5 * time.Minute
	}
	if c.TaperSteps == 0 {
		c.TaperSteps = 4
	}
	if len(c.PowerShares) == 0 {
		c.PowerShares = []float64{1, 0.75, 0.5, 0.25}
	}
	return c
}

// Request asks for a charger: a shuttle of a vehicle type, from one state
// of charge to another, starting no earlier than Earliest and finishing no
// later than Latest (zero: no limit). An urgent request (low state of
// charge) goes before every request that is not urgent and has not started.
type Request struct {
	Shuttle  string
	Station  string
	Vehicle  Vehicle
	FromSoC  float64
	ToSoC    float64
	Earliest time.Time
	Latest   time.Time
	Urgent   bool
}

// EnergyKWh is the energy the request puts into the battery.
func (r Request) EnergyKWh() float64 { return (r.ToSoC - r.FromSoC) * r.Vehicle.BatteryKWh }

// Slot is a charger reserved for one shuttle over a time window.
type Slot struct {
	ID      int
	Request Request
	Charger int // 0 .. Chargers-1 at the station
	Start   time.Time
	End     time.Time
	PowerKW float64   // the power the session was given (battery side, before losses)
	Profile []Segment // grid power over the window, from Start
	// CheckedIn is set when the shuttle has plugged in; until then a
	// no-show frees the slot.
	CheckedIn bool
}

// powerAt is the grid power the slot draws at t.
func (s *Slot) powerAt(t time.Time) float64 {
	if t.Before(s.Start) || !t.Before(s.End) {
		return 0
	}
	at := s.Start
	for _, seg := range s.Profile {
		at = at.Add(seg.Duration)
		if t.Before(at) {
			return seg.KW
		}
	}
	return 0
}

// Changes is what else a reservation changed: slots moved later to make
// room for an urgent request, and slots that no longer fit and were dropped.
type Changes struct {
	Moved   []Slot
	Dropped []Slot
}

// Errors of the scheduler.
var (
	ErrNoSlot      = errors.New("charging: no slot")
	ErrUnknownSlot = errors.New("charging: unknown slot")
)

// Scheduler books charger slots at stations: a charger is never booked
// twice at once and a station never draws more than its grid cap, with
// each session's taper booked as steps of falling power. It is a plain data
// structure with no clock: callers pass times in. Not safe for concurrent use.
type Scheduler struct {
	cfg      SchedulerConfig
	stations map[string]*station
	slots    map[int]*Slot
	next     int
}

type station struct {
	Station
	chargers [][]*Slot // per charger, by start; windows never overlap
	all      []*Slot   // every slot, by start
	longest  time.Duration
	steps    []capStep // withinCap's buffer
}

// NewScheduler returns a scheduler for the stations.
func NewScheduler(stations []Station, cfg SchedulerConfig) (*Scheduler, error) {
	cfg = cfg.withDefaults()
	for _, sh := range cfg.PowerShares {
		if !(sh > 0 && sh <= 1) {
			return nil, fmt.Errorf("charging: power share %g: want 0 < share <= 1", sh)
		}
	}
	if cfg.NoShowTimeout < 0 || cfg.TaperSteps < 1 {
		return nil, fmt.Errorf("charging: no-show timeout %v and taper steps %d: want both positive", cfg.NoShowTimeout, cfg.TaperSteps)
	}
	s := &Scheduler{cfg: cfg, stations: map[string]*station{}, slots: map[int]*Slot{}}
	for _, st := range stations {
		if err := st.Validate(); err != nil {
			return nil, err
		}
		if _, dup := s.stations[st.ID]; dup {
			return nil, fmt.Errorf("charging: station %q listed twice", st.ID)
		}
		s.stations[st.ID] = &station{Station: st, chargers: make([][]*Slot, st.Chargers)}
	}
	return s, nil
}

// validate checks a request before it is placed.
func (s *Scheduler) validate(r Request) (*station, error) {
	st, ok := s.stations[r.Station]
	if !ok {
		return nil, fmt.Errorf("charging: request of %q: no station %q", r.Shuttle, r.Station)
	}
	if err := r.Vehicle.Validate(); err != nil {
		return nil, err
	}
	switch {
	case !(r.FromSoC >= 0 && r.FromSoC < r.ToSoC && r.ToSoC <= 1):
		return nil, fmt.Errorf("charging: request of %q: from %g to %g: want 0 <= from < to <= 1", r.Shuttle, r.FromSoC, r.ToSoC)
	case r.Earliest.IsZero():
		return nil, fmt.Errorf("charging: request of %q has no earliest start", r.Shuttle)
	case !r.Latest.IsZero() && !r.Latest.After(r.Earliest):
		return nil, fmt.Errorf("charging: request of %q: latest finish %v is not after earliest start %v", r.Shuttle, r.Latest, r.Earliest)
	}
	return st, nil
}

// Reserve books a slot for a request: the one that finishes first, at the
// most power that allows. An urgent request is placed as if no unstarted,
// non-urgent slot were booked; those are then booked again, later if need
// be, and reported in Changes (dropped if they no longer fit).
func (s *Scheduler) Reserve(r Request) (Slot, Changes, error) {
	st, err := s.validate(r)
	if err != nil {
		return Slot{}, Changes{}, err
	}
	var bumped []*Slot
	if r.Urgent {
		for _, sl := range slices.Clone(st.all) {
			if !sl.Request.Urgent && !sl.CheckedIn && !sl.Start.Before(r.Earliest) {
				s.unbook(st, sl)
				bumped = append(bumped, sl)
			}
		}
	}
	sl, err := s.place(st, r)
	var ch Changes
	if err == nil {
		sl.ID = s.newID()
		s.book(st, sl)
	}
	for _, old := range bumped {
		again, perr := s.place(st, old.Request)
		if perr != nil {
			delete(s.slots, old.ID)
			ch.Dropped = append(ch.Dropped, *old)
			continue
		}
		again.ID = old.ID
		s.book(st, again)
		if !again.Start.Equal(old.Start) || again.Charger != old.Charger || again.PowerKW != old.PowerKW {
			ch.Moved = append(ch.Moved, *again)
		}
	}
	if err != nil {
		return Slot{}, ch, err
	}
	return *sl, ch, nil
}

func (s *Scheduler) newID() int {
	s.next++
	return s.next
}

// place finds the slot for r that finishes first over the power shares.
func (s *Scheduler) place(st *station, r Request) (*Slot, error) {
	full := math.Min(st.ChargerKW, r.Vehicle.MaxChargeKW)
	var best *Slot
	for _, share := range s.cfg.PowerShares {
		p := full * share
		profile := r.Vehicle.Profile(r.FromSoC, r.ToSoC, p, s.cfg.TaperSteps)
		if peak(profile) > st.GridCapKW {
			continue // this power alone exceeds the cap
		}
		d := ProfileDuration(profile)
		c, start, ok := s.earliest(st, r, profile, d)
		if !ok {
			continue
		}
		end := start.Add(d)
		if best == nil || end.Before(best.End) {
			best = &Slot{Request: r, Charger: c, Start: start, End: end, PowerKW: p, Profile: profile}
		}
		if start.Equal(r.Earliest) {
			break // less power can only finish later
		}
	}
	if best == nil {
		by := "at any time"
		if !r.Latest.IsZero() {
			by = "by " + r.Latest.Format(time.RFC3339)
		}
		return nil, fmt.Errorf("%w at %q for %q: no charger is free and within the %g kW grid cap %s", ErrNoSlot, st.ID, r.Shuttle, st.GridCapKW, by)
	}
	return best, nil
}

func peak(p []Segment) float64 {
	m := 0.0
	for _, s := range p {
		m = math.Max(m, s.KW)
	}
	return m
}

// earliest finds the first start, at or after r.Earliest, at which some
// charger is free for d and the station stays within its cap with profile
// added. It jumps from one charger gap to the next; when the cap is the
// obstacle it moves on to the next time the station's draw steps down.
func (s *Scheduler) earliest(st *station, r Request, profile []Segment, d time.Duration) (int, time.Time, bool) {
	t := r.Earliest
	for {
		c, at := st.firstGap(t, d)
		if !r.Latest.IsZero() && at.Add(d).After(r.Latest) {
			return 0, time.Time{}, false
		}
		if st.withinCap(at, profile, d) {
			return c, at, true
		}
		next, ok := st.nextDrop(at)
		if !ok {
			return 0, time.Time{}, false
		}
		t = next
	}
}

// firstGap returns the charger that is free soonest, at or after t, for d,
// and when.
func (st *station) firstGap(t time.Time, d time.Duration) (int, time.Time) {
	bestC, best := -1, time.Time{}
	for c, list := range st.chargers {
		at := t
		i := sort.Search(len(list), func(i int) bool { return list[i].End.After(t) })
		for ; i < len(list); i++ {
			if bestC >= 0 && !at.Before(best) {
				break // this charger cannot beat the best
			}
			if !list[i].Start.Before(at.Add(d)) {
				break // the gap before slot i is long enough
			}
			if list[i].End.After(at) {
				at = list[i].End
			}
		}
		if bestC < 0 || at.Before(best) {
			bestC, best = c, at
		}
	}
	return bestC, best
}

// overlapping calls visit for every slot whose window meets [t, end).
func (st *station) overlapping(t, end time.Time, visit func(*Slot)) {
	// slots start before end; the longest window bounds how far back to look
	i := sort.Search(len(st.all), func(i int) bool { return !st.all[i].Start.Before(end) })
	for j := i - 1; j >= 0; j-- {
		sl := st.all[j]
		if sl.Start.Add(st.longest).Before(t) {
			break
		}
		if sl.End.After(t) {
			visit(sl)
		}
	}
}

// withinCap reports whether adding profile at t keeps the station's draw
// within its grid cap throughout [t, t+d). The draw at t is the sum of the
// segments under way then; from there it changes only where a segment
// starts or ends inside the window, and those steps are taken in time
// order, drops before rises at one instant.
func (st *station) withinCap(t time.Time, profile []Segment, d time.Duration) bool {
	end := t.Add(d)
	evs := st.steps[:0]
	draw := 0.0 // at t
	add := func(start time.Time, p []Segment) {
		at := start
		for _, seg := range p {
			if !at.Before(end) {
				return
			}
			segEnd := at.Add(seg.Duration)
			if seg.KW > 0 && segEnd.After(t) {
				if at.After(t) {
					evs = append(evs, capStep{at, seg.KW})
				} else {
					draw += seg.KW
				}
				if segEnd.Before(end) {
					evs = append(evs, capStep{segEnd, -seg.KW})
				}
			}
			at = segEnd
		}
	}
	add(t, profile)
	st.overlapping(t, end, func(sl *Slot) { add(sl.Start, sl.Profile) })
	st.steps = evs // the buffer is kept for the next call
	if draw > st.GridCapKW+1e-9 {
		return false
	}
	slices.SortFunc(evs, func(a, b capStep) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return cmp.Compare(a.kw, b.kw) // drops before rises at the same instant
	})
	for _, e := range evs {
		draw += e.kw
		if draw > st.GridCapKW+1e-9 {
			return false
		}
	}
	return true
}

// capStep is a change in a station's draw: kw more (or less) from at.
type capStep struct {
	at time.Time
	kw float64
}

// nextDrop is the first time after t at which a booked slot ends or steps
// its power down (or, for a slot not yet started, first changes).
func (st *station) nextDrop(t time.Time) (time.Time, bool) {
	var best time.Time
	found := false
	consider := func(at time.Time) {
		if at.After(t) && (!found || at.Before(best)) {
			best, found = at, true
		}
	}
	st.overlapping(t, t.Add(time.Nanosecond), func(sl *Slot) {
		at := sl.Start
		for _, seg := range sl.Profile {
			at = at.Add(seg.Duration)
			if at.After(t) {
				consider(at)
				return
			}
		}
	})
	i := sort.Search(len(st.all), func(i int) bool { return st.all[i].Start.After(t) })
	for _, sl := range st.all[i:] {
		if found && !sl.Start.Before(best) {
			break
		}
		consider(sl.Start.Add(sl.Profile[0].Duration))
	}
	return best, found
}

// book adds a placed slot.
func (s *Scheduler) book(st *station, sl *Slot) {
	s.slots[sl.ID] = sl
	insertByStart(&st.chargers[sl.Charger], sl)
	insertByStart(&st.all, sl)
	if d := sl.End.Sub(sl.Start); d > st.longest {
		st.longest = d
	}
}

// unbook removes a slot from its station (not from the index of ids).
func (s *Scheduler) unbook(st *station, sl *Slot) {
	removeSlot(&st.chargers[sl.Charger], sl)
	removeSlot(&st.all, sl)
}

func insertByStart(list *[]*Slot, sl *Slot) {
	i := sort.Search(len(*list), func(i int) bool { return (*list)[i].Start.After(sl.Start) })
	*list = slices.Insert(*list, i, sl)
}

func removeSlot(list *[]*Slot, sl *Slot) {
	if i := slices.Index(*list, sl); i >= 0 {
		*list = slices.Delete(*list, i, i+1)
	}
}

// Cancel frees a slot.
func (s *Scheduler) Cancel(id int) error {
	sl, ok := s.slots[id]
	if !ok {
		return fmt.Errorf("%w %d", ErrUnknownSlot, id)
	}
	s.unbook(s.stations[sl.Request.Station], sl)
	delete(s.slots, id)
	return nil
}

// CheckIn records that the shuttle has plugged in; from then on its slot is
// safe from no-show expiry and from urgent requests.
func (s *Scheduler) CheckIn(id int, now time.Time) error {
	sl, ok := s.slots[id]
	if !ok {
		return fmt.Errorf("%w %d", ErrUnknownSlot, id)
	}
	if now.After(sl.End) {
		return fmt.Errorf("charging: slot %d of %q ended at %v", id, sl.Request.Shuttle, sl.End)
	}
	sl.CheckedIn = true
	return nil
}

// Finish ends a session at now, early or on time, and frees the rest of
// its window.
func (s *Scheduler) Finish(id int, now time.Time) error {
	sl, ok := s.slots[id]
	if !ok {
		return fmt.Errorf("%w %d", ErrUnknownSlot, id)
	}
	st := s.stations[sl.Request.Station]
	if !now.After(sl.Start) {
		return s.Cancel(id)
	}
	if now.Before(sl.End) {
		// cut the profile at now
		var cut []Segment
		left := now.Sub(sl.Start)
		for _, seg := range sl.Profile {
			if left <= 0 {
				break
			}
			d := min(seg.Duration, left)
			cut = append(cut, Segment{d, seg.KW})
			left -= d
		}
		sl.Profile, sl.End = cut, now
	}
	s.unbook(st, sl)
	delete(s.slots, id)
	return nil
}

// Expire frees every slot whose shuttle has not checked in by its start
// plus the no-show timeout, as of now, and returns them.
func (s *Scheduler) Expire(now time.Time) []Slot {
	var out []Slot
	for _, id := range s.ids() {
		sl := s.slots[id]
		if !sl.CheckedIn && now.After(sl.Start.Add(s.cfg.NoShowTimeout)) {
			out = append(out, *sl)
			s.Cancel(id)
		}
	}
	return out
}

// Done frees every slot that has ended by now and returns them.
func (s *Scheduler) Done(now time.Time) []Slot {
	var out []Slot
	for _, id := range s.ids() {
		if sl := s.slots[id]; !now.Before(sl.End) {
			out = append(out, *sl)
			s.Cancel(id)
		}
	}
	return out
}

func (s *Scheduler) ids() []int {
	ids := make([]int, 0, len(s.slots))
	for id := range s.slots {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// Slot returns a booked slot.
func (s *Scheduler) Slot(id int) (Slot, bool) {
	sl, ok := s.slots[id]
	if !ok {
		return Slot{}, false
	}
	return *sl, true
}

// Slots returns a station's booked slots by start.
func (s *Scheduler) Slots(stationID string) []Slot {
	st, ok := s.stations[stationID]
	if !ok {
		return nil
	}
	out := make([]Slot, len(st.all))
	for i, sl := range st.all {
		out[i] = *sl
	}
	return out
}

// InUse counts a station's slots whose window holds t (start <= t < end):
// the chargers booked then. It copies nothing.
func (s *Scheduler) InUse(stationID string, t time.Time) int {
	st, ok := s.stations[stationID]
	if !ok {
		return 0
	}
	n := 0
	st.overlapping(t, t.Add(time.Nanosecond), func(*Slot) { n++ })
	return n
}

// DrawKW is the grid power a station draws at t by its bookings.
func (s *Scheduler) DrawKW(stationID string, t time.Time) float64 {
	st, ok := s.stations[stationID]
	if !ok {
		return 0
	}
	sum := 0.0
	st.overlapping(t, t.Add(time.Nanosecond), func(sl *Slot) { sum += sl.powerAt(t) })
	return sum
}
