# TencentDB for Redis: throttles, caches, read-cache epochs and the media stream. The password
# is generated (Redis allows 8–16 characters) and reaches the functions as REDIS_PASSWORD.

variable "name" {
  type = string
}

variable "availability_zone" {
  type = string
}

variable "mem_size" {
  type        = number
  description = "MB"
}

variable "type_id" {
  type        = number
  default     = 8
  description = "Product type (8: Redis 5.0 standard). Check data.tencentcloud_redis_zone_config for the zone."
}

variable "replicas" {
  type    = number
  default = 1
}

variable "replica_zone_ids" {
  type        = list(number)
  default     = []
  description = "Zone ids for the replicas (one per replica; e.g. 100006 for ap-guangzhou-6); empty: the primary's zone"
}

variable "vpc_id" {
  type = string
}

variable "subnet_id" {
  type = string
}

variable "security_group_id" {
  type = string
}

# The provider rejects a password without two of letters, digits and _+-&=!@#$%^*() (upper and
# lower case count as one): the minimums guarantee letters, digits and a special every time.
resource "random_password" "redis" {
  length           = 16
  special          = true
  override_special = "_-"
  min_lower        = 2
  min_upper        = 2
  min_numeric      = 2
  min_special      = 1
}

resource "tencentcloud_redis_instance" "this" {
  name               = var.name
  availability_zone  = var.availability_zone
  type_id            = var.type_id
  mem_size           = var.mem_size
  redis_replicas_num = var.replicas
  replica_zone_ids   = length(var.replica_zone_ids) > 0 ? var.replica_zone_ids : null
  charge_type        = "POSTPAID"
  password           = random_password.redis.result
  vpc_id             = var.vpc_id
  subnet_id          = var.subnet_id
  security_groups    = [var.security_group_id]
  port               = 6379
}

output "addr" {
  value = "${tencentcloud_redis_instance.this.ip}:6379"
}

output "password" {
  value     = random_password.redis.result
  sensitive = true
}
