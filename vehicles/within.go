package vehicles

import (
	"encoding/binary"
	"unicode"
	"unicode/utf8"

	"github.com/borderfleet/borderfleet/vda5050"
)

// withinState is within for a state, field by field without reflection:
// a state comes with every vehicle event, and reflection was most of the
// work of checking it. within_test.go spoils every string and array a
// state can hold in turn, so that a field added to vda5050.State and not
// here fails the test.
func withinState(s *vda5050.State) bool { return withinStateAfter(s, nil) }

// withinStateAfter is withinState for a state that may share lists with
// prev, a state withinState took and that has not changed since (see
// vda5050.ValidateStateAfter): what it shares is not looked at again.
func withinStateAfter(s, prev *vda5050.State) bool {
	if !texts(s.Timestamp, s.Version, s.Manufacturer, s.SerialNumber, s.OrderID, s.ZoneSetID, s.LastNodeID, s.OperatingMode) ||
		!entries(len(s.NodeStates), len(s.EdgeStates), len(s.Loads), len(s.ActionStates), len(s.Errors), len(s.Information)) {
		return false
	}
	skip := vda5050.SharedWith(s, prev)
	for i := range s.NodeStates {
		if skip.NodeStates {
			break
		}
		n := &s.NodeStates[i]
		if !texts(n.NodeID, n.NodeDescription) || n.NodePosition != nil && !texts(n.NodePosition.MapID, n.NodePosition.MapDescription) {
			return false
		}
	}
	for i := range s.EdgeStates {
		if skip.EdgeStates {
			break
		}
		e := &s.EdgeStates[i]
		if !texts(e.EdgeID, e.EdgeDescription) || e.Trajectory != nil && !entries(len(e.Trajectory.KnotVector), len(e.Trajectory.ControlPoints)) {
			return false
		}
	}
	if p := s.AgvPosition; p != nil && !texts(p.MapID, p.MapDescription) {
		return false
	}
	for i := range s.Loads {
		if skip.Loads {
			break
		}
		l := &s.Loads[i]
		if !texts(l.LoadID, l.LoadType, l.LoadPosition) {
			return false
		}
	}
	for i := range s.ActionStates {
		if skip.ActionStates {
			break
		}
		a := &s.ActionStates[i]
		if !texts(a.ActionID, a.ActionType, a.ActionDescription, a.ActionStatus, a.ResultDescription) {
			return false
		}
	}
	for i := range s.Errors {
		e := &s.Errors[i]
		if !texts(e.ErrorType, e.ErrorDescription, e.ErrorLevel) || !references(e.ErrorReferences) {
			return false
		}
	}
	for i := range s.Information {
		in := &s.Information[i]
		if !texts(in.InfoType, in.InfoDescription, in.InfoLevel) || !references(in.InfoReferences) {
			return false
		}
	}
	return texts(s.SafetyState.EStop)
}

func references(refs []vda5050.ErrorReference) bool {
	if len(refs) > MaxEntries {
		return false
	}
	for i := range refs {
		if !texts(refs[i].ReferenceKey, refs[i].ReferenceValue) {
			return false
		}
	}
	return true
}

// entries: no array longer than MaxEntries.
func entries(ns ...int) bool {
	for _, n := range ns {
		if n > MaxEntries {
			return false
		}
	}
	return true
}

// texts: each string is one within takes.
func texts(ss ...string) bool {
	for _, s := range ss {
		if !text(s) {
			return false
		}
	}
	return true
}

// text is within for one string.
func text(s string) bool {
	if len(s) > MaxText {
		return false
	}
	i := 0
	for ; i+8 <= len(s); i += 8 {
		// eight bytes at a time while all are printable ASCII (0x20..0x7e)
		w := binary.LittleEndian.Uint64([]byte(s[i : i+8]))
		const ones, highs = 0x0101010101010101, 0x8080808080808080
		below := (w - 0x20*ones) & ^w & highs // a byte < 0x20
		del := w ^ 0x7f*ones                  // 0 where a byte is 0x7f
		isDel := (del - ones) & ^del & highs
		if below|isDel|w&highs != 0 {
			break
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f {
			return false
		} else if c >= 0x80 {
			for _, r := range s[i:] {
				if (r < 0x20 || r == 0x7f) && r != '\t' && r != '\n' && r != '\r' || r >= 0x80 && (unicode.IsControl(r) || r == utf8.RuneError) {
					return false
				}
			}
			return true
		}
	}
	return true
}
