package localcloud

import (
	"net/netip"
	"slices"
	"strconv"
	"time"

	vpc "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vpc/v20170312"

	"github.com/jianbao/admin/localcloud/api"
)

// VPC: networks, subnets (each VPC has its default route table) and security groups with their
// rules. Nothing is routed: the local functions reach the local MariaDB and Redis directly; what
// is checked is what the API checks (CIDRs inside the VPC, groups in use).

type vpcNet struct {
	id, name, cidr string
	multicast      bool
	dns            []string
	created        time.Time
	tags           []*vpc.Tag
	routeTable     string
}

type vpcSubnet struct {
	id, vpc, name, cidr, zone string
	created                   time.Time
	tags                      []*vpc.Tag
}

type vpcGroup struct {
	id, name, desc, project string
	created                 time.Time
	tags                    []*vpc.Tag
	version                 int
	ingress, egress         []*vpc.SecurityGroupPolicy
}

type vpcState struct {
	vpcs    map[string]*vpcNet
	subnets map[string]*vpcSubnet
	groups  map[string]*vpcGroup
}

// createVpcRequest is CreateVpc with the fields newer than the SDK's model
// (https://cloud.tencent.com/document/api/215/15774).
type createVpcRequest struct {
	vpc.CreateVpcRequest
	EnableRouteVpcPublish     *bool `json:"EnableRouteVpcPublish"`
	EnableRouteVpcPublishIpv6 *bool `json:"EnableRouteVpcPublishIpv6"`
}

// vpcView is Vpc with the fields newer than the SDK's model (DescribeVpcs,
// https://cloud.tencent.com/document/api/215/15778).
type vpcView struct {
	vpc.Vpc
	EnableRouteVpcPublish     *bool `json:"EnableRouteVpcPublish"`
	EnableRouteVpcPublishIpv6 *bool `json:"EnableRouteVpcPublishIpv6"`
}

func (c *Cloud) vpcs() *vpcState {
	if c.state.vpc == nil {
		c.state.vpc = &vpcState{vpcs: map[string]*vpcNet{}, subnets: map[string]*vpcSubnet{}, groups: map[string]*vpcGroup{}}
	}
	return c.state.vpc
}

func vpcFilters(list []*vpc.Filter) filterValues {
	return filters(list, func(f *vpc.Filter) (string, []*string) { return deref(f.Name), f.Values })
}

func (n *vpcNet) view() *vpcView {
	v := &vpcView{Vpc: vpc.Vpc{VpcName: ptr(n.name), VpcId: ptr(n.id), CidrBlock: ptr(n.cidr), IsDefault: ptr(false),
		EnableMulticast: ptr(n.multicast), CreatedTime: ptr(stamp(n.created)), DnsServerSet: ptrs(n.dns), TagSet: n.tags},
		EnableRouteVpcPublish: ptr(false), EnableRouteVpcPublishIpv6: ptr(false)}
	return v
}

func ptrs(s []string) []*string {
	out := make([]*string, len(s))
	for i := range s {
		out[i] = &s[i]
	}
	return out
}

func (c *Cloud) registerVPC() {
	h := func(action string, fn api.Handler) { c.API.Handle("vpc", action, fn) }
	h("CreateVpc", func(call *api.Call) (any, error) {
		var req createVpcRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		if _, err := netip.ParsePrefix(deref(req.CidrBlock)); err != nil {
			return nil, api.Errorf("InvalidParameterValue.Malformed", "CidrBlock %q", deref(req.CidrBlock))
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		n := &vpcNet{id: "vpc-" + randomID(8), name: deref(req.VpcName), cidr: *req.CidrBlock, multicast: deref(req.EnableMulticast) == "true",
			dns: derefs(req.DnsServers), created: time.Now(), tags: req.Tags, routeTable: "rtb-" + randomID(8)}
		if len(n.dns) == 0 {
			n.dns = []string{"183.60.83.19", "183.60.82.98"}
		}
		c.vpcs().vpcs[n.id] = n
		out := inner(&vpc.NewCreateVpcResponse().Response)
		out.Vpc = &n.view().Vpc
		return out, nil
	})
	h("DescribeVpcs", func(call *api.Call) (any, error) {
		var req vpc.DescribeVpcsRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		f := vpcFilters(req.Filters)
		var list []*vpcView
		for _, n := range c.vpcs().vpcs {
			attrs := map[string]string{"vpc-id": n.id, "vpc-name": n.name, "cidr-block": n.cidr, "is-default": "false"}
			if (len(req.VpcIds) == 0 || slices.Contains(derefs(req.VpcIds), n.id)) && f.match(attrs) {
				list = append(list, n.view())
			}
		}
		slices.SortFunc(list, func(a, b *vpcView) int { return compare(*a.VpcId, *b.VpcId) })
		return map[string]any{"TotalCount": len(list), "VpcSet": window(list, atoi(req.Offset), atoi(req.Limit))}, nil
	})
	h("ModifyVpcAttribute", func(call *api.Call) (any, error) {
		var req vpc.ModifyVpcAttributeRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		n := c.vpcs().vpcs[deref(req.VpcId)]
		if n == nil {
			return nil, api.Errorf("ResourceNotFound", "no VPC %s", deref(req.VpcId))
		}
		if req.VpcName != nil {
			n.name = *req.VpcName
		}
		return inner(&vpc.NewModifyVpcAttributeResponse().Response), nil
	})
	h("DeleteVpc", func(call *api.Call) (any, error) {
		var req vpc.DeleteVpcRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		v := c.vpcs()
		if v.vpcs[deref(req.VpcId)] == nil {
			return nil, api.Errorf("ResourceNotFound", "no VPC %s", deref(req.VpcId))
		}
		for _, s := range v.subnets {
			if s.vpc == *req.VpcId {
				return nil, api.Errorf("ResourceInUse", "the VPC %s still has the subnet %s", *req.VpcId, s.id)
			}
		}
		delete(v.vpcs, *req.VpcId)
		return inner(&vpc.NewDeleteVpcResponse().Response), nil
	})
	h("DescribeRouteTables", func(call *api.Call) (any, error) {
		var req vpc.DescribeRouteTablesRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		f := vpcFilters(req.Filters)
		var list []*vpc.RouteTable
		for _, n := range c.vpcs().vpcs {
			attrs := map[string]string{"vpc-id": n.id, "route-table-id": n.routeTable, "route-table-name": "default", "association.main": "true"}
			if f.match(attrs) && (len(req.RouteTableIds) == 0 || slices.Contains(derefs(req.RouteTableIds), n.routeTable)) {
				var assoc []*vpc.RouteTableAssociation
				for _, s := range c.vpcs().subnets {
					if s.vpc == n.id {
						assoc = append(assoc, &vpc.RouteTableAssociation{SubnetId: ptr(s.id), RouteTableId: ptr(n.routeTable)})
					}
				}
				list = append(list, &vpc.RouteTable{VpcId: ptr(n.id), RouteTableId: ptr(n.routeTable), RouteTableName: ptr("default"),
					AssociationSet: assoc, RouteSet: []*vpc.Route{}, Main: ptr(true), CreatedTime: ptr(stamp(n.created))})
			}
		}
		return map[string]any{"TotalCount": len(list), "RouteTableSet": list}, nil
	})
	h("CreateSubnet", func(call *api.Call) (any, error) {
		var req vpc.CreateSubnetRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		n := c.vpcs().vpcs[deref(req.VpcId)]
		if n == nil {
			return nil, api.Errorf("ResourceNotFound", "no VPC %s", deref(req.VpcId))
		}
		sub, err := netip.ParsePrefix(deref(req.CidrBlock))
		outer, _ := netip.ParsePrefix(n.cidr)
		if err != nil || !outer.Contains(sub.Addr()) || sub.Bits() < outer.Bits() {
			return nil, api.Errorf("InvalidParameterValue.SubnetRange", "the subnet %s is not inside the VPC's %s", deref(req.CidrBlock), n.cidr)
		}
		for _, s := range c.vpcs().subnets {
			if other, _ := netip.ParsePrefix(s.cidr); s.vpc == n.id && other.Overlaps(sub) {
				return nil, api.Errorf("InvalidParameterValue.SubnetConflict", "%s overlaps the subnet %s", sub, s.id)
			}
		}
		s := &vpcSubnet{id: "subnet-" + randomID(8), vpc: n.id, name: deref(req.SubnetName), cidr: sub.String(), zone: deref(req.Zone),
			created: time.Now(), tags: req.Tags}
		c.vpcs().subnets[s.id] = s
		out := inner(&vpc.NewCreateSubnetResponse().Response)
		out.Subnet = s.view(n.routeTable)
		return out, nil
	})
	h("DescribeSubnets", func(call *api.Call) (any, error) {
		var req vpc.DescribeSubnetsRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		f := vpcFilters(req.Filters)
		var list []*vpc.Subnet
		for _, s := range c.vpcs().subnets {
			attrs := map[string]string{"subnet-id": s.id, "vpc-id": s.vpc, "subnet-name": s.name, "cidr-block": s.cidr, "zone": s.zone, "is-default": "false"}
			if (len(req.SubnetIds) == 0 || slices.Contains(derefs(req.SubnetIds), s.id)) && f.match(attrs) {
				list = append(list, s.view(c.vpcs().vpcs[s.vpc].routeTable))
			}
		}
		slices.SortFunc(list, func(a, b *vpc.Subnet) int { return compare(*a.SubnetId, *b.SubnetId) })
		return map[string]any{"TotalCount": len(list), "SubnetSet": window(list, atoi(req.Offset), atoi(req.Limit))}, nil
	})
	h("ModifySubnetAttribute", func(call *api.Call) (any, error) {
		var req vpc.ModifySubnetAttributeRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		s := c.vpcs().subnets[deref(req.SubnetId)]
		if s == nil {
			return nil, api.Errorf("ResourceNotFound", "no subnet %s", deref(req.SubnetId))
		}
		if req.SubnetName != nil {
			s.name = *req.SubnetName
		}
		return inner(&vpc.NewModifySubnetAttributeResponse().Response), nil
	})
	h("DeleteSubnet", func(call *api.Call) (any, error) {
		var req vpc.DeleteSubnetRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.vpcs().subnets[deref(req.SubnetId)] == nil {
			return nil, api.Errorf("ResourceNotFound", "no subnet %s", deref(req.SubnetId))
		}
		if user := c.subnetUser(*req.SubnetId); user != "" {
			return nil, api.Errorf("ResourceInUse", "the subnet %s is used by %s", *req.SubnetId, user)
		}
		delete(c.vpcs().subnets, *req.SubnetId)
		return inner(&vpc.NewDeleteSubnetResponse().Response), nil
	})
	h("CreateSecurityGroup", func(call *api.Call) (any, error) {
		var req vpc.CreateSecurityGroupRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		g := &vpcGroup{id: "sg-" + randomID(8), name: deref(req.GroupName), desc: deref(req.GroupDescription), project: cmpOr(deref(req.ProjectId), "0"),
			created: time.Now(), tags: req.Tags}
		c.vpcs().groups[g.id] = g
		out := inner(&vpc.NewCreateSecurityGroupResponse().Response)
		out.SecurityGroup = g.view()
		return out, nil
	})
	h("DescribeSecurityGroups", func(call *api.Call) (any, error) {
		var req vpc.DescribeSecurityGroupsRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		f := vpcFilters(req.Filters)
		var list []*vpc.SecurityGroup
		for _, g := range c.vpcs().groups {
			attrs := map[string]string{"security-group-id": g.id, "security-group-name": g.name, "project-id": g.project}
			if (len(req.SecurityGroupIds) == 0 || slices.Contains(derefs(req.SecurityGroupIds), g.id)) && f.match(attrs) {
				list = append(list, g.view())
			}
		}
		slices.SortFunc(list, func(a, b *vpc.SecurityGroup) int { return compare(*a.SecurityGroupId, *b.SecurityGroupId) })
		return map[string]any{"TotalCount": len(list), "SecurityGroupSet": window(list, atoi(req.Offset), atoi(req.Limit))}, nil
	})
	h("ModifySecurityGroupAttribute", func(call *api.Call) (any, error) {
		var req vpc.ModifySecurityGroupAttributeRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		g := c.vpcs().groups[deref(req.SecurityGroupId)]
		if g == nil {
			return nil, api.Errorf("ResourceNotFound", "no security group %s", deref(req.SecurityGroupId))
		}
		if req.GroupName != nil {
			g.name = *req.GroupName
		}
		if req.GroupDescription != nil {
			g.desc = *req.GroupDescription
		}
		return inner(&vpc.NewModifySecurityGroupAttributeResponse().Response), nil
	})
	h("DeleteSecurityGroup", func(call *api.Call) (any, error) {
		var req vpc.DeleteSecurityGroupRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.vpcs().groups[deref(req.SecurityGroupId)] == nil {
			return nil, api.Errorf("ResourceNotFound", "no security group %s", deref(req.SecurityGroupId))
		}
		if user := c.groupUser(*req.SecurityGroupId); user != "" {
			return nil, api.Errorf("ResourceInUse", "the security group %s is bound to %s", *req.SecurityGroupId, user)
		}
		delete(c.vpcs().groups, *req.SecurityGroupId)
		return inner(&vpc.NewDeleteSecurityGroupResponse().Response), nil
	})
	h("DescribeSecurityGroupAssociationStatistics", func(call *api.Call) (any, error) {
		var req vpc.DescribeSecurityGroupAssociationStatisticsRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		var list []*vpc.SecurityGroupAssociationStatistics
		for _, id := range derefs(req.SecurityGroupIds) {
			n := uint64(0)
			if c.groupUser(id) != "" {
				n = 1
			}
			list = append(list, &vpc.SecurityGroupAssociationStatistics{SecurityGroupId: ptr(id), CDB: ptr(n), TotalCount: ptr(n),
				CVM: ptr(uint64(0)), ENI: ptr(uint64(0)), SG: ptr(uint64(0)), CLB: ptr(uint64(0)), InstanceStatistics: []*vpc.InstanceStatistic{}})
		}
		out := inner(&vpc.NewDescribeSecurityGroupAssociationStatisticsResponse().Response)
		out.SecurityGroupAssociationStatisticsSet = list
		return out, nil
	})
	h("DescribeSecurityGroupPolicies", func(call *api.Call) (any, error) {
		var req vpc.DescribeSecurityGroupPoliciesRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		g := c.vpcs().groups[deref(req.SecurityGroupId)]
		if g == nil {
			return nil, api.Errorf("ResourceNotFound", "no security group %s", deref(req.SecurityGroupId))
		}
		out := inner(&vpc.NewDescribeSecurityGroupPoliciesResponse().Response)
		out.SecurityGroupPolicySet = &vpc.SecurityGroupPolicySet{Version: ptr(strconv.Itoa(g.version)), Ingress: g.ingress, Egress: g.egress}
		return out, nil
	})
	h("ModifySecurityGroupPolicies", func(call *api.Call) (any, error) {
		var req vpc.ModifySecurityGroupPoliciesRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		g := c.vpcs().groups[deref(req.SecurityGroupId)]
		if g == nil {
			return nil, api.Errorf("ResourceNotFound", "no security group %s", deref(req.SecurityGroupId))
		}
		set := req.SecurityGroupPolicySet
		if set == nil {
			set = &vpc.SecurityGroupPolicySet{}
		}
		g.version++
		g.ingress, g.egress = indexed(set.Ingress), indexed(set.Egress)
		return inner(&vpc.NewModifySecurityGroupPoliciesResponse().Response), nil
	})
}

// indexed numbers a group's rules as the API does (PolicyIndex from 0) and stamps them.
func indexed(rules []*vpc.SecurityGroupPolicy) []*vpc.SecurityGroupPolicy {
	now := stamp(time.Now())
	for i, r := range rules {
		r.PolicyIndex, r.ModifyTime = ptr(int64(i)), ptr(now)
		if r.Port == nil && deref(r.Protocol) == "ALL" {
			r.Port = ptr("ALL")
		}
	}
	if rules == nil {
		return []*vpc.SecurityGroupPolicy{}
	}
	return rules
}

func (s *vpcSubnet) view(routeTable string) *vpc.Subnet {
	return &vpc.Subnet{VpcId: ptr(s.vpc), SubnetId: ptr(s.id), SubnetName: ptr(s.name), CidrBlock: ptr(s.cidr), IsDefault: ptr(false),
		EnableBroadcast: ptr(false), Zone: ptr(s.zone), RouteTableId: ptr(routeTable), CreatedTime: ptr(stamp(s.created)),
		AvailableIpAddressCount: ptr(uint64(250)), TotalIpAddressCount: ptr(uint64(253)), TagSet: s.tags, IsCdcSubnet: ptr(int64(0))}
}

func (g *vpcGroup) view() *vpc.SecurityGroup {
	return &vpc.SecurityGroup{SecurityGroupId: ptr(g.id), SecurityGroupName: ptr(g.name), SecurityGroupDesc: ptr(g.desc),
		ProjectId: ptr(g.project), IsDefault: ptr(false), CreatedTime: ptr(stamp(g.created)), TagSet: g.tags}
}

// subnetUser names what runs in a subnet (a database, a function), or "".
func (c *Cloud) subnetUser(id string) string { return c.state.usersOf(id) }

// groupUser names what a security group is bound to, or "".
func (c *Cloud) groupUser(id string) string { return c.state.usersOf(id) }
