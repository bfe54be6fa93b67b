package localcloud

import (
	"strconv"
	"time"
)

// state is everything the cloud remembers, guarded by Cloud.mu. Each product keeps its own maps;
// ids are made the way the real API makes them (prefix and random part, or a number).
type state struct {
	seq int64

	roles       map[string]*camRole   // by RoleId
	policies    map[uint64]*camPolicy // by PolicyId
	rolePolicy  map[string]time.Time  // "roleId#policyId" → attached at
	policyByNum uint64

	vpc      *vpcState
	secrets  map[string]*ssmSecret
	clsState *clsState
	cdn      map[string]*cdnDomain
	monitor  *monitorState
	cdbState *cdbState
	redis    map[string]*redisInstance
	redisN   int
	scfState *scfState
	domains  map[string]*scfCustomDomain
	apigw    map[string]*apigwService
	charges  []charge                     // added to the bill through the control host
	tags     map[string]map[string]string // tagKey → key → value
	// uses records what uses a network resource (a subnet, a security group): resource id →
	// the ids of what uses it, so deleting one in use is refused as the API refuses it.
	uses map[string]map[string]bool
}

// use records that user uses resource; unuse forgets it.
func (s *state) use(resource, user string) {
	if s.uses == nil {
		s.uses = map[string]map[string]bool{}
	}
	if s.uses[resource] == nil {
		s.uses[resource] = map[string]bool{}
	}
	s.uses[resource][user] = true
}

func (s *state) unuse(user string) {
	for _, users := range s.uses {
		delete(users, user)
	}
}

// usersOf names one user of resource, or "".
func (s *state) usersOf(resource string) string {
	for u := range s.uses[resource] {
		return u
	}
	return ""
}

func newState() *state {
	return &state{roles: map[string]*camRole{}, policies: map[uint64]*camPolicy{}, rolePolicy: map[string]time.Time{}}
}

// next is a number unique in this cloud.
func (s *state) next() int64 {
	s.seq++
	return s.seq
}

// ptr returns a pointer to v: the SDK models are all pointers.
func ptr[T any](v T) *T { return &v }

// inner allocates the Response struct of an SDK response model (an anonymous struct) and
// returns it, for the action to fill.
func inner[T any](field **T) *T {
	*field = new(T)
	return *field
}

// stamp is how the API writes times: "2006-01-02 15:04:05", China time.
func stamp(t time.Time) string { return t.In(china).Format("2006-01-02 15:04:05") }

var china = time.FixedZone("CST", 8*3600)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
