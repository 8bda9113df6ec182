package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/borderfleet/borderfleet/daemon"
	"github.com/borderfleet/borderfleet/fleet"
)

// GET /v1/moves is paged: newest first, by the moves' numbers (the order
// they were made in, which never changes, wherever a move is kept: in the
// core, on its way to the store's archive, or in it). A page holds at
// most limit moves; when more may follow, the answer carries next_cursor
// and next (the same request for the next page). A cursor stands for "the
// moves made before move number n", so paging while moves are made or
// leave the core for the archive gives every move that existed when the
// first page was asked for exactly once; moves made since are on a new
// first page.
//
// The archive is read scanArchive moves at most per request: with a
// filter that few archived moves match, a page may hold fewer than limit
// moves (even none) and still have a next page. The listing ends when an
// answer has no next_cursor.

// Cursors and the archive's scan.
const (
	cursorPrefix = "n"  // a cursor is "n" and a move number in base 36
	archiveBatch = 200  // archived moves read at once
	scanArchive  = 5000 // archived moves read at most per page
)

// encodeCursor is the cursor of the moves made before move number n.
func encodeCursor(n uint64) string { return cursorPrefix + strconv.FormatUint(n, 36) }

// parseCursor reads a cursor; "" is the first page (0).
func parseCursor(c string) (uint64, error) {
	if c == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(strings.TrimPrefix(c, cursorPrefix), 36, 64)
	if !strings.HasPrefix(c, cursorPrefix) || err != nil || n == 0 {
		return 0, badRequest("cursor", "cursor %q is not one this API gave (take next_cursor from the last page, or leave it out for the first)", c)
	}
	return n, nil
}

// moveFilter is what a listing keeps.
type moveFilter struct {
	state     fleet.MoveState
	container fleet.Container
}

func (f moveFilter) keeps(m *fleet.Move) bool {
	return (f.state == "" || m.State == f.state) && (f.container == "" || m.Container == f.container)
}

// pageItem is one move of a page, as the caller sees it.
type pageItem struct {
	num   uint64
	id    string
	shown any
}

// movePage is one page of the listing.
type movePage struct {
	items []pageItem
	next  uint64 // the cursor's number for the next page; 0: none
	total *int   // the moves that match in all, when known without reading the whole archive
}

// pageOfMoves reads one page: the moves numbered below before (0: from
// the newest) that f keeps, at most limit, each shown by show.
func (s *Server) pageOfMoves(ctx context.Context, before uint64, limit int, f moveFilter, show func(*fleet.Move) any) (movePage, error) {
	var page movePage
	below := func(n uint64) bool { return before == 0 || n < before }
	// the core and the moves on their way to the archive: the first
	// limit+1 (more cannot be on the page), and the lowest number of all
	var mem []pageItem
	memLowest := uint64(0)
	err := s.read(ctx, func(_ time.Time, core coreView) {
		var ms []*fleet.Move
		for _, list := range [][]*fleet.Move{core.Moves(), core.Archiving()} {
			for _, m := range list {
				if below(m.Num) && f.keeps(m) {
					ms = append(ms, m)
				}
			}
		}
		slices.SortFunc(ms, func(a, b *fleet.Move) int { return compareDesc(a.Num, b.Num) })
		if len(ms) > 0 {
			memLowest = ms[len(ms)-1].Num
		}
		for _, m := range ms[:min(len(ms), limit+1)] {
			mem = append(mem, pageItem{num: m.Num, id: m.ID, shown: show(m)})
		}
		n := 0
		switch {
		case f.container == "": // the counts take in the archived moves
			for st, k := range core.MoveCounts() {
				if f.state == "" || st == f.state {
					n += k
				}
			}
		case s.cfg.Archive == nil: // the core has every move
			for _, m := range core.Moves() {
				if f.keeps(m) {
					n++
				}
			}
		default:
			return
		}
		page.total = &n
	})
	if err != nil {
		return page, err
	}
	// then the archive: what it holds stays there, so nothing that was in
	// the core a moment ago is missed
	arch, floor, err := s.scanArchive(ctx, before, limit, f, show)
	if err != nil {
		return page, err
	}
	// every move numbered from floor up to before is in mem or arch
	seen := map[string]bool{}
	var all []pageItem
	for _, it := range append(mem, arch...) {
		if !seen[it.id] && it.num >= floor {
			seen[it.id] = true
			all = append(all, it)
		}
	}
	slices.SortFunc(all, func(a, b pageItem) int { return compareDesc(a.num, b.num) })
	page.items = all[:min(len(all), limit)]
	more := len(all) > limit || floor > 0 || len(mem) > 0 && memLowest < floor
	switch {
	case !more:
	case len(page.items) == limit:
		page.next = page.items[limit-1].num
	default:
		page.next = floor
	}
	return page, nil
}

// scanArchive reads the archive below before for the moves f keeps: at
// most limit+1 of them, reading at most scanArchive moves. floor is the
// lowest number it read when it stopped before the archive's end, else 0:
// it has every move numbered from floor up to before that f keeps.
func (s *Server) scanArchive(ctx context.Context, before uint64, limit int, f moveFilter, show func(*fleet.Move) any) ([]pageItem, uint64, error) {
	if s.cfg.Archive == nil {
		return nil, 0, nil
	}
	ctx, cancel := context.WithTimeout(ctx, readTimeout)
	defer cancel()
	var out []pageItem
	for scanned := 0; scanned < scanArchive; {
		ms, err := s.cfg.Archive.ArchivedMoves(ctx, before, archiveBatch)
		if err != nil {
			return nil, 0, &Error{Status: http.StatusServiceUnavailable, Msg: "the archive of moves did not answer: " + err.Error()}
		}
		for _, m := range ms {
			if f.keeps(m) {
				out = append(out, pageItem{num: m.Num, id: m.ID, shown: show(m)})
			}
		}
		if len(ms) < archiveBatch {
			return out, 0, nil // the end of the archive
		}
		scanned += len(ms)
		before = ms[len(ms)-1].Num
		if len(out) > limit {
			break
		}
	}
	return out, before, nil
}

func compareDesc(a, b uint64) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}

// nextLink is the request for the page after one: the same query, with
// the next cursor.
func nextLink(r *http.Request, next uint64) string {
	q := url.Values{}
	for k, vs := range r.URL.Query() {
		if k != "cursor" {
			q[k] = vs
		}
	}
	q.Set("cursor", encodeCursor(next))
	return r.URL.Path + "?" + q.Encode()
}

// findMove runs fn with the move of an id: from the core (on its
// goroutine), or from the archive of moves that left it; a 404 if
// neither has it.
func (s *Server) findMove(ctx context.Context, id string, fn func(m *fleet.Move)) error {
	found := false
	err := s.read(ctx, func(_ time.Time, core coreView) {
		if m, ok := core.Move(id); ok {
			fn(m)
			found = true
		}
	})
	if err != nil || found {
		return err
	}
	if s.cfg.Archive != nil {
		ctx, cancel := context.WithTimeout(ctx, readTimeout)
		defer cancel()
		m, err := s.cfg.Archive.ArchivedMove(ctx, id)
		switch {
		case err == nil:
			fn(m)
			return nil
		case !errors.Is(err, daemon.ErrNotArchived):
			return &Error{Status: http.StatusServiceUnavailable, Msg: fmt.Sprintf("the archive of moves did not answer for %q: %v", id, err)}
		}
	}
	return &Error{Status: http.StatusNotFound, Msg: fmt.Sprintf("no move %q", id), Field: "id"}
}
