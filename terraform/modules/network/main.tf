# A VPC for one environment: a subnet for the functions and one for the databases, and security
# groups that let only the functions' subnet reach MySQL and Redis. SCF's VPC config has no
# security group of its own, so the databases' groups admit the functions' CIDR.
#
# The subnets stay in one zone on purpose: SCF binds a function to one subnet (it runs the
# function itself across zones), and TencentDB places replicas by zone, not by subnet — prod's
# second zone is in the MySQL replica (first_slave_zone, semi-synchronous) and the Redis replica
# (replica_zone_ids).

variable "name" {
  type = string
}

variable "cidr" {
  type    = string
  default = "10.20.0.0/16"
}

variable "availability_zone" {
  type = string
}

resource "tencentcloud_vpc" "this" {
  name       = var.name
  cidr_block = var.cidr
}

resource "tencentcloud_subnet" "functions" {
  name              = "${var.name}-functions"
  vpc_id            = tencentcloud_vpc.this.id
  cidr_block        = cidrsubnet(var.cidr, 8, 1)
  availability_zone = var.availability_zone
}

resource "tencentcloud_subnet" "data" {
  name              = "${var.name}-data"
  vpc_id            = tencentcloud_vpc.this.id
  cidr_block        = cidrsubnet(var.cidr, 8, 2)
  availability_zone = var.availability_zone
}

resource "tencentcloud_security_group" "mysql" {
  name        = "${var.name}-mysql"
  description = "MySQL: the functions subnet only"
}

resource "tencentcloud_security_group_rule_set" "mysql" {
  security_group_id = tencentcloud_security_group.mysql.id
  ingress {
    action      = "ACCEPT"
    cidr_block  = tencentcloud_subnet.functions.cidr_block
    protocol    = "TCP"
    port        = "3306"
    description = "functions to MySQL"
  }
  ingress {
    action      = "DROP"
    cidr_block  = "0.0.0.0/0"
    protocol    = "ALL"
    description = "nothing else"
  }
}

resource "tencentcloud_security_group" "redis" {
  name        = "${var.name}-redis"
  description = "Redis: the functions subnet only"
}

resource "tencentcloud_security_group_rule_set" "redis" {
  security_group_id = tencentcloud_security_group.redis.id
  ingress {
    action      = "ACCEPT"
    cidr_block  = tencentcloud_subnet.functions.cidr_block
    protocol    = "TCP"
    port        = "6379"
    description = "functions to Redis"
  }
  ingress {
    action      = "DROP"
    cidr_block  = "0.0.0.0/0"
    protocol    = "ALL"
    description = "nothing else"
  }
}

output "vpc_id" {
  value = tencentcloud_vpc.this.id
}

output "functions_subnet_id" {
  value = tencentcloud_subnet.functions.id
}

output "functions_cidr" {
  value = tencentcloud_subnet.functions.cidr_block
}

output "data_subnet_id" {
  value = tencentcloud_subnet.data.id
}

output "mysql_security_group_id" {
  value = tencentcloud_security_group.mysql.id
}

output "redis_security_group_id" {
  value = tencentcloud_security_group.redis.id
}
