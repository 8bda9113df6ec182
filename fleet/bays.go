package fleet

// bayBook keeps one shuttle per bay at a time, as far as dispatch can: a bay
// is either the origin of one move waiting for its pick, or the destination
// of moves on their way to drop there (queued one after another by traffic
// control), never both. So a shuttle waiting for its destination bay never
// waits for a bay that waits for it.
type bayBook struct {
	pick map[string]*Move          // bay -> the move to be picked there
	drop map[string]map[*Move]bool // bay -> moves to be dropped there
}

func newBayBook() bayBook {
	return bayBook{pick: map[string]*Move{}, drop: map[string]map[*Move]bool{}}
}

// canPick reports whether m may be picked at bay: no other pick and no
// drop is due there.
func (b bayBook) canPick(bay string, m *Move) bool {
	if o := b.pick[bay]; o != nil && o != m {
		return false
	}
	for o := range b.drop[bay] {
		if o != m {
			return false
		}
	}
	return true
}

// canPickBy reports whether m may be picked at bay by the shuttle that
// carries cur there: no other pick, and no drop but cur's.
func (b bayBook) canPickBy(bay string, m, cur *Move) bool {
	if o := b.pick[bay]; o != nil && o != m {
		return false
	}
	for o := range b.drop[bay] {
		if o != m && o != cur {
			return false
		}
	}
	return true
}

// canPickAfter reports whether m might be picked at bay by a shuttle that
// drops there first: no other pick, and at most one drop due.
func (b bayBook) canPickAfter(bay string, m *Move) bool {
	if o := b.pick[bay]; o != nil && o != m {
		return false
	}
	return len(b.drop[bay]) <= 1
}

// canDrop reports whether m may be dropped at bay: no pick is due there.
func (b bayBook) canDrop(bay string, m *Move) bool {
	o := b.pick[bay]
	return o == nil || o == m
}

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
}
