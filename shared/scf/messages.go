package scf

// The Go1 runtime protocol. SCF talks to the function process over net/rpc (gob), and gob matches
// struct fields by exported name, so these names must stay exactly as the platform sends them
// (docs/tencent-cloud-facts.md §1.2). The type names themselves do not travel.

// PingRequest is the platform's health check.
type PingRequest struct{}

// PingResponse answers a ping.
type PingResponse struct{}

// InvokeRequest_Timestamp is the invoke deadline.
type InvokeRequest_Timestamp struct { //nolint:revive // protocol name
	Seconds int64
	Nanos   int64
}

// InvokeRequest is one invocation.
type InvokeRequest struct {
	Payload               []byte // the raw event JSON
	RequestId             string //nolint:revive // protocol name
	TraceId               string //nolint:revive // protocol name
	Deadline              InvokeRequest_Timestamp
	InvokedFunctionUnique string
	ClientContext         []byte
	Namespace             string
	FunctionName          string
	FunctionVersion       string
	MemoryLimitInMb       int32
	TimeLimitInMs         int32
	Environment           string // a JSON object of string to string, applied with os.Setenv
	TencentcloudRegion    string
	TencentcloudAppID     string
	TencentcloudUin       string
	FunctionTrace         string
}

// InvokeResponse carries either the handler's JSON result or an error.
type InvokeResponse struct {
	Payload []byte
	Error   *InvokeResponse_Error
}

// InvokeResponse_Error is a failed invocation.
type InvokeResponse_Error struct { //nolint:revive // protocol name
	Message    string                             `json:"errorMessage"`
	Type       string                             `json:"errorType"`
	StackTrace []*InvokeResponse_Error_StackFrame `json:"stackTrace,omitempty"`
	ShouldExit bool                               `json:"-"`
}

// InvokeResponse_Error_StackFrame is one frame of a panic's stack.
type InvokeResponse_Error_StackFrame struct { //nolint:revive // protocol name
	Path  string `json:"path"`
	Line  int32  `json:"line"`
	Label string `json:"label"`
}
