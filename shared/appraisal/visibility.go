package appraisal

import "context"

// Scope is what one principal may see, decided once per request from the principal alone: every
// order, item, customer and file (roles holding CapSeeAllOrders), or only what one expert is
// working on — the orders assigned to them in the current round, the items of those orders and
// the photos and videos of both. Services take a Scope on every read and every write, and the
// stores apply it in the SQL itself, so a list can never hold what a detail would refuse and no
// handler has a check of its own to forget. An object outside the scope is not found (404), never
// forbidden: a caller learns nothing about what it may not see.
type Scope struct {
	All      bool
	ExpertID int64 // when !All: the expert whose current assignments are visible; 0 sees nothing
}

// ScopeOf decides a principal's scope; seeAll is whether the role holds CapSeeAllOrders now.
func ScopeOf(p *Principal, seeAll bool) Scope {
	if seeAll {
		return Scope{All: true}
	}
	return Scope{ExpertID: p.ExpertID}
}

// SeesOrder reports whether the scope includes an order.
func (s Scope) SeesOrder(o *Order) bool {
	return s.All || (s.ExpertID != 0 && o.AssigneeID == s.ExpertID)
}

// Capabilities of the media group (listed in Capabilities).
const (
	// CapEditFrozenMedia lets a role add or remove files of an order whose certificate is issued
	// (or of an item with such an order): the files are the evidence behind the certificate, and
	// only the roles that may supersede a result may change them.
	CapEditFrozenMedia = "media.frozen.edit"
)

// MediaOwner is what a file belongs to, as one scope sees it.
type MediaOwner struct {
	Type string // item | order
	ID   int64
	// Frozen: an issued certificate rests on this owner's files (an order in CERT_ISSUED, or an
	// item with such an order).
	Frozen bool
}

// MediaAccess is the part of the media store that answers within a scope. Every method returns
// a KindNotFound error for what the scope does not include, exactly as for what does not exist.
type MediaAccess interface {
	// VisibleMedia reads a live (not deleted) file the scope includes.
	VisibleMedia(ctx context.Context, s Scope, id int64) (*Media, error)
	// ListMedia lists the live files of an owner the scope includes.
	ListMedia(ctx context.Context, s Scope, ownerType string, ownerID int64) ([]Media, error)
	// MediaOwner reads an owner (item or order) the scope includes, with whether it is frozen.
	MediaOwner(ctx context.Context, s Scope, ownerType string, ownerID int64) (MediaOwner, error)
	// TroubledMedia lists the live files in one of statuses (FAILED, REJECTED) the scope
	// includes, most recently changed first, with their total.
	TroubledMedia(ctx context.Context, s Scope, statuses []MediaStatus, p Page) ([]Media, int, error)
}
