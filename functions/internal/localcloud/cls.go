package localcloud

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/jianbao/admin/localcloud/api"
)

// CLS: logsets, topics and their indexes, kept as written. The SDK module served here has no CLS
// models, so the requests and answers are declared from the API reference
// (https://cloud.tencent.com/document/api/614/56450 and the pages it links). Nothing is indexed:
// the functions' log lines go to the local cloud's own log.

type clsTag struct {
	Key   *string `json:"Key"`
	Value *string `json:"Value"`
}

type clsFilter struct {
	Key    *string   `json:"Key"`
	Values []*string `json:"Values"`
}

// clsCreateLogset: https://cloud.tencent.com/document/api/614/58626
type clsCreateLogset struct {
	LogsetName *string   `json:"LogsetName"`
	Tags       []*clsTag `json:"Tags"`
	LogsetId   *string   `json:"LogsetId"`
}

// clsDescribeRequest is DescribeLogsets and DescribeTopics
// (https://cloud.tencent.com/document/api/614/58624, /614/56454).
type clsDescribeRequest struct {
	Filters        []*clsFilter `json:"Filters"`
	Offset         *int64       `json:"Offset"`
	Limit          *int64       `json:"Limit"`
	PreciseSearch  *uint64      `json:"PreciseSearch"`
	BizType        *uint64      `json:"BizType"`
	TopicIdList    []*string    `json:"TopicIdList"`
	TopicNameList  []*string    `json:"TopicNameList"`
	LogsetIdList   []*string    `json:"LogsetIdList"`
	TopicAssociate *int64       `json:"TopicAssociate"`
}

// clsTopic is CreateTopic's request (https://cloud.tencent.com/document/api/614/56456) and, with
// its ids and times, a TopicInfo of DescribeTopics.
type clsTopic struct {
	LogsetId           *string         `json:"LogsetId"`
	TopicId            *string         `json:"TopicId,omitempty"`
	TopicName          *string         `json:"TopicName"`
	PartitionCount     *int64          `json:"PartitionCount"`
	Tags               []*clsTag       `json:"Tags"`
	AutoSplit          *bool           `json:"AutoSplit"`
	MaxSplitPartitions *int64          `json:"MaxSplitPartitions"`
	StorageType        *string         `json:"StorageType"`
	Period             *int64          `json:"Period"`
	HotPeriod          *uint64         `json:"HotPeriod"`
	Describes          *string         `json:"Describes"`
	IsWebTracking      *bool           `json:"IsWebTracking"`
	Extends            json.RawMessage `json:"Extends,omitempty"`
	BizType            *uint64         `json:"BizType"`
	Encryption         *uint64         `json:"Encryption,omitempty"`
	CustomKmsInfo      json.RawMessage `json:"CustomKmsInfo,omitempty"`
	CreateTime         *string         `json:"CreateTime,omitempty"`
	Status             *bool           `json:"Status,omitempty"`
	Index              *bool           `json:"Index,omitempty"`
}

// clsIndex is CreateIndex/ModifyIndex's request and DescribeIndex's answer
// (https://cloud.tencent.com/document/api/614/56451, /614/56447).
type clsIndex struct {
	TopicId               *string         `json:"TopicId"`
	Rule                  json.RawMessage `json:"Rule"`
	Status                *bool           `json:"Status"`
	IncludeInternalFields *bool           `json:"IncludeInternalFields"`
	MetadataFlag          *uint64         `json:"MetadataFlag"`
	CoverageField         *string         `json:"CoverageField,omitempty"`
	ModifyTime            *string         `json:"ModifyTime,omitempty"`
}

type clsLogset struct {
	id, name string
	created  time.Time
}

type clsState struct {
	logsets map[string]*clsLogset
	topics  map[string]*clsTopic
	indexes map[string]*clsIndex
}

func (c *Cloud) cls() *clsState {
	if c.state.clsState == nil {
		c.state.clsState = &clsState{logsets: map[string]*clsLogset{}, topics: map[string]*clsTopic{}, indexes: map[string]*clsIndex{}}
	}
	return c.state.clsState
}

func clsFilters(list []*clsFilter) filterValues {
	return filters(list, func(f *clsFilter) (string, []*string) { return deref(f.Key), f.Values })
}

func (c *Cloud) registerCLS() {
	h := func(action string, fn api.Handler) { c.API.Handle("cls", action, fn) }
	h("CreateLogset", func(call *api.Call) (any, error) {
		var req clsCreateLogset
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		l := &clsLogset{id: randomUUID(), name: deref(req.LogsetName), created: time.Now()}
		c.cls().logsets[l.id] = l
		return map[string]any{"LogsetId": l.id}, nil
	})
	h("DescribeLogsets", func(call *api.Call) (any, error) {
		var req clsDescribeRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		f := clsFilters(req.Filters)
		list := []map[string]any{}
		for _, l := range c.cls().logsets {
			if f.match(map[string]string{"logsetId": l.id, "logsetName": l.name}) {
				n := 0
				for _, t := range c.cls().topics {
					if deref(t.LogsetId) == l.id {
						n++
					}
				}
				list = append(list, map[string]any{"LogsetId": l.id, "LogsetName": l.name, "CreateTime": stamp(l.created),
					"AssumerName": "", "Tags": []any{}, "TopicCount": n, "RoleName": ""})
			}
		}
		return map[string]any{"TotalCount": len(list), "Logsets": list}, nil
	})
	h("ModifyLogset", func(call *api.Call) (any, error) {
		var req clsCreateLogset
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		l := c.cls().logsets[deref(req.LogsetId)]
		if l == nil {
			return nil, api.Errorf("ResourceNotFound.LogsetNotExist", "no logset %s", deref(req.LogsetId))
		}
		if req.LogsetName != nil {
			l.name = *req.LogsetName
		}
		return nil, nil
	})
	h("DeleteLogset", func(call *api.Call) (any, error) {
		var req struct {
			LogsetId *string `json:"LogsetId"`
		}
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.cls().logsets[deref(req.LogsetId)] == nil {
			return nil, api.Errorf("ResourceNotFound.LogsetNotExist", "no logset %s", deref(req.LogsetId))
		}
		for _, t := range c.cls().topics {
			if deref(t.LogsetId) == deref(req.LogsetId) {
				return nil, api.Errorf("OperationDenied.LogsetNotEmpty", "the logset still has the topic %s", deref(t.TopicId))
			}
		}
		delete(c.cls().logsets, *req.LogsetId)
		return nil, nil
	})
	h("CreateTopic", func(call *api.Call) (any, error) {
		var req clsTopic
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.cls().logsets[deref(req.LogsetId)] == nil {
			return nil, api.Errorf("ResourceNotFound.LogsetNotExist", "no logset %s", deref(req.LogsetId))
		}
		req.TopicId, req.CreateTime, req.Status, req.Index = ptr(randomUUID()), ptr(stamp(time.Now())), ptr(true), ptr(false)
		if req.Tags == nil {
			req.Tags = []*clsTag{}
		}
		c.cls().topics[*req.TopicId] = &req
		return map[string]any{"TopicId": *req.TopicId}, nil
	})
	h("DescribeTopics", func(call *api.Call) (any, error) {
		var req clsDescribeRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		f := clsFilters(req.Filters)
		list := []*clsTopic{}
		for _, t := range c.cls().topics {
			if f.match(map[string]string{"topicId": deref(t.TopicId), "topicName": deref(t.TopicName), "logsetId": deref(t.LogsetId)}) {
				list = append(list, t)
			}
		}
		slices.SortFunc(list, func(a, b *clsTopic) int { return compare(*a.TopicId, *b.TopicId) })
		return map[string]any{"TotalCount": len(list), "Topics": list}, nil
	})
	h("ModifyTopic", func(call *api.Call) (any, error) {
		var req clsTopic
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		t := c.cls().topics[deref(req.TopicId)]
		if t == nil {
			return nil, api.Errorf("ResourceNotFound.TopicNotExist", "no topic %s", deref(req.TopicId))
		}
		merge(t, &req)
		return nil, nil
	})
	h("DeleteTopic", func(call *api.Call) (any, error) {
		var req struct {
			TopicId *string `json:"TopicId"`
		}
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.cls().topics[deref(req.TopicId)] == nil {
			return nil, api.Errorf("ResourceNotFound.TopicNotExist", "no topic %s", deref(req.TopicId))
		}
		if c.state.usersOf(*req.TopicId) != "" {
			return nil, api.Errorf("OperationDenied", "the topic %s still receives the logs of %s", *req.TopicId, c.state.usersOf(*req.TopicId))
		}
		delete(c.cls().topics, *req.TopicId)
		delete(c.cls().indexes, *req.TopicId)
		return nil, nil
	})
	for _, action := range []string{"CreateIndex", "ModifyIndex"} {
		h(action, func(call *api.Call) (any, error) {
			var req clsIndex
			if err := call.Decode(&req); err != nil {
				return nil, err
			}
			c.mu.Lock()
			defer c.mu.Unlock()
			t := c.cls().topics[deref(req.TopicId)]
			if t == nil {
				return nil, api.Errorf("ResourceNotFound.TopicNotExist", "no topic %s", deref(req.TopicId))
			}
			if action == "CreateIndex" && c.cls().indexes[*req.TopicId] != nil {
				return nil, api.Errorf("ResourceInUse.IndexConflict", "the topic %s has an index", *req.TopicId)
			}
			req.ModifyTime = ptr(stamp(time.Now()))
			if old := c.cls().indexes[*req.TopicId]; old != nil && action == "ModifyIndex" {
				merge(old, &req)
			} else {
				c.cls().indexes[*req.TopicId] = &req
			}
			t.Index = ptr(true)
			return nil, nil
		})
	}
	h("DescribeIndex", func(call *api.Call) (any, error) {
		var req struct {
			TopicId *string `json:"TopicId"`
		}
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		ix := c.cls().indexes[deref(req.TopicId)]
		if ix == nil {
			return nil, api.Errorf("ResourceNotFound.IndexNotExist", "the topic %s has no index", deref(req.TopicId))
		}
		return ix, nil
	})
	h("DeleteIndex", func(call *api.Call) (any, error) {
		var req struct {
			TopicId *string `json:"TopicId"`
		}
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		delete(c.cls().indexes, deref(req.TopicId))
		return nil, nil
	})
}

// merge copies the set fields of src over dst (both pointers to the same struct): a Modify
// action's partial update.
func merge[T any](dst, src *T) {
	var d, s map[string]json.RawMessage
	bd, _ := json.Marshal(dst)
	bs, _ := json.Marshal(src)
	json.Unmarshal(bd, &d)
	json.Unmarshal(bs, &s)
	for k, v := range s {
		if string(v) != "null" {
			d[k] = v
		}
	}
	b, _ := json.Marshal(d)
	json.Unmarshal(b, dst)
}
